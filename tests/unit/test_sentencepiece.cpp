// SentencePiece tokenizer.model read without libsentencepiece: ids of awkward texts, a hand-made
// model whose every step can be followed, and files that are not (supported) models.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "quantcore/io/errors.h"
#include "quantcore/tokenize/tokenizer.h"
#include "test_support.h"

namespace {

using quantcore::InputError;
using quantcore::load_tokenizer;
using quantlens_test::data_path;
using quantlens_test::read_text;
using quantlens_test::TempDir;
using quantlens_test::write_bytes;
using Ids = std::vector<int32_t>;

// The protobuf wire format, enough to write tokenizer.model files by hand.
std::string varint(uint64_t value) {
  std::string out;
  do {
    const auto low = static_cast<char>(value & 0x7F);
    value >>= 7;
    out += static_cast<char>(low | (value != 0 ? 0x80 : 0));
  } while (value != 0);
  return out;
}
std::string varint_field(uint32_t number, uint64_t value) { return varint(uint64_t{number} << 3) + varint(value); }
std::string bytes_field(uint32_t number, const std::string& bytes) {
  return varint((uint64_t{number} << 3) | 2) + varint(bytes.size()) + bytes;
}
std::string float_field(uint32_t number, float value) {
  char bytes[4];
  std::memcpy(bytes, &value, 4);  // little-endian hosts only, like the wire format
  return varint((uint64_t{number} << 3) | 5) + std::string(bytes, 4);
}

enum PieceType { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5 };
std::string piece(const std::string& text, float score, PieceType type) {
  return bytes_field(1, bytes_field(1, text) + float_field(2, score) + varint_field(3, type));
}
const std::string kBpeTrainerSpec = bytes_field(2, varint_field(3, 2));
// identity rule, add_dummy_prefix (default true), remove_extra_whitespaces false
const std::string kIdentityNormalizerSpec = bytes_field(3, bytes_field(1, "identity") + varint_field(4, 0));

// Ids 0..12. "bc" scores best but is UNUSED, so it merges and is then split again.
std::string hand_made_pieces() {
  return piece("<unk>", 0, kUnknown) + piece("<s>", 0, kControl) + piece("</s>", 0, kControl) +
         piece("<sep>", 0, kUserDefined) + piece("\xE2\x96\x81", -1, kNormal) + piece("a", -2, kNormal) +
         piece("b", -3, kNormal) + piece("c", -4, kNormal) +
         piece(
             "\xE2\x96\x81"
             "a",
             -5, kNormal) +
         piece("ab", -6, kNormal) +
         piece(
             "\xE2\x96\x81"
             "ab",
             -7, kNormal) +
         piece("bc", -0.5f, kUnused) + piece("abc", -8, kNormal);
}

std::string load_error(const std::filesystem::path& file) {
  try {
    load_tokenizer(file);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << file;
  return {};
}

// Loading `bytes` as a tokenizer.model fails with one line that names the file.
std::string model_error(const std::string& bytes) {
  TempDir dir;
  const auto file = dir / "tokenizer.model";
  write_bytes(file, bytes);
  const std::string message = load_error(file);
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  return message;
}

// ---------------------------------------------------------------------------------------------

TEST(SentencePieceTokenizer, AwkwardTextsMatchLibsentencepiece) {
  auto tokenizer = load_tokenizer(data_path("house-llama/tokenizer.model"));
  struct Case {
    std::string text;
    Ids ids;
  };
  // Ids from libsentencepiece 0.1.97 (SentencePieceProcessor::Encode) on this tokenizer.model.
  const std::vector<Case> cases = {
      // Leading, doubled and trailing spaces are kept (remove_extra_whitespaces=false).
      {"  Hello  world  ", {8073, 8073, 7029, 8077, 8073, 888, 8073, 8073}},
      {" ", {8073, 8073}},
      // Newlines and tabs are not pieces here: byte fallback.
      {"\n\nOnce upon\ta time\n", {8073, 13, 13, 8112, 8078, 352, 718, 12, 8076, 604, 13}},
      // Emoji: one byte piece per UTF-8 byte (U+2764 U+FE0F, U+1F600, U+1F389).
      {"I \xE2\x9D\xA4\xEF\xB8\x8F tokenizers \xF0\x9F\x98\x80\xF0\x9F\x8E\x89",
       {300, 8073, 229, 160, 167, 242, 187, 146, 289, 2191, 565, 402, 8073, 243, 162, 155, 131, 243, 162, 145, 140}},
      // split_digits: every digit on its own.
      {"In 2024, pi was 3.14159.",
       {547, 8073, 8130, 8121, 8130, 8139, 8093, 286, 8079, 344, 8073, 8136, 8095, 8113, 8139, 8113, 8135, 8129, 8095}},
      // A malformed byte is normalized to U+FFFD, which this vocabulary has.
      {"ab\xFF"
       "cd",
       {475, 8169, 8086, 8084}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(tokenizer->encode_plain(c.text), c.ids) << c.text;
    const std::string expected_text = c.text ==
                                              "ab\xFF"
                                              "cd"
                                          ? "ab\xEF\xBF\xBD"
                                            "cd"
                                          : c.text;
    EXPECT_EQ(tokenizer->decode(c.ids), expected_text) << c.text;
  }
}

TEST(SentencePieceTokenizer, HandMadeModel) {
  TempDir dir;
  write_bytes(dir / "tokenizer.model", hand_made_pieces() + kBpeTrainerSpec + kIdentityNormalizerSpec);
  auto tokenizer = load_tokenizer(dir.path());
  EXPECT_EQ(tokenizer->vocab_size(), 13);
  EXPECT_EQ(tokenizer->prefix_ids(), Ids{1});
  EXPECT_EQ(tokenizer->eos_id(), std::optional<int32_t>(2));
  // Ids checked against libsentencepiece 0.1.97 on the same bytes.
  // "▁abc": b+c (-0.5) first, then ▁+a (-1); a+bc and a+b went stale. "bc" is UNUSED: b c.
  EXPECT_EQ(tokenizer->encode_plain("abc"), (Ids{8, 6, 7}));
  // "x" and "y" are unknown and there is no byte fallback: one <unk> for the run.
  EXPECT_EQ(tokenizer->encode_plain("xy ab"), (Ids{4, 0, 10}));
  // The user-defined "<sep>" is one symbol that never merges with its neighbours.
  EXPECT_EQ(tokenizer->encode_plain("a<sep>b"), (Ids{8, 3, 6}));
  EXPECT_EQ(tokenizer->encode_plain("  ab  "), (Ids{4, 4, 10, 4, 4}));
  EXPECT_TRUE(tokenizer->encode_plain("").empty());
  EXPECT_EQ(tokenizer->decode({1, 8, 6, 7, 2}), "abc");
  EXPECT_EQ(tokenizer->decode({4, 4, 10, 4, 4}), "  ab  ");  // only the dummy prefix goes
}

TEST(SentencePieceModelFile, UnknownFieldsOfEveryWireTypeAreSkipped) {
  const std::string unknown = varint_field(99, 300) +                           // varint
                              varint((98 << 3) | 1) + std::string(8, '\x01') +  // fixed64
                              varint((97 << 3) | 5) + std::string(4, '\x02') +  // fixed32
                              bytes_field(96, "anything") +                     // length-delimited
                              varint((95 << 3) | 3) + varint_field(1, 7) +      // group
                              varint((95 << 3) | 4);
  const std::string first_piece =
      bytes_field(1, unknown + bytes_field(1, "<unk>") + float_field(2, 0) + varint_field(3, 2));
  const std::string rest = hand_made_pieces().substr(piece("<unk>", 0, kUnknown).size());
  TempDir dir;
  const std::string normalizer_spec =
      bytes_field(3, unknown + bytes_field(1, "identity") + varint_field(4, 0) + unknown);
  write_bytes(dir / "tokenizer.model", unknown + first_piece + rest + kBpeTrainerSpec + unknown + normalizer_spec);
  EXPECT_EQ(load_tokenizer(dir.path())->encode_plain("abc"), (Ids{8, 6, 7}));
}

TEST(SentencePieceModelFile, TruncatedIsAnInputError) {
  const std::string bytes = read_text(data_path("house-llama/tokenizer.model"));
  std::vector<std::size_t> lengths = {0, 1, 2, 3, 10, 100};
  for (std::size_t cut = 1; cut < 40; ++cut) lengths.push_back(bytes.size() * cut / 40);
  for (std::size_t cut = 1; cut <= 8; ++cut) lengths.push_back(bytes.size() - cut);
  for (std::size_t length : lengths) {
    SCOPED_TRACE("first " + std::to_string(length) + " bytes");
    model_error(bytes.substr(0, length));
  }
  // Cut exactly after the pieces: every field is whole, but the specs are gone.
  EXPECT_NE(model_error(hand_made_pieces()).find("no trainer_spec"), std::string::npos);
  EXPECT_NE(model_error(hand_made_pieces() + kBpeTrainerSpec).find("no normalizer_spec"), std::string::npos);
}

TEST(SentencePieceModelFile, MalformedIsAnInputError) {
  const std::string specs = kBpeTrainerSpec + kIdentityNormalizerSpec;
  EXPECT_NE(model_error("definitely not a protobuf").find("not a SentencePiece model"), std::string::npos);
  model_error("\x08" + std::string(10, '\xFF') + "\x01");                         // varint over 10 bytes
  model_error("\x0F");                                                            // wire type 7
  model_error(std::string("\x00\x00", 2));                                        // field number 0
  model_error("\x0A\xFF\xFF\xFF\xFF\x0F");                                        // length past the end
  model_error("\x0B\x08\x01");                                                    // group never closed
  model_error(bytes_field(1, varint_field(2, 5)) + specs);                        // score as a varint
  model_error(bytes_field(1, bytes_field(1, "a") + varint_field(3, 9)) + specs);  // piece type 9
  model_error(hand_made_pieces() + piece("ab", 0, kNormal) + specs);              // "ab" twice
  model_error(piece("a", 0, kNormal) + specs);                                    // no <unk>
  model_error(hand_made_pieces() + bytes_field(1, bytes_field(1, "<0x41>") + varint_field(3, 6)) +
              specs);                                                             // a byte piece without byte_fallback
  model_error(hand_made_pieces() + bytes_field(2, varint_field(35, 1)) + specs);  // 256 missing
}

TEST(SentencePieceModelFile, UnsupportedModelsAreRefused) {
  const std::string llama = read_text(data_path("house-llama/tokenizer.model"));
  // A repeated message field merges into the first, as in protobuf: model_type becomes UNIGRAM.
  EXPECT_NE(model_error(llama + bytes_field(2, varint_field(3, 1))).find("UNIGRAM"), std::string::npos);
  EXPECT_NE(model_error(llama + bytes_field(2, varint_field(3, 3))).find("WORD"), std::string::npos);
  const std::string nfkc = bytes_field(3, bytes_field(1, "nmt_nfkc") + bytes_field(2, "\x01"));
  EXPECT_NE(model_error(llama + nfkc).find("\"nmt_nfkc\""), std::string::npos);
}

}  // namespace
