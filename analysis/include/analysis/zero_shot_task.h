#pragma once
// Zero-shot tasks in the conventions of EleutherAI's lm-evaluation-harness 0.4 (docs/zero-shot.md):
// each item is a list of (context, continuation) requests, formatted as the harness's task
// configuration does. The task table is the extension point: everything that lists tasks
// (the CLI's --task check and help, the tests) loops over zero_shot_tasks().
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace analysis {

// One loglikelihood request: the harness's (context, continuation) strings.
struct ZeroShotRequest {
  std::string context;
  std::string continuation;
  // What acc_norm divides by the length of: the harness's doc_to_choice entry, without the
  // target delimiter.
  std::string choice;
};

struct ZeroShotItem {
  std::vector<ZeroShotRequest> requests;  // one per choice (lambada: one)
  int64_t gold = 0;                       // index into requests
};

enum class ZeroShotMetric {
  MultipleChoice,  // acc: the gold choice has the highest summed loglikelihood
  Greedy,          // acc: the continuation is the argmax at every token (lambada), plus perplexity
};

struct ZeroShotTask {
  const char* name;     // as --task spells it
  const char* summary;  // one line for --help and the docs
  const char* data;     // the file --task-data expects
  ZeroShotMetric metric;
  bool has_acc_norm;  // the harness reports acc_norm for this task
  // Reads and formats every item of `file`; anything malformed is an InputError naming the file
  // (and line).
  std::vector<ZeroShotItem> (*read)(const std::filesystem::path& file);
};

const std::vector<ZeroShotTask>& zero_shot_tasks();
// nullptr for a name that is not in the table.
const ZeroShotTask* find_zero_shot_task(std::string_view name);
// "piqa, hellaswag, ...", for messages.
std::string zero_shot_task_names(std::string_view separator = ", ");

}  // namespace analysis
