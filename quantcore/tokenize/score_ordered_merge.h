#pragma once
// The merge loop shared by SentencePiece BPE and llama2.c's run.c: repeatedly merge the adjacent
// pair of symbols whose merged piece has the highest score, leftmost on ties, until no adjacent
// pair merges.
#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

namespace quantcore {

struct PairMerge {
  float score;
  int32_t merged;  // what the caller needs to apply the merge, e.g. the merged piece's id
};

// The symbols are 0..count-1, left to right; the caller keeps their contents.
// `find_merge(left, right)` -> std::optional<PairMerge> is asked about each pair of neighbours,
// first every initial pair left to right, then after each merge the new pair on its left and
// the one on its right. `apply_merge(left, right, merged)` makes `left` the merge of the two;
// `right` is gone afterwards. Returns the indices of the remaining symbols, left to right.
//
// run.c rescans every pair after each merge (quadratic); a priority queue ordered by
// (score desc, position asc), skipping pairs that went stale, picks the same pair each step.
template <typename FindMerge, typename ApplyMerge>
std::vector<int32_t> merge_highest_scoring_pairs(int32_t count, FindMerge&& find_merge, ApplyMerge&& apply_merge) {
  struct Link {
    int32_t prev;
    int32_t next;
    int32_t width;  // initial symbols merged into this one; 0 once merged into its left
  };
  struct Candidate {
    float score;
    int32_t left;
    int32_t right;
    // left.width + right.width when queued. Widths only grow, and a symbol only changes by
    // absorbing its right neighbour, so a different sum means the pair went stale.
    int32_t width;
    int32_t merged;
  };
  struct LowerPriority {
    bool operator()(const Candidate& a, const Candidate& b) const {
      if (a.score != b.score) return a.score < b.score;
      return a.left > b.left;
    }
  };

  std::vector<Link> links(static_cast<std::size_t>(count));
  for (int32_t i = 0; i < count; ++i) links[i] = {i - 1, i + 1 < count ? i + 1 : -1, 1};

  std::vector<Candidate> storage;
  storage.reserve(static_cast<std::size_t>(count));
  std::priority_queue<Candidate, std::vector<Candidate>, LowerPriority> queue(LowerPriority{}, std::move(storage));
  auto consider = [&](int32_t left) {
    if (left < 0) return;
    const int32_t right = links[left].next;
    if (right < 0) return;
    const std::optional<PairMerge> merge = find_merge(left, right);
    if (!merge) return;
    queue.push({merge->score, left, right, links[left].width + links[right].width, merge->merged});
  };

  for (int32_t i = 0; i + 1 < count; ++i) consider(i);
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    Link& left = links[top.left];
    Link& right = links[top.right];
    if (left.width == 0 || right.width == 0 || left.width + right.width != top.width) continue;
    apply_merge(top.left, top.right, top.merged);
    left.width += right.width;
    right.width = 0;
    left.next = right.next;
    if (right.next >= 0) links[right.next].prev = top.left;
    consider(left.prev);
    consider(top.left);
  }

  std::vector<int32_t> remaining;
  for (int32_t i = count > 0 ? 0 : -1; i >= 0; i = links[i].next) remaining.push_back(i);
  return remaining;
}

}  // namespace quantcore
