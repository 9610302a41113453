# Build switches. Each layer builds on its own: with QUANTLENS_WITH_TORCH=OFF only the
# torch-free parts of quantcore (io, tokenize, jobs) and their tests are built, which is
# what the sanitizer build uses.
option(QUANTLENS_WITH_TORCH "Build the LibTorch layers (model, analysis, CLI)" ON)
option(QUANTLENS_TORCH_FROM_PYTHON "Use the LibTorch bundled with the active Python's torch" OFF)
# The Qt workbench is built by default wherever Qt 6 (with OpenGL widgets) and Dear ImGui are
# installed.
if(NOT DEFINED QUANTLENS_GUI)
  find_package(Qt6 6.4 QUIET COMPONENTS Widgets OpenGLWidgets)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(_ql_imgui QUIET imgui)
  endif()
  set(_ql_gui_default OFF)
  if(Qt6_FOUND AND _ql_imgui_FOUND)
    set(_ql_gui_default ON)
  endif()
endif()
option(QUANTLENS_GUI "Build the Qt workbench QuantLens Studio (needs Qt 6 and Dear ImGui)" ${_ql_gui_default})
option(QUANTLENS_CUDA "Build CUDA kernels when nvcc is found" ON)
option(QUANTLENS_HDF5 "Build HDF5 analysis dumps" ON)
option(QUANTLENS_BUILD_TESTS "Build the test suite" ON)
option(QUANTLENS_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
# The libFuzzer harnesses of tests/fuzz over the torch-free readers: clang only, with
# QUANTLENS_WITH_TORCH=OFF (scripts/fuzz.sh, and the smoke runs of scripts/test.sh).
option(QUANTLENS_FUZZ "Build the libFuzzer harnesses (clang, QUANTLENS_WITH_TORCH=OFF)" OFF)

if(QUANTLENS_GUI AND NOT QUANTLENS_WITH_TORCH)
  set(QUANTLENS_GUI OFF CACHE BOOL "" FORCE)  # the workbench computes through the torch layers
endif()

if(QUANTLENS_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "QUANTLENS_FUZZ needs clang (libFuzzer), not ${CMAKE_CXX_COMPILER_ID}: "
                        "configure with CC=clang-14 CXX=clang++-14")
  endif()
  if(QUANTLENS_WITH_TORCH)
    message(FATAL_ERROR "QUANTLENS_FUZZ covers the torch-free readers only: add -DQUANTLENS_WITH_TORCH=OFF")
  endif()
  set(QUANTLENS_CUDA OFF CACHE BOOL "" FORCE)  # nvcc takes no sanitizer flags
  # Every library gets the coverage instrumentation libFuzzer steers by (fuzzer-no-link); only the
  # harnesses link libFuzzer itself (tests/fuzz).
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fsanitize=fuzzer-no-link,address,undefined>
                      $<$<COMPILE_LANGUAGE:CXX>:-fno-omit-frame-pointer>
                      $<$<COMPILE_LANGUAGE:CXX>:-fno-sanitize-recover=undefined>
                      $<$<COMPILE_LANGUAGE:CXX>:-gline-tables-only>)
  add_link_options(-fsanitize=address,undefined)
endif()

if(QUANTLENS_SANITIZE)
  # C++ only: nvcc does not take the sanitizer flags (the CUDA kernels build unsanitised).
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fsanitize=address,undefined>
                      $<$<COMPILE_LANGUAGE:CXX>:-fno-omit-frame-pointer>
                      $<$<COMPILE_LANGUAGE:CXX>:-fno-sanitize-recover=undefined>)
  add_link_options(-fsanitize=address,undefined)
endif()

if(QUANTLENS_CUDA)
  include(CheckLanguage)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    enable_language(CUDA)
    # CMake 3.25 has no CUDA20 flag table for nvcc.
    if(CMAKE_VERSION VERSION_LESS 3.26 AND CMAKE_CUDA_COMPILER_ID STREQUAL "NVIDIA")
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    endif()
    set(CMAKE_CUDA_STANDARD 20)
    set(QUANTLENS_HAVE_CUDA ON)
  else()
    set(QUANTLENS_HAVE_CUDA OFF)
  endif()
else()
  set(QUANTLENS_HAVE_CUDA OFF)
endif()
message(STATUS "QuantLens: torch=${QUANTLENS_WITH_TORCH} gui=${QUANTLENS_GUI} cuda=${QUANTLENS_HAVE_CUDA} sanitize=${QUANTLENS_SANITIZE} fuzz=${QUANTLENS_FUZZ}")
