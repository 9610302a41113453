#include "analysis/dump_schema.h"

#include <cctype>

namespace analysis {

namespace {
using L = DumpLocation;
using K = DumpKind;
using T = DumpType;
using P = DumpPresence;
constexpr K A = K::Attribute;
constexpr K D = K::Dataset;
}  // namespace

const std::vector<DumpEntry>& dump_schema() {
  static const std::vector<DumpEntry> entries = {
      {L::Root, "format", A, T::String, "scalar", P::Always, "\"quantlens-analysis-dump\""},
      {L::Root, "format_version", A, T::Int64, "scalar", P::Always,
       "2; readers refuse newer versions (version 1 lacks the settings marked v2)"},
      {L::Root, "quantlens_version", A, T::String, "scalar", P::Always, "version of the writing quantlens"},
      {L::Root, "created", A, T::String, "scalar", P::Always, "UTC ISO-8601, e.g. 2026-01-31T12:00:00Z"},
      {L::Root, "content", A, T::String, "scalar", P::Always,
       "\"statistics\" (quantlens dump) or \"quantized\" (quantize --dump)"},
      {L::Root, "hdf5_version", A, T::String, "scalar", P::Always, "HDF5 library that wrote the file"},
      {L::Root, "model", A, T::String, "scalar", P::Always, "model path as given"},
      {L::Root, "architecture", A, T::String, "scalar", P::Always, "model_type: llama, mistral, qwen2, opt, llama2c"},
      {L::Root, "family", A, T::String, "scalar", P::Always, "llama or opt"},
      {L::Root, "hidden_size", A, T::Int64, "scalar", P::Always, "model dimension"},
      {L::Root, "intermediate_size", A, T::Int64, "scalar", P::Always, "MLP dimension"},
      {L::Root, "num_layers", A, T::Int64, "scalar", P::Always, "decoder blocks"},
      {L::Root, "num_heads", A, T::Int64, "scalar", P::Always, "attention heads"},
      {L::Root, "num_kv_heads", A, T::Int64, "scalar", P::Always, "key/value heads"},
      {L::Root, "vocab_size", A, T::Int64, "scalar", P::Always, "vocabulary"},
      {L::Root, "linears", A, T::String, "[J]", P::Always,
       "short names of a block's linears in forward order (e.g. self_attn.q_proj)"},
      {L::Root, "method", A, T::String, "scalar", P::Always, "the method's registry name (quantlens methods)"},
      {L::Root, "bits_per_weight", A, T::Float64, "scalar", P::Always,
       "honest bits per quantized weight over all linears (ptq161-spec §7 [derived])"},
      {L::Root, "settings.calib", A, T::String, "scalar", P::Always, "calibration text file"},
      {L::Root, "settings.nsamples", A, T::Int64, "scalar", P::Always, "calibration windows"},
      {L::Root, "settings.seqlen", A, T::Int64, "scalar", P::Always, "window length"},
      {L::Root, "settings.seed", A, T::UInt64, "scalar", P::Always, "seed of the window draw"},
      {L::Root, "settings.epochs", A, T::Int64, "scalar", P::Always, "training epochs per block (0 for dump)"},
      {L::Root, "settings.lr_alpha", A, T::Float64, "scalar", P::Always, "learning rate of alpha"},
      {L::Root, "settings.lr_r", A, T::Float64, "scalar", P::Always, "learning rate of r1, r2"},
      {L::Root, "settings.salient_ratio", A, T::Float64, "scalar", P::Always, "requested salient-channel ratio"},
      {L::Root, "settings.salient_bits", A, T::Int64, "scalar", P::Always, "bits of the salient weights"},
      {L::Root, "settings.learn", A, T::UInt8, "scalar", P::Always, "1: alpha, r1, r2 trained; 0: analytic"},
      {L::Root, "settings.loss", A, T::String, "scalar", P::Always, "both or fp-only"},
      {L::Root, "settings.nlc", A, T::UInt8, "scalar", P::Always, "1: negative-log-cosine terms in the loss"},
      {L::Root, "settings.mask_statistic", A, T::String, "scalar", P::Always, "max, mean or none"},
      {L::Root, "settings.vector_dtype", A, T::String, "scalar", P::Always, "v2: fp16 or fp32 stored vectors"},
      {L::Root, "settings.paper_no_mean", A, T::UInt8, "scalar", P::Always, "v2: 1: spec §11 D2 (no row mean)"},
      {L::Root, "settings.paper_alpha_l1", A, T::UInt8, "scalar", P::Always, "v2: 1: spec §11 D6 (alpha over all)"},
      {L::Root, "settings.paper_l2_distance", A, T::UInt8, "scalar", P::Always, "v2: 1: spec §11 D3 (L2 distance)"},
      {L::Root, "settings.chains", A, T::String, "scalar", P::Always, "v2: device or host"},
      {L::Root, "settings.device", A, T::String, "scalar", P::Always, "v2: cpu or cuda"},
      {L::Root, "settings.dtype", A, T::String, "scalar", P::Always, "v2: block compute dtype"},
      {L::Root, "settings.spelling", A, T::String, "scalar", P::Always,
       "v2: method and non-default parameters, NAME[:KEY=VALUE]..."},
      {L::Root, "settings.json", A, T::String, "scalar", P::Always,
       "v2: the run's settings as summary.json writes them (JSON text)"},

      {L::Block, "index", A, T::Int64, "scalar", P::Always, "block index"},

      {L::Linear, "name", A, T::String, "scalar", P::Always, "checkpoint name, e.g. model.layers.0.self_attn.q_proj"},
      {L::Linear, "linear", A, T::String, "scalar", P::Always, "short name, e.g. self_attn.q_proj"},
      {L::Linear, "shape", A, T::Int64, "[2]", P::Always, "[n, m] = [out_features, in_features]"},
      {L::Linear, "salient_columns", A, T::Int64, "scalar", P::Always, "k = salient input channels"},
      {L::Linear, "salient_ratio", A, T::Float64, "scalar", P::Always, "k / m as chosen"},
      {L::Linear, "bits", A, T::Float64, "scalar", P::Always, "honest bits per weight of this layer (§7 [derived])"},
      {L::Linear, "paper_bits", A, T::Float64, "scalar", P::Always, "bits per weight as the paper counts (§7)"},
      {L::Linear, "error_bound", A, T::Float64, "scalar", P::Always,
       "paper eq. (4) at the analytic initialisation: sum_j s_j sum_i abs(W0_ij - W_ij)"},
      {L::Linear, "relative_error", A, T::Float64, "scalar", P::Always,
       "norm_F(W0 - W) / norm_F(W) at the analytic initialisation"},
      {L::Linear, "concentration_in_mask", A, T::Float64, "scalar", P::Always,
       "share of the K = n k largest abs(W_ij) inside the mask's columns (docs/preprocess.md; format 3)"},
      {L::Linear, "concentration_top_rows", A, T::Float64, "scalar", P::Always,
       "share of those K weights in the 20 % of rows holding most of them (docs/preprocess.md; format 3)"},
      {L::Linear, "learned_error_bound", A, T::Float64, "scalar", P::Quantized, "eq. (4) sum for the final W'"},
      {L::Linear, "learned_relative_error", A, T::Float64, "scalar", P::Quantized, "norm_F(W' - W) / norm_F(W)"},
      {L::Linear, "act_max_abs", D, T::Float32, "[m]", P::Always, "max abs(x_j) over the calibration tokens"},
      {L::Linear, "act_mean_abs", D, T::Float32, "[m]", P::Always, "mean abs(x_j) over the calibration tokens"},
      {L::Linear, "mask", D, T::UInt8, "[m]", P::Always, "1 for salient input channels (§2.2)"},
      {L::Linear, "salient_indices", D, T::Int32, "[k]", P::Always, "salient input channels, ascending"},
      {L::Linear, "mu", D, T::Float32, "[n]", P::Always, "row means of the binarised part (§4.1)"},
      {L::Linear, "alpha_init", D, T::Float32, "[n]", P::Always, "analytic alpha (§4.1)"},
      {L::Linear, "alpha", D, T::Float32, "[n]", P::Quantized, "alpha after training"},
      {L::Linear, "r1", D, T::Float32, "[n]", P::Quantized, "row scales after training"},
      {L::Linear, "r2", D, T::Float32, "[m]", P::Quantized, "column scales after training"},
      {L::Linear, "saliency_map", D, T::Float32, "[R, C]", P::Always,
       "abs(W) max-pooled to at most 256 x 256: R = ceil(n / pool_rows), C = ceil(m / pool_cols)"},
      {L::Linear, "salient_weights", D, T::Int32, "[K, 2]", P::Always,
       "(row, col) of the largest abs(W_ij) (PB-LLM magnitude criterion), row-major order"},

      {L::SaliencyMap, "pool_rows", A, T::Int64, "scalar", P::Always, "rows of W per map cell"},
      {L::SaliencyMap, "pool_cols", A, T::Int64, "scalar", P::Always, "columns of W per map cell"},
      {L::SalientWeights, "ratio", A, T::Float64, "scalar", P::Always, "fraction of n*m asked for (salient ratio)"},
      {L::SalientWeights, "requested", A, T::Int64, "scalar", P::Always,
       "round(ratio * n * m); K = min(requested, 65536)"},

      {L::Loss, "step", D, T::Int64, "[S]", P::Quantized, "optimiser step counted over the whole pass"},
      {L::Loss, "epoch", D, T::Int64, "[S]", P::Quantized, "0-based epoch"},
      {L::Loss, "sample", D, T::Int64, "[S]", P::Quantized, "0-based calibration window"},
      {L::Loss, "mse_fp", D, T::Float64, "[S]", P::Quantized, "MSE(T1, Yq) (§5.1)"},
      {L::Loss, "mse_q", D, T::Float64, "[S]", P::Quantized, "MSE(T2, Yq)"},
      {L::Loss, "nlc_fp", D, T::Float64, "[S]", P::Quantized, "-log abs(mean_t cos(Yq_t, T1_t))"},
      {L::Loss, "nlc_q", D, T::Float64, "[S]", P::Quantized, "-log abs(mean_t cos(T2_t, Yq_t))"},
      {L::Loss, "total", D, T::Float64, "[S]", P::Quantized, "the loss of the step, before its update"},
  };
  return entries;
}

std::string location_pattern(DumpLocation location) {
  switch (location) {
    case L::Root: return "/";
    case L::Block: return "/blocks/NNN";
    case L::Linear: return "/blocks/NNN/LINEAR";
    case L::SaliencyMap: return "/blocks/NNN/LINEAR/saliency_map";
    case L::SalientWeights: return "/blocks/NNN/LINEAR/salient_weights";
    case L::Loss: return "/blocks/NNN/loss";
  }
  return "?";
}

std::string kind_name(DumpKind kind) { return kind == K::Attribute ? "attribute" : "dataset"; }

std::string type_name(DumpType type) {
  switch (type) {
    case T::String: return "string";
    case T::Int64: return "int64";
    case T::UInt64: return "uint64";
    case T::UInt8: return "uint8";
    case T::Int32: return "int32";
    case T::Float32: return "float32";
    case T::Float64: return "float64";
  }
  return "?";
}

std::string presence_name(DumpPresence presence) { return presence == P::Always ? "always" : "quantize"; }

bool location_of(const std::string& path, DumpLocation& location) {
  std::vector<std::string> parts;
  for (size_t i = 1; i <= path.size();) {
    const size_t slash = path.find('/', i);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    parts.push_back(path.substr(i, end - i));
    i = end + 1;
  }
  if (path == "/") {
    location = L::Root;
    return true;
  }
  auto is_block = [](const std::string& s) {
    if (s.size() < 3) return false;
    for (char c : s)
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
  };
  if (parts.size() < 2 || parts[0] != "blocks" || !is_block(parts[1])) return false;
  if (parts.size() == 2)
    location = L::Block;
  else if (parts.size() == 3)
    location = parts[2] == "loss" ? L::Loss : L::Linear;
  else if (parts.size() == 4 && parts[2] != "loss" && parts[3] == "saliency_map")
    location = L::SaliencyMap;
  else if (parts.size() == 4 && parts[2] != "loss" && parts[3] == "salient_weights")
    location = L::SalientWeights;
  else
    return false;
  return true;
}

}  // namespace analysis
