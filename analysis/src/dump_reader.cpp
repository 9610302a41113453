#include "analysis/dump_reader.h"

#include <sys/stat.h>

#include <cstdio>
#include <optional>
#include <stdexcept>

#include "analysis/dump_schema.h"
#include "hdf5/h5_file.h"
#include "hdf5/h5_handles.h"
#include "analysis/read_in_child.h"
#include "quantcore/io/errors.h"

namespace analysis {

namespace fs = std::filesystem;

namespace {

DumpHeader read_header(hid_t root) {
  DumpHeader h;
  h.format_version = h5::read_attribute<int64_t>(root, "format_version");
  h.quantlens_version = h5::read_string(root, "quantlens_version");
  h.created = h5::read_string(root, "created");
  h.content = h5::read_string(root, "content");
  h.hdf5_version = h5::read_string(root, "hdf5_version");
  h.model = h5::read_string(root, "model");
  h.architecture = h5::read_string(root, "architecture");
  h.family = h5::read_string(root, "family");
  h.hidden_size = h5::read_attribute<int64_t>(root, "hidden_size");
  h.intermediate_size = h5::read_attribute<int64_t>(root, "intermediate_size");
  h.num_layers = h5::read_attribute<int64_t>(root, "num_layers");
  h.num_heads = h5::read_attribute<int64_t>(root, "num_heads");
  h.num_kv_heads = h5::read_attribute<int64_t>(root, "num_kv_heads");
  h.vocab_size = h5::read_attribute<int64_t>(root, "vocab_size");
  h.linears = h5::read_strings(root, "linears");
  h.method = h5::read_string(root, "method");
  h.bits_per_weight = h5::read_attribute<double>(root, "bits_per_weight");
  DumpSettings& s = h.settings;
  s.calib = h5::read_string(root, "settings.calib");
  s.nsamples = h5::read_attribute<int64_t>(root, "settings.nsamples");
  s.seqlen = h5::read_attribute<int64_t>(root, "settings.seqlen");
  s.seed = h5::read_attribute<uint64_t>(root, "settings.seed");
  s.epochs = h5::read_attribute<int64_t>(root, "settings.epochs");
  s.lr_alpha = h5::read_attribute<double>(root, "settings.lr_alpha");
  s.lr_r = h5::read_attribute<double>(root, "settings.lr_r");
  s.salient_ratio = h5::read_attribute<double>(root, "settings.salient_ratio");
  s.salient_bits = h5::read_attribute<int64_t>(root, "settings.salient_bits");
  s.learn = h5::read_attribute<uint8_t>(root, "settings.learn") != 0;
  s.loss = h5::read_string(root, "settings.loss");
  s.nlc = h5::read_attribute<uint8_t>(root, "settings.nlc") != 0;
  s.mask_statistic = h5::read_string(root, "settings.mask_statistic");
  if (h.format_version >= 2) {
    s.vector_dtype = h5::read_string(root, "settings.vector_dtype");
    s.paper_no_mean = h5::read_attribute<uint8_t>(root, "settings.paper_no_mean") != 0;
    s.paper_alpha_l1 = h5::read_attribute<uint8_t>(root, "settings.paper_alpha_l1") != 0;
    s.paper_l2_distance = h5::read_attribute<uint8_t>(root, "settings.paper_l2_distance") != 0;
    s.chains = h5::read_string(root, "settings.chains");
    s.device = h5::read_string(root, "settings.device");
    s.dtype = h5::read_string(root, "settings.dtype");
    s.spelling = h5::read_string(root, "settings.spelling");
    s.json = h5::read_string(root, "settings.json");
  }
  return h;
}

DumpLinear read_linear(hid_t block, const std::string& linear, bool quantized) {
  const std::string group = linear.substr(linear.rfind('.') + 1);
  h5::Group g = h5::open_group(block, group);
  const hid_t id = g.get();
  DumpLinear l;
  l.name = h5::read_string(id, "name");
  l.linear = h5::read_string(id, "linear");
  if (l.linear != linear) throw h5::Error("group '" + group + "' holds linear '" + l.linear + "'");
  const std::vector<int64_t> shape = h5::read_attribute_array<int64_t>(id, "shape");
  if (shape.size() != 2) throw h5::Error("attribute 'shape' of '" + group + "' is not [n, m]");
  l.out_features = shape[0];
  l.in_features = shape[1];
  l.salient_columns = h5::read_attribute<int64_t>(id, "salient_columns");
  l.salient_ratio = h5::read_attribute<double>(id, "salient_ratio");
  l.bits = h5::read_attribute<double>(id, "bits");
  l.paper_bits = h5::read_attribute<double>(id, "paper_bits");
  l.error_bound = h5::read_attribute<double>(id, "error_bound");
  l.relative_error = h5::read_attribute<double>(id, "relative_error");
  if (h5::has_attribute(id, "concentration_in_mask")) {
    l.concentration_in_mask = h5::read_attribute<double>(id, "concentration_in_mask");
    l.concentration_top_rows = h5::read_attribute<double>(id, "concentration_top_rows");
  }
  if (quantized) {
    l.learned_error_bound = h5::read_attribute<double>(id, "learned_error_bound");
    l.learned_relative_error = h5::read_attribute<double>(id, "learned_relative_error");
  }
  const auto n = static_cast<size_t>(l.out_features);
  const auto m = static_cast<size_t>(l.in_features);
  auto expect = [&group](const char* name, size_t got, size_t want) {
    if (got != want)
      throw h5::Error("dataset '" + std::string(name) + "' of '" + group + "' has " + std::to_string(got) +
                      " values, expected " + std::to_string(want));
  };
  l.act_max_abs = h5::read_dataset<float>(id, "act_max_abs");
  expect("act_max_abs", l.act_max_abs.size(), m);
  l.act_mean_abs = h5::read_dataset<float>(id, "act_mean_abs");
  expect("act_mean_abs", l.act_mean_abs.size(), m);
  l.mask = h5::read_dataset<uint8_t>(id, "mask");
  expect("mask", l.mask.size(), m);
  l.salient_indices = h5::read_dataset<int32_t>(id, "salient_indices");
  expect("salient_indices", l.salient_indices.size(), static_cast<size_t>(l.salient_columns));
  l.mu = h5::read_dataset<float>(id, "mu");
  expect("mu", l.mu.size(), n);
  l.alpha_init = h5::read_dataset<float>(id, "alpha_init");
  expect("alpha_init", l.alpha_init.size(), n);
  if (quantized) {
    l.alpha = h5::read_dataset<float>(id, "alpha");
    expect("alpha", l.alpha.size(), n);
    l.r1 = h5::read_dataset<float>(id, "r1");
    expect("r1", l.r1.size(), n);
    l.r2 = h5::read_dataset<float>(id, "r2");
    expect("r2", l.r2.size(), m);
  }
  std::vector<hsize_t> dims;
  SaliencyMap& map = l.saliency_map;
  map.values = h5::read_dataset<float>(id, "saliency_map", &dims);
  if (dims.size() != 2) throw h5::Error("dataset 'saliency_map' of '" + group + "' is not 2-D");
  map.rows = static_cast<int64_t>(dims[0]);
  map.cols = static_cast<int64_t>(dims[1]);
  {
    h5::Dataset d(H5Dopen2(id, "saliency_map", H5P_DEFAULT), "open 'saliency_map'");
    map.pool_rows = h5::read_attribute<int64_t>(d.get(), "pool_rows");
    map.pool_cols = h5::read_attribute<int64_t>(d.get(), "pool_cols");
  }
  SalientWeights& sw = l.salient_weights;
  sw.positions = h5::read_dataset<int32_t>(id, "salient_weights", &dims);
  if (dims.size() != 2 || dims[1] != 2) throw h5::Error("dataset 'salient_weights' of '" + group + "' is not [K, 2]");
  {
    h5::Dataset d(H5Dopen2(id, "salient_weights", H5P_DEFAULT), "open 'salient_weights'");
    sw.ratio = h5::read_attribute<double>(d.get(), "ratio");
    sw.requested = h5::read_attribute<int64_t>(d.get(), "requested");
  }
  return l;
}

LossCurve read_loss(hid_t block) {
  h5::Group g = h5::open_group(block, "loss");
  LossCurve c;
  c.step = h5::read_dataset<int64_t>(g.get(), "step");
  c.epoch = h5::read_dataset<int64_t>(g.get(), "epoch");
  c.sample = h5::read_dataset<int64_t>(g.get(), "sample");
  c.mse_fp = h5::read_dataset<double>(g.get(), "mse_fp");
  c.mse_q = h5::read_dataset<double>(g.get(), "mse_q");
  c.nlc_fp = h5::read_dataset<double>(g.get(), "nlc_fp");
  c.nlc_q = h5::read_dataset<double>(g.get(), "nlc_q");
  c.total = h5::read_dataset<double>(g.get(), "total");
  for (size_t n : {c.epoch.size(), c.sample.size(), c.mse_fp.size(), c.mse_q.size(), c.nlc_fp.size(), c.nlc_q.size(),
                   c.total.size()})
    if (n != c.step.size()) throw h5::Error("the loss datasets differ in length");
  return c;
}

}  // namespace

struct DumpReader::State {
  fs::path path;
  h5::File file;
  DumpHeader header;
};

namespace {

// What identifies the bytes at `path`: the same file, not replaced or rewritten since.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  timespec modified{};
  bool operator==(const FileIdentity& o) const {
    return device == o.device && inode == o.inode && size == o.size && modified.tv_sec == o.modified.tv_sec &&
           modified.tv_nsec == o.modified.tv_nsec;
  }
};

std::optional<FileIdentity> identity_of(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileIdentity{st.st_dev, st.st_ino, st.st_size, st.st_mtim};
}

}  // namespace

DumpReader::DumpReader(const fs::path& path, std::chrono::milliseconds read_limit) {
  // Everything this reader will ever read, read first in a child, block by block: if that
  // survives, so does this process reading the same bytes (the refusals of what is not a dump
  // come back from it too).
  const std::optional<FileIdentity> before = identity_of(path);
  read_in_child(path, read_limit.count() > 0 ? read_limit : read_limit_for(path), [&path] {
    const DumpReader r(path, InProcess{});
    for (int64_t b = 0; b < r.header().num_layers; ++b) (void)r.read_block(b);
  });
  DumpReader checked(path, InProcess{});
  if (identity_of(path) != before)
    throw quantcore::InputError(path.string(), "changed while it was being read; open it again");
  state_ = std::move(checked.state_);
}

DumpReader::DumpReader(const fs::path& path, InProcess) : state_(std::make_unique<State>()) {
  h5::Lock lock(h5::library_mutex());
  State& s = *state_;
  s.path = path;
  s.file = open_file_for_reading(path);
  const hid_t root = s.file.get();
  try {
    if (!h5::has_attribute(root, "format") || h5::read_string(root, "format") != kDumpFormat)
      throw quantcore::InputError(
          path.string(), std::string("not a QuantLens analysis dump (no format attribute \"") + kDumpFormat + "\")");
    const int64_t version = h5::read_attribute<int64_t>(root, "format_version");
    if (version > kDumpFormatVersion || version < 1)
      throw quantcore::InputError(path.string(), "dump format version " + std::to_string(version) +
                                                     " is not supported (this quantlens reads up to " +
                                                     std::to_string(kDumpFormatVersion) + ")");
    s.header = read_header(root);
    s.header.format = kDumpFormat;
  } catch (const h5::Error& e) {
    throw_input_error(path, h5::Error(std::string("/: ") + e.what()));
  }
}

DumpReader::~DumpReader() {
  h5::Lock lock(h5::library_mutex());
  state_.reset();
}

const DumpHeader& DumpReader::header() const { return state_->header; }

DumpBlock DumpReader::read_block(int64_t index) const {
  h5::Lock lock(h5::library_mutex());
  const State& s = *state_;
  if (index < 0 || index >= s.header.num_layers)
    throw std::out_of_range("DumpReader: no block " + std::to_string(index));
  char name[32];
  std::snprintf(name, sizeof name, "%03lld", static_cast<long long>(index));
  const std::string where = std::string("/blocks/") + name;
  std::string current = where;
  try {
    h5::Group blocks = h5::open_group(s.file.get(), "blocks");
    h5::Group g = h5::open_group(blocks.get(), name);
    DumpBlock b;
    b.index = h5::read_attribute<int64_t>(g.get(), "index");
    for (const std::string& linear : s.header.linears) {
      current = where + "/" + linear.substr(linear.rfind('.') + 1);
      b.linears.push_back(read_linear(g.get(), linear, s.header.quantized()));
    }
    if (s.header.quantized()) {
      current = where + "/loss";
      b.loss = read_loss(g.get());
    }
    return b;
  } catch (const h5::Error& e) {
    throw_input_error(s.path, h5::Error(current + ": " + e.what()));
  }
}

std::vector<DumpBlock> DumpReader::read_blocks() const {
  std::vector<DumpBlock> blocks;
  for (int64_t b = 0; b < header().num_layers; ++b) blocks.push_back(read_block(b));
  return blocks;
}

}  // namespace analysis
