#pragma once
// Ids -> text as libsentencepiece 0.1.97's SentencePieceProcessor::Decode does it, except that
// control and unknown ids (and ids outside the vocabulary) are skipped.
#include <cstdint>
#include <string>
#include <vector>

#include "sentencepiece_model.h"
#include "sentencepiece_vocab.h"

namespace quantcore {

std::string decode_sentencepiece(const std::vector<int32_t>& ids, const SentencePieceVocab& vocab,
                                 const SentencePieceModel::NormalizerSpec& spec);

}  // namespace quantcore
