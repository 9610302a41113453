#pragma once
// The loaders behind load_tokenizer(), one per tokenizer format.
#include <filesystem>
#include <memory>

#include "quantcore/tokenize/tokenizer.h"

namespace quantcore {

// `model_file` is a SentencePiece tokenizer.model; tokenizer_config.json beside it is optional.
std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::filesystem::path& model_file);
// `json_file` is an HF tokenizer.json of a byte-level BPE (GPT-2, OPT, LLaMA-3, Qwen2).
std::unique_ptr<Tokenizer> load_byte_level_bpe_tokenizer(const std::filesystem::path& json_file);
// `bin_file` is a llama2.c tok*.bin.
std::unique_ptr<Tokenizer> load_llama2c_tokenizer(const std::filesystem::path& bin_file);

}  // namespace quantcore
