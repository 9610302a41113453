// Tokenizers against the reference ids of the shared models (REFERENCE.json), llama2.c's
// tok512.bin, and small tokenizer.json files written here with hand-computed ids.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "quantcore/io/errors.h"
#include "quantcore/tokenize/tokenizer.h"
#include "test_support.h"

namespace {

using nlohmann::json;
using quantcore::InputError;
using quantcore::load_tokenizer;
using quantlens_test::data_path;
using quantlens_test::read_json;
using quantlens_test::read_text;
using quantlens_test::TempDir;
using quantlens_test::write_bytes;
using Ids = std::vector<int32_t>;

Ids concat(Ids a, const Ids& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Runs `load` and checks it throws an InputError whose message names `file`.
template <typename F>
std::string expect_input_error_naming(const std::string& file, F&& load) {
  try {
    load();
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    return message;
  }
  ADD_FAILURE() << "no InputError for " << file;
  return {};
}

// ---------------------------------------------------------------------------------------------
// The shared models: SentencePiece (house-llama) and GPT-2-style tokenizer.json (house-opt).

class ReferenceTokenizer : public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override {
    reference_ = read_json(data_path(GetParam() + "/REFERENCE.json"));
    tokenizer_ = load_tokenizer(data_path(GetParam()));
  }
  // Encodes a whole reference text and checks its length and first ids against eval.<key>.
  void check_eval_text(const std::string& key, const std::string& file) {
    const json& expected = reference_.at("eval").at(key);
    const std::string text = read_text(data_path(file));
    ASSERT_EQ(text.size(), expected.at("text_bytes").get<std::size_t>());
    const auto start = std::chrono::steady_clock::now();
    const Ids ids = tokenizer_->encode(text);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("[ timing   ] %s %s: %zu bytes -> %zu tokens in %.3f s\n", GetParam().c_str(), key.c_str(), text.size(),
                ids.size(), seconds);
    EXPECT_EQ(ids.size(), expected.at("n_tokens").get<std::size_t>());
    const auto first = expected.at("first_16_ids").get<Ids>();
    ASSERT_GE(ids.size(), first.size());
    EXPECT_EQ(Ids(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(first.size())), first);
  }

  json reference_;
  std::unique_ptr<quantcore::Tokenizer> tokenizer_;
};

TEST_P(ReferenceTokenizer, FixedSentence) {
  const json& fixed = reference_.at("fixed_sentence");
  EXPECT_EQ(tokenizer_->encode(fixed.at("text").get<std::string>()), fixed.at("ids").get<Ids>());
  const auto pieces = fixed.at("pieces").get<std::vector<std::string>>();
  const auto ids = fixed.at("ids").get<Ids>();
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(tokenizer_->piece(ids[i]), pieces[i]);
}

TEST_P(ReferenceTokenizer, GreedyPromptAndDecode) {
  const json& greedy = reference_.at("greedy");
  const auto prompt_ids = greedy.at("prompt_ids").get<Ids>();
  EXPECT_EQ(tokenizer_->encode(greedy.at("prompt").get<std::string>()), prompt_ids);
  EXPECT_EQ(tokenizer_->decode(concat(prompt_ids, greedy.at("greedy_ids").get<Ids>())),
            greedy.at("full_text").get<std::string>());
}

TEST_P(ReferenceTokenizer, PrefixAndEos) {
  const Ids expected_prefix = {reference_.at("fixed_sentence").at("ids").at(0).get<int32_t>()};
  EXPECT_EQ(tokenizer_->prefix_ids(), expected_prefix);
  EXPECT_EQ(tokenizer_->eos_id(), std::optional<int32_t>(2));
  EXPECT_TRUE(tokenizer_->encode_plain("").empty());
  EXPECT_EQ(tokenizer_->encode(""), expected_prefix);
}

TEST_P(ReferenceTokenizer, WikiText2Test) { check_eval_text("wikitext2_test", "wikitext2/wiki.test.joined.txt"); }

TEST_P(ReferenceTokenizer, HouseValid) { check_eval_text("house_valid", "house-corpus/valid.txt"); }

INSTANTIATE_TEST_SUITE_P(SharedModels, ReferenceTokenizer, ::testing::Values("house-llama", "house-opt"));

TEST(SentencePieceTokenizer, DecodeSkipsControlIds) {
  auto tokenizer = load_tokenizer(data_path("house-llama/tokenizer.model"));
  const Ids ids = tokenizer->encode("Once upon a time");
  EXPECT_EQ(tokenizer->decode(concat(ids, {2, 0})), "Once upon a time");
}

TEST(SentencePieceTokenizer, AddBosFalseInConfigDropsThePrefix) {
  TempDir dir;
  write_bytes(dir / "tokenizer.model", read_text(data_path("house-llama/tokenizer.model")));
  write_bytes(dir / "tokenizer_config.json", R"({"add_bos_token": false})");
  EXPECT_TRUE(load_tokenizer(dir.path())->prefix_ids().empty());
}

TEST(ByteLevelBpeTokenizer, DecodeSkipsSpecialTokens) {
  auto tokenizer = load_tokenizer(data_path("house-opt/tokenizer.json"));
  EXPECT_EQ(tokenizer->decode({2, 4601, 726, 262, 609, 2, 1}), "Once upon a time");
}

// ---------------------------------------------------------------------------------------------
// llama2.c tok512.bin (stories260K).

TEST(Llama2cTokenizer, StoriesPrompt) {
  auto tokenizer = load_tokenizer(data_path("stories260K/tok512.bin"));
  EXPECT_EQ(tokenizer->vocab_size(), 512);
  EXPECT_EQ(tokenizer->prefix_ids(), Ids{1});
  EXPECT_EQ(tokenizer->eos_id(), std::optional<int32_t>(2));
  const Ids ids = tokenizer->encode("Once upon a time");
  EXPECT_EQ(ids, (Ids{1, 403, 407, 261, 378}));  // <s> " Once" " upon" " a" " time"
  EXPECT_EQ(tokenizer->decode(ids), "Once upon a time");
  EXPECT_TRUE(tokenizer->encode_plain("").empty());
}

TEST(Llama2cTokenizer, MergesHighestScoreFirst) {
  auto tokenizer = load_tokenizer(data_path("stories260K/tok512.bin"));
  // " Once" starts as " " O n c e (410 441 416 429 411). By score: " "+"O" -> " O" (319, -60),
  // " O"+"n" -> " On" (321, -62), "c"+"e" -> "ce" (331, -72), " On"+"ce" -> " Once" (403, -144).
  EXPECT_EQ(tokenizer->encode_plain("Once"), Ids{403});
  EXPECT_EQ(tokenizer->piece(403), " Once");
  // "Lily's": " L"+"ily" after "il"+"y"; "'" and "s" have no merge with anything here.
  EXPECT_EQ(tokenizer->encode_plain("Lily's"), (Ids{317, 439, 419}));
}

TEST(Llama2cTokenizer, ByteFallbackRoundTrip) {
  auto tokenizer = load_tokenizer(data_path("stories260K/tok512.bin"));
  // U+1F600 is not in the vocabulary: its 4 UTF-8 bytes F0 9F 98 80 become ids byte + 3.
  const std::string emoji = "\xF0\x9F\x98\x80";
  EXPECT_EQ(tokenizer->encode_plain(emoji), (Ids{410, 0xF0 + 3, 0x9F + 3, 0x98 + 3, 0x80 + 3}));
  const std::string text = "Lily saw a " + emoji + " and said \"hi!\"\nThe end.";
  EXPECT_EQ(tokenizer->decode(tokenizer->encode(text)), text);
}

TEST(Llama2cTokenizer, WholeWikiText2RoundTrips) {
  auto tokenizer = load_tokenizer(data_path("stories260K/tok512.bin"));
  const std::string text = read_text(data_path("wikitext2/wiki.test.joined.txt"));
  const auto start = std::chrono::steady_clock::now();
  const Ids ids = tokenizer->encode(text);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ timing   ] stories260K wikitext2_test: %zu bytes -> %zu tokens in %.3f s\n", text.size(), ids.size(),
              seconds);
  EXPECT_EQ(tokenizer->decode(ids), text);  // byte fallback makes it lossless
}

TEST(Llama2cTokenizer, TruncatedFileIsAnInputError) {
  TempDir dir;
  const std::string bytes = read_text(data_path("stories260K/tok512.bin"));
  const auto path = dir / "tok512.bin";
  write_bytes(path, bytes.substr(0, bytes.size() - 3));
  const std::string message = expect_input_error_naming(path.string(), [&] { load_tokenizer(path); });
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  write_bytes(path, bytes.substr(0, 2));
  expect_input_error_naming(path.string(), [&] { load_tokenizer(path); });
}

// ---------------------------------------------------------------------------------------------
// A LLaMA-3-style tokenizer.json with a vocabulary small enough to check by hand.

// LLaMA-3's Split regex, verbatim.
constexpr const char* kLlama3Pattern = R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3})"
                                       R"(| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

json llama3_style_tokenizer() {
  // Byte-level spellings: "Ġ" is the space byte, "Ċ" the newline.
  const json vocab = {{"H", 0},    {"e", 1},   {"l", 2},       {"o", 3},     {"Ġ", 4},    {"w", 5},
                      {"r", 6},    {"d", 7},   {"'", 8},       {"s", 9},     {"2", 10},   {"0", 11},
                      {"4", 12},   {"!", 13},  {"Ċ", 14},      {"ll", 15},   {"ell", 16}, {"He", 17},
                      {"llo", 18}, {"Ġw", 19}, {"or", 20},     {"Ġwor", 21}, {"'s", 22},  {"20", 23},
                      {"202", 24}, {"!Ċ", 25}, {"Ġworld", 28}, {"S", 29},    {"Ss", 30}};
  // Both spellings of merges occur in real files; ranks are the list order.
  const json merges = {"l l",  "e ll", json::array({"H", "e"}), "ll o", "Ġ w", "o r", "Ġw or", "' s", "2 0",
                       "20 2", "! Ċ",  json::array({"S", "s"})};
  const json added = json::array({
      {{"id", 26},
       {"content", "<|begin_of_text|>"},
       {"special", true},
       {"lstrip", false},
       {"rstrip", false},
       {"normalized", false},
       {"single_word", false}},
      {{"id", 27},
       {"content", "<|end_of_text|>"},
       {"special", true},
       {"lstrip", false},
       {"rstrip", false},
       {"normalized", false},
       {"single_word", false}},
  });
  return {
      {"version", "1.0"},
      {"added_tokens", added},
      {"normalizer", nullptr},
      {"pre_tokenizer",
       {{"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "Split"}, {"pattern", {{"Regex", kLlama3Pattern}}}, {"behavior", "Isolated"}, {"invert", false}},
          {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}}}}}},
      {"post_processor",
       {{"type", "Sequence"},
        {"processors",
         {{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}},
          {{"type", "TemplateProcessing"},
           {"single",
            {{{"SpecialToken", {{"id", "<|begin_of_text|>"}, {"type_id", 0}}}},
             {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
           {"pair", json::array()},
           {"special_tokens",
            {{"<|begin_of_text|>",
              {{"id", "<|begin_of_text|>"}, {"ids", {26}}, {"tokens", {"<|begin_of_text|>"}}}}}}}}}}},
      {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
      {"model",
       {{"type", "BPE"},
        {"dropout", nullptr},
        {"unk_token", nullptr},
        {"continuing_subword_prefix", nullptr},
        {"end_of_word_suffix", nullptr},
        {"fuse_unk", false},
        {"byte_fallback", false},
        {"ignore_merges", true},
        {"vocab", vocab},
        {"merges", merges}}},
  };
}

std::unique_ptr<quantcore::Tokenizer> write_and_load(const TempDir& dir, const json& tokenizer,
                                                     const std::string& config = "") {
  write_bytes(dir / "tokenizer.json", tokenizer.dump());
  if (!config.empty()) write_bytes(dir / "tokenizer_config.json", config);
  return load_tokenizer(dir.path());
}

TEST(ByteLevelBpeTokenizer, Llama3StyleHandComputed) {
  TempDir dir;
  const std::string config = R"({"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>"})";
  auto tokenizer = write_and_load(dir, llama3_style_tokenizer(), config);
  EXPECT_EQ(tokenizer->prefix_ids(), Ids{26});
  EXPECT_EQ(tokenizer->eos_id(), std::optional<int32_t>(27));
  EXPECT_EQ(tokenizer->vocab_size(), 31);
  // Pre-tokens: "Hello" " world" "'s" " " "202" "4" "!\n".
  // "Hello": H e l l o -> l+l (rank 0) -> e+ll (rank 1) -> no merge left: H ell o; the
  //          later-ranked H+e never applies.
  // " world": "Ġworld" is in the vocab, so ignore_merges emits it whole (merges would give
  //           Ġwor l d).
  // " " before a digit: \s+(?!\S) fails, \s+ takes it. Digits go in groups of up to 3.
  const std::string text = "Hello world's 2024!\n";
  EXPECT_EQ(tokenizer->encode_plain(text), (Ids{0, 16, 3, 28, 22, 4, 24, 12, 25}));
  EXPECT_EQ(tokenizer->encode(text), (Ids{26, 0, 16, 3, 28, 22, 4, 24, 12, 25}));
  EXPECT_EQ(tokenizer->decode(tokenizer->encode(text)), text);
  EXPECT_EQ(tokenizer->piece(28), "Ġworld");
}

TEST(ByteLevelBpeTokenizer, Llama3PatternDetails) {
  TempDir dir;
  auto tokenizer = write_and_load(dir, llama3_style_tokenizer());
  // No tokenizer_config.json: the prefix still comes from the TemplateProcessing, no eos.
  EXPECT_EQ(tokenizer->prefix_ids(), Ids{26});
  EXPECT_FALSE(tokenizer->eos_id().has_value());
  // Two spaces: \s+(?!\S) takes the first alone, " world" keeps its space.
  EXPECT_EQ(tokenizer->encode_plain("Hello  world"), (Ids{0, 16, 3, 4, 28}));
  // (?i:'s) also cuts "'S" off "'Ss"; a case-sensitive pattern would keep "'Ss" whole (8, 30).
  EXPECT_EQ(tokenizer->encode_plain("'Ss"), (Ids{8, 29, 9}));
}

// Found by fuzz_tokenizer_json: the ids a post-processor states were taken as they are, so
// encode() produced an id past the vocabulary.
TEST(ByteLevelBpeTokenizer, PostProcessorIdOutsideTheVocabularyIsAnInputError) {
  TempDir dir;
  json roberta = llama3_style_tokenizer();
  roberta["post_processor"] = {{"type", "RobertaProcessing"},
                               {"sep", json::array({"<|end_of_text|>", 27})},
                               {"cls", json::array({"<|begin_of_text|>", 52})}};
  const std::string message = expect_input_error_naming("tokenizer.json", [&] { write_and_load(dir, roberta); });
  EXPECT_NE(message.find("post_processor id 52 is not in the vocabulary (31 ids)"), std::string::npos) << message;
  json templated = llama3_style_tokenizer();
  templated["post_processor"]["processors"][1]["special_tokens"]["<|begin_of_text|>"]["ids"] = json::array({31});
  expect_input_error_naming("tokenizer.json", [&] { write_and_load(dir, templated); });
  roberta["post_processor"]["cls"][1] = 26;  // in range: loads, the prefix as stated
  EXPECT_EQ(write_and_load(dir, roberta)->prefix_ids(), Ids{26});
}

TEST(ByteLevelBpeTokenizer, AddedTokensAreCutOutFirst) {
  TempDir dir;
  auto tokenizer = write_and_load(dir, llama3_style_tokenizer());
  const std::string text = "<|begin_of_text|>Hello<|end_of_text|> world";
  EXPECT_EQ(tokenizer->encode_plain(text), (Ids{26, 0, 16, 3, 27, 28}));
  EXPECT_EQ(tokenizer->decode(tokenizer->encode_plain(text)), "Hello world");
}

TEST(ByteLevelBpeTokenizer, WithoutIgnoreMergesTheWordIsMerged) {
  TempDir dir;
  json tokenizer = llama3_style_tokenizer();
  tokenizer["model"]["ignore_merges"] = false;
  EXPECT_EQ(write_and_load(dir, tokenizer)->encode_plain(" world"), (Ids{21, 2, 7}));
}

TEST(ByteLevelBpeTokenizer, NfcNormalizerAndDigitsSplit) {
  TempDir dir;
  // U+00E9 "é" is C3 A9 in UTF-8, i.e. "Ã©" in the byte-level alphabet.
  json tokenizer = llama3_style_tokenizer();
  tokenizer["model"]["vocab"]["Ã"] = 31;
  tokenizer["model"]["vocab"]["©"] = 32;
  tokenizer["model"]["vocab"]["Ã©"] = 33;
  tokenizer["model"]["merges"].push_back("Ã ©");
  tokenizer["normalizer"] = {{"type", "NFC"}};
  tokenizer["pre_tokenizer"] = {{"type", "Sequence"},
                                {"pretokenizers",
                                 {{{"type", "Digits"}, {"individual_digits", true}},
                                  {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}}}};
  tokenizer["post_processor"] = nullptr;
  auto loaded = write_and_load(dir, tokenizer, R"({"add_bos_token": true, "bos_token": "H"})");
  EXPECT_EQ(loaded->prefix_ids(), Ids{0});  // no template: tokenizer_config.json decides
  // "e" + U+0301 (combining acute) composes to U+00E9.
  EXPECT_EQ(loaded->encode_plain("e\xCC\x81"), Ids{33});
  EXPECT_EQ(loaded->decode({33}), "\xC3\xA9");
  // Each digit on its own: no "20"/"202" merges across them.
  EXPECT_EQ(loaded->encode_plain("2024"), (Ids{10, 11, 10, 12}));
}

TEST(ByteLevelBpeTokenizer, LongRunsAreFast) {
  TempDir dir;
  auto tokenizer = write_and_load(dir, llama3_style_tokenizer());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(tokenizer->encode_plain(std::string(1 << 20, ' ')).size(), 1u << 20);
  EXPECT_EQ(tokenizer->encode_plain(std::string(1 << 18, 'l')).size(), 1u << 17);  // "ll" pairs
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 20.0);
}

TEST(ByteLevelBpeTokenizer, InvalidUtf8IsAnInputError) {
  TempDir dir;
  auto tokenizer = write_and_load(dir, llama3_style_tokenizer());
  EXPECT_THROW(tokenizer->encode_plain("ab\xFF"), InputError);
}

// ---------------------------------------------------------------------------------------------
// Files that are not tokenizers.

TEST(LoadTokenizer, MissingFiles) {
  TempDir dir;
  const std::string message = expect_input_error_naming(dir.path().string(), [&] { load_tokenizer(dir.path()); });
  EXPECT_NE(message.find("no tokenizer.json or tokenizer.model"), std::string::npos) << message;
  const auto missing = dir / "absent";
  expect_input_error_naming(missing.string(), [&] { load_tokenizer(missing); });
  const auto missing_bin = dir / "tok.bin";
  expect_input_error_naming(missing_bin.string(), [&] { load_tokenizer(missing_bin); });
}

TEST(LoadTokenizer, TokenizerJsonThatIsNotJson) {
  TempDir dir;
  write_bytes(dir / "tokenizer.json", "{\"model\": ");
  expect_input_error_naming((dir / "tokenizer.json").string(), [&] { load_tokenizer(dir.path()); });
}

TEST(LoadTokenizer, TokenizerJsonWithWordPieceModel) {
  TempDir dir;
  json tokenizer = llama3_style_tokenizer();
  tokenizer["model"] = {{"type", "WordPiece"}, {"vocab", {{"a", 0}}}, {"unk_token", "[UNK]"}};
  const std::string message =
      expect_input_error_naming((dir / "tokenizer.json").string(), [&] { write_and_load(dir, tokenizer); });
  EXPECT_NE(message.find("WordPiece"), std::string::npos) << message;
}

TEST(LoadTokenizer, TokenizerJsonWithUnsupportedParts) {
  TempDir dir;
  const std::string file = (dir / "tokenizer.json").string();
  json metaspace = llama3_style_tokenizer();
  metaspace["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "▁"}};
  const std::string message = expect_input_error_naming(file, [&] { write_and_load(dir, metaspace); });
  EXPECT_NE(message.find("Metaspace"), std::string::npos) << message;
  json lowercase = llama3_style_tokenizer();
  lowercase["normalizer"] = {{"type", "Lowercase"}};
  expect_input_error_naming(file, [&] { write_and_load(dir, lowercase); });
  json bad_merge = llama3_style_tokenizer();
  bad_merge["model"]["merges"].push_back("x y");
  expect_input_error_naming(file, [&] { write_and_load(dir, bad_merge); });
  json no_model = llama3_style_tokenizer();
  no_model.erase("model");
  expect_input_error_naming(file, [&] { write_and_load(dir, no_model); });
}

TEST(LoadTokenizer, CorruptTokenizerConfig) {
  TempDir dir;
  write_bytes(dir / "tokenizer_config.json", "not json");
  write_bytes(dir / "tokenizer.json", llama3_style_tokenizer().dump());
  expect_input_error_naming((dir / "tokenizer_config.json").string(), [&] { load_tokenizer(dir.path()); });
}

TEST(LoadTokenizer, CorruptSentencePieceModel) {
  TempDir dir;
  write_bytes(dir / "tokenizer.model", "definitely not a protobuf");
  expect_input_error_naming((dir / "tokenizer.model").string(), [&] { load_tokenizer(dir.path()); });
}

}  // namespace
