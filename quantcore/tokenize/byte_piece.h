#pragma once
// The "<0xNN>" pieces that stand for single bytes in SentencePiece and llama2.c vocabularies.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace quantcore {

// "<0xNN>" (either hex case) -> the byte NN.
std::optional<uint8_t> byte_piece_value(std::string_view piece);
// The byte -> "<0xNN>", upper-case hex as SentencePiece writes it.
std::string byte_piece_name(uint8_t byte);

}  // namespace quantcore
