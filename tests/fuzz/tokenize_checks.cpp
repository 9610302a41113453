#include "tokenize_checks.h"

#include <limits>

#include "fuzz_support.h"

namespace quantlens_fuzz {

bool encode_decode(const quantcore::Tokenizer& tokenizer, std::string_view text, std::vector<int32_t>& ids,
                   std::string& decoded) {
  try {
    ids = tokenizer.encode(text);
  } catch (const quantcore::InputError&) {
    return false;
  }
  decoded = tokenizer.decode(ids);
  return true;
}

void exercise_tokenizer(const quantcore::Tokenizer& tokenizer) {
  static const char* const kTexts[] = {
      "Once upon a time, Lily's cat saw 2024 birds.\n\tThe end.  ",
      "",
      " ",
      "   leading and trailing   ",
      "na\xC3\xAFve caf\xC3\xA9 \xE2\x96\x81 \xF0\x9F\x98\x80 \xE4\xB8\xAD\xE6\x96\x87",
      "<s></s><unk><|endoftext|><pad>",
      "ab\xFF"
      "cd\xC3",
  };
  const int32_t vocab = tokenizer.vocab_size();
  if (vocab < 0) broken("negative vocab_size");
  for (const char* text : kTexts) {
    std::vector<int32_t> ids;
    std::string decoded;
    if (!encode_decode(tokenizer, text, ids, decoded)) continue;
    for (int32_t id : ids) {
      if (id < 0 || id >= vocab) broken("encode gave id " + std::to_string(id) + " outside the vocabulary");
    }
  }
  const std::vector<int32_t> odd_ids = {-1,
                                        0,
                                        1,
                                        2,
                                        3,
                                        vocab - 1,
                                        vocab,
                                        vocab + 7,
                                        std::numeric_limits<int32_t>::max(),
                                        std::numeric_limits<int32_t>::min()};
  tokenizer.decode(odd_ids);
  std::vector<int32_t> all;
  for (int32_t id = 0; id < vocab && id < 70000; ++id) {
    touch(tokenizer.piece(id).data(), 0);
    all.push_back(id);
  }
  tokenizer.decode(all);
  for (int32_t id : tokenizer.prefix_ids()) {
    if (id < 0 || id >= vocab) broken("prefix id " + std::to_string(id) + " outside the vocabulary");
  }
  if (auto eos = tokenizer.eos_id(); eos && (*eos < 0 || *eos >= vocab))
    broken("eos id " + std::to_string(*eos) + " outside the vocabulary");
}

}  // namespace quantlens_fuzz
