#pragma once
// The parts of a SentencePiece tokenizer.model (a serialized ModelProto, sentencepiece_model.proto)
// that encoding and decoding need, read with our own wire-format reader: Debian's
// libsentencepiece embeds protobuf-lite and its exported symbols clash with LibTorch's
// libprotobuf in one process (segfault during static initialisation).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quantcore {

// The specs are not nested in SentencePieceModel: a nested class with default member
// initialisers is incomplete for std::optional<NormalizerSpec> inside the enclosing class, and
// clang then rejects optional::emplace() (not default-constructible there).
enum class SentencePieceModelType : uint8_t { kUnigram = 1, kBpe = 2, kWord = 3, kChar = 4 };

struct SentencePieceTrainerSpec {  // defaults as in sentencepiece_model.proto
  SentencePieceModelType model_type = SentencePieceModelType::kUnigram;
  bool byte_fallback = false;
  bool treat_whitespace_as_suffix = false;
  std::string bos_piece = "<s>";
  std::string eos_piece = "</s>";
};

struct SentencePieceNormalizerSpec {
  std::string name;
  std::string precompiled_charsmap;
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

struct SentencePieceModel {
  enum class PieceType : uint8_t {
    kNormal = 1,
    kUnknown = 2,
    kControl = 3,
    kUserDefined = 4,
    kUnused = 5,
    kByte = 6,
  };
  struct Piece {
    std::string text;
    float score = 0.0f;
    PieceType type = PieceType::kNormal;
  };

  using ModelType = SentencePieceModelType;
  using TrainerSpec = SentencePieceTrainerSpec;
  using NormalizerSpec = SentencePieceNormalizerSpec;

  std::vector<Piece> pieces;
  TrainerSpec trainer_spec;
  NormalizerSpec normalizer_spec;
  std::optional<NormalizerSpec> denormalizer_spec;
};

const char* model_type_name(SentencePieceModel::ModelType type);

// Parses the bytes of `file`; malformed or truncated data is an InputError naming the file.
SentencePieceModel parse_sentencepiece_model(const std::filesystem::path& file, std::string_view bytes);

}  // namespace quantcore
