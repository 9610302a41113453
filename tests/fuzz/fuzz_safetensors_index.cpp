// A sharded checkpoint's model.safetensors.index.json (quantcore/io/safetensors_checkpoint.cpp),
// written next to two small valid shards. Whatever index the reader accepts, every tensor it
// names can be found and viewed.
#include "fuzz_support.h"
#include "quantcore/io/safetensors.h"

namespace {

const std::filesystem::path& checkpoint_dir() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path d = quantlens_fuzz::scratch_dir() / "sharded";
    std::filesystem::create_directories(d);
    const float a[4] = {1, 2, 3, 4};
    const uint16_t b[3] = {0x3c00, 0x4000, 0x4200};
    quantcore::SafetensorsWriter first;
    first.add("model.embed_tokens.weight", quantcore::DType::F32, {2, 2}, a, sizeof a);
    first.add("model.norm.weight", quantcore::DType::F16, {3}, b, sizeof b);
    first.write(d / "model-00001-of-00002.safetensors");
    quantcore::SafetensorsWriter second;
    second.add("lm_head.weight", quantcore::DType::F32, {1, 4}, a, sizeof a);
    second.add("decoder.layers.0.fc1.bias", quantcore::DType::F16, {3}, b, sizeof b);
    second.write(d / "model-00002-of-00002.safetensors");
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlens_fuzz;
  const std::filesystem::path& dir = checkpoint_dir();
  write_scratch(std::filesystem::path("sharded") / "model.safetensors.index.json", as_text(data, size));
  expect_input_error([&] {
    const quantcore::SafetensorsCheckpoint checkpoint(dir);
    for (const std::string& name : checkpoint.names()) {
      const auto view = checkpoint.find(name);
      if (!view) broken("names() lists " + name + " but find() does not find it");
      touch(view->data, view->nbytes);
      touch(checkpoint.location(name).data(), 0);
    }
    checkpoint.find("model.decoder.layers.0.fc1.bias");  // the OPT short-name fallback
    checkpoint.location("no such tensor");
  });
  return 0;
}
