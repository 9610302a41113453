// `quantlens dump`: an HDF5 analysis dump of a model under PTQ1.61's analysis (statistics,
// masks, the analytic initialisation and its error bound, saliency maps); no optimisation.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "analysis/dump_writer.h"
#include "analysis/ptq161_dump.h"
#include "calibration_args.h"
#include "command_support.h"
#include "quantcore/io/read_file.h"
#include "commands.h"
#include "quantcore/calib/activation_stats_cache.h"
#include "quantcore/io/errors.h"
#include "terminal_progress.h"

namespace quantlens_cli {

namespace {

struct DumpArgs {
  CalibrationArgs calibration;
  double salient_ratio = 0.2;
  int salient_bits = 4;
  std::string mask_stat = "max";
  std::string out;
  bool force = false;
};

}  // namespace

void define_dump(CLI::App& sub, Action& action) {
  auto model = std::make_shared<ModelArgs>();
  auto device = std::make_shared<DeviceArgs>();
  auto out = std::make_shared<OutputArgs>();
  auto a = std::make_shared<DumpArgs>();
  model->add_to(sub);
  a->calibration.add_to(sub);
  sub.add_option("--salient-ratio", a->salient_ratio, "Fraction of salient input channels")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub.add_option("--salient-bits", a->salient_bits, "Bits of the salient weights")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  sub.add_option("--mask-stat", a->mask_stat, "Salient channel statistic")
      ->check(CLI::IsMember({"max", "mean", "none"}))
      ->capture_default_str();
  sub.add_option("--device", device->compute.device, "cpu or cuda")->capture_default_str();
  sub.add_option("--out", a->out, "HDF5 file to write (atomically)")->required();
  sub.add_flag("--force", a->force, "Replace an existing --out file");
  out->add_to(sub);
  action = [model, device, out, a] {
    const auto t0 = std::chrono::steady_clock::now();
    const std::filesystem::path dest = a->out;
    analysis::check_dump_destination(dest, a->force);
    const std::string text = quantcore::read_file(a->calibration.text);

    device->compute.dtype = "fp32";  // quantize's default: the same statistics (and cache entries)
    LoadedModel loaded = model->load(*device);
    const quantcore::ModelSpec& spec = loaded.checkpoint.spec;
    const quantcore::CalibrationOptions calib = a->calibration.options(spec);
    const std::vector<int32_t> ids = loaded.tokenizer->encode(text);

    TerminalProgress progress(!out->quiet);
    const quantcore::ActivationStats stats = quantcore::cached_activation_stats(
        *loaded.lm, loaded.checkpoint.path, ids, calib, a->calibration.cache(), progress, interrupt_token());

    quantcore::Ptq161Options opt;
    opt.epochs = 0;
    opt.learn = false;
    opt.salient_ratio = a->salient_ratio;
    opt.salient_bits = a->salient_bits;
    opt.mask_statistic = parse_mask_statistic(a->mask_stat);
    const analysis::DumpSource source{loaded.checkpoint, stats,
                                      analysis::dump_settings(opt, calib, a->calibration.text)};
    analysis::write_statistics_dump(dest, source, progress, interrupt_token());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    if (out->json) {
      out->emit({{"out", dest.string()},
                 {"model", loaded.checkpoint.path.string()},
                 {"blocks", spec.num_layers},
                 {"linears_per_block", quantcore::block_linears(spec).size()},
                 {"seconds", seconds}});
    } else {
      std::printf("Wrote the analysis dump of %lld blocks in %.1f s -> %s\n", (long long)spec.num_layers, seconds,
                  dest.string().c_str());
    }
    return 0;
  };
}

}  // namespace quantlens_cli
