#pragma once
// The pieces of a SentencePiece model indexed the way libsentencepiece's ModelInterface indexes
// them, with the same load-time checks.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "longest_prefix_matcher.h"
#include "sentencepiece_model.h"
#include "string_lookup.h"

namespace quantcore {

class SentencePieceVocab {
public:
  using Piece = SentencePieceModel::Piece;
  using PieceType = SentencePieceModel::PieceType;

  // Throws an InputError naming `file` where libsentencepiece refuses the pieces.
  SentencePieceVocab(const std::filesystem::path& file, std::vector<Piece> pieces, bool byte_fallback);

  int32_t size() const { return static_cast<int32_t>(pieces_.size()); }
  const Piece& operator[](int32_t id) const { return pieces_[static_cast<std::size_t>(id)]; }
  bool is(int32_t id, PieceType type) const { return (*this)[id].type == type; }

  // Id of a piece that BPE merges may produce (NORMAL, USER_DEFINED or UNUSED), or -1.
  int32_t mergeable_id(std::string_view text) const;
  std::size_t longest_mergeable_piece() const { return longest_mergeable_; }
  // Whether some mergeable piece has character `left` followed by character `right` (each one
  // UTF-8 character). When not, no merge ever joins them: the text can be split between them.
  bool may_be_joined(std::string_view left, std::string_view right) const {
    return adjacent_chars_.contains(char_pair_key(left, right));
  }
  // libsentencepiece's PieceToId: CONTROL, UNKNOWN and BYTE pieces first, then the others;
  // the unknown id when neither has `text`.
  int32_t id_of(std::string_view text) const;

  int32_t unk_id() const { return unk_id_; }
  bool byte_fallback() const { return byte_fallback_; }
  int32_t byte_id(uint8_t byte) const { return byte_ids_[byte]; }  // only with byte_fallback
  bool has_unused_pieces() const { return has_unused_; }
  const LongestPrefixMatcher& user_defined() const { return user_defined_; }

private:
  static uint64_t char_pair_key(std::string_view left, std::string_view right);

  std::vector<Piece> pieces_;
  StringToId mergeable_;
  StringToId reserved_;
  std::size_t longest_mergeable_ = 0;
  std::unordered_set<uint64_t> adjacent_chars_;
  int32_t unk_id_ = -1;
  bool byte_fallback_ = false;
  std::array<int32_t, 256> byte_ids_{};
  bool has_unused_ = false;
  LongestPrefixMatcher user_defined_;
};

}  // namespace quantcore
