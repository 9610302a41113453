#include "analysis/zero_shot_task.h"

#include "zero_shot_readers.h"

namespace analysis {

using namespace zero_shot_readers;

const std::vector<ZeroShotTask>& zero_shot_tasks() {
  static const std::vector<ZeroShotTask> table = {
      {"piqa", "PIQA physical commonsense (2 solutions)", "valid.jsonl with valid-labels.lst beside it",
       ZeroShotMetric::MultipleChoice, true, read_piqa},
      {"hellaswag", "HellaSwag sentence completion (4 endings)",
       "hellaswag_val.jsonl, or llama.cpp's hellaswag_val_full.txt[.bz2]", ZeroShotMetric::MultipleChoice, true,
       read_hellaswag},
      {"arc_easy", "AI2 ARC, Easy set", "ARC-Easy-{Dev,Test}.jsonl", ZeroShotMetric::MultipleChoice, true, read_arc},
      {"arc_challenge", "AI2 ARC, Challenge set", "ARC-Challenge-{Dev,Test}.jsonl", ZeroShotMetric::MultipleChoice,
       true, read_arc},
      {"boolq", "BoolQ yes/no questions on a passage", "dev.jsonl", ZeroShotMetric::MultipleChoice, false, read_boolq},
      {"winogrande", "WinoGrande pronoun resolution (partial scoring)", "dev.jsonl", ZeroShotMetric::MultipleChoice,
       false, read_winogrande},
      {"lambada", "LAMBADA (OpenAI) last-word prediction", "lambada_test.jsonl", ZeroShotMetric::Greedy, false,
       read_lambada},
  };
  return table;
}

const ZeroShotTask* find_zero_shot_task(std::string_view name) {
  for (const ZeroShotTask& task : zero_shot_tasks())
    if (name == task.name) return &task;
  return nullptr;
}

std::string zero_shot_task_names(std::string_view separator) {
  std::string names;
  for (const ZeroShotTask& task : zero_shot_tasks()) {
    if (!names.empty()) names += separator;
    names += task.name;
  }
  return names;
}

namespace zero_shot_readers {

ZeroShotRequest choice_request(const std::string& context, const std::string& choice) {
  return {context, " " + choice, choice};
}

}  // namespace zero_shot_readers

}  // namespace analysis
