#include "quantcore/io/errors.h"
#include "quantcore/tokenize/tokenizer.h"
#include "tokenizer_loaders.h"

namespace quantcore {

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    // tokenizer.json first: where both exist it is what transformers' fast tokenizer uses.
    if (std::filesystem::exists(path / "tokenizer.json", ec)) {
      return load_byte_level_bpe_tokenizer(path / "tokenizer.json");
    }
    if (std::filesystem::exists(path / "tokenizer.model", ec)) {
      return load_sentencepiece_tokenizer(path / "tokenizer.model");
    }
    // A quantised llama2.c model written by `quantlens quantize` keeps its tok*.bin here.
    if (std::filesystem::exists(path / "tokenizer.bin", ec)) {
      return load_llama2c_tokenizer(path / "tokenizer.bin");
    }
    throw InputError(path.string(), "no tokenizer.json or tokenizer.model (nor a llama2.c tokenizer.bin)");
  }
  if (!std::filesystem::exists(path, ec)) {
    throw InputError(path.string(), "no tokenizer.json or tokenizer.model (path does not exist)");
  }
  const std::string extension = path.extension().string();
  if (extension == ".json") return load_byte_level_bpe_tokenizer(path);
  if (extension == ".model") return load_sentencepiece_tokenizer(path);
  if (extension == ".bin") return load_llama2c_tokenizer(path);
  throw InputError(path.string(),
                   "not a tokenizer: expected a model directory, tokenizer.json, "
                   "tokenizer.model or a llama2.c tok*.bin");
}

}  // namespace quantcore
