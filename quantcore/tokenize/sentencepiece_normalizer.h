#pragma once
// The text a SentencePiece model segments, as libsentencepiece 0.1.97's Normalizer produces it
// for the "identity" rule (no precompiled_charsmap), the rule LLaMA-family models use.
#include <string>
#include <string_view>

#include "longest_prefix_matcher.h"
#include "sentencepiece_model.h"

namespace quantcore {

// The "▁" (U+2581) that stands for a space in pieces.
inline constexpr std::string_view kSentencePieceSpace = "\xE2\x96\x81";

// Only ' ' (U+0020) counts as whitespace. Malformed UTF-8 bytes become U+FFFD, one per byte.
// `user_defined` pieces pass through unchanged (matters only for their malformed bytes).
// The spec's precompiled_charsmap must be empty: the caller refuses other rules.
std::string normalize_for_sentencepiece(std::string_view text, const SentencePieceModel::NormalizerSpec& spec,
                                        const LongestPrefixMatcher& user_defined);

}  // namespace quantcore
