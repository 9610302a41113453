#pragma once
// The restorative-LoRA training job (ptq161-spec §6.2): adapters on the block linears of a
// quantised model, trained with causal-LM cross-entropy on a text; resumable from the
// checkpoints it writes every K steps; and the merge of §6.3. Torch-free header: the CLI and the
// Studio run it.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "quantcore/jobs/progress.h"
#include "quantcore/preprocess/lora_settings.h"
#include "quantcore/preprocess/training_text.h"
#include "quantcore/quantize/quantize_job.h"

namespace quantcore::methods {
struct QuantizedModel;
}

namespace quantcore::preprocess {

struct LoraState;

struct TrainingStep {
  int64_t step = 0;      // 0-based optimiser step
  double loss = 0;       // mean of its `accum` sequences' losses (before the update)
  double lr = 0;         // the rate the update used
  double grad_norm = 0;  // before clipping
  int64_t tokens = 0;    // tokens trained on up to and including this step
  double seconds = 0;    // training seconds up to this step, over every resumed part
};

// Listener of a training run; calls come from the job's thread.
class TrainingEvents {
public:
  virtual ~TrainingEvents() = default;
  virtual void step(const TrainingStep& step) = 0;
  virtual void notice(const std::string& message) {}
};

class NullTrainingEvents : public TrainingEvents {
public:
  void step(const TrainingStep&) override {}
};

struct LoraTraining {
  LoraSettings lora;
  TrainingSettings training;
  std::string train_text;                    // path of the training text
  std::filesystem::path adapter_dir;         // checkpoints and the final adapter (created)
  bool resume = false;                       // continue from adapter_dir's checkpoint
  std::string base_model;                    // adapter_config.json's base_model_name_or_path; empty: the base's path
  std::shared_ptr<const TrainingText> text;  // train_text already tokenised (by the base's tokenizer); null: read it
};

struct LoraResult {
  std::shared_ptr<const LoraState> state;
  std::vector<TrainingStep> history;  // every step of the run, resumed parts included
  int64_t resumed_from = 0;           // optimiser steps read back from the checkpoint
  int64_t documents = 0;              // documents (or windows) in the text
  int64_t sequences = 0;              // of them, those of at least 2 tokens
  int64_t text_tokens = 0;            // tokens of those sequences
  double seconds = 0;                 // this call's training time
};

// File names inside adapter_dir.
inline constexpr const char* kCheckpointFile = "checkpoint.safetensors";
inline constexpr const char* kTrainingLogFile = "train_log.csv";
inline constexpr const char* kAdapterWeightsFile = "adapter_model.safetensors";
inline constexpr const char* kAdapterConfigFile = "adapter_config.json";

// Trains on a shallow copy of base.model (never changed) on its device and compute dtype, with
// float32 masters. Progress: one step per optimiser step. A checkpoint (adapters, AdamW
// moments, steps done, dropout generator state, the log) is written atomically every
// checkpoint_every steps, when cancelled (at the last finished step, then Cancelled is
// rethrown) and at the end, where the PEFT-format adapter is also written. With `resume`, the
// run continues from the checkpoint: the same sequence order, dropout draws and moments, so the
// losses equal an uninterrupted run's bit for bit on the same machine; a checkpoint of other
// settings, another text or another model's shapes is an InputError naming it.
LoraResult train_lora(const quantize::OpenModel& base, const LoraTraining& run, TrainingEvents& events,
                      ProgressSink& progress, const CancelToken& cancel);

// §6.3: every block linear of W_P as an fp16 stored form: base W' + scaling · B A for the
// adapted linears, base W' for the others; write_dense_model takes it.
std::shared_ptr<const methods::QuantizedModel> merged_model(const quantize::OpenModel& base, const LoraState& state);

}  // namespace quantcore::preprocess
