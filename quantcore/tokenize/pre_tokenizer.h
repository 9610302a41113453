#pragma once
// The pre_tokenizer of an HF tokenizer.json for byte-level BPE: it cuts a text into the pieces
// BPE merges within. Supported: ByteLevel (optionally with GPT-2's regex), and a Sequence of
// Split / Digits steps ending in ByteLevel (LLaMA-3, Qwen2).
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace quantcore {

class PreTokenizer {
public:
  // Throws std::invalid_argument for a configuration it cannot reproduce exactly.
  explicit PreTokenizer(const nlohmann::json& spec);
  ~PreTokenizer();
  PreTokenizer(PreTokenizer&&) noexcept;

  // The pieces of `text` (well-formed UTF-8) as raw bytes, before the byte-level mapping.
  std::vector<std::string> split(std::string_view text) const;

private:
  struct Step;
  std::vector<Step> steps_;
};

}  // namespace quantcore
