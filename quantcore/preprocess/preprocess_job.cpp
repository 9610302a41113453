#include "quantcore/preprocess/preprocess_job.h"

#include "quantcore/export/quantized_model_writers.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"
#include "quantcore/methods/quantized_linear.h"
#include "quantcore/preprocess/lora_state.h"
#include "quantcore/preprocess/training_text.h"

namespace quantcore::preprocess {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSettingsFile = "preprocess-settings.json";

// What a resumed run must share with the one that started the work directory: every setting but
// how often checkpoints are written.
nlohmann::json resumable_identity(const PreprocessSettings& s) {
  nlohmann::json j = settings_json(s);
  j["lora"].erase("checkpoint_every");
  return j;
}

}  // namespace

nlohmann::json settings_json(const PreprocessSettings& s) {
  return {{"first_pass", quantize::settings_json(s.first_pass)},
          {"lora", settings_json(s.lora, s.training)},
          {"train_text", s.train_text}};
}

fs::path work_directory(const fs::path& dest) { return fs::path(dest.string() + ".preprocess-partial"); }

fs::path prepared_work_directory(const fs::path& dest, bool force, bool resume, const std::vector<fs::path>& inputs) {
  const fs::path work = work_directory(dest);
  outputs::check_output_apart_from_inputs(work, inputs);
  if (force && !resume && fs::exists(work / outputs::kOutputMarker)) fs::remove_all(work);
  return work;
}

PreprocessResult preprocess(const quantize::OpenModel& source, const PreprocessSettings& settings, const fs::path& work,
                            bool resume, const quantize::CacheOptions& cache, OptimizationEvents& first_pass_events,
                            TrainingEvents& training_events, ProgressSink& progress, const CancelToken& cancel) {
  check_settings(settings.lora, settings.training);
  adapted_linears(source.checkpoint->spec, settings.lora);
  check_against_model(source.checkpoint->spec, settings.training);
  // Tokenised once, before any work (an unusable text is refused here); the first pass keeps the
  // tokenizer, so the LoRA base reads the text the same way.
  const auto text =
      std::make_shared<const TrainingText>(training_text(settings.train_text, *source.tokenizer, settings.training));
  const nlohmann::json identity = resumable_identity(settings);
  const fs::path settings_file = work / kSettingsFile;
  if (resume) {
    if (!fs::exists(settings_file))
      throw InputError(work.string(),
                       "holds no preprocessing run to resume (" + std::string(kSettingsFile) + " missing)");
    if (detail::read_json_file(settings_file) != identity)
      throw InputError(settings_file.string(),
                       "records other settings than this command's; resume with the "
                       "command that started it, or start over with --force");
  } else {
    if (fs::exists(work))
      throw InputError(work.string(),
                       "holds an unfinished preprocessing run: add --resume to continue it, or "
                       "--force to start over");
    fs::create_directories(work);
    write_text_atomically(work / outputs::kOutputMarker, "");
    write_text_atomically(settings_file, identity.dump(2) + "\n");
  }

  PreprocessResult r;
  r.work = work;
  const fs::path first = work / kFirstPassDir;
  r.first_pass_reused = fs::exists(first / "summary.json");
  if (!r.first_pass_reused) {
    const quantize::QuantizeResult run =
        quantize::quantize(source, nullptr, settings.first_pass, cache, first_pass_events, progress, cancel);
    if (fs::exists(first)) fs::remove_all(first);  // a first pass killed before its commit
    outputs::write_quantized_directory(run, outputs::OutputFormat::FakeQuantHf, first, false, cancel);
  }
  r.first_pass_summary = detail::read_json_file(first / "summary.json");
  r.first_pass = quantize::open_model(first.string(), settings.first_pass.compute);

  LoraTraining training{settings.lora,
                        settings.training,
                        settings.train_text,
                        work / kAdapterDir,
                        resume && fs::exists(work / kAdapterDir / kCheckpointFile),
                        std::string("../") + kFirstPassDir,  // where it stays, relative to the adapter
                        text};
  r.lora = train_lora(r.first_pass, training, training_events, progress, cancel);

  const auto merged = merged_model(r.first_pass, *r.lora.state);
  outputs::write_dense_model(*r.first_pass.checkpoint, merged.get(), work, progress, cancel);
  const TrainingStep& last = r.lora.history.back();
  r.record = {{"source", source.checkpoint->path.string()},
              {"settings", settings_json(settings)},
              {"first_pass",
               {{"dir", kFirstPassDir},
                {"bits", r.first_pass_summary.value("bits", nlohmann::json())},
                {"seconds", r.first_pass_summary.value("seconds", nlohmann::json())},
                {"reused", r.first_pass_reused}}},
              {"lora",
               {{"steps", static_cast<int64_t>(r.lora.history.size())},
                {"resumed_from", r.lora.resumed_from},
                {"documents", r.lora.documents},
                {"sequences", r.lora.sequences},
                {"text_tokens", r.lora.text_tokens},
                {"tokens_seen", last.tokens},
                {"first_loss", r.lora.history.front().loss},
                {"final_loss", last.loss},
                {"seconds", last.seconds},
                {"tokens_per_second", last.seconds > 0 ? static_cast<double>(last.tokens) / last.seconds : 0.0},
                {"adapter", kAdapterDir}}}};
  write_text_atomically(work / kPreprocessRecord, r.record.dump(2) + "\n");
  return r;
}

void link_preprocessed(const PreprocessResult& result, const nlohmann::json& record, const fs::path& dir) {
  write_text_atomically(result.work / kPreprocessRecord, record.dump(2) + "\n");
  fs::copy(result.work, dir, fs::copy_options::recursive | fs::copy_options::create_hard_links);
}

void commit_preprocessed(const PreprocessResult& result, const nlohmann::json& record, const fs::path& dest,
                         bool force) {
  write_text_atomically(result.work / kPreprocessRecord, record.dump(2) + "\n");
  if (fs::exists(dest)) {
    const bool empty = fs::is_directory(dest) && fs::is_empty(dest);
    if (!empty && !(force && fs::exists(dest / outputs::kOutputMarker)))
      throw InputError(dest.string(), "exists and is not a QuantLens output that --force may replace");
    fs::remove_all(dest);
  }
  fs::rename(result.work, dest);
}

}  // namespace quantcore::preprocess
