// PIQA (Bisk et al. 2020) as lm-eval's piqa.yaml formats it: "Question: {goal}\nAnswer:" with the
// choices " {sol1}", " {sol2}". The official files keep the gold labels in a second file,
// valid.jsonl -> valid-labels.lst, one 0 or 1 a line.
#include <filesystem>

#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"
#include "zero_shot_input.h"
#include "zero_shot_readers.h"

namespace analysis::zero_shot_readers {

using namespace zero_shot_input;

namespace {

std::filesystem::path labels_beside(const std::filesystem::path& file) {
  return file.parent_path() / (file.stem().string() + "-labels.lst");
}

std::vector<int64_t> read_labels(const std::filesystem::path& file, const std::filesystem::path& labels_file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(labels_file, ec))
    throw quantcore::InputError(labels_file.string(),
                                "no such file (PIQA's gold labels, expected beside " + file.filename().string() + ")");
  const std::string text = read_task_text(labels_file);
  std::vector<int64_t> labels;
  for (const Line& line : split_lines(text)) {
    const std::string_view label = line.text;
    if (label.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (label != "0" && label != "1")
      throw quantcore::InputError(labels_file.string() + ":" + std::to_string(line.number),
                                  "label " + quantcore::detail::in_quotes(label) + " is not 0 or 1");
    labels.push_back(label == "1");
  }
  return labels;
}

}  // namespace

std::vector<ZeroShotItem> read_piqa(const std::filesystem::path& file) {
  const std::vector<JsonLine> lines = read_json_lines(file);
  const std::filesystem::path labels_file = labels_beside(file);
  const std::vector<int64_t> labels = read_labels(file, labels_file);
  if (labels.size() != lines.size())
    throw quantcore::InputError(labels_file.string(), "has " + std::to_string(labels.size()) + " labels for " +
                                                          std::to_string(lines.size()) + " items in " +
                                                          file.filename().string());
  std::vector<ZeroShotItem> items;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string context = "Question: " + string_field(lines[i], "goal") + "\nAnswer:";
    items.push_back({{choice_request(context, string_field(lines[i], "sol1")),
                      choice_request(context, string_field(lines[i], "sol2"))},
                     labels[i]});
  }
  require_items(file, items);
  return items;
}

}  // namespace analysis::zero_shot_readers
