find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc)  # NFC normalizer of Qwen2's tokenizer.json
find_package(Threads REQUIRED)

if(QUANTLENS_WITH_TORCH)
  find_package(CLI11 REQUIRED)
  if(QUANTLENS_TORCH_FROM_PYTHON)
    find_package(Python3 REQUIRED COMPONENTS Interpreter)
    execute_process(COMMAND "${Python3_EXECUTABLE}" -c "import torch;print(torch.utils.cmake_prefix_path)"
                    OUTPUT_VARIABLE _ql_torch_prefix OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
    list(PREPEND CMAKE_PREFIX_PATH "${_ql_torch_prefix}")
  endif()
  set(_ql_cuda_archs "${CMAKE_CUDA_ARCHITECTURES}")
  find_package(Torch REQUIRED)
  set(CMAKE_CUDA_ARCHITECTURES "${_ql_cuda_archs}")  # torch's config clobbers it
  if(TARGET torch_cuda)
    set(QUANTLENS_TORCH_CUDA ON)
  else()
    set(QUANTLENS_TORCH_CUDA OFF)
  endif()
  message(STATUS "QuantLens: LibTorch ${Torch_VERSION}, CUDA in LibTorch=${QUANTLENS_TORCH_CUDA}")
endif()

if(QUANTLENS_GUI)
  find_package(Qt6 6.4 REQUIRED COMPONENTS Widgets OpenGL OpenGLWidgets Concurrent Charts Svg Test)
  pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)
endif()

if(QUANTLENS_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()

# HDF5 analysis dumps (C API; FindHDF5 needs the C language, enabled in project()).
set(QUANTLENS_HAVE_HDF5 OFF)
if(QUANTLENS_HDF5)
  find_package(HDF5 COMPONENTS C)
  if(HDF5_FOUND)
    set(QUANTLENS_HAVE_HDF5 ON)
  endif()
  # The tests check dumps with the HDF5 command-line tools when they are installed.
  find_program(QUANTLENS_H5DUMP h5dump)
  find_program(QUANTLENS_H5LS h5ls)
endif()
message(STATUS "QuantLens: HDF5 dumps=${QUANTLENS_HAVE_HDF5}")
