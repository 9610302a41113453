#pragma once
// SentencePiece BPE segmentation of normalized text, as libsentencepiece 0.1.97's
// bpe::Model::Encode and the byte fallback of SentencePieceProcessor::Encode do it.
#include <cstdint>
#include <string_view>
#include <vector>

#include "sentencepiece_vocab.h"

namespace quantcore {

// Appends the ids of `normalized` (see normalize_for_sentencepiece) to `ids`.
void encode_sentencepiece_bpe(std::string_view normalized, const SentencePieceVocab& vocab, std::vector<int32_t>& ids);

}  // namespace quantcore
