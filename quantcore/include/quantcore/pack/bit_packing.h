#pragma once
// Row-wise packing of small unsigned codes into 32-bit words (docs/packed-format.md, "Bit
// layout"). Each row starts on a word boundary; with e = 32 / bits entries per word, entry j of
// a row lies in word j / e at bit offset (j % e) * bits, so bit 0 of a word holds the first
// entry. Padding bits are 0. Words are stored little-endian. Torch-free.
#include <cstdint>
#include <vector>

namespace quantcore {

// Words one row of `columns` entries of `bits` bits needs; bits must be 1, 2, 4 or 8.
int64_t words_per_row(int64_t columns, int bits);

// values: rows x columns, row-major, each < 2^bits (else std::invalid_argument).
std::vector<uint32_t> pack_rows(const uint8_t* values, int64_t rows, int64_t columns, int bits);

// The inverse of pack_rows: words holds rows x words_per_row(columns, bits).
std::vector<uint8_t> unpack_rows(const uint32_t* words, int64_t rows, int64_t columns, int bits);

}  // namespace quantcore
