#include "tokenizer_files.h"

#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"
#include "quantcore/io/read_file.h"

namespace quantcore {

nlohmann::json read_json_file(const std::filesystem::path& path) {
  // The io reader's strict parse: a depth limit (deep nesting would exhaust the stack),
  // duplicate keys and out-of-range numbers are one-line errors.
  return detail::parse_json_text(read_file(path), path.string());
}

namespace {

// HF writes special tokens either as a plain string or as {"content": ..., "__type": "AddedToken"}.
std::optional<std::string> token_text(const nlohmann::json& config, const char* key) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content")) return it->at("content").get<std::string>();
  throw std::invalid_argument(std::string(key) + " is neither a string nor {\"content\": ...}");
}

}  // namespace

TokenizerConfig read_tokenizer_config(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / "tokenizer_config.json";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  const nlohmann::json config = read_json_file(path);
  TokenizerConfig result;
  try {
    if (!config.is_object()) throw std::invalid_argument("is not a JSON object");
    auto add_bos = config.find("add_bos_token");
    if (add_bos != config.end() && !add_bos->is_null()) result.add_bos_token = add_bos->get<bool>();
    result.bos_token = token_text(config, "bos_token");
    result.eos_token = token_text(config, "eos_token");
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path.string(), std::string("unexpected content: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw InputError(path.string(), e.what());
  }
  return result;
}

}  // namespace quantcore
