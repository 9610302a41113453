#pragma once
// The contents of an analysis dump as plain C++ data (docs/hdf5-dump.md): what the writer takes
// and the reader returns. Torch- and HDF5-free, for the CLI and the GUI alike.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quantcore/methods/ptq161/options.h"

namespace analysis {

// The run's settings: every field of quantize::settings_json (format version 2 and later), the
// calibration and every PTQ1.61 option as typed attributes, and the serialised whole.
struct DumpSettings {
  std::string calib;
  int64_t nsamples = 0;
  int64_t seqlen = 0;
  uint64_t seed = 0;
  int64_t epochs = 0;
  double lr_alpha = 0;
  double lr_r = 0;
  double salient_ratio = 0;
  int64_t salient_bits = quantcore::methods::ptq161::kDefaultSalientBits;
  bool learn = false;
  std::string loss = "both";  // "both" or "fp-only"
  bool nlc = true;
  std::string mask_statistic = "max";  // "max", "mean" or "none"
  // Format version 2 (absent from version-1 files: the defaults below).
  std::string vector_dtype = "fp16";  // "fp16" or "fp32"
  bool paper_no_mean = false;         // spec §11 D2
  bool paper_alpha_l1 = false;        // D6
  bool paper_l2_distance = false;     // D3
  std::string chains = "device";      // "device" or "host"
  std::string device = "cpu";
  std::string dtype = "fp32";
  std::string spelling;  // the registry spelling of the method and its non-default parameters
  std::string json;      // quantize::settings_json, serialised
};

struct DumpHeader {
  // Set by the writer (whatever the caller puts here), read back by the reader.
  std::string format;
  int64_t format_version = 0;
  std::string quantlens_version;
  std::string created;  // UTC ISO-8601
  std::string hdf5_version;

  std::string content;  // "statistics" or "quantized"
  std::string model;
  std::string architecture;
  std::string family;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_layers = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;
  int64_t vocab_size = 0;
  std::vector<std::string> linears;  // short names in forward order
  std::string method;                // the registry name of the method
  double bits_per_weight = 0;
  DumpSettings settings;

  bool quantized() const { return content == "quantized"; }
};

// |W| max-pooled: values[r * cols + c] = max |W_ij| over the cell's pool_rows x pool_cols weights.
struct SaliencyMap {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t pool_rows = 1;
  int64_t pool_cols = 1;
  std::vector<float> values;
};

// The largest |W_ij|: positions as (row, col) pairs, flattened, in row-major order.
struct SalientWeights {
  double ratio = 0;
  int64_t requested = 0;           // round(ratio * n * m), before the cap
  std::vector<int32_t> positions;  // 2 * K values: row0, col0, row1, col1, ...
  int64_t count() const { return static_cast<int64_t>(positions.size() / 2); }
};

struct DumpLinear {
  std::string linear;           // short name, e.g. "self_attn.q_proj"
  std::string name;             // checkpoint name, e.g. "model.layers.0.self_attn.q_proj"
  int64_t out_features = 0;     // n
  int64_t in_features = 0;      // m
  int64_t salient_columns = 0;  // k
  double salient_ratio = 0;     // k / m
  double bits = 0;
  double paper_bits = 0;
  double error_bound = 0;
  double relative_error = 0;
  std::optional<double> concentration_in_mask;   // format 3 and later
  std::optional<double> concentration_top_rows;  // format 3 and later
  std::optional<double> learned_error_bound;     // quantized dumps
  std::optional<double> learned_relative_error;  // quantized dumps

  std::vector<float> act_max_abs;        // [m]
  std::vector<float> act_mean_abs;       // [m]
  std::vector<uint8_t> mask;             // [m]
  std::vector<int32_t> salient_indices;  // [k]
  std::vector<float> mu;                 // [n]
  std::vector<float> alpha_init;         // [n]
  std::vector<float> alpha, r1, r2;      // [n], [n], [m]; quantized dumps only
  SaliencyMap saliency_map;
  SalientWeights salient_weights;
};

// One entry per optimiser step of one block (empty when the run did not train).
struct LossCurve {
  std::vector<int64_t> step, epoch, sample;
  std::vector<double> mse_fp, mse_q, nlc_fp, nlc_q, total;
  size_t size() const { return step.size(); }
};

struct DumpBlock {
  int64_t index = 0;
  std::vector<DumpLinear> linears;  // in DumpHeader::linears order
  std::optional<LossCurve> loss;    // quantized dumps
};

}  // namespace analysis
