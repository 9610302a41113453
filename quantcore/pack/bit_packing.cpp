#include "quantcore/pack/bit_packing.h"

#include <stdexcept>
#include <string>

namespace quantcore {
namespace {

void check_bits(int bits) {
  if (bits != 1 && bits != 2 && bits != 4 && bits != 8)
    throw std::invalid_argument("bit packing: " + std::to_string(bits) + " bits per entry (1, 2, 4 or 8 supported)");
}

}  // namespace

int64_t words_per_row(int64_t columns, int bits) {
  check_bits(bits);
  if (columns < 0) throw std::invalid_argument("bit packing: negative column count");
  const int64_t per_word = 32 / bits;
  return (columns + per_word - 1) / per_word;
}

std::vector<uint32_t> pack_rows(const uint8_t* values, int64_t rows, int64_t columns, int bits) {
  const int64_t row_words = words_per_row(columns, bits);
  const int64_t per_word = 32 / bits;
  const uint32_t limit = 1u << bits;
  std::vector<uint32_t> words(static_cast<size_t>(rows * row_words), 0u);
  for (int64_t i = 0; i < rows; ++i) {
    const uint8_t* row = values + i * columns;
    uint32_t* out = words.data() + i * row_words;
    for (int64_t j = 0; j < columns; ++j) {
      if (row[j] >= limit)
        throw std::invalid_argument("bit packing: value " + std::to_string(row[j]) + " does not fit in " +
                                    std::to_string(bits) + " bits");
      out[j / per_word] |= uint32_t(row[j]) << ((j % per_word) * bits);
    }
  }
  return words;
}

std::vector<uint8_t> unpack_rows(const uint32_t* words, int64_t rows, int64_t columns, int bits) {
  const int64_t row_words = words_per_row(columns, bits);
  const int64_t per_word = 32 / bits;
  const uint32_t mask = (1u << bits) - 1u;
  std::vector<uint8_t> values(static_cast<size_t>(rows * columns));
  for (int64_t i = 0; i < rows; ++i) {
    const uint32_t* in = words + i * row_words;
    uint8_t* row = values.data() + i * columns;
    for (int64_t j = 0; j < columns; ++j)
      row[j] = static_cast<uint8_t>((in[j / per_word] >> ((j % per_word) * bits)) & mask);
  }
  return values;
}

}  // namespace quantcore
