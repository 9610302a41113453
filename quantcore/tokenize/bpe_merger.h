#pragma once
// The BPE model of a byte-level tokenizer.json: vocabulary plus ranked merges, applied within
// one pre-token as HF tokenizers does (lowest-rank adjacent pair first, leftmost on ties).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "string_lookup.h"

namespace quantcore {

class BpeMerger {
public:
  // `merges` in rank order. Throws std::invalid_argument when a merge names a token that is not
  // in the vocabulary (HF refuses such files too).
  BpeMerger(StringToId vocab, const std::vector<std::pair<std::string, std::string>>& merges, bool ignore_merges,
            std::optional<int32_t> unk_id);

  // Appends the ids of one pre-token, given as raw bytes.
  void encode_word(std::string_view bytes, std::vector<int32_t>& out) const;

  const StringToId& vocab() const { return vocab_; }

private:
  struct Merge {
    int32_t rank;
    int32_t merged_id;
  };
  static uint64_t pair_key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  const Merge* find_merge(int32_t left, int32_t right) const;

  StringToId vocab_;
  std::unordered_map<uint64_t, Merge> merges_;
  std::array<int32_t, 256> byte_ids_;  // id of each byte's single-character token, or -1
  bool ignore_merges_;
  std::optional<int32_t> unk_id_;
};

}  // namespace quantcore
