// `quantlens quantize`: PTQ1.61 over a whole model, written as an HF directory (fp16 fake-quant
// weights and the quantisation parameters) or as a packed checkpoint, plus a summary.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "command_support.h"
#include "quantcore/io/read_file.h"
#include "commands.h"
#include "quantcore/calib/activation_stats_cache.h"
#include "quantcore/calib/calibration_windows.h"
#include "quantcore/export/model_directory.h"
#include "quantcore/export/quantized_model_writers.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/io/errors.h"
#include "quantcore/optimize/ptq161_pass.h"
#include "quantize_args.h"
#include "terminal_progress.h"
#if QUANTLENS_HAVE_HDF5
#include "analysis/dump_writer.h"
#include "analysis/ptq161_dump.h"
#endif

namespace quantlens_cli {

namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace quantcore::outputs;

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

json loss_json(const quantcore::LossValues& v) {
  return {{"mse_fp", v.mse_fp}, {"mse_q", v.mse_q}, {"nlc_fp", v.nlc_fp}, {"nlc_q", v.nlc_q}, {"total", v.total}};
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
  a->add_to(sub);
  sub.add_option("--device", device->compute.device, "cpu or cuda")->capture_default_str();
  sub.add_option("--dtype", device->compute.dtype, "Compute dtype: fp32, or bf16")->capture_default_str();
  out->add_to(sub);
  action = [model, device, out, a] {
    const auto t0 = std::chrono::steady_clock::now();
    const fs::path dest = checked_destination(a->out, a->force);
#if QUANTLENS_HAVE_HDF5
    if (!a->dump.empty()) analysis::check_dump_destination(a->dump, a->force);
#endif
    const std::string text = quantcore::read_file(a->calibration.text);

    // fp32 master parameters always (§5.2); the block computes in fp32 or bf16. fp16 would need
    // the reference's loss scaler, which LibTorch's C++ API does not have.
    if (device->compute.dtype == "fp16")
      throw quantcore::InputError("--dtype", "fp16 training needs a loss scaler; use bf16 or fp32");
    LoadedModel loaded = model->load(*device);
    const quantcore::ModelSpec& spec = loaded.checkpoint.spec;

    const quantcore::CalibrationOptions calib = a->calibration.options(spec);
    const std::vector<int32_t> ids = loaded.tokenizer->encode(text);
    const auto windows = quantcore::calibration_windows(ids, calib);

    TerminalProgress progress(!out->quiet);
    const quantcore::ActivationStats stats = quantcore::cached_activation_stats(
        *loaded.lm, loaded.checkpoint.path, ids, calib, a->calibration.cache(), progress, interrupt_token());

    const quantcore::Ptq161Options opt = a->ptq161_options();
    LastLosses losses;
#if QUANTLENS_HAVE_HDF5
    analysis::LossCurveRecorder events(losses);
#else
    quantcore::OptimizationEvents& events = losses;
#endif
    const quantcore::Ptq161Result result =
        quantcore::run_ptq161(*loaded.lm, windows, stats, opt, events, progress, interrupt_token());
    const double quantize_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
#if QUANTLENS_HAVE_HDF5
    if (!a->dump.empty()) {
      const analysis::DumpSource source{loaded.checkpoint, stats,
                                        analysis::dump_settings(opt, calib, a->calibration.text)};
      analysis::write_quantization_dump(a->dump, source, *loaded.lm, result, events, progress, interrupt_token());
    }
#endif

    // The finished run goes to the writers, all into a staging directory renamed over --out.
    const QuantizedRun run{loaded.checkpoint, *loaded.lm, result, opt};
    json blocks = json::array();
    for (const auto& [b, e] : losses.last)
      blocks.push_back({{"block", b},
                        {"epoch", e.epoch},
                        {"step", e.step},
                        {"loss", loss_json(e.loss)},
                        {"epoch_mean_total", losses.epoch_means(b)}});
    json summary = {
        {"method", "ptq161"},
        {"format", a->format == "packed" ? "ptq161-packed" : "hf"},
        {"model", loaded.checkpoint.path.string()},
        {"out", dest.string()},
        {"settings",
         {{"calib", a->calibration.text},
          {"nsamples", calib.nsamples},
          {"seqlen", calib.seqlen},
          {"seed", calib.seed},
          {"salient_ratio", opt.salient_ratio},
          {"salient_bits", opt.salient_bits},
          {"epochs", opt.epochs},
          {"lr_alpha", opt.lr_alpha},
          {"lr_r", opt.lr_r},
          {"mask_stat", a->mask_stat},
          {"learn", opt.learn},
          {"loss", a->loss},
          {"nlc", opt.loss.nlc},
          {"vector_dtype", a->vector_dtype},
          {"paper_variants",
           {{"no_mean", opt.paper.no_mean}, {"alpha_l1", opt.paper.alpha_all}, {"l2_distance", opt.loss.l2_distance}}},
          {"device", device->compute.device},
          {"dtype", device->compute.dtype},
          {"chains", a->chains}}},
        {"calib_tokens", ids.size()},
        {"bits", formula_bits(run)},
        {"blocks", blocks},
        {"seconds", quantize_seconds},
        {"peak_host_memory_bytes", peak_rss_bytes()}};

    StagingDir staging(dest);
    const fs::path& dir = staging.path();
    if (a->format == "packed")
      summary["bits_from_bytes"] = write_packed_model(run, dir);
    else
      write_fake_quant_model(run, dir);
    copy_tokenizer(loaded.checkpoint, dir);
    quantcore::write_text_atomically(dir / "summary.json", summary.dump(2) + "\n");
    interrupt_token().throw_if_requested();
    staging.commit(dest, a->force);

    if (out->json) {
      out->emit(summary);
    } else {
      std::printf("Quantized %lld blocks with PTQ1.61: %.4f bits/weight (paper formula %.4f) in %.1f s -> %s\n",
                  (long long)result.blocks.size(), summary["bits"]["bits_per_weight"].get<double>(),
                  summary["bits"]["paper_bits_per_weight"].get<double>(), quantize_seconds, dest.string().c_str());
      if (summary.contains("bits_from_bytes"))
        std::printf("Packed: %.4f bits/weight measured on the file's bytes\n",
                    summary["bits_from_bytes"]["bits_per_weight"].get<double>());
    }
    return 0;
  };
}

}  // namespace quantlens_cli
