#pragma once
// Longest-prefix lookup over a fixed set of strings (SentencePiece's user-defined pieces).
#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace quantcore {

class LongestPrefixMatcher {
public:
  LongestPrefixMatcher() = default;
  explicit LongestPrefixMatcher(const std::vector<std::string_view>& words);

  // Length of the longest word that `text` starts with; 0 when none does.
  std::size_t match(std::string_view text) const;

private:
  struct Node {
    std::vector<std::pair<unsigned char, int32_t>> children;  // byte -> node index
    bool ends_word = false;
  };
  int32_t child(int32_t node, unsigned char byte) const;

  std::vector<Node> nodes_;  // a byte trie; nodes_[0] is the root once any word was added
  std::array<bool, 256> starts_a_word_{};
};

}  // namespace quantcore
