// SentencePiece tokenizer.model, read and applied without libsentencepiece (see
// sentencepiece_model.h for why); ids match libsentencepiece 0.1.97's
// `SentencePieceProcessor::Encode(text, &ids)` for the BPE models of the LLaMA family.
#include <stdexcept>

#include "quantcore/io/errors.h"
#include "sentencepiece_bpe.h"
#include "sentencepiece_decode.h"
#include "sentencepiece_model.h"
#include "sentencepiece_normalizer.h"
#include "sentencepiece_vocab.h"
#include "quantcore/io/read_file.h"
#include "tokenizer_files.h"
#include "tokenizer_loaders.h"

namespace quantcore {
namespace {

using ModelType = SentencePieceModel::ModelType;
using PieceType = SentencePieceModel::PieceType;

// What we do not implement is refused rather than approximated: the ids would silently differ.
void refuse_unsupported(const std::filesystem::path& file, const SentencePieceModel& model) {
  auto refuse = [&](const std::string& problem) { throw InputError(file.string(), problem); };
  const ModelType type = model.trainer_spec.model_type;
  if (type != ModelType::kBpe) {
    refuse(std::string("SentencePiece model_type ") + model_type_name(type) +
           " is not supported, only BPE (LLaMA-1/2, Mistral)");
  }
  const auto& normalizer = model.normalizer_spec;
  if (!normalizer.precompiled_charsmap.empty()) {
    refuse("SentencePiece normalization rule \"" + normalizer.name + "\" is not supported, only \"identity\"");
  }
  if (model.denormalizer_spec && !model.denormalizer_spec->precompiled_charsmap.empty()) {
    refuse("SentencePiece denormalization rule \"" + model.denormalizer_spec->name + "\" is not supported");
  }
  if (model.trainer_spec.treat_whitespace_as_suffix) {
    refuse("SentencePiece treat_whitespace_as_suffix is not supported");
  }
}

class SentencePieceTokenizer final : public Tokenizer {
public:
  SentencePieceTokenizer(const std::filesystem::path& model_file, SentencePieceModel model)
      : vocab_(model_file, std::move(model.pieces), model.trainer_spec.byte_fallback),
        normalizer_spec_(std::move(model.normalizer_spec)) {
    const TokenizerConfig config = read_tokenizer_config(model_file.parent_path());
    // As libsentencepiece's bos_id()/eos_id(): the id of bos_piece/eos_piece if it is a control
    // piece (the bos_id/eos_id fields are only read by its trainer).
    const int32_t bos = control_id(model.trainer_spec.bos_piece);
    const int32_t eos = control_id(model.trainer_spec.eos_piece);
    if (config.add_bos_token.value_or(true) && bos >= 0) prefix_ids_.push_back(bos);
    if (eos >= 0) eos_id_ = eos;
  }

  std::vector<int32_t> encode_plain(std::string_view text) const override {
    const std::string normalized = normalize_for_sentencepiece(text, normalizer_spec_, vocab_.user_defined());
    std::vector<int32_t> ids;
    ids.reserve(normalized.size() / 3);
    encode_sentencepiece_bpe(normalized, vocab_, ids);
    return ids;
  }

  std::string decode(const std::vector<int32_t>& ids) const override {
    return decode_sentencepiece(ids, vocab_, normalizer_spec_);
  }

  int32_t vocab_size() const override { return vocab_.size(); }

  std::string piece(int32_t id) const override {
    if (id < 0 || id >= vocab_size()) {
      throw std::out_of_range("token id " + std::to_string(id) + " outside the vocabulary");
    }
    return vocab_[id].text;
  }

private:
  int32_t control_id(const std::string& piece) const {
    const int32_t id = vocab_.id_of(piece);
    return vocab_.is(id, PieceType::kControl) ? id : -1;
  }

  SentencePieceVocab vocab_;
  SentencePieceModel::NormalizerSpec normalizer_spec_;
};

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::filesystem::path& model_file) {
  SentencePieceModel model = parse_sentencepiece_model(model_file, read_file(model_file));
  refuse_unsupported(model_file, model);
  return std::make_unique<SentencePieceTokenizer>(model_file, std::move(model));
}

}  // namespace quantcore
