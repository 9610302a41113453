#pragma once
// The added_tokens of an HF tokenizer.json: strings that are cut out of a text before
// pre-tokenization and become their own id ("<|begin_of_text|>", "</s>", ...).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quantcore {

struct AddedToken {
  std::string content;
  int32_t id = 0;
  bool special = false;
  bool lstrip = false;  // swallows the whitespace before it
  bool rstrip = false;  // swallows the whitespace after it
};

// A stretch of the text: plain text to tokenize, or one added token.
struct TextSegment {
  std::string_view text;
  int32_t added_token_id = -1;
  bool is_added_token() const { return added_token_id >= 0; }
};

class AddedTokenSplitter {
public:
  explicit AddedTokenSplitter(std::vector<AddedToken> tokens);

  // Leftmost match first, the longest token where several start at the same place.
  std::vector<TextSegment> split(std::string_view text) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

private:
  std::vector<AddedToken> tokens_;
  // Indices into tokens_ by first byte, longest first.
  std::array<std::vector<std::size_t>, 256> by_first_byte_;
};

}  // namespace quantcore
