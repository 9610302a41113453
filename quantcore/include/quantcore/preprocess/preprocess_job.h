#pragma once
// Quantization preprocessing (ptq161-spec §6): a first quantisation pass of the model, LoRA
// training on top of its W', and the merge into the dense model M_P that the final pass then
// quantises. The job works in a directory beside the destination (DEST.preprocess-partial) that
// survives a cancel or a kill, so `--resume` continues where it stopped: a finished first pass
// is reused and the LoRA training resumes from its last checkpoint. Torch-free header: the CLI
// and the Studio run it.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quantcore/jobs/loss_events.h"
#include "quantcore/jobs/progress.h"
#include "quantcore/preprocess/lora_training.h"
#include "quantcore/quantize/quantize_job.h"

namespace quantcore::preprocess {

inline constexpr const char* kFirstPassDir = "first-pass";
inline constexpr const char* kAdapterDir = "adapter";
inline constexpr const char* kPreprocessRecord = "preprocess.json";  // settings, source, results

struct PreprocessSettings {
  explicit PreprocessSettings(quantize::QuantizeSettings first) : first_pass(std::move(first)) {}
  quantize::QuantizeSettings first_pass;  // method, calibration and compute of the first pass
  LoraSettings lora;
  TrainingSettings training;
  std::string train_text;
};

// {"first_pass": quantize::settings_json, "lora": settings_json(lora, training), "train_text"}.
nlohmann::json settings_json(const PreprocessSettings& settings);

// DEST.preprocess-partial.
std::filesystem::path work_directory(const std::filesystem::path& dest);
// work_directory(dest), checked apart from `inputs` (InputError otherwise); with `force` and no
// `resume`, an unfinished run's work directory there (one QuantLens marked) is removed first.
std::filesystem::path prepared_work_directory(const std::filesystem::path& dest, bool force, bool resume,
                                              const std::vector<std::filesystem::path>& inputs);

struct PreprocessResult {
  std::filesystem::path work;
  quantize::OpenModel first_pass;  // the first pass's W' model, opened from work/first-pass
  nlohmann::json first_pass_summary;
  bool first_pass_reused = false;  // found finished in the work directory (--resume)
  LoraResult lora;
  nlohmann::json record;  // what preprocess.json holds so far (callers add their results)
};

// Runs (or, with `resume`, continues) the chain into `work`: work/first-pass (the first pass's
// fake-quant directory), work/adapter (checkpoints, log, PEFT adapter), then M_P itself in work
// (config.json, model.safetensors, tokenizer files) and work/preprocess.json. Without `resume`
// the work directory must not exist; with it, it must hold a run of the same settings
// (InputError naming it otherwise). Progress stages: the first pass's, LoRA training, the
// dense export. Cancellation leaves the work directory for a later --resume.
PreprocessResult preprocess(const quantize::OpenModel& source, const PreprocessSettings& settings,
                            const std::filesystem::path& work, bool resume, const quantize::CacheOptions& cache,
                            OptimizationEvents& first_pass_events, TrainingEvents& training_events,
                            ProgressSink& progress, const CancelToken& cancel);

// Writes `record` as work/preprocess.json and hard-links the work directory's files into `dir`
// (a directory being staged, e.g. quantize --preprocess's OUT/preprocessed): the work directory
// stays whole until the caller's commit succeeds and removes it.
void link_preprocessed(const PreprocessResult& result, const nlohmann::json& record, const std::filesystem::path& dir);

// Writes `record` as work/preprocess.json, then renames work to dest (an empty dest, or with
// `force` one QuantLens wrote, is replaced).
void commit_preprocessed(const PreprocessResult& result, const nlohmann::json& record,
                         const std::filesystem::path& dest, bool force);

}  // namespace quantcore::preprocess
