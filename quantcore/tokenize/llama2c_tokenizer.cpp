// llama2.c tokenizer (tok*.bin): `int32 max_token_length`, then per entry
// `{float32 score, int32 length, length bytes}` until the end of the file.
// Encoding reproduces run.c's encode(): dummy-prefix " " token, one token per UTF-8 code point
// (byte fallback id = byte + 3), then repeatedly merge the adjacent pair whose concatenation is
// in the vocabulary with the highest score, leftmost on ties.
#include <cstring>
#include <stdexcept>

#include "byte_piece.h"
#include "quantcore/io/errors.h"
#include "score_ordered_merge.h"
#include "string_lookup.h"
#include "quantcore/io/read_file.h"
#include "tokenizer_files.h"
#include "tokenizer_loaders.h"

namespace quantcore {
namespace {

constexpr int32_t kUnkId = 0;
constexpr int32_t kBosId = 1;
constexpr int32_t kEosId = 2;
constexpr int32_t kByteFallbackOffset = 3;
// run.c only merges pairs scoring above its initial best_score.
constexpr float kLowestMergeScore = -1e10f;

struct Llama2cVocab {
  std::vector<std::string> pieces;
  std::vector<float> scores;
};

template <typename T>
T read_le(const std::string& bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

Llama2cVocab parse_vocab(const std::filesystem::path& file, const std::string& bytes) {
  if (bytes.size() < 4) throw InputError(file.string(), "too short for a llama2.c tokenizer");
  if (read_le<int32_t>(bytes, 0) <= 0) {
    throw InputError(file.string(), "max_token_length is not positive: not a llama2.c tokenizer");
  }
  Llama2cVocab vocab;
  std::size_t offset = 4;
  while (offset < bytes.size()) {
    const std::string where = "entry " + std::to_string(vocab.pieces.size());
    if (bytes.size() - offset < 8) throw InputError(file.string(), "truncated at " + where);
    const float score = read_le<float>(bytes, offset);
    const int32_t length = read_le<int32_t>(bytes, offset + 4);
    offset += 8;
    if (length < 0) throw InputError(file.string(), where + " has a negative length");
    if (bytes.size() - offset < static_cast<std::size_t>(length)) {
      throw InputError(file.string(), "truncated at " + where);
    }
    vocab.pieces.emplace_back(bytes, offset, static_cast<std::size_t>(length));
    vocab.scores.push_back(score);
    offset += static_cast<std::size_t>(length);
  }
  if (vocab.pieces.size() < kByteFallbackOffset + 256) {
    throw InputError(file.string(), "has " + std::to_string(vocab.pieces.size()) +
                                        " entries; llama2.c needs <unk>, <s>, </s> and 256 byte tokens");
  }
  return vocab;
}

// Length of the code point group run.c looks up: a byte plus up to 3 continuation bytes.
std::size_t utf8_group_length(std::string_view text, std::size_t start) {
  std::size_t length = 1;
  while (start + length < text.size() && length < 4 &&
         (static_cast<unsigned char>(text[start + length]) & 0xC0) == 0x80) {
    ++length;
  }
  return length;
}

class Llama2cTokenizer final : public Tokenizer {
public:
  Llama2cTokenizer(const std::filesystem::path& file, Llama2cVocab vocab)
      : pieces_(std::move(vocab.pieces)), scores_(std::move(vocab.scores)) {
    for (std::size_t id = 0; id < pieces_.size(); ++id) {
      ids_.emplace(pieces_[id], static_cast<int32_t>(id));  // first entry wins on duplicates
    }
    auto space = ids_.find(std::string_view(" "));
    if (space == ids_.end()) {
      throw InputError(file.string(), "has no \" \" entry (llama2.c's dummy prefix)");
    }
    dummy_prefix_id_ = space->second;
    prefix_ids_ = {kBosId};
    eos_id_ = kEosId;
  }

  std::vector<int32_t> encode_plain(std::string_view text) const override {
    std::vector<int32_t> ids;
    if (text.empty()) return ids;
    ids.push_back(dummy_prefix_id_);
    for (std::size_t start = 0; start < text.size();) {
      const std::size_t length = utf8_group_length(text, start);
      const std::string_view group = text.substr(start, length);
      if (auto it = ids_.find(group); it != ids_.end()) {
        ids.push_back(it->second);
      } else {
        for (char byte : group) {
          ids.push_back(static_cast<unsigned char>(byte) + kByteFallbackOffset);
        }
      }
      start += length;
    }
    return merge_pairs(std::move(ids));
  }

  std::string decode(const std::vector<int32_t>& ids) const override {
    std::string text;
    bool first_piece = true;
    for (int32_t id : ids) {
      if (id < 0 || id >= vocab_size() || id == kUnkId || id == kBosId || id == kEosId) continue;
      const std::string& piece = pieces_[static_cast<std::size_t>(id)];
      if (auto byte = byte_piece_value(piece)) {
        text.push_back(static_cast<char>(*byte));
      } else {
        // run.c drops the space the dummy prefix put before the first word.
        const bool strip = first_piece && !piece.empty() && piece[0] == ' ';
        text.append(piece, strip ? 1 : 0);
      }
      first_piece = false;
    }
    return text;
  }

  int32_t vocab_size() const override { return static_cast<int32_t>(pieces_.size()); }

  std::string piece(int32_t id) const override {
    if (id < 0 || id >= vocab_size()) {
      throw std::out_of_range("token id " + std::to_string(id) + " outside the vocabulary");
    }
    return pieces_[static_cast<std::size_t>(id)];
  }

private:
  std::vector<int32_t> merge_pairs(std::vector<int32_t> ids) const {
    std::string scratch;
    auto find_merge = [&](int32_t left, int32_t right) -> std::optional<PairMerge> {
      scratch = pieces_[ids[left]];
      scratch += pieces_[ids[right]];
      auto it = ids_.find(std::string_view(scratch));
      if (it == ids_.end() || !(scores_[it->second] > kLowestMergeScore)) return std::nullopt;
      return PairMerge{scores_[it->second], it->second};
    };
    auto apply_merge = [&](int32_t left, int32_t, int32_t merged_id) { ids[left] = merged_id; };
    std::vector<int32_t> merged;
    for (int32_t index : merge_highest_scoring_pairs(static_cast<int32_t>(ids.size()), find_merge, apply_merge)) {
      merged.push_back(ids[index]);
    }
    return merged;
  }

  std::vector<std::string> pieces_;
  std::vector<float> scores_;
  StringToId ids_;
  int32_t dummy_prefix_id_ = 0;
};

}  // namespace

std::unique_ptr<Tokenizer> load_llama2c_tokenizer(const std::filesystem::path& bin_file) {
  Llama2cVocab vocab = parse_vocab(bin_file, read_file(bin_file));
  return std::make_unique<Llama2cTokenizer>(bin_file, std::move(vocab));
}

}  // namespace quantcore
