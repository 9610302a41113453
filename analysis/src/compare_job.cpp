#include "analysis/compare_job.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>

#include "analysis/run_perplexity.h"
#include "quantcore/export/quantized_model_writers.h"
#include "quantcore/io/peak_memory.h"
#include "quantcore/io/read_file.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/tokenize/tokenizer.h"

namespace analysis {

namespace fs = std::filesystem;
namespace qq = quantcore::quantize;

namespace {

// Bits per weight measured on the bytes of the method's packed file, written to a scratch
// directory that is removed again.
std::optional<double> packed_bits_from_bytes(const qq::QuantizeResult& run, size_t index,
                                             const quantcore::CancelToken& cancel) {
  if (!run.settings.method.method().packed_settings(run.settings.method)) return std::nullopt;
  const fs::path scratch =
      fs::temp_directory_path() / ("quantlens-compare-" + std::to_string(getpid()) + "-" + std::to_string(index));
  struct Remove {
    fs::path path;
    ~Remove() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } remove{scratch};
  fs::create_directories(scratch);
  return quantcore::outputs::write_packed_model(run, scratch, cancel).at("bits_per_weight").get<double>();
}

ZeroShotResult zero_shot(const quantcore::CausalLM& model, const quantcore::Tokenizer& tokenizer,
                         const CompareTask& task, quantcore::ProgressSink& progress,
                         const quantcore::CancelToken& cancel) {
  return evaluate_zero_shot(model, tokenizer, *task.task, task.items, task.options, progress, cancel);
}

// The per-layer errors' X: the first perplexity windows (at most kLayerErrorWindows), held out
// from calibration so that a method fitted to its calibration inputs is not favoured.
constexpr int64_t kLayerErrorWindows = 16;
std::vector<std::vector<int32_t>> held_out_windows(const std::vector<int32_t>& ids, const PerplexityOptions& o) {
  const int64_t available = static_cast<int64_t>(ids.size()) / o.seqlen;
  const int64_t count = std::min({available, o.max_windows.value_or(available), kLayerErrorWindows});
  std::vector<std::vector<int32_t>> out;
  for (int64_t w = 0; w < count; ++w) out.emplace_back(ids.begin() + w * o.seqlen, ids.begin() + (w + 1) * o.seqlen);
  return out;
}

CompareRow run_one(const qq::OpenModel& open, const qq::Calibration& calibration, const CompareRequest& request,
                   const quantcore::methods::MethodSettings& method, const std::vector<int32_t>& text_ids,
                   const std::vector<std::vector<int32_t>>& held_out, size_t index, quantcore::ProgressSink& progress,
                   const quantcore::CancelToken& cancel) {
  quantcore::reset_peak_rss();
  qq::QuantizeSettings settings(method);
  settings.model = open.checkpoint->path.string();
  settings.calib = request.calib;
  settings.calibration = request.calibration;
  settings.chains = request.chains;
  settings.compute = request.compute;
  quantcore::NullOptimizationEvents events;
  auto run = std::make_shared<const qq::QuantizeResult>(
      qq::quantize(open, &calibration, settings, request.cache, events, progress, cancel));

  CompareRow row;
  row.method = std::string(method.method_name());
  row.spelling = method.spelling();
  row.parameters = method.to_json();
  row.settings = qq::settings_json(run->settings);
  row.seconds = run->seconds;
  row.notices = run->losses.notices();
  const nlohmann::json bits = quantcore::outputs::bits_json(*run);
  row.paper_bits = bits.at("paper_bits_per_weight").get<double>();
  row.stored_bits = bits.at("bits_per_weight").get<double>();
  row.bits_from_bytes = packed_bits_from_bytes(*run, index, cancel);

  const std::shared_ptr<quantcore::CausalLM> quantized = qq::quantized_model(*run);
  PerplexityOptions ppl = request.perplexity;
  ppl.text_name = request.text;
  row.perplexity = evaluate_perplexity(*quantized, text_ids, ppl, progress, cancel);
  if (request.task) row.accuracy = zero_shot(*quantized, *open.tokenizer, *request.task, progress, cancel);
  if (request.layer_errors)
    row.layer_errors = layer_output_errors(*open.model, *run->quantized, held_out, progress, cancel);
  row.peak_memory_bytes = quantcore::peak_rss_bytes();
  row.run = std::move(run);
  return row;
}

}  // namespace

nlohmann::json compare_setup_json(const CompareRequest& r) {
  nlohmann::json task;
  if (r.task)
    task = {{"task", r.task->task->name},
            {"data", r.task->data},
            {"limit", r.task->options.limit ? nlohmann::json(*r.task->options.limit) : nlohmann::json()}};
  return {{"calib", r.calib},
          {"nsamples", r.calibration.nsamples},
          {"calib_seqlen", r.calibration.seqlen},
          {"seed", r.calibration.seed},
          {"text", r.text},
          {"eval_seqlen", r.perplexity.seqlen},
          {"max_windows", r.perplexity.max_windows ? nlohmann::json(*r.perplexity.max_windows) : nlohmann::json()},
          {"task", task},
          {"layer_errors", r.layer_errors},
          {"device", r.compute.device},
          {"dtype", r.compute.dtype}};
}

CompareResult run_compare(const qq::OpenModel& open, const CompareRequest& request, CompareListener& listener,
                          quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel) {
  CompareResult result;
  result.model = open.checkpoint->path.string();
  result.setup = compare_setup_json(request);
  bool statistics = false;
  for (const auto& m : request.methods) statistics = statistics || m.method().needs(m).activation_stats;
  const std::vector<int32_t> text_ids = open.tokenizer->encode(quantcore::read_file(request.text));
  try {
    const auto t0 = std::chrono::steady_clock::now();
    const qq::Calibration calibration =
        qq::calibrate(open, request.calib, request.calibration, statistics, request.cache, progress, cancel);
    result.calibration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    PerplexityOptions ppl = request.perplexity;
    ppl.text_name = request.text;
    result.fp_perplexity = evaluate_perplexity(*open.model, text_ids, ppl, progress, cancel);
    const std::vector<std::vector<int32_t>> held_out = held_out_windows(text_ids, ppl);
    if (request.task) result.fp_accuracy = zero_shot(*open.model, *open.tokenizer, *request.task, progress, cancel);
    listener.fp_evaluated(result.fp_perplexity, result.fp_accuracy);
    for (size_t i = 0; i < request.methods.size(); ++i) {
      listener.method_started(i, request.methods[i]);
      try {
        result.rows.push_back(
            run_one(open, calibration, request, request.methods[i], text_ids, held_out, i, progress, cancel));
      } catch (const quantcore::Cancelled&) {
        throw;
      } catch (const std::exception& e) {
        result.failure = request.methods[i].spelling() + ": " + e.what();
        break;
      }
      listener.row_finished(i, result.rows.back());
      if (!request.keep_runs) result.rows.back().run.reset();
    }
  } catch (const quantcore::Cancelled&) {
    result.cancelled = true;
  }
  return result;
}

}  // namespace analysis
