#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quantcore {

// Text <-> token ids, as the model's own tokenizer does it.
class Tokenizer {
public:
  virtual ~Tokenizer() = default;

  // Token ids of `text` without any special tokens.
  virtual std::vector<int32_t> encode_plain(std::string_view text) const = 0;
  // Text of `ids`; special tokens (BOS/EOS/pad/...) are skipped.
  virtual std::string decode(const std::vector<int32_t>& ids) const = 0;
  virtual int32_t vocab_size() const = 0;
  // Vocabulary string of one id (SentencePiece piece, byte-level BPE token, ...).
  virtual std::string piece(int32_t id) const = 0;

  // The special ids the model's tokenizer prepends to every text (LLaMA: BOS; OPT: </s>).
  const std::vector<int32_t>& prefix_ids() const { return prefix_ids_; }
  std::optional<int32_t> eos_id() const { return eos_id_; }

  // encode_plain with the prefix, as the tokenizer's configuration says.
  std::vector<int32_t> encode(std::string_view text) const;

protected:
  std::vector<int32_t> prefix_ids_;
  std::optional<int32_t> eos_id_;
};

// Loads the tokenizer of a model:
// - a directory with tokenizer.json (byte-level BPE) or tokenizer.model (SentencePiece),
//   honouring tokenizer_config.json / the tokenizer.json post-processor for the prefix;
// - a llama2.c tok*.bin file.
// Problems are InputErrors naming the file.
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& path);

}  // namespace quantcore
