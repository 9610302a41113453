#include "sentencepiece_bpe.h"

#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "score_ordered_merge.h"
#include "utf8.h"

namespace quantcore {
namespace {

// Segments repeat a lot in real text (they are about words); merging each distinct one once per
// call keeps a megabyte of text well under a second. Bounded so a huge text cannot grow it
// without limit.
constexpr std::size_t kMaxCachedSegments = 1 << 18;

// A stretch of the normalized text. Merged symbols stay contiguous, so a pair's merged piece is
// the text from the left symbol's start to the right symbol's end: no concatenation needed.
struct Symbol {
  uint32_t begin;
  uint32_t length;
  bool frozen;  // a user-defined piece, never merged with its neighbours
};

using UnusedPieceSplits = std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>>;

class BpeEncoder {
public:
  BpeEncoder(std::string_view text, const SentencePieceVocab& vocab, std::vector<int32_t>& ids)
      : text_(text), vocab_(vocab), ids_(ids) {
    symbols_.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
      std::size_t length = vocab.user_defined().match(text.substr(pos));
      const bool frozen = length > 0;
      if (!frozen) length = utf8_char_at(text, pos).size();
      symbols_.push_back({static_cast<uint32_t>(pos), static_cast<uint32_t>(length), frozen});
      pos += length;
    }
  }

  void encode() {
    // A surviving UNUSED piece is split into the pair it was last queued from anywhere in the
    // text; only merging the whole text at once reproduces libsentencepiece's queueing order.
    if (vocab_.has_unused_pieces()) {
      std::vector<int32_t> piece_ids;
      merge(0, symbols_.size(), piece_ids);
      emit(piece_ids);
      return;
    }
    // A merged piece spanning a segment boundary would have to contain the two characters
    // around it, which no piece does: segments merge independently, in any order.
    std::size_t begin = 0;
    for (std::size_t i = 1; i <= symbols_.size(); ++i) {
      if (i == symbols_.size() || !may_be_joined(symbols_[i - 1], symbols_[i])) {
        encode_segment(begin, i);
        begin = i;
      }
    }
  }

private:
  std::string_view text_of(const Symbol& s) const { return text_.substr(s.begin, s.length); }

  bool may_be_joined(const Symbol& left, const Symbol& right) const {
    if (left.frozen || right.frozen) return false;
    return vocab_.may_be_joined(text_of(left), text_of(right));
  }

  void encode_segment(std::size_t begin, std::size_t end) {
    const Symbol& last = symbols_[end - 1];
    const std::string_view segment =
        text_.substr(symbols_[begin].begin, last.begin + last.length - symbols_[begin].begin);
    if (auto hit = cache_.find(segment); hit != cache_.end()) {
      emit(hit->second);
      return;
    }
    std::vector<int32_t> piece_ids;
    merge(begin, end, piece_ids);
    emit(piece_ids);
    if (cache_.size() < kMaxCachedSegments) cache_.emplace(segment, std::move(piece_ids));
  }

  // Appends the ids of the pieces the symbols [begin, end) merge into.
  void merge(std::size_t begin, std::size_t end, std::vector<int32_t>& piece_ids) {
    Symbol* symbols = symbols_.data() + begin;
    auto find_merge = [&](int32_t left, int32_t right) -> std::optional<PairMerge> {
      const Symbol& l = symbols[left];
      const Symbol& r = symbols[right];
      if (l.frozen || r.frozen) return std::nullopt;
      const std::size_t length = std::size_t{l.length} + r.length;
      if (length > vocab_.longest_mergeable_piece()) return std::nullopt;
      const std::string_view merged = text_.substr(l.begin, length);
      const int32_t id = vocab_.mergeable_id(merged);
      if (id < 0) return std::nullopt;
      if (vocab_.is(id, SentencePieceModel::PieceType::kUnused)) {
        unused_splits_[merged] = {text_of(l), text_of(r)};
      }
      return PairMerge{vocab_[id].score, id};
    };
    auto apply_merge = [&](int32_t left, int32_t right, int32_t) { symbols[left].length += symbols[right].length; };
    for (int32_t index : merge_highest_scoring_pairs(static_cast<int32_t>(end - begin), find_merge, apply_merge)) {
      append_piece_ids(text_of(symbols[index]), piece_ids);
    }
  }

  // libsentencepiece never outputs an UNUSED piece: one that survives the merges is split back
  // into the pair it was last queued from, recursively. Pieces not in the vocabulary become
  // their bytes' pieces with byte_fallback, else the unknown id.
  void append_piece_ids(std::string_view piece, std::vector<int32_t>& piece_ids) const {
    const int32_t id = vocab_.id_of(piece);
    if (vocab_.is(id, SentencePieceModel::PieceType::kUnused)) {
      if (auto split = unused_splits_.find(piece); split != unused_splits_.end()) {
        append_piece_ids(split->second.first, piece_ids);
        append_piece_ids(split->second.second, piece_ids);
        return;
      }
    }
    if (id == vocab_.unk_id() && vocab_.byte_fallback()) {
      for (char byte : piece) piece_ids.push_back(vocab_.byte_id(static_cast<uint8_t>(byte)));
      return;
    }
    piece_ids.push_back(id);
  }

  // Without byte_fallback libsentencepiece merges a run of unknown pieces into one, also across
  // segments, so this is done on output rather than in the cached segments.
  void emit(const std::vector<int32_t>& piece_ids) {
    for (int32_t id : piece_ids) {
      const bool unknown = id == vocab_.unk_id();
      if (!(unknown && previous_was_unknown_)) ids_.push_back(id);
      previous_was_unknown_ = unknown;
    }
  }

  std::string_view text_;
  const SentencePieceVocab& vocab_;
  std::vector<int32_t>& ids_;
  std::vector<Symbol> symbols_;
  UnusedPieceSplits unused_splits_;
  bool previous_was_unknown_ = false;
  std::unordered_map<std::string_view, std::vector<int32_t>> cache_;
};

}  // namespace

void encode_sentencepiece_bpe(std::string_view normalized, const SentencePieceVocab& vocab, std::vector<int32_t>& ids) {
  if (normalized.size() > static_cast<std::size_t>(std::numeric_limits<int32_t>::max())) {
    throw std::length_error("text too long for SentencePiece encoding (over 2 GiB)");
  }
  BpeEncoder(normalized, vocab, ids).encode();
}

}  // namespace quantcore
