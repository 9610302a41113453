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
#include "lora_args.h"
#include "preprocess_run.h"
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
constexpr const char* kPreprocessedDir = "preprocessed";
}  // namespace

void define_quantize(CLI::App& sub, Action& action) {
  auto model = std::make_shared<ModelArgs>();
  auto device = std::make_shared<DeviceArgs>();
  auto out = std::make_shared<OutputArgs>();
  auto a = std::make_shared<QuantizeArgs>();
  auto lora = std::make_shared<LoraArgs>();
  auto preprocess = std::make_shared<bool>(false);
  auto reuse_masks = std::make_shared<std::string>();
  model->add_to(sub);
  a->add_to(sub);
  sub.add_option("--reuse-masks", *reuse_masks,
                 "Keep the salient channels of this first pass's directory (the code's remain.py; default: from "
                 "this model's own statistics)");
  sub.add_flag("--preprocess", *preprocess,
               "First preprocess the model (quantlens preprocess, with the LoRA options below) and quantize M_P; "
               "M_P goes into OUT/preprocessed");
  lora->add_to(sub, false);
  sub.add_option("--device", device->compute.device, "cpu or cuda")->capture_default_str();
  sub.add_option("--dtype", device->compute.dtype, "Compute dtype: fp32, or bf16")->capture_default_str();
  sub.add_flag_callback(
      "--reference-ops", [device] { device->compute.fused_ops = false; },
      "Un-fused ATen ops (the reference) instead of the fused W' rebuild and statistics");
  out->add_to(sub);
  action = [model, device, out, a, lora, preprocess, reuse_masks] {
    const quantcore::methods::MethodSettings method = a->method_settings();
    const quantcore::methods::MethodNeeds needs = method.method().needs(method);
    const OutputFormat format = a->format == "packed" ? OutputFormat::Packed : OutputFormat::FakeQuantHf;
    if (format == OutputFormat::Packed && !method.method().packed_settings(method))
      throw quantcore::InputError("--format",
                                  std::string(method.method_name()) + " has no packed form; use --format hf");
    if (*preprocess && lora->train_text.empty())
      throw quantcore::InputError("--train-text", "--preprocess trains restorative LoRA on a text; name it");
    if (!*preprocess && lora->resume)
      throw quantcore::InputError("--resume", "continues an unfinished --preprocess run; add --preprocess");
    if (!*preprocess && !lora->train_text.empty())
      throw quantcore::InputError("--train-text", "is for --preprocess (or quantlens preprocess)");
    std::vector<fs::path> inputs = model->inputs();
    inputs.emplace_back(a->calibration.text);
    if (*preprocess) inputs.emplace_back(lora->train_text);
    if (!reuse_masks->empty()) inputs.emplace_back(*reuse_masks);
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
    QuantizeArgs::check_compute(device->compute);
    const quantcore::quantize::OpenModel given = model->load(*device).open();
    quantcore::quantize::QuantizeSettings settings = a->settings(given, device->compute);

    // --preprocess: M_P is made in DEST.preprocess-partial first, then quantised like any model;
    // its files are hard-linked into the staged output, and the work directory is removed only
    // once the output is committed (a failed commit keeps it for --resume).
    std::optional<PreprocessOutcome> preprocessed;
    quantcore::quantize::OpenModel open = given;
    if (*preprocess && !reuse_masks->empty())
      throw quantcore::InputError("--reuse-masks",
                                  "with --preprocess the first pass is this run's own; run quantlens "
                                  "preprocess, then quantize M_P --reuse-masks M_P/first-pass");
    if (*preprocess) {
      const fs::path work = quantcore::preprocess::prepared_work_directory(dest, a->force, lora->resume, inputs);
      quantcore::preprocess::PreprocessSettings p(settings);
      p.lora = lora->lora;
      p.training = lora->training_for(given.checkpoint->spec);
      p.train_text = lora->train_text;
      preprocessed = run_preprocessing({&given, &p, work, lora->resume, a->calibration.cache_dir, "", 0, out->quiet});
      preprocessed->result.first_pass = {};  // only M_P is needed from here on
      open = quantcore::quantize::open_model(work.string(), device->compute);
      settings = a->settings(open, device->compute);
    }
    settings.reuse_masks = *reuse_masks;

    TerminalProgress progress(!out->quiet);
    TerminalNotices events(progress);
    const QuantizeResult run = quantcore::quantize::quantize(open, nullptr, settings, {true, a->calibration.cache()},
                                                             events, progress, interrupt_token());
#if QUANTLENS_HAVE_HDF5
    if (!a->dump.empty()) analysis::write_quantization_dump(a->dump, run, progress, interrupt_token());
#endif
    nlohmann::json extra = nlohmann::json::object();
    std::function<void(const fs::path&)> fill_more;
    QuantizeResult shown = run;
    if (preprocessed) {
      // The run quantised the work directory; its files end up in DEST/preprocessed.
      shown.settings.model = (dest / kPreprocessedDir).string();
      extra["preprocessed"] = {{"dir", kPreprocessedDir}, {"source", given.checkpoint->path.string()}};
      fill_more = [&](const fs::path& staging) {
        quantcore::preprocess::link_preprocessed(preprocessed->result, preprocessed->record,
                                                 staging / kPreprocessedDir);
      };
    }
    const nlohmann::json summary =
        write_quantized_directory(shown, format, dest, a->force, interrupt_token(), extra, fill_more);
    if (preprocessed) fs::remove_all(preprocessed->result.work);

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
