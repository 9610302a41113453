#include "sentencepiece_vocab.h"

#include <algorithm>

#include "byte_piece.h"
#include "quantcore/io/errors.h"
#include "utf8.h"

namespace quantcore {

uint64_t SentencePieceVocab::char_pair_key(std::string_view left, std::string_view right) {
  // A UTF-8 character is at most 4 bytes and its lead byte gives its length, so packing each
  // into 32 bits is unambiguous.
  auto pack = [](std::string_view c) {
    uint32_t packed = 0;
    for (std::size_t i = 0; i < c.size() && i < 4; ++i) {
      packed |= static_cast<uint32_t>(static_cast<unsigned char>(c[i])) << (8 * (3 - i));
    }
    return packed;
  };
  return (static_cast<uint64_t>(pack(left)) << 32) | pack(right);
}

SentencePieceVocab::SentencePieceVocab(const std::filesystem::path& file, std::vector<Piece> pieces, bool byte_fallback)
    : pieces_(std::move(pieces)), byte_fallback_(byte_fallback) {
  auto refuse = [&](const std::string& problem) { throw InputError(file.string(), problem); };
  byte_ids_.fill(-1);
  std::vector<std::string_view> user_defined;
  for (int32_t id = 0; id < size(); ++id) {
    const Piece& piece = pieces_[static_cast<std::size_t>(id)];
    const std::string where = "piece " + std::to_string(id);
    if (piece.text.empty()) refuse(where + " is empty");
    const bool mergeable =
        piece.type == PieceType::kNormal || piece.type == PieceType::kUserDefined || piece.type == PieceType::kUnused;
    if (!(mergeable ? mergeable_ : reserved_).emplace(piece.text, id).second) {
      refuse(where + " \"" + piece.text + "\" is defined twice");
    }
    if (mergeable) {
      longest_mergeable_ = std::max(longest_mergeable_, piece.text.size());
      std::string_view previous;
      for (std::size_t pos = 0; pos < piece.text.size();) {
        const std::string_view current = utf8_char_at(piece.text, pos);
        if (!previous.empty()) adjacent_chars_.insert(char_pair_key(previous, current));
        previous = current;
        pos += current.size();
      }
    }
    switch (piece.type) {
      case PieceType::kUserDefined: user_defined.push_back(piece.text); break;
      case PieceType::kUnused: has_unused_ = true; break;
      case PieceType::kUnknown:
        if (unk_id_ >= 0) refuse(where + " is a second unknown piece");
        unk_id_ = id;
        break;
      case PieceType::kByte: {
        if (!byte_fallback_) refuse(where + " is a byte piece although byte_fallback is false");
        const auto byte = byte_piece_value(piece.text);
        if (!byte || byte_piece_name(*byte) != piece.text) {
          refuse(where + " \"" + piece.text + "\" is not a valid byte piece");
        }
        byte_ids_[*byte] = id;
        break;
      }
      default: break;
    }
  }
  if (unk_id_ < 0) refuse("no unknown piece (<unk>) is defined");
  if (byte_fallback_) {
    for (int byte = 0; byte < 256; ++byte) {
      if (byte_ids_[byte] < 0) {
        refuse("byte_fallback is true but there is no piece " + byte_piece_name(static_cast<uint8_t>(byte)));
      }
    }
  }
  user_defined_ = LongestPrefixMatcher(user_defined);
}

int32_t SentencePieceVocab::mergeable_id(std::string_view text) const {
  auto it = mergeable_.find(text);
  return it == mergeable_.end() ? -1 : it->second;
}

int32_t SentencePieceVocab::id_of(std::string_view text) const {
  if (auto it = reserved_.find(text); it != reserved_.end()) return it->second;
  if (auto it = mergeable_.find(text); it != mergeable_.end()) return it->second;
  return unk_id_;
}

}  // namespace quantcore
