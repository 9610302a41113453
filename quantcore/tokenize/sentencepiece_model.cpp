#include "sentencepiece_model.h"

#include "protobuf_reader.h"
#include "quantcore/io/errors.h"

namespace quantcore {
namespace {

using Model = SentencePieceModel;

// Field numbers of sentencepiece_model.proto.
namespace field {
constexpr uint32_t kModelPieces = 1, kModelTrainerSpec = 2, kModelNormalizerSpec = 3, kModelDenormalizerSpec = 5;
constexpr uint32_t kPieceText = 1, kPieceScore = 2, kPieceType = 3;
constexpr uint32_t kTrainerModelType = 3, kTrainerTreatWhitespaceAsSuffix = 24, kTrainerByteFallback = 35,
                   kTrainerBosPiece = 46, kTrainerEosPiece = 47;
constexpr uint32_t kNormalizerName = 1, kNormalizerPrecompiledCharsmap = 2, kNormalizerAddDummyPrefix = 3,
                   kNormalizerRemoveExtraWhitespaces = 4, kNormalizerEscapeWhitespaces = 5;
}  // namespace field

// Runs `parse` on an embedded message, naming the message in its errors.
template <typename Parse>
void in_context(const std::string& where, Parse&& parse) {
  try {
    parse();
  } catch (const ProtobufError& e) {
    throw ProtobufError(where + ": " + e.what());
  }
}

Model::Piece parse_piece(std::string_view message) {
  Model::Piece piece;
  ProtobufReader reader(message);
  for (ProtobufField f; reader.next(f);) {
    switch (f.number) {
      case field::kPieceText: piece.text = f.as_bytes(); break;
      case field::kPieceScore: piece.score = f.as_float(); break;
      case field::kPieceType: {
        const int32_t type = f.as_int32();
        if (type < 1 || type > 6) throw ProtobufError("unknown type " + std::to_string(type));
        piece.type = static_cast<Model::PieceType>(type);
        break;
      }
      default: break;
    }
  }
  return piece;
}

// A message field that occurs more than once is merged into one, as protobuf does.
void merge_trainer_spec(std::string_view message, Model::TrainerSpec& spec) {
  ProtobufReader reader(message);
  for (ProtobufField f; reader.next(f);) {
    switch (f.number) {
      case field::kTrainerModelType: {
        const int32_t type = f.as_int32();
        if (type < 1 || type > 4) throw ProtobufError("unknown model_type " + std::to_string(type));
        spec.model_type = static_cast<Model::ModelType>(type);
        break;
      }
      case field::kTrainerTreatWhitespaceAsSuffix: spec.treat_whitespace_as_suffix = f.as_bool(); break;
      case field::kTrainerByteFallback: spec.byte_fallback = f.as_bool(); break;
      case field::kTrainerBosPiece: spec.bos_piece = f.as_bytes(); break;
      case field::kTrainerEosPiece: spec.eos_piece = f.as_bytes(); break;
      default: break;
    }
  }
}

void merge_normalizer_spec(std::string_view message, Model::NormalizerSpec& spec) {
  ProtobufReader reader(message);
  for (ProtobufField f; reader.next(f);) {
    switch (f.number) {
      case field::kNormalizerName: spec.name = f.as_bytes(); break;
      case field::kNormalizerPrecompiledCharsmap: spec.precompiled_charsmap = f.as_bytes(); break;
      case field::kNormalizerAddDummyPrefix: spec.add_dummy_prefix = f.as_bool(); break;
      case field::kNormalizerRemoveExtraWhitespaces: spec.remove_extra_whitespaces = f.as_bool(); break;
      case field::kNormalizerEscapeWhitespaces: spec.escape_whitespaces = f.as_bool(); break;
      default: break;
    }
  }
}

struct ParsedModel {
  Model model;
  bool has_trainer_spec = false;
  bool has_normalizer_spec = false;
};

ParsedModel parse_model(std::string_view bytes) {
  ParsedModel parsed;
  Model& model = parsed.model;
  ProtobufReader reader(bytes);
  for (ProtobufField f; reader.next(f);) {
    switch (f.number) {
      case field::kModelPieces:
        in_context("piece " + std::to_string(model.pieces.size()),
                   [&] { model.pieces.push_back(parse_piece(f.as_bytes())); });
        break;
      case field::kModelTrainerSpec:
        in_context("trainer_spec", [&] { merge_trainer_spec(f.as_bytes(), model.trainer_spec); });
        parsed.has_trainer_spec = true;
        break;
      case field::kModelNormalizerSpec:
        in_context("normalizer_spec", [&] { merge_normalizer_spec(f.as_bytes(), model.normalizer_spec); });
        parsed.has_normalizer_spec = true;
        break;
      case field::kModelDenormalizerSpec:
        if (!model.denormalizer_spec) model.denormalizer_spec.emplace();
        in_context("denormalizer_spec", [&] { merge_normalizer_spec(f.as_bytes(), *model.denormalizer_spec); });
        break;
      default: break;
    }
  }
  return parsed;
}

}  // namespace

const char* model_type_name(Model::ModelType type) {
  switch (type) {
    case Model::ModelType::kUnigram: return "UNIGRAM";
    case Model::ModelType::kBpe: return "BPE";
    case Model::ModelType::kWord: return "WORD";
    case Model::ModelType::kChar: return "CHAR";
  }
  return "unknown";
}

SentencePieceModel parse_sentencepiece_model(const std::filesystem::path& file, std::string_view bytes) {
  ParsedModel parsed;
  try {
    parsed = parse_model(bytes);
  } catch (const ProtobufError& e) {
    throw InputError(file.string(), std::string("not a SentencePiece model: ") + e.what());
  }
  // The trainer writes pieces, trainer_spec, normalizer_spec in that order; a file cut at a field
  // boundary would otherwise load with default specs and encode differently without a word.
  auto refuse = [&](const char* problem) {
    throw InputError(file.string(), std::string("not a SentencePiece model: ") + problem);
  };
  if (parsed.model.pieces.empty()) refuse("no pieces");
  if (!parsed.has_trainer_spec) refuse("no trainer_spec (truncated file?)");
  if (!parsed.has_normalizer_spec) refuse("no normalizer_spec (truncated file?)");
  return std::move(parsed.model);
}

}  // namespace quantcore
