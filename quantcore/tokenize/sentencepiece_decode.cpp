#include "sentencepiece_decode.h"

#include "byte_piece.h"
#include "sentencepiece_normalizer.h"
#include "utf8.h"

namespace quantcore {
namespace {

using PieceType = SentencePieceModel::PieceType;

// Consecutive byte pieces decode as UTF-8; each byte that is not part of a well-formed
// character becomes U+FFFD.
void append_bytes(std::string_view bytes, std::string& text) {
  for (std::size_t pos = 0; pos < bytes.size();) {
    const std::size_t length = valid_utf8_length(bytes, pos);
    if (length == 0) {
      text += "\xEF\xBF\xBD";
      ++pos;
    } else {
      text += bytes.substr(pos, length);
      pos += length;
    }
  }
}

void append_with_spaces(std::string_view piece, std::string& text) {
  for (std::size_t pos = 0; pos < piece.size();) {
    if (piece.substr(pos, kSentencePieceSpace.size()) == kSentencePieceSpace) {
      text += ' ';
      pos += kSentencePieceSpace.size();
    } else {
      text += piece[pos++];
    }
  }
}

}  // namespace

std::string decode_sentencepiece(const std::vector<int32_t>& ids, const SentencePieceVocab& vocab,
                                 const SentencePieceModel::NormalizerSpec& spec) {
  const bool strips_leading_space = spec.add_dummy_prefix || spec.remove_extra_whitespaces;
  std::string text;
  std::string pending_bytes;
  // The "▁" that starts the text came from the dummy prefix. libsentencepiece drops it from
  // the first piece that has text; with remove_extra_whitespaces from every piece until one
  // leaves text behind.
  bool at_start = true;
  bool dropped_space = false;
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab.size()) continue;  // e.g. ids of a model's padded vocab rows
    if (vocab.is(id, PieceType::kControl) || vocab.is(id, PieceType::kUnknown)) continue;
    std::string_view piece = vocab[id].text;
    if (vocab.is(id, PieceType::kByte)) {
      pending_bytes += static_cast<char>(*byte_piece_value(piece));
      continue;
    }
    append_bytes(pending_bytes, text);
    pending_bytes.clear();
    if (dropped_space || !text.empty()) at_start = false;
    dropped_space = false;
    if (at_start && strips_leading_space && piece.starts_with(kSentencePieceSpace)) {
      piece.remove_prefix(kSentencePieceSpace.size());
      dropped_space = !spec.remove_extra_whitespaces;
    }
    append_with_spaces(piece, text);
  }
  append_bytes(pending_bytes, text);
  return text;
}

}  // namespace quantcore
