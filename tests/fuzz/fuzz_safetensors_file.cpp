// A .safetensors file (quantcore/io/safetensors_file.cpp): the reader refuses every structural
// problem with an InputError; what it accepts, every tensor view lies inside the file and holds
// exactly shape x dtype bytes.
#include "fuzz_support.h"
#include "quantcore/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlens_fuzz;
  const auto path = write_scratch("model.safetensors", as_text(data, size));
  expect_input_error([&] {
    const quantcore::SafetensorsFile file(path);
    if (file.header_bytes() > size) broken("header_bytes past the end of the file");
    for (const quantcore::SafetensorsEntry& e : file.entries()) {
      if (file.entry(e.name) != &e) broken("entry() does not find " + e.name);
      const quantcore::TensorView v = file.view(e);
      if (static_cast<uint64_t>(v.numel()) * quantcore::dtype_size(v.dtype) != v.nbytes)
        broken("view of " + e.name + " is not shape x dtype bytes");
      touch(v.data, v.nbytes);
    }
    for (const auto& [key, value] : file.metadata()) touch(value.data(), value.size());
  });
  return 0;
}
