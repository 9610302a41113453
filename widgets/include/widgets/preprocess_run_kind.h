#pragma once
// Preprocessing runs in the run list (the Preprocess panel's, and preprocessed directories
// reopened from disk: a directory holding preprocess.json, written by `quantlens preprocess`).
// A row shows the first pass's method and bits, M_P's perplexity beside the original's and the
// LoRA loss curve (one event per optimiser step).
#include <QString>
#include <nlohmann/json.hpp>

#include "quantcore/preprocess/lora_training.h"
#include "widgets/run_kinds.h"

namespace widgets {

RunKind preprocessRunKind();

// One LoRA optimiser step as a row's loss event: its step, the loss as the total.
quantcore::LossEvent lossEventOf(const quantcore::preprocess::TrainingStep& step);

// The row of a finished preprocessing run from its record (preprocess.json), saved in `directory`.
RunRecord preprocessRunRecord(const nlohmann::json& record, const QString& directory, RunStatus status);

}  // namespace widgets
