// Byte-level BPE from an HF tokenizer.json (GPT-2 / OPT, LLaMA-3, Qwen2): added tokens are cut
// out first, the rest is normalized (NFC where configured), pre-tokenized, mapped to GPT-2's
// byte alphabet and merged by rank within each pre-token.
#include <stdexcept>
#include <unordered_map>

#include "added_tokens.h"
#include "bpe_merger.h"
#include "byte_level_alphabet.h"
#include "nfc_normalizer.h"
#include "pre_tokenizer.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"
#include "tokenizer_files.h"
#include "tokenizer_loaders.h"
#include "utf8.h"

namespace quantcore {
namespace {

using nlohmann::json;

// Pre-tokens repeat a lot in real text; merging each distinct one once per encode() call keeps
// a megabyte of text well under a second. Bounded so a huge text cannot grow it without limit.
constexpr std::size_t kMaxCachedPieces = 1 << 18;

// Real vocabularies have at most a few hundred thousand entries; an id past this bound is a
// corrupted or crafted file (the id table is sized by the largest id).
constexpr int64_t kMaxTokenId = (int64_t{1} << 24) - 1;

// A token id as the file gives it: an integer in [0, kMaxTokenId], else invalid_argument naming `what`.
int32_t token_id(const json& id, const std::string& what) {
  if (!id.is_number_integer())
    throw std::invalid_argument(what + " is " + detail::json_kind(id) + ", not an integer id");
  const bool too_large =
      id.is_number_unsigned() ? id.get<uint64_t>() > uint64_t(kMaxTokenId) : id.get<int64_t>() > kMaxTokenId;
  if (too_large)
    throw std::invalid_argument(what + " is " + id.dump() + ", beyond any real vocabulary (at most " +
                                std::to_string(kMaxTokenId) + ")");
  if (id.get<int64_t>() < 0) throw std::invalid_argument(what + " is negative");
  return static_cast<int32_t>(id.get<int64_t>());
}

std::vector<std::pair<std::string, std::string>> parse_merges(const json& merges) {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(merges.size());
  for (const json& merge : merges) {
    if (merge.is_array() && merge.size() == 2) {  // tokenizers >= 0.20: ["a", "b"]
      pairs.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
      continue;
    }
    const std::string text = merge.get<std::string>();  // older files: "a b"
    const std::size_t space = text.find(' ');
    if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos) {
      throw std::invalid_argument("merge \"" + text + "\" is not two tokens separated by a space");
    }
    pairs.emplace_back(text.substr(0, space), text.substr(space + 1));
  }
  return pairs;
}

std::vector<AddedToken> parse_added_tokens(const json& tokenizer) {
  std::vector<AddedToken> tokens;
  auto it = tokenizer.find("added_tokens");
  if (it == tokenizer.end() || it->is_null()) return tokens;
  for (const json& t : *it) {
    const std::string content = t.at("content").get<std::string>();
    tokens.push_back({content, token_id(t.at("id"), "the id of added token " + detail::in_quotes(content)),
                      t.value("special", false), t.value("lstrip", false), t.value("rstrip", false)});
  }
  return tokens;
}

// Only NFC (Qwen2) or nothing; other normalizers would change the ids silently.
bool parse_nfc_normalizer(const json& normalizer) {
  if (normalizer.is_null()) return false;
  const std::string type = normalizer.at("type").get<std::string>();
  if (type == "NFC") return true;
  if (type == "Sequence") {
    bool nfc = false;
    for (const json& step : normalizer.at("normalizers")) nfc = parse_nfc_normalizer(step) || nfc;
    return nfc;
  }
  throw std::invalid_argument("unsupported normalizer \"" + type + "\" (supported: none, NFC)");
}

void check_bpe_model(const json& model) {
  const std::string type = model.value("type", model.contains("merges") ? "BPE" : "");
  if (type != "BPE") {
    throw std::invalid_argument("model type \"" + type + "\" is not supported (only BPE)");
  }
  if (!model.value("continuing_subword_prefix", json()).is_null() ||
      !model.value("end_of_word_suffix", json()).is_null()) {
    throw std::invalid_argument("BPE with continuing_subword_prefix/end_of_word_suffix is not supported");
  }
  const json dropout = model.value("dropout", json());
  if (!dropout.is_null() && dropout.get<double>() > 0.0) {
    throw std::invalid_argument("BPE dropout is not supported");
  }
}

class ByteLevelBpeTokenizer final : public Tokenizer {
public:
  ByteLevelBpeTokenizer(const std::filesystem::path& file, const json& tokenizer)
      : merger_(make_merger(tokenizer.at("model"))),
        added_tokens_(parse_added_tokens(tokenizer)),
        pre_tokenizer_(tokenizer.at("pre_tokenizer")),
        nfc_(parse_nfc_normalizer(tokenizer.value("normalizer", json()))) {
    build_id_table();
    const TokenizerConfig config = read_tokenizer_config(file.parent_path());
    const std::string config_file = (file.parent_path() / "tokenizer_config.json").string();
    if (auto prefix = template_prefix(tokenizer.value("post_processor", json()))) {
      // The post-processor states its ids itself: one past the table would reach the model.
      for (int32_t id : *prefix) {
        if (id >= vocab_size())
          throw std::invalid_argument("post_processor id " + std::to_string(id) + " is not in the vocabulary (" +
                                      std::to_string(vocab_size()) + " ids)");
      }
      prefix_ids_ = *prefix;
    } else if (config.add_bos_token.value_or(false) && config.bos_token) {
      prefix_ids_ = {id_of_named_token(*config.bos_token, config_file)};
    }
    if (config.eos_token) eos_id_ = id_of_named_token(*config.eos_token, config_file);
  }

  std::vector<int32_t> encode_plain(std::string_view text) const override {
    if (std::size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
      throw InputError("text to tokenize", "invalid UTF-8 at byte " + std::to_string(bad));
    }
    std::vector<int32_t> ids;
    std::unordered_map<std::string, std::vector<int32_t>> cache;
    for (const TextSegment& segment : added_tokens_.split(text)) {
      if (segment.is_added_token()) {
        ids.push_back(segment.added_token_id);
        continue;
      }
      const std::string normalized = nfc_ ? nfc_normalize(segment.text) : std::string(segment.text);
      for (const std::string& piece : pre_tokenizer_.split(normalized)) {
        if (auto hit = cache.find(piece); hit != cache.end()) {
          ids.insert(ids.end(), hit->second.begin(), hit->second.end());
          continue;
        }
        const std::size_t first = ids.size();
        merger_.encode_word(piece, ids);
        if (cache.size() < kMaxCachedPieces) {
          cache.emplace(piece, std::vector<int32_t>(ids.begin() + first, ids.end()));
        }
      }
    }
    return ids;
  }

  // Raw bytes: unlike HF there is no U+FFFD for a character split across calls, so decoding a
  // generation token by token and concatenating gives the same text as decoding it at once.
  std::string decode(const std::vector<int32_t>& ids) const override {
    std::string text;
    for (int32_t id : ids) {
      if (id < 0 || id >= vocab_size() || is_special_[id]) continue;
      text += from_byte_level(tokens_[id]);
    }
    return text;
  }

  int32_t vocab_size() const override { return static_cast<int32_t>(tokens_.size()); }

  std::string piece(int32_t id) const override {
    if (id < 0 || id >= vocab_size()) {
      throw std::out_of_range("token id " + std::to_string(id) + " outside the vocabulary");
    }
    return tokens_[id];
  }

private:
  static BpeMerger make_merger(const json& model) {
    check_bpe_model(model);
    StringToId vocab;
    for (const auto& [token, id] : model.at("vocab").items()) {
      vocab.emplace(token, token_id(id, "the vocab id of " + detail::in_quotes(token)));
    }
    std::optional<int32_t> unk_id;
    const json unk = model.value("unk_token", json());
    if (!unk.is_null()) {
      auto it = vocab.find(unk.get<std::string>());
      if (it == vocab.end()) throw std::invalid_argument("unk_token is not in the vocab");
      unk_id = it->second;
    }
    return BpeMerger(std::move(vocab), parse_merges(model.at("merges")), model.value("ignore_merges", false), unk_id);
  }

  void build_id_table() {
    int32_t size = 0;
    for (const auto& [token, id] : merger_.vocab()) size = std::max(size, id + 1);
    for (const AddedToken& t : added_tokens_.tokens()) size = std::max(size, t.id + 1);
    // Ids are dense in real files (added tokens sit just past the vocab): a table far larger
    // than the entries listed is a crafted file, refused before it is allocated.
    const std::size_t entries = merger_.vocab().size() + added_tokens_.tokens().size();
    if (static_cast<std::size_t>(size) > 4 * entries + 65536)
      throw std::invalid_argument("the largest token id, " + std::to_string(size - 1) + ", is far beyond the " +
                                  std::to_string(entries) + " tokens the file lists");
    tokens_.resize(static_cast<std::size_t>(size));
    is_special_.assign(static_cast<std::size_t>(size), false);
    for (const auto& [token, id] : merger_.vocab()) tokens_[id] = token;  // ids checked by token_id
    for (const AddedToken& t : added_tokens_.tokens()) {
      tokens_[t.id] = t.content;
      is_special_[t.id] = t.special;
    }
  }

  std::optional<int32_t> find_token(const std::string& token) const {
    for (const AddedToken& t : added_tokens_.tokens()) {
      if (t.content == token) return t.id;
    }
    auto it = merger_.vocab().find(token);
    if (it == merger_.vocab().end()) return std::nullopt;
    return it->second;
  }

  int32_t id_of_named_token(const std::string& token, const std::string& named_in) const {
    auto id = find_token(token);
    if (!id) throw InputError(named_in, "token \"" + token + "\" is not in tokenizer.json");
    return *id;
  }

  // The special tokens the post-processor puts before the text ($A), if it is a template.
  std::optional<std::vector<int32_t>> template_prefix(const json& post) const {
    if (post.is_null()) return std::nullopt;
    const std::string type = post.at("type").get<std::string>();
    if (type == "Sequence") {
      for (const json& step : post.at("processors")) {
        if (auto prefix = template_prefix(step)) return prefix;
      }
      return std::nullopt;
    }
    if (type == "RobertaProcessing" || type == "BertProcessing") {
      return std::vector<int32_t>{token_id(post.at("cls").at(1), "post_processor cls id")};
    }
    if (type != "TemplateProcessing") return std::nullopt;
    std::vector<int32_t> prefix;
    for (const json& item : post.at("single")) {
      if (item.contains("Sequence")) return prefix;
      const std::string name = item.at("SpecialToken").at("id").get<std::string>();
      const json special = post.value("special_tokens", json::object());
      if (special.contains(name)) {
        for (const json& id : special.at(name).at("ids"))
          prefix.push_back(token_id(id, "post_processor id of " + detail::in_quotes(name)));
      } else if (auto id = find_token(name)) {
        prefix.push_back(*id);
      } else {
        throw std::invalid_argument("post_processor token \"" + name + "\" is not in the vocab");
      }
    }
    throw std::invalid_argument("post_processor template \"single\" has no $A sequence");
  }

  BpeMerger merger_;
  AddedTokenSplitter added_tokens_;
  PreTokenizer pre_tokenizer_;
  bool nfc_;
  std::vector<std::string> tokens_;  // by id; empty for ids nothing maps to
  std::vector<bool> is_special_;
};

}  // namespace

std::unique_ptr<Tokenizer> load_byte_level_bpe_tokenizer(const std::filesystem::path& json_file) {
  const json tokenizer = read_json_file(json_file);
  try {
    if (!tokenizer.is_object()) throw std::invalid_argument("is not a JSON object");
    return std::make_unique<ByteLevelBpeTokenizer>(json_file, tokenizer);
  } catch (const json::exception& e) {
    throw InputError(json_file.string(), std::string("unexpected tokenizer.json content: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw InputError(json_file.string(), e.what());
  }
}

}  // namespace quantcore
