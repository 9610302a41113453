// An HF config.json (quantcore/io/hf_config.cpp, parse_hf_config). A spec it accepts has
// positive sizes and can be listed as tensors and block linears.
#include "fuzz_support.h"
#include "quantcore/io/hf_config.h"
#include "quantcore/io/model_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlens_fuzz;
  const auto path = write_scratch("config.json", as_text(data, size));
  expect_input_error([&] {
    const quantcore::ModelSpec spec = quantcore::parse_hf_config(path);
    if (spec.hidden_size <= 0 || spec.intermediate_size <= 0 || spec.num_layers <= 0 || spec.num_heads <= 0 ||
        spec.num_kv_heads <= 0 || spec.head_dim <= 0 || spec.vocab_size <= 0 || spec.max_position_embeddings <= 0)
      broken("accepted spec with a non-positive size");
    if (spec.num_heads % spec.num_kv_heads != 0) broken("num_kv_heads does not divide num_heads");
    // The tensor list grows with the layer count; the checkpoint readers bound that count by
    // the tensors the weights hold before listing them (validate_weights), so only small ones here.
    if (spec.num_layers <= 64) {
      const auto tensors = quantcore::expected_tensors(spec);
      const auto linears = quantcore::block_linears(spec);
      if (tensors.empty() || linears.empty()) broken("empty tensor or linear list");
    }
  });
  return 0;
}
