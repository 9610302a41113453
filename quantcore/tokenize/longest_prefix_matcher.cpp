#include "longest_prefix_matcher.h"

namespace quantcore {

LongestPrefixMatcher::LongestPrefixMatcher(const std::vector<std::string_view>& words) {
  nodes_.emplace_back();
  for (std::string_view word : words) {
    if (word.empty()) continue;
    starts_a_word_[static_cast<unsigned char>(word[0])] = true;
    int32_t node = 0;
    for (char c : word) {
      const auto byte = static_cast<unsigned char>(c);
      int32_t next = child(node, byte);
      if (next < 0) {
        next = static_cast<int32_t>(nodes_.size());
        nodes_[node].children.emplace_back(byte, next);
        nodes_.emplace_back();  // after the use of nodes_[node]: emplace_back may reallocate
      }
      node = next;
    }
    nodes_[node].ends_word = true;
  }
}

int32_t LongestPrefixMatcher::child(int32_t node, unsigned char byte) const {
  for (const auto& [edge, target] : nodes_[node].children) {
    if (edge == byte) return target;
  }
  return -1;
}

std::size_t LongestPrefixMatcher::match(std::string_view text) const {
  if (text.empty() || !starts_a_word_[static_cast<unsigned char>(text[0])]) return 0;
  std::size_t longest = 0;
  int32_t node = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    node = child(node, static_cast<unsigned char>(text[i]));
    if (node < 0) break;
    if (nodes_[node].ends_word) longest = i + 1;
  }
  return longest;
}

}  // namespace quantcore
