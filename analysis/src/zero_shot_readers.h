#pragma once
// The readers behind the task table (zero_shot_tasks.cpp), one file each.
#include <filesystem>
#include <vector>

#include "analysis/zero_shot_task.h"

namespace analysis::zero_shot_readers {

std::vector<ZeroShotItem> read_piqa(const std::filesystem::path& file);
std::vector<ZeroShotItem> read_hellaswag(const std::filesystem::path& file);
std::vector<ZeroShotItem> read_arc(const std::filesystem::path& file);
std::vector<ZeroShotItem> read_boolq(const std::filesystem::path& file);
std::vector<ZeroShotItem> read_winogrande(const std::filesystem::path& file);
std::vector<ZeroShotItem> read_lambada(const std::filesystem::path& file);

// " " + choice after `context`: the harness's default target delimiter.
ZeroShotRequest choice_request(const std::string& context, const std::string& choice);

}  // namespace analysis::zero_shot_readers
