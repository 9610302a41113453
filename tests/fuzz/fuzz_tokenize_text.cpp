// Arbitrary text through the three tokenizers of the shared models: byte-level BPE
// (house-opt/tokenizer.json), SentencePiece (house-llama/tokenizer.model) and llama2.c
// (stories260K/tok512.bin). encode then decode must not crash; the byte-level BPE may refuse
// malformed UTF-8 with an InputError. Where the unit tests assert lossless round trips
// (llama2.c's byte fallback, byte-level BPE) decode(encode(text)) must give the text back for
// valid UTF-8 unless it spells a special token (decode skips those by contract).
// SentencePiece is not held to it: "▁" (U+2581) in a text decodes as a space, as in
// libsentencepiece.
#include <memory>

#include "fuzz_support.h"
#include "tokenize_checks.h"
#include "utf8.h"  // quantcore/tokenize

namespace {

struct Tokenizers {
  std::unique_ptr<quantcore::Tokenizer> bpe =
      quantcore::load_tokenizer(quantlens_fuzz::data_path("house-opt/tokenizer.json"));
  std::unique_ptr<quantcore::Tokenizer> sentencepiece =
      quantcore::load_tokenizer(quantlens_fuzz::data_path("house-llama/tokenizer.model"));
  std::unique_ptr<quantcore::Tokenizer> llama2c =
      quantcore::load_tokenizer(quantlens_fuzz::data_path("stories260K/tok512.bin"));
};

const Tokenizers& tokenizers() {
  static const Tokenizers t;
  return t;
}

using IsSkipped = bool (*)(const quantcore::Tokenizer&, int32_t);

// Byte-level BPE: decode() skips the special added tokens (and an id with an empty token).
bool bpe_skips(const quantcore::Tokenizer& tokenizer, int32_t id) { return tokenizer.decode({id}).empty(); }
// llama2.c: <unk>, <s> and </s>.
bool llama2c_skips(const quantcore::Tokenizer&, int32_t id) { return id >= 0 && id <= 2; }

void check(const quantcore::Tokenizer& tokenizer, std::string_view text, IsSkipped round_trip_unless,
           const char* name) {
  std::vector<int32_t> ids;
  std::string decoded;
  if (!quantlens_fuzz::encode_decode(tokenizer, text, ids, decoded)) return;
  for (int32_t id : ids) {
    if (id < 0 || id >= tokenizer.vocab_size())
      quantlens_fuzz::broken(std::string(name) + ": id " + std::to_string(id) + " outside the vocabulary");
  }
  if (round_trip_unless == nullptr || decoded == text) return;
  for (int32_t id : tokenizer.encode_plain(text)) {
    if (round_trip_unless(tokenizer, id)) return;
  }
  quantlens_fuzz::broken(std::string(name) + ": decode(encode(text)) differs from the text (" +
                         std::to_string(text.size()) + " bytes in, " + std::to_string(decoded.size()) + " out)");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tokenizers();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = quantlens_fuzz::as_text(data, size);
  const bool valid_utf8 = quantcore::find_invalid_utf8(text) == std::string_view::npos;
  const Tokenizers& t = tokenizers();
  check(*t.bpe, text, valid_utf8 ? bpe_skips : nullptr, "byte-level BPE (house-opt)");
  check(*t.sentencepiece, text, nullptr, "SentencePiece (house-llama)");
  check(*t.llama2c, text, valid_utf8 ? llama2c_skips : nullptr, "llama2.c (tok512)");
  return 0;
}
