// A llama2.c checkpoint .bin (quantcore/io/llama2c_checkpoint.cpp). What the reader accepts
// holds every tensor its own spec expects, with the expected shapes.
#include "fuzz_support.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/io/llama2c.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlens_fuzz;
  const auto path = write_scratch("model.bin", as_text(data, size));
  expect_input_error([&] {
    const quantcore::Llama2cCheckpoint checkpoint(path);
    for (const std::string& name : checkpoint.names()) {
      const auto view = checkpoint.find(name);
      if (!view) broken("names() lists " + name + " but find() does not find it");
      if (static_cast<uint64_t>(view->numel()) * sizeof(float) != view->nbytes)
        broken(name + ": size is not shape x 4");
      touch(view->data, view->nbytes);
    }
    try {
      quantcore::validate_weights(checkpoint.spec(), checkpoint, path.string());
    } catch (const quantcore::InputError& e) {
      broken(std::string("an accepted llama2.c file does not validate against its own spec: ") + e.what());
    }
  });
  return 0;
}
