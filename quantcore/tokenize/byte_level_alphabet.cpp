#include "byte_level_alphabet.h"

#include <array>
#include <optional>

#include "utf8.h"

namespace quantcore {
namespace {

struct ByteLevelAlphabet {
  std::array<std::string, 256> char_of_byte;
  // Indexed by code point; the alphabet only uses code points below 256 + 256.
  std::array<int16_t, 512> byte_of_char;

  ByteLevelAlphabet() {
    byte_of_char.fill(-1);
    int next_unprintable = 0;
    for (int byte = 0; byte < 256; ++byte) {
      const bool printable =
          (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
      const char32_t code_point = printable ? byte : 256 + next_unprintable++;
      append_utf8(char_of_byte[byte], code_point);
      byte_of_char[code_point] = static_cast<int16_t>(byte);
    }
  }
};

const ByteLevelAlphabet& alphabet() {
  static const ByteLevelAlphabet instance;
  return instance;
}

std::optional<std::string> bytes_of_token(std::string_view token) {
  const ByteLevelAlphabet& table = alphabet();
  std::string bytes;
  bytes.reserve(token.size());
  for (std::size_t pos = 0; pos < token.size();) {
    const char32_t code_point = next_code_point(token, pos);
    if (code_point >= table.byte_of_char.size() || table.byte_of_char[code_point] < 0) {
      return std::nullopt;
    }
    bytes.push_back(static_cast<char>(table.byte_of_char[code_point]));
  }
  return bytes;
}

}  // namespace

const std::string& byte_level_char(uint8_t byte) { return alphabet().char_of_byte[byte]; }

std::string to_byte_level(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char byte : bytes) out += byte_level_char(static_cast<uint8_t>(byte));
  return out;
}

std::string from_byte_level(std::string_view token) {
  if (auto bytes = bytes_of_token(token)) return *std::move(bytes);
  return std::string(token);
}

}  // namespace quantcore
