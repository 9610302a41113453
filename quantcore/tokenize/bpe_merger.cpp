#include "bpe_merger.h"

#include <algorithm>
#include <stdexcept>

#include "byte_level_alphabet.h"

namespace quantcore {

BpeMerger::BpeMerger(StringToId vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                     bool ignore_merges, std::optional<int32_t> unk_id)
    : vocab_(std::move(vocab)), ignore_merges_(ignore_merges), unk_id_(unk_id) {
  auto id_of = [&](const std::string& token, std::size_t rank) {
    auto it = vocab_.find(token);
    if (it == vocab_.end()) {
      throw std::invalid_argument("merge " + std::to_string(rank) + " uses \"" + token +
                                  "\", which is not in the vocab");
    }
    return it->second;
  };
  merges_.reserve(merges.size());
  for (std::size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    const Merge merge{static_cast<int32_t>(rank), id_of(left + right, rank)};
    // A repeated pair keeps its last rank, as HF builds its merge map.
    merges_.insert_or_assign(pair_key(id_of(left, rank), id_of(right, rank)), merge);
  }
  for (int byte = 0; byte < 256; ++byte) {
    auto it = vocab_.find(std::string_view(byte_level_char(static_cast<uint8_t>(byte))));
    byte_ids_[byte] = it == vocab_.end() ? -1 : it->second;
  }
}

const BpeMerger::Merge* BpeMerger::find_merge(int32_t left, int32_t right) const {
  auto it = merges_.find(pair_key(left, right));
  return it == merges_.end() ? nullptr : &it->second;
}

void BpeMerger::encode_word(std::string_view bytes, std::vector<int32_t>& out) const {
  if (ignore_merges_) {
    // LLaMA-3: a pre-token that is itself in the vocabulary is emitted without merging.
    auto it = vocab_.find(std::string_view(to_byte_level(bytes)));
    if (it != vocab_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  struct Symbol {
    int32_t id;
    int32_t prev;
    int32_t next;
    bool alive;
  };
  std::vector<Symbol> symbols;
  symbols.reserve(bytes.size());
  for (char byte : bytes) {
    int32_t id = byte_ids_[static_cast<unsigned char>(byte)];
    if (id < 0) {
      if (!unk_id_) continue;  // HF drops characters it cannot represent when there is no unk
      id = *unk_id_;
    }
    const auto index = static_cast<int32_t>(symbols.size());
    symbols.push_back({id, index - 1, -1, true});
    if (index > 0) symbols[index - 1].next = index;
  }
  if (symbols.empty()) return;

  // Min-heap on (rank, position); stale entries are skipped when popped.
  struct Candidate {
    int32_t rank;
    int32_t left;
    int32_t merged_id;
  };
  auto later = [](const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
  };
  std::vector<Candidate> heap;
  auto consider = [&](int32_t left) {
    if (left < 0 || symbols[left].next < 0) return;
    if (const Merge* m = find_merge(symbols[left].id, symbols[symbols[left].next].id)) {
      heap.push_back({m->rank, left, m->merged_id});
      std::push_heap(heap.begin(), heap.end(), later);
    }
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(symbols.size()); ++i) consider(i);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const Candidate top = heap.back();
    heap.pop_back();
    Symbol& left = symbols[top.left];
    if (!left.alive || left.next < 0) continue;
    Symbol& right = symbols[left.next];
    const Merge* current = find_merge(left.id, right.id);
    if (current == nullptr || current->merged_id != top.merged_id) continue;
    left.id = top.merged_id;
    right.alive = false;
    left.next = right.next;
    if (left.next >= 0) symbols[left.next].prev = top.left;
    consider(left.prev);
    consider(top.left);
  }
  for (int32_t i = 0; i >= 0; i = symbols[i].next) out.push_back(symbols[i].id);
}

}  // namespace quantcore
