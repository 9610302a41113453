#include "sentencepiece_normalizer.h"

#include "utf8.h"

namespace quantcore {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// The next unit libsentencepiece normalizes on its own: a user-defined piece, one well-formed
// UTF-8 character, or one malformed byte. Returns {output text, input bytes consumed}.
std::pair<std::string_view, std::size_t> next_unit(std::string_view text, const LongestPrefixMatcher& user_defined) {
  if (const std::size_t length = user_defined.match(text); length > 0) {
    return {text.substr(0, length), length};
  }
  if (const std::size_t length = valid_utf8_length(text, 0); length > 0) {
    return {text.substr(0, length), length};
  }
  return {kReplacementCharacter, 1};
}

}  // namespace

std::string normalize_for_sentencepiece(std::string_view text, const SentencePieceModel::NormalizerSpec& spec,
                                        const LongestPrefixMatcher& user_defined) {
  std::string normalized;
  if (spec.remove_extra_whitespaces) {
    while (!text.empty() && next_unit(text, user_defined).first == " ") text.remove_prefix(1);
  }
  if (text.empty()) return normalized;  // no dummy prefix for an empty (or all-space) text

  normalized.reserve(text.size() + text.size() / 2 + kSentencePieceSpace.size());
  const std::string_view space = spec.escape_whitespaces ? kSentencePieceSpace : " ";
  if (spec.add_dummy_prefix) normalized += space;

  bool previous_was_space = spec.remove_extra_whitespaces;
  while (!text.empty()) {
    auto [unit, consumed] = next_unit(text, user_defined);
    text.remove_prefix(consumed);
    if (previous_was_space) {
      while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    }
    if (!unit.empty()) {
      for (char c : unit) {
        if (c == ' ') {
          normalized += space;
        } else {
          normalized += c;
        }
      }
      previous_was_space = unit.back() == ' ';
    }
    if (!spec.remove_extra_whitespaces) previous_was_space = false;
  }

  if (spec.remove_extra_whitespaces) {
    while (normalized.size() >= space.size() &&
           std::string_view(normalized).substr(normalized.size() - space.size()) == space) {
      normalized.resize(normalized.size() - space.size());
    }
  }
  return normalized;
}

}  // namespace quantcore
