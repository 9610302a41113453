#pragma once
// A LoRA run's training log, adapter/train_log.csv: step,loss,lr,grad_norm,tokens,seconds with
// 17 significant digits, so values read back are exact (a resumed run continues the curve).
// Torch-free.
#include <filesystem>
#include <vector>

#include "quantcore/preprocess/lora_training.h"

namespace quantcore::preprocess {

void write_training_log(const std::filesystem::path& file, const std::vector<TrainingStep>& steps);
// InputError naming the file for a malformed line.
std::vector<TrainingStep> read_training_log(const std::filesystem::path& file);

}  // namespace quantcore::preprocess
