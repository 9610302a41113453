#include "analysis/dump_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "analysis/dump_schema.h"
#include "hdf5/h5_handles.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/temporaries.h"

#ifndef QUANTLENS_VERSION
#define QUANTLENS_VERSION "unknown"
#endif

namespace analysis {

namespace fs = std::filesystem;

namespace {

fs::path folder_of(const fs::path& path) { return path.parent_path().empty() ? fs::path(".") : path.parent_path(); }

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string hdf5_library_version() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

std::string block_group_name(int64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%03lld", static_cast<long long>(index));
  return buf;
}

// "self_attn.q_proj" -> "q_proj"
std::string linear_group_name(const std::string& linear) { return linear.substr(linear.rfind('.') + 1); }

void sync_to_disk(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void write_linear(hid_t block, const DumpLinear& l) {
  h5::Group g = h5::create_group(block, linear_group_name(l.linear));
  const hid_t id = g.get();
  h5::write_string(id, "name", l.name);
  h5::write_string(id, "linear", l.linear);
  h5::write_attribute(id, "shape", std::vector<int64_t>{l.out_features, l.in_features});
  h5::write_attribute(id, "salient_columns", l.salient_columns);
  h5::write_attribute(id, "salient_ratio", l.salient_ratio);
  h5::write_attribute(id, "bits", l.bits);
  h5::write_attribute(id, "paper_bits", l.paper_bits);
  h5::write_attribute(id, "error_bound", l.error_bound);
  h5::write_attribute(id, "relative_error", l.relative_error);
  if (l.concentration_in_mask) h5::write_attribute(id, "concentration_in_mask", *l.concentration_in_mask);
  if (l.concentration_top_rows) h5::write_attribute(id, "concentration_top_rows", *l.concentration_top_rows);
  if (l.learned_error_bound) h5::write_attribute(id, "learned_error_bound", *l.learned_error_bound);
  if (l.learned_relative_error) h5::write_attribute(id, "learned_relative_error", *l.learned_relative_error);

  h5::write_dataset(id, "act_max_abs", l.act_max_abs);
  h5::write_dataset(id, "act_mean_abs", l.act_mean_abs);
  h5::write_dataset(id, "mask", l.mask);
  h5::write_dataset(id, "salient_indices", l.salient_indices);
  h5::write_dataset(id, "mu", l.mu);
  h5::write_dataset(id, "alpha_init", l.alpha_init);
  if (!l.alpha.empty() || !l.r1.empty() || !l.r2.empty()) {
    h5::write_dataset(id, "alpha", l.alpha);
    h5::write_dataset(id, "r1", l.r1);
    h5::write_dataset(id, "r2", l.r2);
  }
  const SaliencyMap& map = l.saliency_map;
  h5::Dataset m = h5::write_dataset(id, "saliency_map", map.values,
                                    {static_cast<hsize_t>(map.rows), static_cast<hsize_t>(map.cols)});
  h5::write_attribute(m.get(), "pool_rows", map.pool_rows);
  h5::write_attribute(m.get(), "pool_cols", map.pool_cols);
  const SalientWeights& sw = l.salient_weights;
  h5::Dataset s = h5::write_dataset(id, "salient_weights", sw.positions, {static_cast<hsize_t>(sw.count()), 2});
  h5::write_attribute(s.get(), "ratio", sw.ratio);
  h5::write_attribute(s.get(), "requested", sw.requested);
}

void write_loss(hid_t block, const LossCurve& c) {
  h5::Group g = h5::create_group(block, "loss");
  h5::write_dataset(g.get(), "step", c.step);
  h5::write_dataset(g.get(), "epoch", c.epoch);
  h5::write_dataset(g.get(), "sample", c.sample);
  h5::write_dataset(g.get(), "mse_fp", c.mse_fp);
  h5::write_dataset(g.get(), "mse_q", c.mse_q);
  h5::write_dataset(g.get(), "nlc_fp", c.nlc_fp);
  h5::write_dataset(g.get(), "nlc_q", c.nlc_q);
  h5::write_dataset(g.get(), "total", c.total);
}

void write_root(hid_t root, const DumpHeader& h) {
  h5::write_string(root, "format", kDumpFormat);
  h5::write_attribute(root, "format_version", kDumpFormatVersion);
  h5::write_string(root, "quantlens_version", QUANTLENS_VERSION);
  h5::write_string(root, "created", utc_now_iso8601());
  h5::write_string(root, "content", h.content);
  h5::write_string(root, "hdf5_version", hdf5_library_version());
  h5::write_string(root, "model", h.model);
  h5::write_string(root, "architecture", h.architecture);
  h5::write_string(root, "family", h.family);
  h5::write_attribute(root, "hidden_size", h.hidden_size);
  h5::write_attribute(root, "intermediate_size", h.intermediate_size);
  h5::write_attribute(root, "num_layers", h.num_layers);
  h5::write_attribute(root, "num_heads", h.num_heads);
  h5::write_attribute(root, "num_kv_heads", h.num_kv_heads);
  h5::write_attribute(root, "vocab_size", h.vocab_size);
  h5::write_strings(root, "linears", h.linears);
  h5::write_string(root, "method", h.method);
  h5::write_attribute(root, "bits_per_weight", h.bits_per_weight);
  const DumpSettings& s = h.settings;
  h5::write_string(root, "settings.calib", s.calib);
  h5::write_attribute(root, "settings.nsamples", s.nsamples);
  h5::write_attribute(root, "settings.seqlen", s.seqlen);
  h5::write_attribute(root, "settings.seed", s.seed);
  h5::write_attribute(root, "settings.epochs", s.epochs);
  h5::write_attribute(root, "settings.lr_alpha", s.lr_alpha);
  h5::write_attribute(root, "settings.lr_r", s.lr_r);
  h5::write_attribute(root, "settings.salient_ratio", s.salient_ratio);
  h5::write_attribute(root, "settings.salient_bits", s.salient_bits);
  h5::write_attribute(root, "settings.learn", static_cast<uint8_t>(s.learn));
  h5::write_string(root, "settings.loss", s.loss);
  h5::write_attribute(root, "settings.nlc", static_cast<uint8_t>(s.nlc));
  h5::write_string(root, "settings.mask_statistic", s.mask_statistic);
  h5::write_string(root, "settings.vector_dtype", s.vector_dtype);
  h5::write_attribute(root, "settings.paper_no_mean", static_cast<uint8_t>(s.paper_no_mean));
  h5::write_attribute(root, "settings.paper_alpha_l1", static_cast<uint8_t>(s.paper_alpha_l1));
  h5::write_attribute(root, "settings.paper_l2_distance", static_cast<uint8_t>(s.paper_l2_distance));
  h5::write_string(root, "settings.chains", s.chains);
  h5::write_string(root, "settings.device", s.device);
  h5::write_string(root, "settings.dtype", s.dtype);
  h5::write_string(root, "settings.spelling", s.spelling);
  h5::write_string(root, "settings.json", s.json);
}

}  // namespace

void check_dump_destination(const fs::path& path, bool force) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw quantcore::InputError(path.string(), "is a directory");
  if (fs::exists(path, ec) && !force) throw quantcore::InputError(path.string(), "exists; pass --force to replace it");
  quantcore::check_folder_writable(path);
}

struct DumpWriter::State {
  fs::path path;
  fs::path temp;
  quantcore::TemporaryLock lock;  // held while the temporary file is written
  h5::File file;
  h5::Group blocks;
  int64_t next_block = 0;
  std::vector<std::string> block_linears;  // of the blocks written, to check against the header
  bool header_written = false;
  std::vector<std::string> header_linears;
  int64_t header_layers = 0;
  bool header_quantized = false;
  std::vector<bool> block_has_loss;
};

DumpWriter::DumpWriter(const fs::path& path) : state_(std::make_unique<State>()) {
  h5::Lock lock(h5::library_mutex());
  State& s = *state_;
  s.path = path;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw quantcore::InputError(path.string(), "is a directory");
  std::string name = (folder_of(path) / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(name.data());
  if (fd < 0)
    throw quantcore::InputError(path.string(),
                                "cannot create a file in '" + folder_of(path).string() + "': " + std::strerror(errno));
  // mkstemp makes the file private; the dump should get the permissions of any new file.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  ::close(fd);
  s.temp = name;
  try {
    // HDF5_USE_FILE_LOCKING=TRUE makes libhdf5 take its own flock, which ours would block; its
    // lock then marks the temporary as live instead.
    const char* hdf5_locking = std::getenv("HDF5_USE_FILE_LOCKING");
    if (!hdf5_locking || std::string(hdf5_locking) == "FALSE" || std::string(hdf5_locking) == "0")
      s.lock = quantcore::TemporaryLock(s.temp);
    s.file = h5::create_file(s.temp);
    s.blocks = h5::create_group(s.file.get(), "blocks");
  } catch (const std::exception& e) {
    s.blocks.reset();
    s.file.reset();
    fs::remove(s.temp, ec);
    throw quantcore::InputError(path.string(), e.what());
  }
}

DumpWriter::~DumpWriter() {
  h5::Lock lock(h5::library_mutex());
  if (!state_ || state_->temp.empty()) return;
  state_->blocks.reset();
  state_->file.reset();
  std::error_code ec;
  fs::remove(state_->temp, ec);
  state_->lock.release();
}

void DumpWriter::write_block(const DumpBlock& block) {
  h5::Lock lock(h5::library_mutex());
  State& s = *state_;
  if (s.temp.empty()) throw std::logic_error("DumpWriter: already committed");
  if (block.index != s.next_block) throw std::logic_error("DumpWriter: blocks must come in order");
  try {
    h5::Group g = h5::create_group(s.blocks.get(), block_group_name(block.index));
    h5::write_attribute(g.get(), "index", block.index);
    std::string names;
    for (const DumpLinear& l : block.linears) {
      write_linear(g.get(), l);
      names += l.linear + "\n";
    }
    if (block.loss) write_loss(g.get(), *block.loss);
    s.block_linears.push_back(names);
    s.block_has_loss.push_back(block.loss.has_value());
  } catch (const h5::Error& e) {
    throw quantcore::InputError(s.path.string(), e.what());
  }
  ++s.next_block;
}

void DumpWriter::write_header(const DumpHeader& header) {
  h5::Lock lock(h5::library_mutex());
  State& s = *state_;
  if (s.temp.empty()) throw std::logic_error("DumpWriter: already committed");
  if (s.header_written) throw std::logic_error("DumpWriter: header written twice");
  try {
    write_root(s.file.get(), header);
  } catch (const h5::Error& e) {
    throw quantcore::InputError(s.path.string(), e.what());
  }
  s.header_written = true;
  s.header_linears = header.linears;
  s.header_layers = header.num_layers;
  s.header_quantized = header.quantized();
}

void DumpWriter::commit() {
  h5::Lock lock(h5::library_mutex());
  State& s = *state_;
  if (s.temp.empty()) throw std::logic_error("DumpWriter: already committed");
  if (!s.header_written) throw std::logic_error("DumpWriter: no header");
  if (s.next_block != s.header_layers) throw std::logic_error("DumpWriter: not every block was written");
  std::string expected;
  for (const std::string& l : s.header_linears) expected += l + "\n";
  for (size_t b = 0; b < s.block_linears.size(); ++b) {
    if (s.block_linears[b] != expected)
      throw std::logic_error("DumpWriter: a block's linears differ from the header's");
    if (s.block_has_loss[b] != s.header_quantized)
      throw std::logic_error("DumpWriter: loss curves belong to quantized dumps, in every block");
  }
  try {
    s.blocks.close("close the blocks group");
    if (H5Fflush(s.file.get(), H5F_SCOPE_GLOBAL) < 0) throw h5::Error("cannot flush the file");
    s.file.close("close the file");
  } catch (const h5::Error& e) {
    throw quantcore::InputError(s.path.string(), e.what());
  }
  sync_to_disk(s.temp);
  std::error_code ec;
  fs::rename(s.temp, s.path, ec);
  if (ec) throw quantcore::InputError(s.path.string(), "cannot rename the temporary file into place: " + ec.message());
  s.temp.clear();
  s.lock.release();
  sync_to_disk(folder_of(s.path));
}

}  // namespace analysis
