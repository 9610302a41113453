// `quantlens quantize`: any registered method over a whole model (the shared quantize job),
// written as an HF directory (fp16 fake-quant weights and the method's parameters) or as a
// packed checkpoint, plus a summary.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "command_support.h"
#include "commands.h"
#include "quantcore/export/quantized_model_writers.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/errors.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/quantize/quantize_job.h"
#include "quantize_args.h"
#include "terminal_progress.h"
#if QUANTLENS_HAVE_HDF5
#include "analysis/dump_writer.h"
#include "analysis/ptq161_dump.h"
#endif

namespace quantlens_cli {

namespace {
namespace fs = std::filesystem;
using namespace quantcore::outputs;
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
  sub.add_flag_callback(
      "--reference-ops", [device] { device->compute.fused_ops = false; },
      "Un-fused ATen ops (the reference) instead of the fused W' rebuild and statistics");
  out->add_to(sub);
  action = [model, device, out, a] {
    const quantcore::methods::MethodSettings method = a->method_settings();
    const quantcore::methods::MethodNeeds needs = method.method().needs(method);
    const OutputFormat format = a->format == "packed" ? OutputFormat::Packed : OutputFormat::FakeQuantHf;
    if (format == OutputFormat::Packed && !method.method().packed_settings(method))
      throw quantcore::InputError("--format",
                                  std::string(method.method_name()) + " has no packed form; use --format hf");
    std::vector<fs::path> inputs = model->inputs();
    inputs.emplace_back(a->calibration.text);
    report_restored_output(restore_interrupted_replacement(a->out, inputs), a->out);
    const fs::path dest = checked_destination(a->out, a->force, inputs);
    report_removed_temporaries(remove_abandoned_staging(dest));
#if QUANTLENS_HAVE_HDF5
    if (!a->dump.empty()) {
      analysis::check_quantization_dump_method(method);
      check_output_apart_from_inputs(a->dump, inputs);
      // Not inside (or equal to) the output directory either, which commit() replaces.
      check_output_apart_from_inputs(a->dump, {dest}, "the output directory");
      analysis::check_dump_destination(a->dump, a->force);
      report_removed_temporaries(quantcore::remove_abandoned_temporaries(fs::absolute(a->dump), ""));
    }
#endif
    quantcore::quantize::QuantizeSettings settings(method);
    if (needs.calibration) settings.calib = a->calibration.required_text(method.method_name());
    // fp32 master parameters always (§5.2); the block computes in fp32 or bf16. fp16 would need
    // the reference's loss scaler, which LibTorch's C++ API does not have.
    if (device->compute.dtype == "fp16")
      throw quantcore::InputError("--dtype", "fp16 training needs a loss scaler; use bf16 or fp32");
    const quantcore::quantize::OpenModel open = model->load(*device).open();
    settings.model = open.checkpoint->path.string();
    settings.calibration = a->calibration.options(open.checkpoint->spec);
    settings.chains =
        a->chains == "host" ? quantcore::optimize::ChainPlacement::Host : quantcore::optimize::ChainPlacement::Device;
    settings.compute = device->compute;

    TerminalProgress progress(!out->quiet);
    TerminalNotices events(progress);
    const QuantizeResult run = quantcore::quantize::quantize(open, nullptr, settings, {true, a->calibration.cache()},
                                                             events, progress, interrupt_token());
#if QUANTLENS_HAVE_HDF5
    if (!a->dump.empty()) analysis::write_quantization_dump(a->dump, run, progress, interrupt_token());
#endif
    const nlohmann::json summary = write_quantized_directory(run, format, dest, a->force, interrupt_token());

    if (out->json) {
      out->emit(summary);
    } else {
      std::printf("Quantized %lld blocks with %s: %.4f bits/weight (paper formula %.4f) in %.1f s -> %s\n",
                  (long long)run.quantized->blocks.size(), method.spelling().c_str(),
                  summary["bits"]["bits_per_weight"].get<double>(),
                  summary["bits"]["paper_bits_per_weight"].get<double>(), run.seconds, dest.string().c_str());
      if (summary.contains("bits_from_bytes"))
        std::printf("Packed: %.4f bits/weight measured on the file's bytes\n",
                    summary["bits_from_bytes"]["bits_per_weight"].get<double>());
    }
    return 0;
  };
}

}  // namespace quantlens_cli
