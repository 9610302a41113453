// An HF tokenizer.json, the byte-level BPE loader (quantcore/tokenize/byte_level_bpe.cpp); a
// tokenizer it accepts encodes and decodes a fixed text.
#include "fuzz_support.h"
#include "tokenize_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlens_fuzz;
  const auto path = write_scratch(std::filesystem::path("bpe") / "tokenizer.json", as_text(data, size));
  expect_input_error([&] { exercise_tokenizer(*quantcore::load_tokenizer(path)); });
  return 0;
}
