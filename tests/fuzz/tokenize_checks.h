#pragma once
// What the tokenizer harnesses do with a tokenizer a loader accepted.
#include <string>
#include <string_view>
#include <vector>

#include "quantcore/tokenize/tokenizer.h"

namespace quantlens_fuzz {

// Encodes and decodes a few fixed texts (spaces, digits, accents, an emoji, special-token
// spellings, malformed UTF-8), decodes ids in and out of the vocabulary, reads every piece.
// An InputError (the byte-level BPE refuses malformed UTF-8) is allowed from encode only.
void exercise_tokenizer(const quantcore::Tokenizer& tokenizer);

// encode then decode of `text`; an InputError from encode is allowed. Returns the ids, and
// whether encode accepted the text.
bool encode_decode(const quantcore::Tokenizer& tokenizer, std::string_view text, std::vector<int32_t>& ids,
                   std::string& decoded);

}  // namespace quantlens_fuzz
