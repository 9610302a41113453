#pragma once
// A compiled regular expression over UTF-8 text, for the pre-tokenizer splits.
//
// PCRE2 (PCRE2_UTF | PCRE2_UCP, JIT-compiled when the platform supports it) because it matches
// UTF-8 bytes directly and has what the HF patterns use: \p{L} / \p{N} classes, lookahead
// (`\s+(?!\S)`) and inline case-insensitive groups (LLaMA-3's `(?i:'s|'t|...)`); std::regex
// has neither Unicode classes nor (?i:).
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace quantcore {

class Utf8Regex {
public:
  enum class Syntax { kRegex, kLiteral };
  // Throws std::invalid_argument naming the pattern and PCRE2's complaint.
  explicit Utf8Regex(const std::string& pattern, Syntax syntax = Syntax::kRegex);
  ~Utf8Regex();
  Utf8Regex(Utf8Regex&&) noexcept;
  Utf8Regex& operator=(Utf8Regex&&) noexcept;

  // Calls on_match(begin, end) for each successive non-overlapping, non-empty match, left to
  // right. `text` must be well-formed UTF-8 (it is not checked again here).
  void for_each_match(std::string_view text, const std::function<void(std::size_t, std::size_t)>& on_match) const;

private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace quantcore
