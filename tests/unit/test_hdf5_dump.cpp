// HDF5 analysis dumps without LibTorch: writer/reader round trip on synthetic data, the written
// file against the schema list, the schema list against docs/hdf5-dump.md, the saliency views on
// hand-computed cases, and every refusal (bad destinations, missing or foreign files).
#include <gtest/gtest.h>
#include <hdf5.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cmath>
#include <functional>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "analysis/dump_reader.h"
#include "analysis/dump_schema.h"
#include "analysis/dump_writer.h"
#include "analysis/hdf5_listing.h"
#include "analysis/read_in_child.h"
#include "analysis/weight_saliency.h"
#include "quantcore/io/errors.h"
#include "test_support.h"

using namespace analysis;
using quantlens_test::TempDir;

namespace {

DumpHeader synthetic_header(bool quantized) {
  DumpHeader h;
  h.content = quantized ? "quantized" : "statistics";
  h.model = "/models/tiny-ünïcode";
  h.architecture = "llama";
  h.family = "llama";
  h.hidden_size = 8;
  h.intermediate_size = 12;
  h.num_layers = 2;
  h.num_heads = 2;
  h.num_kv_heads = 1;
  h.vocab_size = 32;
  h.linears = {"self_attn.q_proj", "mlp.down_proj"};
  h.bits_per_weight = 1.75;
  h.settings = {"calib.txt", 4,     64,    0xFFFFFFFFFFFFFFF0ull, quantized ? 2 : 0, 5e-4, 1e-3, 0.25, 4, quantized,
                "fp-only",   false, "mean"};
  return h;
}

std::vector<float> ramp(size_t n, float start, float step) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + step * static_cast<float>(i);
  return v;
}

DumpLinear synthetic_linear(const std::string& linear, int64_t block, int64_t n, int64_t m, bool quantized,
                            bool no_salient) {
  DumpLinear l;
  l.linear = linear;
  l.name = "model.layers." + std::to_string(block) + "." + linear;
  l.out_features = n;
  l.in_features = m;
  l.mask.assign(static_cast<size_t>(m), 0);
  if (!no_salient)
    for (int64_t j = 1; j < m; j += 3) {
      l.mask[static_cast<size_t>(j)] = 1;
      l.salient_indices.push_back(static_cast<int32_t>(j));
    }
  l.salient_columns = static_cast<int64_t>(l.salient_indices.size());
  l.salient_ratio = double(l.salient_columns) / double(m);
  l.bits = 1.5 + block;
  l.paper_bits = 1.4 + block;
  l.error_bound = 12.5 * (block + 1);
  l.relative_error = 0.5;
  l.concentration_in_mask = 0.25;
  l.concentration_top_rows = 0.375;
  l.act_max_abs = ramp(static_cast<size_t>(m), 1.0f + block, 0.5f);
  l.act_mean_abs = ramp(static_cast<size_t>(m), 0.1f, 0.01f);
  l.mu = ramp(static_cast<size_t>(n), -0.1f, 0.02f);
  l.alpha_init = ramp(static_cast<size_t>(n), 0.3f, 0.01f);
  if (quantized) {
    l.learned_error_bound = 10.0 * (block + 1);
    l.learned_relative_error = 0.4;
    l.alpha = ramp(static_cast<size_t>(n), 0.31f, 0.01f);
    l.r1 = ramp(static_cast<size_t>(n), 1.0f, 0.001f);
    l.r2 = ramp(static_cast<size_t>(m), 0.9f, 0.002f);
  }
  const std::vector<float> w = ramp(static_cast<size_t>(n * m), -1.0f, 0.03f);
  l.saliency_map = max_pool_abs(w.data(), n, m, 3);
  l.salient_weights = top_magnitude_weights(w.data(), n, m, 0.25, 5);
  return l;
}

std::vector<DumpBlock> synthetic_blocks(const DumpHeader& h) {
  std::vector<DumpBlock> blocks;
  for (int64_t b = 0; b < h.num_layers; ++b) {
    DumpBlock block;
    block.index = b;
    block.linears.push_back(synthetic_linear(h.linears[0], b, 8, 8, h.quantized(), false));
    block.linears.push_back(synthetic_linear(h.linears[1], b, 8, 12, h.quantized(), b == 1));
    if (h.quantized()) {
      LossCurve c;
      for (int64_t s = 0; s < 8 * (1 - b); ++s) {  // block 1: an empty curve
        c.step.push_back(s);
        c.epoch.push_back(s / 4);
        c.sample.push_back(s % 4);
        c.mse_fp.push_back(1.0 / (s + 1));
        c.mse_q.push_back(2.0 / (s + 1));
        c.nlc_fp.push_back(0.1 * s);
        c.nlc_q.push_back(0.2 * s);
        c.total.push_back(3.0 / (s + 1) + 0.3 * s);
      }
      block.loss = c;
    }
    blocks.push_back(block);
  }
  return blocks;
}

std::filesystem::path write_synthetic(const TempDir& dir, bool quantized) {
  const DumpHeader h = synthetic_header(quantized);
  const auto path = dir / (quantized ? "q.h5" : "s.h5");
  DumpWriter w(path);
  for (const DumpBlock& b : synthetic_blocks(h)) w.write_block(b);
  w.write_header(h);
  w.commit();
  return path;
}

void expect_linear_eq(const DumpLinear& a, const DumpLinear& b) {
  EXPECT_EQ(a.linear, b.linear);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.out_features, b.out_features);
  EXPECT_EQ(a.in_features, b.in_features);
  EXPECT_EQ(a.salient_columns, b.salient_columns);
  EXPECT_EQ(a.salient_ratio, b.salient_ratio);
  EXPECT_EQ(a.bits, b.bits);
  EXPECT_EQ(a.paper_bits, b.paper_bits);
  EXPECT_EQ(a.error_bound, b.error_bound);
  EXPECT_EQ(a.relative_error, b.relative_error);
  EXPECT_EQ(a.concentration_in_mask, b.concentration_in_mask);
  EXPECT_EQ(a.concentration_top_rows, b.concentration_top_rows);
  EXPECT_EQ(a.learned_error_bound, b.learned_error_bound);
  EXPECT_EQ(a.learned_relative_error, b.learned_relative_error);
  EXPECT_EQ(a.act_max_abs, b.act_max_abs);
  EXPECT_EQ(a.act_mean_abs, b.act_mean_abs);
  EXPECT_EQ(a.mask, b.mask);
  EXPECT_EQ(a.salient_indices, b.salient_indices);
  EXPECT_EQ(a.mu, b.mu);
  EXPECT_EQ(a.alpha_init, b.alpha_init);
  EXPECT_EQ(a.alpha, b.alpha);
  EXPECT_EQ(a.r1, b.r1);
  EXPECT_EQ(a.r2, b.r2);
  EXPECT_EQ(a.saliency_map.rows, b.saliency_map.rows);
  EXPECT_EQ(a.saliency_map.cols, b.saliency_map.cols);
  EXPECT_EQ(a.saliency_map.pool_rows, b.saliency_map.pool_rows);
  EXPECT_EQ(a.saliency_map.pool_cols, b.saliency_map.pool_cols);
  EXPECT_EQ(a.saliency_map.values, b.saliency_map.values);
  EXPECT_EQ(a.salient_weights.ratio, b.salient_weights.ratio);
  EXPECT_EQ(a.salient_weights.requested, b.salient_weights.requested);
  EXPECT_EQ(a.salient_weights.positions, b.salient_weights.positions);
}

TEST(Hdf5Dump, RoundTripKeepsEveryValue) {
  TempDir dir;
  for (bool quantized : {false, true}) {
    SCOPED_TRACE(quantized);
    const auto path = write_synthetic(dir, quantized);
    const DumpHeader want = synthetic_header(quantized);
    DumpReader r(path);
    const DumpHeader& h = r.header();
    EXPECT_EQ(h.format, kDumpFormat);
    EXPECT_EQ(h.format_version, kDumpFormatVersion);
    EXPECT_FALSE(h.quantlens_version.empty());
    EXPECT_TRUE(std::regex_match(h.created, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"))) << h.created;
    EXPECT_EQ(h.hdf5_version.rfind("1.", 0), 0u) << h.hdf5_version;
    EXPECT_EQ(h.content, want.content);
    EXPECT_EQ(h.model, want.model);
    EXPECT_EQ(h.architecture, want.architecture);
    EXPECT_EQ(h.family, want.family);
    EXPECT_EQ(h.hidden_size, want.hidden_size);
    EXPECT_EQ(h.intermediate_size, want.intermediate_size);
    EXPECT_EQ(h.num_layers, want.num_layers);
    EXPECT_EQ(h.num_heads, want.num_heads);
    EXPECT_EQ(h.num_kv_heads, want.num_kv_heads);
    EXPECT_EQ(h.vocab_size, want.vocab_size);
    EXPECT_EQ(h.linears, want.linears);
    EXPECT_EQ(h.method, want.method);
    EXPECT_EQ(h.bits_per_weight, want.bits_per_weight);
    const DumpSettings &s = h.settings, &ws = want.settings;
    EXPECT_EQ(s.calib, ws.calib);
    EXPECT_EQ(s.nsamples, ws.nsamples);
    EXPECT_EQ(s.seqlen, ws.seqlen);
    EXPECT_EQ(s.seed, ws.seed);
    EXPECT_EQ(s.epochs, ws.epochs);
    EXPECT_EQ(s.lr_alpha, ws.lr_alpha);
    EXPECT_EQ(s.lr_r, ws.lr_r);
    EXPECT_EQ(s.salient_ratio, ws.salient_ratio);
    EXPECT_EQ(s.salient_bits, ws.salient_bits);
    EXPECT_EQ(s.learn, ws.learn);
    EXPECT_EQ(s.loss, ws.loss);
    EXPECT_EQ(s.nlc, ws.nlc);
    EXPECT_EQ(s.mask_statistic, ws.mask_statistic);

    const auto want_blocks = synthetic_blocks(want);
    const auto got = r.read_blocks();
    ASSERT_EQ(got.size(), want_blocks.size());
    for (size_t b = 0; b < got.size(); ++b) {
      EXPECT_EQ(got[b].index, want_blocks[b].index);
      ASSERT_EQ(got[b].linears.size(), want_blocks[b].linears.size());
      for (size_t j = 0; j < got[b].linears.size(); ++j) expect_linear_eq(got[b].linears[j], want_blocks[b].linears[j]);
      ASSERT_EQ(got[b].loss.has_value(), quantized);
      if (quantized) {
        const LossCurve &c = *got[b].loss, &wc = *want_blocks[b].loss;
        EXPECT_EQ(c.step, wc.step);
        EXPECT_EQ(c.epoch, wc.epoch);
        EXPECT_EQ(c.sample, wc.sample);
        EXPECT_EQ(c.mse_fp, wc.mse_fp);
        EXPECT_EQ(c.mse_q, wc.mse_q);
        EXPECT_EQ(c.nlc_fp, wc.nlc_fp);
        EXPECT_EQ(c.nlc_q, wc.nlc_q);
        EXPECT_EQ(c.total, wc.total);
      }
    }
  }
}

const DumpEntry* find_entry(DumpLocation location, const std::string& name, DumpKind kind) {
  for (const DumpEntry& e : dump_schema())
    if (e.location == location && e.name == name && e.kind == kind) return &e;
  return nullptr;
}

size_t rank_of(const std::string& shape) {
  if (shape == "scalar") return 0;
  return static_cast<size_t>(std::count(shape.begin(), shape.end(), ',')) + 1;
}

// Every attribute and dataset in the file is in the schema with its type and rank, every
// non-empty dataset is chunked and gzip-compressed, and every schema entry that belongs in
// this kind of dump is present at every place it applies to.
void expect_file_matches_schema(const std::filesystem::path& path, bool quantized) {
  std::map<std::string, DumpLocation> places;  // object path -> location
  std::set<std::tuple<std::string, std::string, DumpKind>> seen;
  for (const Hdf5Entry& e : list_hdf5(path)) {
    const bool attribute = e.kind == Hdf5Entry::Kind::Attribute;
    std::string owner = e.path;
    std::string name = e.attribute;
    if (e.kind == Hdf5Entry::Kind::Dataset) {
      owner = e.path.substr(0, e.path.rfind('/'));
      if (owner.empty()) owner = "/";
      name = e.path.substr(e.path.rfind('/') + 1);
    }
    DumpLocation location;
    if (e.kind == Hdf5Entry::Kind::Group) {
      if (e.path == "/blocks") continue;
      ASSERT_TRUE(location_of(e.path, location)) << e.path;
      places[e.path] = location;
      continue;
    }
    if (e.kind == Hdf5Entry::Kind::Dataset && (name == "saliency_map" || name == "salient_weights")) {
      ASSERT_TRUE(location_of(e.path, location)) << e.path;
      places[e.path] = location;
    }
    ASSERT_TRUE(location_of(owner, location)) << owner;
    const DumpEntry* s = find_entry(location, name, attribute ? DumpKind::Attribute : DumpKind::Dataset);
    ASSERT_NE(s, nullptr) << "undocumented " << (attribute ? "attribute " : "dataset ") << owner << " " << name;
    EXPECT_EQ(e.type, type_name(s->type)) << owner << " " << name;
    EXPECT_EQ(e.dims.size(), rank_of(s->shape)) << owner << " " << name;
    EXPECT_EQ(e.scalar, rank_of(s->shape) == 0) << owner << " " << name;
    if (!quantized) EXPECT_EQ(s->presence, DumpPresence::Always) << owner << " " << name;
    if (e.kind == Hdf5Entry::Kind::Dataset) {
      int64_t count = 1;
      for (int64_t d : e.dims) count *= d;
      if (count > 0) {
        EXPECT_TRUE(e.chunked) << e.path;
        EXPECT_TRUE(e.gzip) << e.path;
      }
    }
    seen.insert({owner, name, s->kind});
  }
  for (const auto& [place, location] : places) {
    for (const DumpEntry& s : dump_schema()) {
      if (s.location != location) continue;
      if (s.presence == DumpPresence::Quantized && !quantized) continue;
      EXPECT_TRUE(seen.count({place, s.name, s.kind}))
          << "missing " << kind_name(s.kind) << " " << place << " " << s.name;
    }
  }
  EXPECT_EQ(places.count("/"), 1u);
}

TEST(Hdf5Dump, WrittenFileHoldsExactlyTheSchema) {
  TempDir dir;
  for (bool quantized : {false, true}) {
    SCOPED_TRACE(quantized);
    expect_file_matches_schema(write_synthetic(dir, quantized), quantized);
  }
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string unquote(std::string s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '`' && s.back() == '`') s = s.substr(1, s.size() - 2);
  return s;
}

TEST(Hdf5Dump, DocumentationTableIsTheSchema) {
  std::ifstream in(std::filesystem::path(QUANTLENS_SOURCE_DIR) / "docs/hdf5-dump.md");
  ASSERT_TRUE(in) << "docs/hdf5-dump.md";
  std::vector<std::vector<std::string>> rows;
  bool in_schema = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) in_schema = line == "## Schema";
    if (!in_schema || line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    for (std::string cell; std::getline(ss, cell, '|');) cells.push_back(trim(cell));
    rows.push_back(cells);
  }
  const auto& schema = dump_schema();
  ASSERT_EQ(rows.size(), schema.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(schema[i].name);
    ASSERT_GE(rows[i].size(), 7u);
    EXPECT_EQ(unquote(rows[i][0]), location_pattern(schema[i].location));
    EXPECT_EQ(unquote(rows[i][1]), schema[i].name);
    EXPECT_EQ(rows[i][2], kind_name(schema[i].kind));
    EXPECT_EQ(rows[i][3], type_name(schema[i].type));
    EXPECT_EQ(rows[i][4], schema[i].shape);
    EXPECT_EQ(rows[i][5], presence_name(schema[i].presence));
    EXPECT_EQ(rows[i][6], schema[i].meaning);
  }
}

TEST(Hdf5Dump, SaliencyMapIsMaxPooledAbsoluteWeight) {
  // 3 x 5, at most 2 x 2 cells: cells of 2 rows x 3 columns, the last ones partial.
  const std::vector<float> w = {1,  -2, 3, 0,  0,   //
                                -4, 0,  0, 5,  -6,  //
                                0,  7,  0, -8, 0};
  const SaliencyMap m = max_pool_abs(w.data(), 3, 5, 2);
  EXPECT_EQ(m.pool_rows, 2);
  EXPECT_EQ(m.pool_cols, 3);
  EXPECT_EQ(m.rows, 2);
  EXPECT_EQ(m.cols, 2);
  EXPECT_EQ(m.values, (std::vector<float>{4, 6, 7, 8}));
  const SaliencyMap same = max_pool_abs(w.data(), 3, 5, 256);
  EXPECT_EQ(same.pool_rows, 1);
  EXPECT_EQ(same.pool_cols, 1);
  ASSERT_EQ(same.values.size(), w.size());
  for (size_t i = 0; i < w.size(); ++i) EXPECT_EQ(same.values[i], std::fabs(w[i]));
}

TEST(Hdf5Dump, SalientWeightsAreTheLargestMagnitudes) {
  const std::vector<float> w = {0.5f, -3.0f, 1.0f,  //
                                3.0f, 0.0f,  -2.0f};
  // ratio 0.5 of 6 -> 3: |-3|, |3|, |-2|, in row-major order.
  SalientWeights s = top_magnitude_weights(w.data(), 2, 3, 0.5);
  EXPECT_EQ(s.requested, 3);
  EXPECT_EQ(s.positions, (std::vector<int32_t>{0, 1, 1, 0, 1, 2}));
  // Capped at 1: of the tie |-3| = |3| the lower index wins.
  s = top_magnitude_weights(w.data(), 2, 3, 0.5, 1);
  EXPECT_EQ(s.requested, 3);
  EXPECT_EQ(s.positions, (std::vector<int32_t>{0, 1}));
  s = top_magnitude_weights(w.data(), 2, 3, 0.0);
  EXPECT_EQ(s.count(), 0);
}

void expect_input_error(const std::function<void()>& f, const std::string& file, const std::string& problem) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const quantcore::InputError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_EQ(what.rfind(file, 0), 0u) << what;
    EXPECT_NE(what.find(problem), std::string::npos) << what;
  }
}

TEST(Hdf5Dump, ReaderRefusesWhatIsNotADump) {
  TempDir dir;
  const auto missing = dir / "missing.h5";
  expect_input_error([&] { DumpReader r(missing); }, missing.string(), "no such file");
  const auto text = dir / "text.h5";
  quantlens_test::write_bytes(text, "not hdf5 at all\n");
  expect_input_error([&] { DumpReader r(text); }, text.string(), "not an HDF5 file");
  expect_input_error([&] { list_hdf5(text); }, text.string(), "not an HDF5 file");

  const auto foreign = dir / "foreign.h5";
  hid_t f = H5Fcreate(foreign.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  H5Fclose(f);
  expect_input_error([&] { DumpReader r(foreign); }, foreign.string(), "not a QuantLens analysis dump");

  // A dump of a newer format version.
  const auto newer = write_synthetic(dir, false);
  f = H5Fopen(newer.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const int64_t version = kDumpFormatVersion + 1;
  hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_INT64, &version);
  H5Aclose(a);
  H5Fclose(f);
  expect_input_error([&] { DumpReader r(newer); }, newer.string(), "not supported");

  // A dump that lost a dataset names where.
  const auto damaged = write_synthetic(dir, true);
  f = H5Fopen(damaged.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  H5Ldelete(f, "/blocks/001/down_proj/r2", H5P_DEFAULT);
  H5Fclose(f);
  // The whole file is read when it is opened (in a child process first), so the damage is found there.
  expect_input_error([&] { DumpReader r(damaged); }, damaged.string(), "/blocks/001/down_proj: missing dataset 'r2'");
}

TEST(Hdf5Dump, AnExtentItsStorageCannotHoldIsRefusedBeforeAllocating) {
  TempDir dir;
  const auto path = write_synthetic(dir, true);
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  H5Ldelete(f, "/blocks/001/down_proj/r2", H5P_DEFAULT);
  // 2^40 floats (4 TiB) declared, no chunk written: the file stores none of them.
  const hsize_t dims[1] = {hsize_t(1) << 40}, chunk[1] = {1024};
  hid_t space = H5Screate_simple(1, dims, nullptr);
  hid_t create = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(create, 1, chunk);
  H5Pset_deflate(create, 4);
  hid_t d = H5Dcreate2(f, "/blocks/001/down_proj/r2", H5T_IEEE_F32LE, space, H5P_DEFAULT, create, H5P_DEFAULT);
  ASSERT_GE(d, 0);
  H5Dclose(d);
  H5Pclose(create);
  H5Sclose(space);
  H5Fclose(f);
  expect_input_error([&] { DumpReader r(path); }, path.string(), "declares 1099511627776 elements but stores only");
}

// The child process that reads a dump first: its crash, hang or error is one InputError here.
TEST(ReadInChild, ACrashAHangAndAnErrorBecomeOneLine) {
  const std::filesystem::path file = "/some/dump.h5";
  // The default action, as a crash in libhdf5 has it (a sanitizer's handler would report and exit instead).
  expect_input_error(
      [&] {
        analysis::read_in_child(file, std::chrono::seconds(10), [] {
          std::signal(SIGSEGV, SIG_DFL);
          std::raise(SIGSEGV);
        });
      },
      file.string(), "the HDF5 library crashed reading it");
  expect_input_error(
      [&] {
        analysis::read_in_child(file, std::chrono::milliseconds(300), [] {
          for (;;) ::pause();
        });
      },
      file.string(), "did not finish within");
  expect_input_error(
      [&] {
        analysis::read_in_child(file, std::chrono::seconds(10),
                                [&] { throw quantcore::InputError(file.string(), "bad block"); });
      },
      file.string(), "bad block");
  EXPECT_NO_THROW(analysis::read_in_child(file, std::chrono::seconds(10), [] {}));
}

TEST(Hdf5Dump, DumpsWithVariableLengthStringsStillRead) {
  // Dumps written before fixed-length strings hold variable-length ones.
  TempDir dir;
  const auto path = write_synthetic(dir, false);
  const std::string model = DumpReader(path).header().model;
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  H5Adelete(f, "model");
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(f, "model", type, space, H5P_DEFAULT, H5P_DEFAULT);
  const char* value = model.c_str();
  H5Awrite(a, type, &value);
  H5Aclose(a);
  H5Sclose(space);
  H5Tclose(type);
  H5Fclose(f);
  EXPECT_EQ(DumpReader(path).header().model, model);
}

TEST(Hdf5Dump, UncommittedWriterLeavesNothing) {
  TempDir dir;
  const DumpHeader h = synthetic_header(false);
  {
    DumpWriter w(dir / "x.h5");
    w.write_block(synthetic_blocks(h).front());
  }  // e.g. a cancelled job
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));

  // A committed file replaces an existing one, leaving only it.
  quantlens_test::write_bytes(dir / "x.h5", "old");
  {
    DumpWriter w(dir / "x.h5");
    for (const DumpBlock& b : synthetic_blocks(h)) w.write_block(b);
    w.write_header(h);
    w.commit();
  }
  EXPECT_EQ(DumpReader(dir / "x.h5").header().content, "statistics");
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(e.path().filename(), "x.h5");
  }
  EXPECT_EQ(files, 1);
}

TEST(Hdf5Dump, DestinationsAreCheckedBeforeWork) {
  TempDir dir;
  const auto nowhere = dir / "no-such-folder/x.h5";
  expect_input_error([&] { check_dump_destination(nowhere, false); }, nowhere.string(), "does not exist");
  expect_input_error([&] { DumpWriter w(nowhere); }, nowhere.string(), "cannot create a file");
  expect_input_error([&] { check_dump_destination(dir.path(), true); }, dir.path().string(), "is a directory");
  quantlens_test::write_bytes(dir / "there.h5", "x");
  expect_input_error([&] { check_dump_destination(dir / "there.h5", false); }, (dir / "there.h5").string(), "--force");
  EXPECT_NO_THROW(check_dump_destination(dir / "there.h5", true));
  EXPECT_NO_THROW(check_dump_destination(dir / "new.h5", false));
}

}  // namespace
