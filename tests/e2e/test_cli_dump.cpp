// HDF5 analysis dumps end to end: `quantize --dump` on stories260K checked with h5ls and h5dump
// against every documented entry, `quantlens dump` on house-llama read back and compared with
// the engine's masks, and the refusals (unwritable destination, a file that is not HDF5).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string_view>

#include "analysis/dump_reader.h"
#include "analysis/dump_schema.h"
#include "cli_support.h"

using namespace analysis;
using quantlens_test::data_path;
using quantlens_test::RefusalCase;
using quantlens_test::RefusedCommand;
using quantlens_test::run_cli;
using quantlens_test::TempDir;

namespace {

std::string source_path(const std::string& rel) { return (std::filesystem::path(QUANTLENS_SOURCE_DIR) / rel).string(); }

bool have_tool(const std::string& path) { return std::filesystem::is_regular_file(path); }

std::string run_tool(const std::string& tool, const std::string& args, const std::filesystem::path& file) {
  TempDir tmp;
  using quantlens_test::shell_quote;
  const std::string cmd = shell_quote(tool) + " " + args + " " + shell_quote(file.string()) + " >" +
                          shell_quote((tmp / "out").string()) + " 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return quantlens_test::read_text(tmp / "out");
}

struct Seen {
  std::string kind;  // "group", "dataset", "attribute"
  std::string type;
  bool scalar = false;
  std::vector<int64_t> dims;
  bool chunked = false;
  bool gzip = false;
  bool fletcher32 = false;
  bool utf8 = false;
  bool variable = false;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b);
}

std::vector<int64_t> dims_in(const std::string& s) {  // "( 64, 172 ) / ( 64, 172 )" or "{64, 172}"
  std::vector<int64_t> dims;
  const bool round = s.find('(') != std::string::npos;
  const auto open = s.find(round ? '(' : '{');
  const auto close = s.find(round ? ')' : '}', open);
  std::stringstream ss(s.substr(open + 1, close - open - 1));
  for (std::string tok; std::getline(ss, tok, ',');) dims.push_back(std::stoll(trim(tok)));
  return dims;
}

// `h5dump -A -p`: key "object path" (groups, datasets) or "object path@attribute".
std::map<std::string, Seen> parse_h5dump(const std::string& text) {
  std::map<std::string, Seen> out;
  struct Frame {
    std::string key;  // empty for other blocks (DATATYPE, DATA, STORAGE_LAYOUT, ...)
    std::string path;
  };
  std::vector<Frame> stack;
  auto current = [&]() -> Seen* {
    for (auto it = stack.rbegin(); it != stack.rend(); ++it)
      if (!it->key.empty()) return &out[it->key];
    return nullptr;
  };
  auto parent_path = [&]() -> std::string {
    for (auto it = stack.rbegin(); it != stack.rend(); ++it)
      if (!it->path.empty()) return it->path;
    return "";
  };
  std::stringstream ss(text);
  for (std::string raw; std::getline(ss, raw);) {
    const std::string line = trim(raw);
    auto quoted = [&line] {
      const auto a = line.find('"');
      return line.substr(a + 1, line.rfind('"') - a - 1);
    };
    const bool opens = !line.empty() && line.back() == '{' && line.find('}') == std::string::npos;
    if (line == "}") {
      if (!stack.empty()) stack.pop_back();
    } else if (opens && (line.rfind("GROUP \"", 0) == 0 || line.rfind("DATASET \"", 0) == 0)) {
      const std::string name = quoted();
      const std::string parent = parent_path();
      const std::string path = name == "/" ? "/" : (parent == "/" ? "/" : parent + "/") + name;
      out[path].kind = line[0] == 'G' ? "group" : "dataset";
      stack.push_back({path, path});
    } else if (opens && line.rfind("ATTRIBUTE \"", 0) == 0) {
      const std::string key = parent_path() + "@" + quoted();
      out[key].kind = "attribute";
      stack.push_back({key, ""});
    } else if (line.rfind("DATATYPE", 0) == 0) {
      static const std::map<std::string, std::string> names = {
          {"H5T_STD_I64LE", "int64"}, {"H5T_STD_U64LE", "uint64"},   {"H5T_STD_U8LE", "uint8"},
          {"H5T_STD_I32LE", "int32"}, {"H5T_IEEE_F32LE", "float32"}, {"H5T_IEEE_F64LE", "float64"},
          {"H5T_STRING", "string"}};
      std::stringstream ls(line);
      std::string word, type;
      ls >> word >> type;
      if (Seen* s = current()) s->type = names.count(type) ? names.at(type) : type;
      if (opens) stack.push_back({"", ""});
    } else if (line.rfind("DATASPACE", 0) == 0) {
      if (Seen* s = current()) {
        s->scalar = line.find("SCALAR") != std::string::npos;
        if (!s->scalar) s->dims = dims_in(line);
      }
    } else if (line.rfind("STRSIZE H5T_VARIABLE", 0) == 0) {
      if (Seen* s = current()) s->variable = true;
    } else if (line.rfind("CSET H5T_CSET_UTF8", 0) == 0) {
      if (Seen* s = current()) s->utf8 = true;
    } else if (line.rfind("CHUNKED", 0) == 0) {
      if (Seen* s = current()) s->chunked = true;
    } else if (line.rfind("COMPRESSION DEFLATE", 0) == 0) {
      if (Seen* s = current()) s->gzip = true;
    } else if (line.rfind("CHECKSUM FLETCHER32", 0) == 0) {
      if (Seen* s = current()) s->fletcher32 = true;
    } else if (opens) {
      stack.push_back({"", ""});
    }
  }
  return out;
}

// `h5ls -r`: path -> "Group" or the dataset's dimensions.
std::map<std::string, std::vector<int64_t>> parse_h5ls(const std::string& text, std::vector<std::string>& groups) {
  std::map<std::string, std::vector<int64_t>> datasets;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) {
    std::stringstream ls(line);
    std::string path, kind;
    ls >> path >> kind;
    if (kind == "Group")
      groups.push_back(path);
    else if (kind == "Dataset")
      datasets[path] = dims_in(line);
  }
  return datasets;
}

std::vector<int64_t> resolve(const std::string& shape, const std::map<std::string, int64_t>& symbols) {
  if (shape == "scalar") return {};
  std::vector<int64_t> dims;
  std::stringstream ss(shape.substr(1, shape.size() - 2));
  for (std::string tok; std::getline(ss, tok, ',');) {
    tok = trim(tok);
    dims.push_back(std::isdigit(static_cast<unsigned char>(tok[0])) ? std::stoll(tok) : symbols.at(tok));
  }
  return dims;
}

std::string block_path(int64_t b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "/blocks/%03lld", static_cast<long long>(b));
  return buf;
}

TEST(CliDump, QuantizeDumpHoldsEveryDocumentedEntry) {
  TempDir tmp;
  const int64_t epochs = 1, nsamples = quantlens_test::kCalibSamples;
  auto r = run_cli(quantlens_test::quantize_args(
      source_path("resources/models/stories260K/stories260K.bin"), source_path("resources/text/little-stories.txt"),
      (tmp / "cache").string(), (tmp / "q").string(),
      {"--epochs", std::to_string(epochs), "--dump", (tmp / "x.h5").string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NO_THROW(DumpReader(tmp / "x.h5"));
  if (!have_tool(QUANTLENS_H5DUMP) || !have_tool(QUANTLENS_H5LS)) GTEST_SKIP() << "h5dump/h5ls not installed";

  const auto dump = parse_h5dump(run_tool(QUANTLENS_H5DUMP, "-A -p", tmp / "x.h5"));
  std::vector<std::string> groups;
  const auto listed = parse_h5ls(run_tool(QUANTLENS_H5LS, "-r", tmp / "x.h5"), groups);
  DumpReader reader(tmp / "x.h5");
  const DumpHeader& h = reader.header();
  ASSERT_EQ(h.num_layers, 5);
  ASSERT_EQ(h.linears.size(), 7u);
  EXPECT_EQ(h.content, "quantized");

  int checked = 0;
  auto check = [&](const DumpEntry& e, const std::string& place, const std::map<std::string, int64_t>& symbols) {
    const std::string key =
        e.kind == DumpKind::Attribute ? place + "@" + e.name : (place == "/" ? "" : place) + "/" + e.name;
    SCOPED_TRACE(key);
    auto it = dump.find(key);
    ASSERT_NE(it, dump.end()) << "h5dump does not show it";
    const Seen& s = it->second;
    EXPECT_EQ(s.kind, kind_name(e.kind));
    EXPECT_EQ(s.type, type_name(e.type));
    if (e.type == DumpType::String) {
      EXPECT_TRUE(s.utf8);
      EXPECT_FALSE(s.variable);  // fixed-length: no global heap for a corrupted file to crash in
    }
    const std::vector<int64_t> want = resolve(e.shape, symbols);
    EXPECT_EQ(s.scalar, want.empty() && std::string_view(e.shape) == "scalar");
    EXPECT_EQ(s.dims, want);
    if (e.kind == DumpKind::Dataset) {
      ASSERT_TRUE(listed.count(key)) << "h5ls does not list it";
      EXPECT_EQ(listed.at(key), want);
      int64_t count = 1;
      for (int64_t d : want) count *= d;
      EXPECT_EQ(s.chunked, count > 0);
      EXPECT_EQ(s.gzip, count > 0);
      EXPECT_EQ(s.fletcher32, count > 0);
    }
    ++checked;
  };

  const std::map<std::string, int64_t> root_symbols = {{"J", static_cast<int64_t>(h.linears.size())}};
  for (const DumpEntry& e : dump_schema())
    if (e.location == DumpLocation::Root) check(e, "/", root_symbols);
  int64_t expected_step = 0;
  for (int64_t b = 0; b < h.num_layers; ++b) {
    const DumpBlock block = reader.read_block(b);
    const std::string bp = block_path(b);
    EXPECT_NE(std::find(groups.begin(), groups.end(), bp), groups.end()) << bp;
    ASSERT_TRUE(block.loss.has_value());
    EXPECT_EQ(static_cast<int64_t>(block.loss->size()), epochs * nsamples);  // the loss curve: one point per step
    for (size_t i = 0; i < block.loss->size(); ++i) EXPECT_EQ(block.loss->step[i], expected_step++);
    for (const DumpEntry& e : dump_schema()) {
      if (e.location == DumpLocation::Block) check(e, bp, {});
      if (e.location == DumpLocation::Loss) check(e, bp + "/loss", {{"S", epochs * nsamples}});
    }
    for (const DumpLinear& l : block.linears) {
      const std::string lp = bp + "/" + l.linear.substr(l.linear.rfind('.') + 1);
      EXPECT_NE(std::find(groups.begin(), groups.end(), lp), groups.end()) << lp;
      const std::map<std::string, int64_t> symbols = {
          {"n", l.out_features},      {"m", l.in_features},
          {"k", l.salient_columns},   {"R", l.saliency_map.rows},
          {"C", l.saliency_map.cols}, {"K", std::min<int64_t>(l.salient_weights.requested, kSalientWeightsCap)}};
      EXPECT_EQ(l.saliency_map.rows, (l.out_features + l.saliency_map.pool_rows - 1) / l.saliency_map.pool_rows);
      EXPECT_LE(l.saliency_map.rows, kSaliencyMapSide);
      EXPECT_LE(l.saliency_map.cols, kSaliencyMapSide);
      EXPECT_GT(l.salient_columns, 0);
      EXPECT_LT(*l.learned_relative_error, 1.0);
      for (const DumpEntry& e : dump_schema()) {
        if (e.location == DumpLocation::Linear) check(e, lp, symbols);
        if (e.location == DumpLocation::SaliencyMap) check(e, lp + "/saliency_map", symbols);
        if (e.location == DumpLocation::SalientWeights) check(e, lp + "/salient_weights", symbols);
      }
    }
  }
  // Every schema entry, at every place it applies to.
  int per_root = 0, per_block = 0, per_linear = 0;
  for (const DumpEntry& e : dump_schema()) {
    if (e.location == DumpLocation::Root)
      ++per_root;
    else if (e.location == DumpLocation::Block || e.location == DumpLocation::Loss)
      ++per_block;
    else
      ++per_linear;
  }
  EXPECT_EQ(checked, per_root + 5 * per_block + 5 * 7 * per_linear);
}

std::string house_llama() { return data_path("house-llama").string(); }
std::string house_calib() { return data_path("house-corpus/calib.txt").string(); }
std::string cache_in(const TempDir& tmp) { return (tmp / "cache").string(); }

TEST(CliDump, DumpMasksAreTheEnginesMasks) {
  TempDir tmp;
  auto args = quantlens_test::calibrated_args("dump", house_llama(), house_calib(), cache_in(tmp));
  args.insert(args.end(), {"--out", (tmp / "d.h5").string(), "--json"});
  auto r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json().at("blocks").get<int64_t>(), 8);

  // The engine's choice: quantize without training, with its own dump of the pass's result.
  r = run_cli(quantlens_test::quantize_args(house_llama(), house_calib(), cache_in(tmp), (tmp / "q").string(),
                                            {"--no-learn", "--dump", (tmp / "q.h5").string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;

  DumpReader dump(tmp / "d.h5"), engine(tmp / "q.h5");
  EXPECT_EQ(dump.header().content, "statistics");
  EXPECT_EQ(dump.header().architecture, "llama");
  EXPECT_EQ(dump.header().hidden_size, 384);
  EXPECT_EQ(dump.header().settings.nsamples, 4);
  EXPECT_EQ(dump.header().settings.epochs, 0);
  EXPECT_DOUBLE_EQ(dump.header().bits_per_weight, engine.header().bits_per_weight);
  for (int64_t b = 0; b < dump.header().num_layers; ++b) {
    const DumpBlock d = dump.read_block(b), e = engine.read_block(b);
    ASSERT_EQ(d.linears.size(), 7u);
    EXPECT_FALSE(d.loss.has_value());
    EXPECT_EQ(e.loss->size(), 0u);  // no training, no curve
    for (size_t j = 0; j < d.linears.size(); ++j) {
      const DumpLinear &x = d.linears[j], &y = e.linears[j];
      SCOPED_TRACE(x.name);
      EXPECT_EQ(x.mask, y.mask);
      EXPECT_EQ(x.salient_indices, y.salient_indices);
      EXPECT_NEAR(x.salient_ratio, 0.2, 0.01);
      EXPECT_EQ(x.act_max_abs, y.act_max_abs);
      EXPECT_EQ(x.mu, y.mu);
      EXPECT_EQ(x.alpha_init, y.alpha_init);
      EXPECT_EQ(x.error_bound, y.error_bound);
      EXPECT_TRUE(x.alpha.empty());
      // Without training the final weights are the analytic ones, up to the finalisation's
      // fp16 rounding of the stored vectors and of W' (relative 2^-11 per element at most).
      EXPECT_EQ(y.alpha, y.alpha_init);
      EXPECT_NEAR(*y.learned_relative_error, y.relative_error, 1e-3 * y.relative_error);
      EXPECT_EQ(x.saliency_map.values, y.saliency_map.values);
      EXPECT_EQ(x.salient_weights.positions, y.salient_weights.positions);
    }
  }

  r = run_cli({"dump-info", (tmp / "d.h5").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json().at("layers").size(), 8u * 7u);
}

// Bytes overwritten anywhere in a dump: dump-info reads it or refuses it with one line naming the
// file and exit 2 (checksummed metadata, Fletcher-32 data, the reader's bounds, the child that
// reads first); never a crash, a hang, or another exit status.
TEST(CliDump, ACorruptedDumpIsReadOrRefusedWithOneLine) {
  TempDir tmp;
  const std::string good = (tmp / "good.h5").string();
  auto r = run_cli({"dump", source_path("resources/models/stories260K/stories260K.bin"), "--calib",
                    source_path("resources/text/little-stories.txt"), "--nsamples", "2", "--seqlen", "32",
                    "--cache-dir", (tmp / "cache").string(), "--out", good});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string bytes = quantlens_test::read_text(good);
  int refused = 0;
  for (int percent = 1; percent < 100; percent += 7) {
    SCOPED_TRACE(percent);
    std::string damaged = bytes;
    const size_t at = damaged.size() * static_cast<size_t>(percent) / 100;
    for (size_t i = at; i < std::min(damaged.size(), at + 64); ++i) damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    const std::string file = (tmp / ("bad-" + std::to_string(percent) + ".h5")).string();
    quantlens_test::write_bytes(file, damaged);
    const auto d = run_cli({"dump-info", file});
    ASSERT_TRUE(d.exit_code == 0 || d.exit_code == 2) << d.exit_code << ": " << d.err;
    if (d.exit_code == 2) {
      ++refused;
      quantlens_test::expect_one_line_error(d, "", file);
    }
  }
  EXPECT_GT(refused, 0);
}

std::vector<std::filesystem::path> everything_in(const TempDir& tmp) {
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::recursive_directory_iterator(tmp.path())) paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  return paths;
}

class CliDumpRefusal : public ::testing::TestWithParam<RefusalCase> {};

// Refused before any work: no output, no dump, no statistics cache.
TEST_P(CliDumpRefusal, OneLineErrorAndNothingWritten) {
  TempDir tmp;
  const RefusedCommand run = GetParam().make(tmp);
  const std::vector<std::filesystem::path> before = everything_in(tmp);
  quantlens_test::expect_one_line_error(run_cli(run.args), run.needle, run.file);
  EXPECT_EQ(everything_in(tmp), before);
}

// `args` FLAG FOLDER/x.h5 with a FOLDER that does not exist.
RefusedCommand into_missing_folder(std::vector<std::string> args, const std::string& flag, const TempDir& tmp) {
  const std::string nowhere = (tmp / "no-such-folder/x.h5").string();
  args.insert(args.end(), {flag, nowhere});
  return {args, nowhere + ": folder", nowhere};
}

RefusedCommand dump_into_missing_folder(const TempDir& tmp) {
  return into_missing_folder(quantlens_test::calibrated_args("dump", house_llama(), house_calib(), cache_in(tmp)),
                             "--out", tmp);
}

RefusedCommand quantize_dump_into_missing_folder(const TempDir& tmp) {
  return into_missing_folder(
      quantlens_test::quantize_args(house_llama(), house_calib(), cache_in(tmp), (tmp / "q").string()), "--dump", tmp);
}

RefusedCommand read_a_non_hdf5_file(const TempDir& tmp) {
  const std::string file = (tmp / "x.h5").string();
  quantlens_test::write_bytes(file, "this is text\n");
  return {{"dump-info", file}, file + ": not an HDF5 file", file};
}

RefusedCommand read_a_missing_file(const TempDir& tmp) {
  const std::string file = (tmp / "missing.h5").string();
  return {{"dump-info", file}, "no such file", file};
}

INSTANTIATE_TEST_SUITE_P(BadDestinationOrInput, CliDumpRefusal,
                         ::testing::Values(RefusalCase{"DumpIntoMissingFolder", dump_into_missing_folder},
                                           RefusalCase{"QuantizeDumpIntoMissingFolder",
                                                       quantize_dump_into_missing_folder},
                                           RefusalCase{"ReadingANonHdf5File", read_a_non_hdf5_file},
                                           RefusalCase{"ReadingAMissingFile", read_a_missing_file}),
                         quantlens_test::refusal_case_name);

}  // namespace
