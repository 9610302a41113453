// `quantlens compare`: several methods on the same calibration windows, evaluated the same way,
// as one table (stdout, and with --out also Markdown, CSV, JSON and an SVG figure).
#include <cstdio>
#include <filesystem>
#include <memory>

#include "analysis/compare_directory.h"
#include "analysis/compare_job.h"
#include "analysis/compare_report.h"
#include "calibration_args.h"
#include "command_support.h"
#include "commands.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/errors.h"
#include "quantcore/methods/method_settings.h"
#include "terminal_progress.h"

namespace quantlens_cli {

namespace {
namespace fs = std::filesystem;

struct CompareArgs {
  std::string methods;
  CalibrationArgs calibration;
  std::string text;
  int64_t eval_seqlen = 0;  // 0: the calibration's window length
  int64_t max_windows = 0;
  std::string task;
  std::string task_data;
  int64_t limit = 0;
  bool no_layer_errors = false;
  std::string out;
  bool force = false;
};

// "[2/5] gptq:bits=3: 3.042 stored bits/weight, PPL 71.47 (12.3 s)" as each row finishes.
class RowPrinter : public analysis::CompareListener {
public:
  RowPrinter(TerminalProgress& progress, size_t total) : progress_(progress), total_(total) {}
  void row_finished(size_t index, const analysis::CompareRow& row) override {
    char line[512];
    std::snprintf(line, sizeof line, "[%zu/%zu] %s: %.3f stored bits/weight, PPL %.3f (%.1f s)", index + 1, total_,
                  row.spelling.c_str(), row.stored_bits, row.perplexity.ppl, row.seconds);
    progress_.note(line);
    for (const std::string& n : row.notices) progress_.note("notice: " + n);
  }

private:
  TerminalProgress& progress_;
  size_t total_;
};

std::optional<analysis::CompareTask> task_of(const CompareArgs& a, int64_t context) {
  if (a.task.empty()) {
    if (!a.task_data.empty()) throw quantcore::InputError("--task-data", "given without --task");
    return std::nullopt;
  }
  const analysis::ZeroShotTask* task = analysis::find_zero_shot_task(a.task);
  if (!task)
    throw quantcore::InputError("--task",
                                "unknown task \"" + a.task + "\" (tasks: " + analysis::zero_shot_task_names() + ")");
  if (a.task_data.empty()) throw quantcore::InputError("--task-data", "--task " + a.task + " needs " + task->data);
  analysis::CompareTask t;
  t.task = task;
  t.data = a.task_data;
  t.items = task->read(a.task_data);
  if (a.limit > 0) t.options.limit = a.limit;
  t.options.max_length = context;
  t.options.data_name = a.task_data;
  return t;
}

}  // namespace

void define_compare(CLI::App& sub, Action& action) {
  auto model = std::make_shared<ModelArgs>();
  auto device = std::make_shared<DeviceArgs>();
  auto out = std::make_shared<OutputArgs>();
  auto a = std::make_shared<CompareArgs>();
  model->add_to(sub);
  sub.add_option("--methods", a->methods,
                 "Methods with settings, comma-separated (NAME[:KEY=VALUE]..., e.g. ptq161,rtn:bits=2,gptq:bits=3)")
      ->required();
  a->calibration.add_to(sub);
  sub.add_option("--text", a->text, "Text file for perplexity (the same windows for every method)")->required();
  sub.add_option("--eval-seqlen", a->eval_seqlen, "Perplexity window length (default: the calibration's)")
      ->check(positive_integer());
  sub.add_option("--max-windows", a->max_windows, "Evaluate perplexity on the first K windows only")
      ->check(positive_integer());
  sub.add_option("--task", a->task, "Zero-shot task as well: " + analysis::zero_shot_task_names(" | "));
  sub.add_option("--task-data", a->task_data, "The task's file (see `quantlens eval --help`)");
  sub.add_option("--limit", a->limit, "Zero-shot: the first N items only")->check(positive_integer());
  sub.add_flag("--no-layer-errors", a->no_layer_errors, "Skip the per-layer output errors");
  sub.add_option("--out", a->out, "Directory for compare.{json,md,csv,svg} and layer_errors.csv (written atomically)");
  sub.add_flag("--force", a->force, "Replace a --out directory written by QuantLens");
  sub.add_option("--device", device->compute.device, "cpu or cuda")->capture_default_str();
  out->add_to(sub);
  action = [model, device, out, a] {
    analysis::CompareRequest request;
    request.methods = quantcore::methods::parse_method_list(a->methods, "--methods");
    const std::string& calib = a->calibration.required_text("compare");
    std::vector<fs::path> inputs = model->inputs();
    inputs.emplace_back(calib);
    inputs.emplace_back(a->text);
    if (!a->task_data.empty()) inputs.emplace_back(a->task_data);
    std::optional<fs::path> dest;
    if (!a->out.empty()) {
      dest = quantcore::outputs::checked_destination(a->out, a->force, inputs);
      report_removed_temporaries(quantcore::outputs::remove_abandoned_staging(*dest));
    }
    const quantcore::quantize::OpenModel open = model->load(*device).open();
    const quantcore::ModelSpec& spec = open.checkpoint->spec;
    request.calib = calib;
    request.calibration = a->calibration.options(spec);
    request.cache = {true, a->calibration.cache()};
    request.text = a->text;
    request.perplexity.seqlen = a->eval_seqlen > 0 ? a->eval_seqlen : request.calibration.seqlen;
    if (request.perplexity.seqlen > spec.max_position_embeddings)
      throw quantcore::InputError("--eval-seqlen",
                                  "exceeds the model's context of " + std::to_string(spec.max_position_embeddings));
    if (a->max_windows > 0) request.perplexity.max_windows = a->max_windows;
    request.task = task_of(*a, spec.max_position_embeddings);
    request.layer_errors = !a->no_layer_errors;
    request.compute = device->compute;
    request.keep_runs = false;

    TerminalProgress progress(!out->quiet);
    RowPrinter printer(progress, request.methods.size());
    const analysis::CompareResult result = analysis::run_compare(open, request, printer, progress, interrupt_token());
    if (dest) analysis::write_compare_directory(result, *dest, a->force);
    if (out->json) {
      out->emit(analysis::compare_json(result));
    } else {
      std::printf("%s", analysis::compare_markdown(result).c_str());
      if (dest)
        std::printf("Written to %s (compare.md, compare.csv, compare.json, compare.svg, layer_errors.csv)\n",
                    dest->string().c_str());
    }
    if (result.cancelled) throw quantcore::Cancelled{};
    if (!result.failure.empty())
      throw quantcore::InputError("--methods", result.failure + " (the rows before it are kept)");
    return 0;
  };
}

}  // namespace quantlens_cli
