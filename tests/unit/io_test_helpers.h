#pragma once
// Helpers shared by the quantcore_io unit tests.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "quantcore/io/errors.h"

namespace quantlens_test {

// Runs `action` and checks it throws quantcore::InputError whose one-line message names
// `file_part` and contains `phrase`.
template <class Action>
void expect_input_error(Action&& action, const std::string& file_part, const std::string& phrase) {
  try {
    action();
    ADD_FAILURE() << "no InputError thrown; expected one containing '" << phrase << "'";
  } catch (const quantcore::InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file_part), std::string::npos) << "file not named: " << message;
    EXPECT_NE(message.find(phrase), std::string::npos) << "phrase '" << phrase << "' missing: " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
  }
}

// Element `i` of float data that may sit at any byte offset (safetensors offsets need not be
// aligned), read without an unaligned access.
inline float float_at(const void* data, std::size_t i) {
  float v = 0;
  std::memcpy(&v, static_cast<const unsigned char*>(data) + i * sizeof(float), sizeof(v));
  return v;
}

inline std::string little_endian_u64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

}  // namespace quantlens_test
