// `quantlens dump`: an HDF5 analysis dump of a model under PTQ1.61's analysis (statistics,
// masks, the analytic initialisation and its error bound, saliency maps); no optimisation.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "analysis/dump_writer.h"
#include "analysis/ptq161_dump.h"
#include "calibration_args.h"
#include "command_support.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/read_file.h"
#include "commands.h"
#include "quantcore/calib/activation_stats.h"
#include "quantcore/methods/ptq161/method.h"
#include "quantcore/quantize/quantize_job.h"
#include "quantcore/io/errors.h"
#include "terminal_progress.h"

namespace quantlens_cli {

namespace {
namespace ptq161 = quantcore::methods::ptq161;

// The PTQ1.61 parameters a statistics dump takes, declared (with their defaults) by the method.
constexpr const char* kDumpParameters[] = {"salient-ratio", "salient-bits", "mask-stat"};

struct DumpArgs {
  CalibrationArgs calibration;
  std::map<std::string, std::string> parameters;
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
  for (const quantcore::methods::MethodParameter& p : ptq161::method().parameters())
    for (const char* name : kDumpParameters)
      if (p.name == name)
        sub.add_option("--" + p.name, a->parameters[p.name], p.help + " (default " + p.default_value + ")");
  sub.add_option("--device", device->compute.device, "cpu or cuda")->capture_default_str();
  sub.add_option("--out", a->out, "HDF5 file to write (atomically)")->required();
  sub.add_flag("--force", a->force, "Replace an existing --out file");
  out->add_to(sub);
  action = [model, device, out, a] {
    const auto t0 = std::chrono::steady_clock::now();
    const std::filesystem::path dest = a->out;
    std::vector<std::filesystem::path> inputs = model->inputs();
    inputs.emplace_back(a->calibration.text);
    quantcore::outputs::check_output_apart_from_inputs(dest, inputs);
    analysis::check_dump_destination(dest, a->force);
    report_removed_temporaries(quantcore::remove_abandoned_temporaries(std::filesystem::absolute(dest), ""));
    // The analytic initialisation only: no training steps.
    quantcore::quantize::QuantizeSettings settings(
        quantcore::methods::parse_method_spelling(std::string(ptq161::kName) + ":epochs=0:no-learn", "quantlens dump"));
    for (const auto& [name, value] : a->parameters)
      if (!value.empty()) settings.method.set(name, value, "--" + name);
    settings.calib = a->calibration.required_text(ptq161::kName);

    device->compute.dtype = "fp32";  // quantize's default: the same statistics (and cache entries)
    const quantcore::quantize::OpenModel open = model->load(*device).open();
    const quantcore::ModelSpec& spec = open.checkpoint->spec;
    settings.model = open.checkpoint->path.string();
    settings.calibration = a->calibration.options(spec);
    settings.compute = device->compute;

    TerminalProgress progress(!out->quiet);
    const quantcore::quantize::Calibration calibration = quantcore::quantize::calibrate(
        open, settings.calib, settings.calibration, true, {true, a->calibration.cache()}, progress, interrupt_token());
    const analysis::DumpSource source{*open.checkpoint, *calibration.stats, analysis::dump_settings(settings)};
    analysis::write_statistics_dump(dest, source, progress, interrupt_token());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    if (out->json) {
      out->emit({{"out", dest.string()},
                 {"model", open.checkpoint->path.string()},
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
