#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace quantcore {

// Offset of the first byte that is not part of a well-formed UTF-8 sequence, or npos.
std::size_t find_invalid_utf8(std::string_view text);
// Length of the well-formed UTF-8 sequence starting at `pos` (< text.size()), 0 if malformed.
std::size_t valid_utf8_length(std::string_view text, std::size_t pos);
// The character starting at `pos` (< text.size()) by its lead byte alone, as libsentencepiece's
// OneCharLen reads it: no validation; a stray continuation byte is a character of its own.
std::string_view utf8_char_at(std::string_view text, std::size_t pos);
void append_utf8(std::string& out, char32_t code_point);
// The code point starting at `pos` in well-formed UTF-8; advances `pos` past it.
char32_t next_code_point(std::string_view text, std::size_t& pos);

}  // namespace quantcore
