// quantcore_io: the safetensors reader (every malformed input is an InputError), the writer,
// atomic writes and (sharded) checkpoint directories.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <vector>

#include "io_test_helpers.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/io/safetensors.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using quantcore::DType;
using quantcore::SafetensorsCheckpoint;
using quantcore::SafetensorsFile;
using quantcore::SafetensorsWriter;
using quantlens_test::expect_input_error;
using quantlens_test::float_at;
using quantlens_test::little_endian_u64;
using quantlens_test::TempDir;
using quantlens_test::write_bytes;

// Writes a raw .safetensors file: header length, `header` as given, then `data`.
fs::path write_raw(const TempDir& dir, const std::string& header, const std::string& data = "",
                   const std::string& name = "t.safetensors") {
  const fs::path path = dir / name;
  write_bytes(path, little_endian_u64(header.size()) + header + data);
  return path;
}

std::string floats_as_bytes(const std::vector<float>& values) {
  std::string out(values.size() * sizeof(float), '\0');
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// A header with one F32 tensor "w" of `shape` at `offsets`.
std::string one_tensor(const std::string& shape, const std::string& offsets, const std::string& dtype = "F32") {
  return R"({"w":{"dtype":")" + dtype + R"(","shape":)" + shape + R"(,"data_offsets":)" + offsets + "}}";
}

void expect_open_fails(const fs::path& path, const std::string& phrase) {
  expect_input_error([&] { SafetensorsFile file(path); }, path.filename().string(), phrase);
}

// Writes F32 tensors of shape [2] named `names` (values 1, 2) with the writer.
void write_small_tensors(const fs::path& path, const std::vector<std::string>& names) {
  const float values[2] = {1.0f, 2.0f};
  SafetensorsWriter writer;
  for (const std::string& name : names) writer.add(name, DType::F32, {2}, values, sizeof(values));
  writer.write(path);
}

// ---------------------------------------------------------------------------------------------
// Reading well-formed files

TEST(SafetensorsFile, ReadsTensorsAndMetadata) {
  TempDir dir;
  const std::string header = R"({"__metadata__":{"format":"pt"},)"
                             R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
                             R"("a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}})";
  const fs::path path = write_raw(dir, header, floats_as_bytes({1, 2, 3, 4}));
  SafetensorsFile file(path);

  ASSERT_EQ(file.entries().size(), 2u);
  EXPECT_EQ(file.metadata().at("format"), "pt");
  const quantcore::SafetensorsEntry* a = file.entry("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->shape, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(file.entry("missing"), nullptr);

  const quantcore::TensorView view = file.view(*file.entry("b"));
  EXPECT_EQ(view.dtype, DType::F32);
  EXPECT_EQ(view.nbytes, 8u);
  EXPECT_EQ(view.numel(), 2);
  EXPECT_EQ(float_at(view.data, 0), 3.0f);
  EXPECT_EQ(float_at(view.data, 1), 4.0f);
}

TEST(SafetensorsFile, AcceptsEmptyAndZeroRankTensors) {
  TempDir dir;
  const std::string header = R"({"scalar":{"dtype":"F32","shape":[],"data_offsets":[0,4]},)"
                             R"("empty":{"dtype":"F16","shape":[0,3],"data_offsets":[4,4]}})";
  SafetensorsFile file(write_raw(dir, header, floats_as_bytes({7})));
  EXPECT_EQ(file.view(*file.entry("scalar")).numel(), 1);
  EXPECT_EQ(float_at(file.view(*file.entry("scalar")).data, 0), 7.0f);
  EXPECT_EQ(file.view(*file.entry("empty")).nbytes, 0u);
}

TEST(SafetensorsFile, AcceptsGapsAndTrailingBytes) {
  TempDir dir;
  const std::string header = R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                             R"("b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}})";
  SafetensorsFile file(write_raw(dir, header, "ab..cdtrailing garbage"));
  EXPECT_EQ(std::memcmp(file.view(*file.entry("b")).data, "cd", 2), 0);
}

TEST(SafetensorsFile, AcceptsHeaderPaddedWithSpaces) {
  TempDir dir;
  SafetensorsFile file(write_raw(dir, one_tensor("[1]", "[0,4]") + "     ", floats_as_bytes({1})));
  EXPECT_EQ(file.entries().size(), 1u);
}

TEST(SafetensorsFile, AcceptsEmptyHeaderObject) {
  TempDir dir;
  SafetensorsFile file(write_raw(dir, "{}"));
  EXPECT_TRUE(file.entries().empty());
}

// ---------------------------------------------------------------------------------------------
// Malformed files: one test per problem

TEST(SafetensorsFile, MissingFileIsRefused) {
  TempDir dir;
  expect_open_fails(dir / "absent.safetensors", "cannot open");
}

TEST(SafetensorsFile, DirectoryIsRefused) {
  TempDir dir;
  fs::create_directory(dir / "d.safetensors");
  expect_open_fails(dir / "d.safetensors", "not a regular file");
}

TEST(SafetensorsFile, EmptyFileIsTruncated) {
  TempDir dir;
  write_bytes(dir / "t.safetensors", "");
  expect_open_fails(dir / "t.safetensors", "truncated");
}

TEST(SafetensorsFile, FileShorterThanLengthIsTruncated) {
  TempDir dir;
  write_bytes(dir / "t.safetensors", std::string("\x10\0\0\0\0", 5));
  expect_open_fails(dir / "t.safetensors", "truncated");
}

TEST(SafetensorsFile, HeaderLengthPastEndOfFile) {
  TempDir dir;
  write_bytes(dir / "t.safetensors", little_endian_u64(1000) + "{}");
  expect_open_fails(dir / "t.safetensors", "runs past the end of the file");
}

TEST(SafetensorsFile, HeaderLengthPastEndOfFileByOneByte) {
  TempDir dir;
  write_bytes(dir / "t.safetensors", little_endian_u64(3) + "{}");
  expect_open_fails(dir / "t.safetensors", "runs past the end of the file");
}

TEST(SafetensorsFile, HeaderOver100MB) {
  TempDir dir;
  write_bytes(dir / "t.safetensors", little_endian_u64(SafetensorsFile::kMaxHeaderBytes + 1) + "{}");
  expect_open_fails(dir / "t.safetensors", "over the 100 MB limit");
}

TEST(SafetensorsFile, HugeHeaderLengthDoesNotOverflow) {
  TempDir dir;
  write_bytes(dir / "t.safetensors", little_endian_u64(UINT64_MAX) + "{}");
  expect_open_fails(dir / "t.safetensors", "100 MB");
}

TEST(SafetensorsFile, HeaderNotJson) {
  TempDir dir;
  expect_open_fails(write_raw(dir, R"({"w":{"dtype":)"), "not valid JSON");
}

TEST(SafetensorsFile, HeaderNotValidUtf8) {
  TempDir dir;
  const fs::path path = write_raw(dir, "{\"w\xff\":1}");
  expect_open_fails(path, "not valid JSON");
  try {
    SafetensorsFile file(path);
  } catch (const quantcore::InputError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(std::all_of(message.begin(), message.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x80;
    })) << "raw bytes of the file leak into the message";
  }
}

TEST(SafetensorsFile, ParseErrorMessageStaysShort) {
  TempDir dir;
  expect_open_fails(write_raw(dir, "{\"" + std::string(1 << 20, 'a')), "not valid JSON");
  try {
    SafetensorsFile file(dir / "t.safetensors");
  } catch (const quantcore::InputError& e) {
    EXPECT_LT(std::string(e.what()).size(), 500u);
  }
}

TEST(SafetensorsFile, LongTensorNamesAreShortenedInMessages) {
  TempDir dir;
  const std::string name = std::string(119, 'n') + "\u00e9" + std::string(1000, 'x');
  const std::string header = R"({")" + name + R"(":{"dtype":"Q9","shape":[],"data_offsets":[0,0]}})";
  expect_open_fails(write_raw(dir, header), std::string(119, 'n') + "...'");
}

TEST(SafetensorsFile, HeaderNotAnObject) {
  TempDir dir;
  expect_open_fails(write_raw(dir, "[1, 2]"), "not a JSON object");
}

TEST(SafetensorsFile, HeaderNestedTooDeep) {
  TempDir dir;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  expect_open_fails(write_raw(dir, deep), "nested deeper");
}

TEST(SafetensorsFile, EntryNotAnObject) {
  TempDir dir;
  expect_open_fails(write_raw(dir, R"({"w":[1,2]})"), "not an object");
}

TEST(SafetensorsFile, EntryMissingDtype) {
  TempDir dir;
  expect_open_fails(write_raw(dir, R"({"w":{"shape":[1],"data_offsets":[0,4]}})", "1234"), "missing field 'dtype'");
}

TEST(SafetensorsFile, EntryMissingShape) {
  TempDir dir;
  expect_open_fails(write_raw(dir, R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", "1234"), "missing field 'shape'");
}

TEST(SafetensorsFile, EntryMissingOffsets) {
  TempDir dir;
  expect_open_fails(write_raw(dir, R"({"w":{"dtype":"F32","shape":[1]}})", "1234"), "missing field 'data_offsets'");
}

TEST(SafetensorsFile, DtypeOfWrongType) {
  TempDir dir;
  expect_open_fails(write_raw(dir, R"({"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}})", "1234"),
                    "'dtype' is a number, not a string");
}

TEST(SafetensorsFile, ShapeOfWrongType) {
  TempDir dir;
  expect_open_fails(write_raw(dir, one_tensor("\"1\"", "[0,4]"), "1234"), "'shape' is a string, not an array");
}

TEST(SafetensorsFile, FractionalDimension) {
  TempDir dir;
  expect_open_fails(write_raw(dir, one_tensor("[1.5]", "[0,4]"), "1234"), "not an integer");
}

TEST(SafetensorsFile, OffsetsNotAPair) {
  TempDir dir;
  expect_open_fails(write_raw(dir, one_tensor("[1]", "[0,4,8]"), "12345678"), "array of two integers");
}

TEST(SafetensorsFile, UnknownDtype) {
  TempDir dir;
  expect_open_fails(write_raw(dir, one_tensor("[1]", "[0,1]", "F8_E4M3"), "1"), "unsupported dtype 'F8_E4M3'");
}

TEST(SafetensorsFile, NegativeDimension) {
  TempDir dir;
  expect_open_fails(write_raw(dir, one_tensor("[-1, 2]", "[0,8]"), "12345678"), "negative dimension");
}

TEST(SafetensorsFile, NegativeOffset) {
  TempDir dir;
  expect_open_fails(write_raw(dir, one_tensor("[1]", "[-4,0]"), "1234"), "negative offset");
}

TEST(SafetensorsFile, OffsetsPastDataBuffer) {
  TempDir dir;
  expect_open_fails(write_raw(dir, one_tensor("[2]", "[0,8]"), "1234"), "offsets out of range");
}

TEST(SafetensorsFile, OffsetBeginAfterEnd) {
  TempDir dir;
  expect_open_fails(write_raw(dir, one_tensor("[1]", "[8,4]"), "12345678"), "is after end");
}

TEST(SafetensorsFile, ByteSizeMismatch) {
  TempDir dir;
  expect_open_fails(write_raw(dir, one_tensor("[3]", "[0,8]"), "12345678"), "size mismatch");
}

TEST(SafetensorsFile, ElementCountOverflow) {
  TempDir dir;
  // 2^62 * 2^62 elements wrap to 0 in 64 bits; [0, 0) would match a naive check.
  expect_open_fails(write_raw(dir, one_tensor("[4611686018427387904, 4611686018427387904]", "[0,0]")), "too large");
}

TEST(SafetensorsFile, ByteCountOverflow) {
  TempDir dir;
  // 2^62 elements fit in 64 bits, 2^64 bytes of F32 do not.
  expect_open_fails(write_raw(dir, one_tensor("[4611686018427387904]", "[0,0]")), "too large");
}

TEST(SafetensorsFile, OverlappingTensors) {
  TempDir dir;
  const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                             R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  expect_open_fails(write_raw(dir, header, std::string(12, 'x')), "overlap");
}

TEST(SafetensorsFile, TensorInsideAnother) {
  TempDir dir;
  const std::string header = R"({"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},)"
                             R"("b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})";
  expect_open_fails(write_raw(dir, header, std::string(8, 'x')), "overlap");
}

TEST(SafetensorsFile, DuplicateTensorNames) {
  TempDir dir;
  const std::string header = R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                             R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})";
  expect_open_fails(write_raw(dir, header, std::string(8, 'x')), "duplicate key 'w'");
}

TEST(SafetensorsFile, MetadataValueNotAString) {
  TempDir dir;
  expect_open_fails(write_raw(dir, R"({"__metadata__":{"step":3}})"), "__metadata__");
}

TEST(SafetensorsFile, ControlCharactersInNamesKeepTheMessageOneLine) {
  TempDir dir;
  expect_open_fails(write_raw(dir, R"({"a\nb":{"dtype":"Q9","shape":[],"data_offsets":[0,0]}})"), "a\\x0ab");
}

TEST(SafetensorsFile, RandomCorruptionsOnlyEverThrowInputError) {
  TempDir dir;
  const float values[6] = {1, 2, 3, 4, 5, 6};
  SafetensorsWriter writer;
  writer.add("a", DType::F32, {2, 2}, values, 16);
  writer.add("b", DType::F16, {4}, values, 8);
  writer.set_metadata("format", "pt");
  writer.write(dir / "good.safetensors");
  const std::string good = quantlens_test::read_text(dir / "good.safetensors");

  std::mt19937 rng(1234);  // fixed: the same corruptions on every run
  for (int round = 0; round < 400; ++round) {
    std::string bytes = good;
    if (round % 4 == 0) {
      bytes.resize(rng() % bytes.size());
    } else {
      for (int flips = 1 + rng() % 4; flips > 0; --flips) {
        bytes[rng() % bytes.size()] = static_cast<char>(rng() % 256);
      }
    }
    write_bytes(dir / "bad.safetensors", bytes);
    try {
      SafetensorsFile file(dir / "bad.safetensors");
      for (const auto& e : file.entries()) {
        EXPECT_LE(e.begin, e.end);
        EXPECT_LE(e.end, bytes.size());
        const quantcore::TensorView v = file.view(e);
        std::string copy(static_cast<const char*>(v.data), v.nbytes);  // touches every byte
        EXPECT_EQ(copy.size(), v.nbytes);
      }
    } catch (const quantcore::InputError&) {
      // expected for most corruptions; anything else escapes and fails the test
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writer

TEST(SafetensorsWriter, RoundTripsAllDtypesMetadataAndOddShapes) {
  TempDir dir;
  const std::vector<DType> dtypes = {DType::F32, DType::F16, DType::BF16, DType::I8,   DType::U8,
                                     DType::I16, DType::I32, DType::I64,  DType::BOOL, DType::U32};
  SafetensorsWriter writer;
  std::vector<std::vector<unsigned char>> payloads;
  for (std::size_t i = 0; i < dtypes.size(); ++i) {
    std::vector<unsigned char> bytes(3 * quantcore::dtype_size(dtypes[i]));
    for (std::size_t b = 0; b < bytes.size(); ++b) bytes[b] = static_cast<unsigned char>(i * 16 + b);
    if (dtypes[i] == DType::BOOL) bytes = {0, 1, 1};
    writer.add(std::string("t_") + quantcore::safetensors_name(dtypes[i]), dtypes[i], {3}, bytes.data(), bytes.size());
    payloads.push_back(bytes);
  }
  const float scalar = 2.5f;
  writer.add("scalar", DType::F32, {}, &scalar, sizeof(scalar));
  writer.add("empty", DType::F16, {4, 0}, nullptr, 0);
  writer.set_metadata("format", "pt");
  writer.set_metadata("quantlens.schema", "1");
  writer.write(dir / "out.safetensors");

  SafetensorsFile file(dir / "out.safetensors");
  EXPECT_EQ(file.entries().size(), dtypes.size() + 2);
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_EQ(file.metadata().at("quantlens.schema"), "1");
  for (std::size_t i = 0; i < dtypes.size(); ++i) {
    const auto* e = file.entry(std::string("t_") + quantcore::safetensors_name(dtypes[i]));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->dtype, dtypes[i]);
    EXPECT_EQ(e->shape, (std::vector<int64_t>{3}));
    const quantcore::TensorView v = file.view(*e);
    ASSERT_EQ(v.nbytes, payloads[i].size());
    EXPECT_EQ(std::memcmp(v.data, payloads[i].data(), v.nbytes), 0);
  }
  const quantcore::TensorView s = file.view(*file.entry("scalar"));
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(float_at(s.data, 0), 2.5f);
  const quantcore::TensorView empty = file.view(*file.entry("empty"));
  EXPECT_EQ(empty.shape, (std::vector<int64_t>{4, 0}));
  EXPECT_EQ(empty.nbytes, 0u);
}

TEST(SafetensorsWriter, PadsHeaderWithSpacesAndTilesTheBufferInInsertionOrder) {
  TempDir dir;
  const unsigned char three[3] = {1, 2, 3};
  const float two[2] = {1, 2};
  SafetensorsWriter writer;
  writer.add("z_first", DType::U8, {3}, three, sizeof(three));
  writer.add("a_second", DType::F32, {2}, two, sizeof(two));
  writer.write(dir / "out.safetensors");

  const std::string bytes = quantlens_test::read_text(dir / "out.safetensors");
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  EXPECT_EQ(header_size % 8, 0u);
  const std::string header = bytes.substr(8, header_size);
  const std::size_t json_end = header.find_last_not_of(' ') + 1;
  EXPECT_EQ(header[json_end - 1], '}');
  EXPECT_LT(header.size() - json_end, 8u);           // only padding follows the JSON
  EXPECT_EQ(bytes.size(), 8 + header_size + 3 + 8);  // no gaps, no trailing bytes

  // Offsets follow insertion order and tile the buffer, as the official reader requires.
  const nlohmann::json parsed = nlohmann::json::parse(header);
  EXPECT_EQ(parsed["z_first"]["data_offsets"], nlohmann::json::array({0, 3}));
  EXPECT_EQ(parsed["a_second"]["data_offsets"], nlohmann::json::array({3, 11}));
  EXPECT_FALSE(parsed.contains("__metadata__"));
}

TEST(SafetensorsWriter, RefusesByteCountNotMatchingShape) {
  SafetensorsWriter writer;
  const float v[2] = {1, 2};
  EXPECT_THROW(writer.add("w", DType::F32, {3}, v, sizeof(v)), std::invalid_argument);
}

TEST(SafetensorsWriter, RefusesDuplicateAndReservedNames) {
  SafetensorsWriter writer;
  const float v = 1;
  writer.add("w", DType::F32, {}, &v, sizeof(v));
  EXPECT_THROW(writer.add("w", DType::F32, {}, &v, sizeof(v)), std::invalid_argument);
  EXPECT_THROW(writer.add("__metadata__", DType::F32, {}, &v, sizeof(v)), std::invalid_argument);
}

TEST(SafetensorsWriter, ReplacesAnExistingFile) {
  TempDir dir;
  write_bytes(dir / "out.safetensors", "old contents");
  write_small_tensors(dir / "out.safetensors", {"w"});
  SafetensorsFile file(dir / "out.safetensors");
  EXPECT_NE(file.entry("w"), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Atomic writes

std::vector<std::string> folder_listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  return names;
}

TEST(AtomicWrite, LeavesNoFileWhenFillThrows) {
  TempDir dir;
  EXPECT_THROW(quantcore::write_file_atomically(dir / "out.bin",
                                                [](std::ostream& out) {
                                                  out << "half of it";
                                                  throw std::runtime_error("cancelled");
                                                }),
               std::runtime_error);
  EXPECT_TRUE(folder_listing(dir.path()).empty());  // neither the file nor a temporary
}

TEST(AtomicWrite, KeepsThePreviousFileWhenFillThrows) {
  TempDir dir;
  quantcore::write_text_atomically(dir / "out.txt", "version 1");
  EXPECT_THROW(
      quantcore::write_file_atomically(dir / "out.txt", [](std::ostream&) { throw std::runtime_error("failed"); }),
      std::runtime_error);
  EXPECT_EQ(quantlens_test::read_text(dir / "out.txt"), "version 1");
  EXPECT_EQ(folder_listing(dir.path()).size(), 1u);
}

TEST(AtomicWrite, WritesAndReplacesText) {
  TempDir dir;
  quantcore::write_text_atomically(dir / "out.txt", "version 1");
  quantcore::write_text_atomically(dir / "out.txt", "version 2");
  EXPECT_EQ(quantlens_test::read_text(dir / "out.txt"), "version 2");
  EXPECT_EQ(folder_listing(dir.path()).size(), 1u);
}

TEST(AtomicWrite, MissingFolderIsAnInputError) {
  TempDir dir;
  expect_input_error([&] { quantcore::write_text_atomically(dir / "no/such/out.txt", "x"); }, "out.txt",
                     "cannot create temporary file");
}

// ---------------------------------------------------------------------------------------------
// Checkpoint directories

TEST(SafetensorsCheckpoint, OpensSingleFile) {
  TempDir dir;
  write_small_tensors(dir / "model.safetensors", {"a", "b"});
  SafetensorsCheckpoint ckpt(dir.path());
  EXPECT_EQ(ckpt.names(), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(ckpt.find("a").has_value());
  EXPECT_EQ(float_at(ckpt.find("a")->data, 1), 2.0f);
  EXPECT_FALSE(ckpt.find("c").has_value());
  EXPECT_EQ(ckpt.location("a"), (dir / "model.safetensors").string());
}

void write_index(const TempDir& dir, const nlohmann::json& weight_map) {
  write_bytes(dir / "model.safetensors.index.json",
              nlohmann::json{{"metadata", {{"total_size", 24}}}, {"weight_map", weight_map}}.dump());
}

TEST(SafetensorsCheckpoint, OpensShardsNamedByTheIndexOnce) {
  TempDir dir;
  write_small_tensors(dir / "model-00001-of-00002.safetensors", {"a", "b"});
  write_small_tensors(dir / "model-00002-of-00002.safetensors", {"c"});
  write_bytes(dir / "model.safetensors", "stale single file that must be ignored");
  write_index(dir, {{"a", "model-00001-of-00002.safetensors"},
                    {"b", "model-00001-of-00002.safetensors"},
                    {"c", "model-00002-of-00002.safetensors"}});
  SafetensorsCheckpoint ckpt(dir.path());
  EXPECT_EQ(ckpt.files().size(), 2u);
  EXPECT_EQ(ckpt.names(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(ckpt.location("c"), (dir / "model-00002-of-00002.safetensors").string());
  EXPECT_EQ(ckpt.location("a"), (dir / "model-00001-of-00002.safetensors").string());
  EXPECT_TRUE(ckpt.find("b").has_value());
}

TEST(SafetensorsCheckpoint, MissingShard) {
  TempDir dir;
  write_small_tensors(dir / "model-00001-of-00002.safetensors", {"a"});
  write_index(dir, {{"a", "model-00001-of-00002.safetensors"}, {"c", "model-00002-of-00002.safetensors"}});
  expect_input_error([&] { SafetensorsCheckpoint ckpt(dir.path()); }, "model.safetensors.index.json",
                     "'model-00002-of-00002.safetensors' does not exist");
}

TEST(SafetensorsCheckpoint, TensorListedButNotInItsShard) {
  TempDir dir;
  write_small_tensors(dir / "model-00001-of-00002.safetensors", {"a"});
  write_small_tensors(dir / "model-00002-of-00002.safetensors", {"c"});
  write_index(dir, {{"a", "model-00001-of-00002.safetensors"}, {"c", "model-00001-of-00002.safetensors"}});
  expect_input_error([&] { SafetensorsCheckpoint ckpt(dir.path()); }, "model-00001-of-00002.safetensors",
                     "tensor 'c' is listed in");
}

TEST(SafetensorsCheckpoint, SameTensorInTwoShards) {
  TempDir dir;
  write_small_tensors(dir / "model-00001-of-00002.safetensors", {"a", "b"});
  write_small_tensors(dir / "model-00002-of-00002.safetensors", {"b"});
  write_index(dir, {{"a", "model-00001-of-00002.safetensors"}, {"b", "model-00002-of-00002.safetensors"}});
  expect_input_error([&] { SafetensorsCheckpoint ckpt(dir.path()); }, "model-0000", "tensor 'b' is also in");
}

TEST(SafetensorsCheckpoint, IndexNotJson) {
  TempDir dir;
  write_bytes(dir / "model.safetensors.index.json", "{\"weight_map\": ");
  expect_input_error([&] { SafetensorsCheckpoint ckpt(dir.path()); }, "model.safetensors.index.json", "not valid JSON");
}

TEST(SafetensorsCheckpoint, IndexWithoutWeightMap) {
  TempDir dir;
  write_bytes(dir / "model.safetensors.index.json", R"({"metadata": {}})");
  expect_input_error([&] { SafetensorsCheckpoint ckpt(dir.path()); }, "model.safetensors.index.json",
                     "missing field 'weight_map'");
}

TEST(SafetensorsCheckpoint, AbsoluteShardPathRefused) {
  TempDir dir;
  write_index(dir, {{"a", "/etc/passwd"}});
  expect_input_error([&] { SafetensorsCheckpoint ckpt(dir.path()); }, "model.safetensors.index.json",
                     "not a file name inside the folder");
}

TEST(SafetensorsCheckpoint, ShardNamesLeavingTheFolderAreRefused) {
  // A real shard outside the model folder: "../" must not reach it.
  TempDir outside;
  write_small_tensors(outside / "model-00001-of-00001.safetensors", {"a"});
  const std::filesystem::path model = outside / "model";
  std::filesystem::create_directory(model);
  for (const char* name : {"../model-00001-of-00001.safetensors", "sub/../../x.safetensors", "..", "."}) {
    SCOPED_TRACE(name);
    write_bytes(model / "model.safetensors.index.json",
                nlohmann::json{{"weight_map", {{"a", name}}}}.dump());
    expect_input_error([&] { SafetensorsCheckpoint ckpt(model); }, "model.safetensors.index.json",
                       "not a file name inside the folder");
  }
}

TEST(SafetensorsCheckpoint, AShardNameTooLongForTheSystemIsAnInputError) {
  TempDir dir;
  write_index(dir, {{"a", std::string(300, 'x') + ".safetensors"}});
  expect_input_error([&] { SafetensorsCheckpoint ckpt(dir.path()); }, "model.safetensors.index.json",
                     "File name too long");
}

TEST(SafetensorsCheckpoint, NoSafetensorsInDirectory) {
  TempDir dir;
  expect_input_error([&] { SafetensorsCheckpoint ckpt(dir.path()); }, dir.path().string(),
                     "no model.safetensors or model.safetensors.index.json");
}

TEST(SafetensorsCheckpoint, MalformedSingleFileNamesTheFile) {
  TempDir dir;
  write_bytes(dir / "model.safetensors", "tiny");
  expect_input_error([&] { SafetensorsCheckpoint ckpt(dir.path()); }, "model.safetensors", "truncated");
}

TEST(SafetensorsCheckpoint, OptNamesWithoutModelPrefixAreFoundByTheirHfName) {
  TempDir dir;
  write_small_tensors(dir / "model.safetensors", {"decoder.layers.0.fc1.bias"});
  SafetensorsCheckpoint ckpt(dir.path());
  EXPECT_TRUE(ckpt.find("model.decoder.layers.0.fc1.bias").has_value());
  EXPECT_TRUE(ckpt.find("decoder.layers.0.fc1.bias").has_value());
  EXPECT_EQ(ckpt.location("model.decoder.layers.0.fc1.bias"), (dir / "model.safetensors").string());
  EXPECT_FALSE(ckpt.find("model.layers.0.fc1.bias").has_value());
}

TEST(SafetensorsCheckpoint, ReadsTheRealHouseLlamaFile) {
  SafetensorsCheckpoint ckpt(quantlens_test::data_path("house-llama"));
  const auto q = ckpt.find("model.layers.0.self_attn.q_proj.weight");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->dtype, DType::F16);
  EXPECT_EQ(q->shape, (std::vector<int64_t>{384, 384}));
  EXPECT_EQ(ckpt.files().front()->metadata().at("format"), "pt");
}

}  // namespace
