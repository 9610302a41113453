// A packed PTQ1.61 directory (quantcore/pack/packed_checkpoint.cpp, packed_format.cpp) opened the
// way the CLI opens models, open_model_checkpoint. The input is
//   [u16 little-endian n][n bytes of config.json][model.safetensors]
// with n = 0 meaning a fixed tiny packed llama config. What opens validates against its spec,
// and every quantised linear dequantises to an F16 tensor of its shape.
#include <cstring>

#include "fuzz_support.h"
#include "quantcore/pack/packed_checkpoint.h"

namespace {

constexpr const char* kTinyPackedConfig =
    R"({"model_type": "llama", "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1,)"
    R"( "num_attention_heads": 2, "num_key_value_heads": 2, "vocab_size": 16, "max_position_embeddings": 32,)"
    R"( "tie_word_embeddings": false, "dtype": "float16",)"
    R"( "quantization_config": {"quant_method": "ptq161", "format": "ptq161-packed", "format_version": 1}})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlens_fuzz;
  if (size < 2) return 0;
  const std::size_t config_bytes = std::min<std::size_t>(data[0] | (std::size_t{data[1]} << 8), size - 2);
  const std::string_view config =
      config_bytes == 0 ? std::string_view(kTinyPackedConfig) : as_text(data + 2, config_bytes);
  const std::filesystem::path dir =
      write_scratch(std::filesystem::path("packed") / "config.json", config).parent_path();
  write_scratch(std::filesystem::path("packed") / "model.safetensors",
                as_text(data + 2 + config_bytes, size - 2 - config_bytes));
  expect_input_error([&] {
    const bool packed = quantcore::is_packed_directory(dir);
    const quantcore::Checkpoint c = quantcore::open_model_checkpoint(dir);
    if (packed != (c.format == quantcore::CheckpointFormat::Packed)) broken("is_packed_directory disagrees");
    for (const quantcore::ExpectedTensor& t : quantcore::expected_tensors(c.spec)) {
      const auto view = c.weights->find(t.name);
      if (!view) broken("validated checkpoint lacks " + t.name);
      if (view->shape != t.shape) broken(t.name + " served with another shape than validated");
      touch(view->data, view->nbytes);
    }
    if (!packed) return;
    const auto& weights = dynamic_cast<const quantcore::PackedCheckpoint&>(*c.weights);
    for (const quantcore::packed::QuantizedWeight& q : weights.quantized()) {
      const auto view = weights.find(q.weight_name);
      if (!view || view->dtype != quantcore::DType::F16 ||
          view->nbytes != static_cast<std::size_t>(q.out_features * q.in_features) * 2)
        broken(q.weight_name + " does not dequantise to F16 [out, in]");
    }
  });
  return 0;
}
