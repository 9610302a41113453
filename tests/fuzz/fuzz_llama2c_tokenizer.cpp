// A llama2.c tokenizer tok*.bin (quantcore/tokenize/llama2c_tokenizer.cpp); a tokenizer it
// accepts encodes and decodes a fixed text.
#include "fuzz_support.h"
#include "tokenize_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quantlens_fuzz;
  const auto path = write_scratch("tok.bin", as_text(data, size));
  expect_input_error([&] { exercise_tokenizer(*quantcore::load_tokenizer(path)); });
  return 0;
}
