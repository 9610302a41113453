#pragma once
// Reading the files a tokenizer is made of; failures are InputErrors naming the file.
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace quantcore {

nlohmann::json read_json_file(const std::filesystem::path& path);

// The fields of an HF tokenizer_config.json that decide the special ids around a text.
struct TokenizerConfig {
  std::optional<bool> add_bos_token;
  std::optional<std::string> bos_token;
  std::optional<std::string> eos_token;
};

// tokenizer_config.json in `dir`; every field empty when the file does not exist.
TokenizerConfig read_tokenizer_config(const std::filesystem::path& dir);

}  // namespace quantcore
