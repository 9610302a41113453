#pragma once
// GPT-2's reversible mapping of the 256 byte values to printable characters, in which
// byte-level BPE vocabularies are written ("Ġ" is the space byte).
#include <cstdint>
#include <string>
#include <string_view>

namespace quantcore {

// UTF-8 of the character that stands for `byte`.
const std::string& byte_level_char(uint8_t byte);
std::string to_byte_level(std::string_view bytes);
// The bytes a byte-level token stands for. A token with any character outside the alphabet
// (an added token such as "<|im_start|>" written in plain text) is taken as is, as HF does.
std::string from_byte_level(std::string_view token);

}  // namespace quantcore
