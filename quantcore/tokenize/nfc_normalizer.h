#pragma once
#include <string>
#include <string_view>

namespace quantcore {

// Unicode NFC of well-formed UTF-8 (Qwen2's tokenizer.json normalizer), through ICU.
std::string nfc_normalize(std::string_view text);

}  // namespace quantcore
