// `quantlens quantize`: PTQ1.61 over a whole model, written as an HF directory (fp16 fake-quant
// weights) plus the quantisation parameters and a summary.
#include <ATen/ATen.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <utility>
#include <vector>

#include "command_support.h"
#include "commands.h"
#include "quantcore/calib/activation_stats_cache.h"
#include "quantcore/calib/calibration_windows.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/safetensors.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/model/tensor_from_view.h"
#include "quantcore/optimize/ptq161_pass.h"
#include "quantcore/pack/bits_accounting.h"
#include "terminal_progress.h"
#if QUANTLENS_HAVE_HDF5
#include "analysis/dump_writer.h"
#include "analysis/ptq161_dump.h"
#endif

namespace quantlens_cli {

namespace {
namespace fs = std::filesystem;
using nlohmann::json;

struct QuantizeArgs {
  std::string method = "ptq161";
  std::string calib;
  int64_t nsamples = 128;
  int64_t seqlen = 0;  // 0: 2048 capped at the context
  uint64_t seed = 2;
  double salient_ratio = 0.2;
  int salient_bits = 4;
  int64_t epochs = 20;
  double lr_alpha = 5e-4;
  double lr_r = 1e-3;
  std::string mask_stat = "max";
  bool no_learn = false;
  std::string loss = "both";
  bool no_nlc = false;
  std::vector<std::string> paper;
  std::string chains = "device";
  std::string out;
  std::string cache_dir;
  bool force = false;
  std::string dump;
};

// Keeps the last step's loss terms of every block and its mean total loss per epoch.
class LastLosses : public quantcore::OptimizationEvents {
public:
  void loss(const quantcore::LossEvent& e) override {
    last[e.block] = e;
    std::vector<std::pair<double, int64_t>>& epochs = epoch_sums[e.block];
    if (static_cast<int64_t>(epochs.size()) <= e.epoch) epochs.resize(static_cast<size_t>(e.epoch) + 1);
    epochs[static_cast<size_t>(e.epoch)].first += e.loss.total;
    epochs[static_cast<size_t>(e.epoch)].second += 1;
  }
  std::vector<double> epoch_means(int64_t block) const {
    std::vector<double> out;
    for (const auto& [sum, count] : epoch_sums.at(block)) out.push_back(sum / static_cast<double>(count));
    return out;
  }
  std::map<int64_t, quantcore::LossEvent> last;
  std::map<int64_t, std::vector<std::pair<double, int64_t>>> epoch_sums;
};

// A temporary directory beside the destination, removed unless committed.
class StagingDir {
public:
  explicit StagingDir(const fs::path& dest) {
    std::string tmpl = dest.string() + ".tmp-XXXXXX";
    if (!mkdtemp(tmpl.data())) throw quantcore::InputError(dest.string(), "cannot create a directory beside it");
    path_ = tmpl;
    // mkdtemp makes it private; the result should look like any directory the user creates.
    const mode_t mask = umask(0);
    umask(mask);
    fs::permissions(path_, static_cast<fs::perms>(0777 & ~mask));
  }
  ~StagingDir() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  const fs::path& path() const { return path_; }
  void commit(const fs::path& dest, bool force) {
    std::error_code ec;
    if (fs::exists(dest)) {
      if (fs::is_directory(dest) && fs::is_empty(dest)) fs::remove(dest);
      else if (force) fs::remove_all(dest);
      else throw quantcore::InputError(dest.string(), "exists and is not empty; pass --force to replace it");
    }
    fs::rename(path_, dest);
    path_.clear();
  }

private:
  fs::path path_;
};

void check_destination(const fs::path& dest, bool force) {
  if (!fs::exists(dest) || force) return;
  if (fs::is_directory(dest) && fs::is_empty(dest)) return;
  throw quantcore::InputError(dest.string(), "exists and is not empty; pass --force to replace it");
}

int64_t choose_seqlen(int64_t requested, const quantcore::ModelSpec& spec) {
  const int64_t cap = spec.max_position_embeddings;
  if (requested == 0) return std::min<int64_t>(2048, cap);
  if (requested > cap)
    throw quantcore::InputError("--seqlen", std::to_string(requested) + " exceeds the model's context of " +
                                                std::to_string(cap));
  return requested;
}

quantcore::MaskStatistic mask_statistic(const std::string& s) {
  if (s == "mean") return quantcore::MaskStatistic::MeanAbs;
  if (s == "none") return quantcore::MaskStatistic::None;
  return quantcore::MaskStatistic::MaxAbs;
}

// --paper: the spec §11 readings of the paper where it differs from the official code.
void apply_paper_variants(const std::vector<std::string>& names, quantcore::Ptq161Options& opt) {
  for (const std::string& n : names) {
    const bool all = n == "all";
    if (all || n == "no-mean") opt.paper.no_mean = true;
    if (all || n == "alpha-l1") opt.paper.alpha_all = true;
    if (all || n == "l2-distance") opt.loss.l2_distance = true;
  }
}

json loss_json(const quantcore::LossValues& v) {
  return {{"mse_fp", v.mse_fp}, {"mse_q", v.mse_q}, {"nlc_fp", v.nlc_fp}, {"nlc_q", v.nlc_q}, {"total", v.total}};
}

void add_tensor(quantcore::SafetensorsWriter& w, const std::string& name, const at::Tensor& t) {
  at::Tensor c = t.detach().to(at::kCPU).contiguous();
  quantcore::DType d;
  switch (c.scalar_type()) {
    case at::kFloat: d = quantcore::DType::F32; break;
    case at::kHalf: d = quantcore::DType::F16; break;
    case at::kBFloat16: d = quantcore::DType::BF16; break;
    case at::kByte: d = quantcore::DType::U8; break;
    case at::kBool: d = quantcore::DType::BOOL; break;
    case at::kInt: d = quantcore::DType::I32; break;
    case at::kLong: d = quantcore::DType::I64; break;
    default: c = c.to(at::kFloat); d = quantcore::DType::F32; break;
  }
  w.add(name, d, c.sizes().vec(), c.data_ptr(), c.nbytes());
}

// config.json of the quantised model: the source's (dtype set to float16), or for a llama2.c
// import an HF LlamaForCausalLM config (wq/wk are already in HF's rotate-half layout).
json output_config(const quantcore::Checkpoint& ck) {
  const quantcore::ModelSpec& s = ck.spec;
  if (ck.format == quantcore::CheckpointFormat::HfDirectory) {
    json c = json::parse(read_text_file((ck.path / "config.json").string()));
    if (c.contains("dtype")) c["dtype"] = "float16";
    else c["torch_dtype"] = "float16";
    return c;
  }
  json c = {{"architectures", {"LlamaForCausalLM"}},
            {"model_type", "llama"},
            {"hidden_size", s.hidden_size},
            {"intermediate_size", s.intermediate_size},
            {"num_hidden_layers", s.num_layers},
            {"num_attention_heads", s.num_heads},
            {"num_key_value_heads", s.num_kv_heads},
            {"head_dim", s.head_dim},
            {"vocab_size", s.vocab_size},
            {"max_position_embeddings", s.max_position_embeddings},
            {"rms_norm_eps", s.norm_eps},
            {"rope_theta", s.rope.theta},
            {"hidden_act", "silu"},
            {"attention_bias", false},
            {"mlp_bias", false},
            {"tie_word_embeddings", s.tie_word_embeddings},
            {"torch_dtype", "float16"}};
  if (s.bos_token_id) c["bos_token_id"] = *s.bos_token_id;
  if (s.eos_token_id) c["eos_token_id"] = *s.eos_token_id;
  return c;
}

void copy_tokenizer(const quantcore::Checkpoint& ck, const fs::path& dir) {
  const fs::path& tok = ck.tokenizer_path;
  if (fs::is_directory(tok)) {
    for (const char* f : {"tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json",
                          "vocab.json", "merges.txt", "generation_config.json", "tokenizer.bin"}) {
      if (fs::is_regular_file(tok / f)) fs::copy_file(tok / f, dir / f);
    }
  } else if (tok.extension() == ".bin") {
    fs::copy_file(tok, dir / "tokenizer.bin");
  } else {
    fs::copy_file(tok, dir / tok.filename());
  }
}

int64_t peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return int64_t(u.ru_maxrss) * 1024;
}
}  // namespace

void define_quantize(CLI::App& sub, Action& action) {
  auto model = std::make_shared<ModelArgs>();
  auto device = std::make_shared<DeviceArgs>();
  auto out = std::make_shared<OutputArgs>();
  auto a = std::make_shared<QuantizeArgs>();
  model->add_to(sub);
  sub.add_option("--method", a->method, "Quantization method")->check(CLI::IsMember({"ptq161"}))->capture_default_str();
  sub.add_option("--calib", a->calib, "Calibration text file")->required();
  sub.add_option("--nsamples", a->nsamples, "Calibration windows")->check(CLI::PositiveNumber)->capture_default_str();
  sub.add_option("--seqlen", a->seqlen, "Window length (default 2048, capped at the model's context)")
      ->check(CLI::PositiveNumber);
  sub.add_option("--seed", a->seed, "Seed of the window draw")->capture_default_str();
  sub.add_option("--salient-ratio", a->salient_ratio, "Fraction of salient input channels")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  sub.add_option("--salient-bits", a->salient_bits, "Bits of the salient weights")->check(CLI::Range(1, 8))
      ->capture_default_str();
  sub.add_option("--epochs", a->epochs, "Training epochs per block")->check(CLI::NonNegativeNumber)->capture_default_str();
  sub.add_option("--lr-alpha", a->lr_alpha, "Learning rate of alpha")->capture_default_str();
  sub.add_option("--lr-r", a->lr_r, "Learning rate of r1, r2")->capture_default_str();
  sub.add_option("--mask-stat", a->mask_stat, "Salient channel statistic")
      ->check(CLI::IsMember({"max", "mean", "none"}))->capture_default_str();
  sub.add_flag("--no-learn", a->no_learn, "Analytic alpha, r1 = r2 = 1, no training");
  sub.add_option("--loss", a->loss, "Loss terms")->check(CLI::IsMember({"both", "fp-only"}))->capture_default_str();
  sub.add_flag("--no-nlc", a->no_nlc, "MSE terms only");
  sub.add_option("--paper", a->paper,
                 "Follow the paper instead of the official code (spec §11): no-mean (D2), alpha-l1 (D6), "
                 "l2-distance (D3), all")
      ->delimiter(',')
      ->check(CLI::IsMember({"no-mean", "alpha-l1", "l2-distance", "all"}));
  sub.add_option("--device", device->compute.device, "cpu or cuda")->capture_default_str();
  sub.add_option("--dtype", device->compute.dtype, "Compute dtype: fp32, or bf16 (cuda)")->capture_default_str();
  sub.add_option("--chains", a->chains, "Where the calibration chains live: device, or host when the device is short")
      ->check(CLI::IsMember({"device", "host"}))
      ->capture_default_str();
  sub.add_option("--out", a->out, "Output directory (written atomically)")->required();
  sub.add_flag("--force", a->force, "Replace a non-empty --out directory");
  sub.add_option("--cache-dir", a->cache_dir, "Activation statistics cache (default ~/.cache/quantlens)");
#if QUANTLENS_HAVE_HDF5
  sub.add_option("--dump", a->dump, "Also write an HDF5 analysis dump (docs/hdf5-dump.md)");
#endif
  out->add_to(sub);
  action = [model, device, out, a] {
    const auto t0 = std::chrono::steady_clock::now();
    fs::path dest = fs::absolute(a->out).lexically_normal();
    if (!dest.has_filename()) dest = dest.parent_path();
    check_destination(dest, a->force);
#if QUANTLENS_HAVE_HDF5
    if (!a->dump.empty()) analysis::check_dump_destination(a->dump, a->force);
#endif
    const std::string text = read_text_file(a->calib);

    // fp32 master parameters always (§5.2); the block computes in fp32 or bf16. fp16 would need
    // the reference's loss scaler, which LibTorch's C++ API does not have.
    if (device->compute.dtype == "fp16")
      throw quantcore::InputError("--dtype", "fp16 training needs a loss scaler; use bf16 or fp32");
    LoadedModel loaded = model->load(*device);
    quantcore::CausalLM& lm = *loaded.lm;
    const quantcore::ModelSpec& spec = loaded.checkpoint.spec;

    quantcore::CalibrationOptions calib;
    calib.nsamples = a->nsamples;
    calib.seqlen = choose_seqlen(a->seqlen, spec);
    calib.seed = a->seed;
    const std::vector<int32_t> ids = loaded.tokenizer->encode(text);
    const auto windows = quantcore::calibration_windows(ids, calib);

    TerminalProgress progress(!out->quiet);
    std::optional<fs::path> cache;
    if (!a->cache_dir.empty()) cache = fs::path(a->cache_dir);
    const quantcore::ActivationStats stats = quantcore::cached_activation_stats(
        lm, loaded.checkpoint.path, ids, calib, cache, progress, interrupt_token());

    quantcore::Ptq161Options opt;
    opt.epochs = a->epochs;
    opt.lr_alpha = a->lr_alpha;
    opt.lr_r = a->lr_r;
    opt.salient_ratio = a->salient_ratio;
    opt.salient_bits = a->salient_bits;
    opt.learn = !a->no_learn;
    opt.loss.quantized_branch = a->loss == "both";
    opt.loss.nlc = !a->no_nlc;
    opt.mask_statistic = mask_statistic(a->mask_stat);
    apply_paper_variants(a->paper, opt);
    opt.chains = a->chains == "host" ? quantcore::ChainPlacement::Host : quantcore::ChainPlacement::Device;
    LastLosses losses;
#if QUANTLENS_HAVE_HDF5
    analysis::LossCurveRecorder events(losses);
#else
    quantcore::OptimizationEvents& events = losses;
#endif
    const quantcore::Ptq161Result result =
        quantcore::run_ptq161(lm, windows, stats, opt, events, progress, interrupt_token());
    const double quantize_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
#if QUANTLENS_HAVE_HDF5
    if (!a->dump.empty()) {
      const analysis::DumpSource source{loaded.checkpoint, stats, analysis::dump_settings(opt, calib, a->calib)};
      analysis::write_quantization_dump(a->dump, source, lm, result, events, progress, interrupt_token());
    }
#endif

    // Bits per weight, per layer and whole.
    quantcore::BitsOptions bits_opt;
    bits_opt.salient_bits = a->salient_bits;
    std::vector<quantcore::QuantizedLinear> qlinears;
    json layers = json::array();
    const auto shapes = quantcore::block_linears(spec);
    for (const auto& block : result.blocks) {
      for (size_t j = 0; j < block.linears.size(); ++j) {
        const auto& l = block.linears[j];
        quantcore::QuantizedLinear q{shapes.at(j), l.mask.defined() ? l.mask.sum().item<int64_t>() : 0};
        q.shape.name = "model.layers." + std::to_string(block.block) + "." + l.name;
        qlinears.push_back(q);
        const auto lb = quantcore::layer_bits(q, bits_opt);
        layers.push_back({{"name", q.shape.name}, {"out_features", lb.out_features},
                          {"in_features", lb.in_features}, {"salient_columns", lb.salient_columns},
                          {"bits_per_weight", lb.bits_per_weight},
                          {"paper_bits_per_weight", lb.paper.bits_per_weight}});
      }
    }
    const auto mb = quantcore::model_bits(qlinears, bits_opt);
    const auto all = quantcore::all_parameters_bits(mb, quantcore::unquantized_tensors(spec, 16));
    json blocks = json::array();
    for (const auto& [b, e] : losses.last)
      blocks.push_back({{"block", b}, {"epoch", e.epoch}, {"step", e.step}, {"loss", loss_json(e.loss)},
                        {"epoch_mean_total", losses.epoch_means(b)}});

    // Write everything into a staging directory, then rename it over --out.
    StagingDir staging(dest);
    const fs::path& dir = staging.path();
    quantcore::write_text_atomically(dir / "config.json", output_config(loaded.checkpoint).dump(2) + "\n");
    copy_tokenizer(loaded.checkpoint, dir);

    std::map<std::string, std::pair<int64_t, std::string>> quantised;  // tensor name -> (block, linear)
    {
      std::set<std::string> linear_names;
      for (const auto& s : shapes) linear_names.insert(s.name);
      static const std::regex re(R"(^(.*\.)?layers\.(\d+)\.(.+)\.weight$)");
      for (const auto& e : quantcore::expected_tensors(spec)) {
        std::smatch m;
        if (std::regex_match(e.name, m, re) && linear_names.count(m[3].str()))
          quantised[e.name] = {std::stoll(m[2].str()), m[3].str()};
      }
    }
    {
      quantcore::SafetensorsWriter w;
      for (const auto& e : quantcore::expected_tensors(spec)) {
        at::Tensor t;
        if (auto it = quantised.find(e.name); it != quantised.end()) {
          t = lm.linear_weight(it->second.first, it->second.second);
        } else {
          t = quantcore::tensor_from_view(*loaded.checkpoint.weights->find(e.name), at::kFloat, at::Device(at::kCPU));
        }
        add_tensor(w, e.name, t.to(at::kCPU).to(at::kHalf));
      }
      w.set_metadata("format", "pt");
      w.write(dir / "model.safetensors");
    }
    {
      quantcore::SafetensorsWriter w;
      for (const auto& block : result.blocks) {
        for (const auto& l : block.linears) {
          const std::string p = "model.layers." + std::to_string(block.block) + "." + l.name + ".";
          const std::pair<const char*, const at::Tensor*> fields[] = {
              {"mask", &l.mask}, {"mean", &l.mean},   {"alpha", &l.alpha}, {"r1", &l.r1},
              {"r2", &l.r2},     {"scale", &l.scale}, {"zero", &l.zero},   {"codes", &l.codes}};
          for (const auto& [f, t] : fields)
            if (t->defined()) add_tensor(w, p + f, *t);
        }
      }
      w.set_metadata("method", "ptq161");
      w.write(dir / "quantization.safetensors");
    }

    json summary = {
        {"method", "ptq161"},
        {"model", loaded.checkpoint.path.string()},
        {"out", dest.string()},
        {"settings",
         {{"calib", a->calib}, {"nsamples", calib.nsamples}, {"seqlen", calib.seqlen}, {"seed", calib.seed},
          {"salient_ratio", opt.salient_ratio}, {"salient_bits", opt.salient_bits}, {"epochs", opt.epochs},
          {"lr_alpha", opt.lr_alpha}, {"lr_r", opt.lr_r}, {"mask_stat", a->mask_stat}, {"learn", opt.learn},
          {"loss", a->loss}, {"nlc", opt.loss.nlc},
          {"paper_variants",
           {{"no_mean", opt.paper.no_mean}, {"alpha_l1", opt.paper.alpha_all}, {"l2_distance", opt.loss.l2_distance}}},
          {"device", device->compute.device}, {"dtype", device->compute.dtype}, {"chains", a->chains}}},
        {"calib_tokens", ids.size()},
        {"bits",
         {{"bits_per_weight", mb.bits_per_weight},
          {"paper_bits_per_weight", mb.paper_bits_per_weight},
          {"quantized_weights", mb.quantized_weights},
          {"total_bits", mb.total_bits},
          {"bits_per_parameter_including_unquantized", all.bits_per_parameter_including_unquantized},
          {"layers", layers}}},
        {"blocks", blocks},
        {"seconds", quantize_seconds},
        {"peak_host_memory_bytes", peak_rss_bytes()}};
    quantcore::write_text_atomically(dir / "summary.json", summary.dump(2) + "\n");
    staging.commit(dest, a->force);

    if (out->json) {
      out->emit(summary);
    } else {
      std::printf("Quantized %lld blocks with PTQ1.61: %.4f bits/weight (paper formula %.4f) in %.1f s -> %s\n",
                  (long long)result.blocks.size(), mb.bits_per_weight, mb.paper_bits_per_weight, quantize_seconds,
                  dest.string().c_str());
    }
    return 0;
  };
}

}  // namespace quantlens_cli
