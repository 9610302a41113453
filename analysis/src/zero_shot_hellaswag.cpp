// HellaSwag (Zellers et al. 2019) as lm-eval's hellaswag task formats it (utils.py):
// query = preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize()), the choices
// " " + preprocess(ending). Two inputs:
// - the official hellaswag_val.jsonl (one JSON object a line);
// - llama.cpp's hellaswag_val_full.txt (klosax/hellaswag_text_data, bzip2 or plain): six lines a
//   task, "activity_label: ctx", the gold label, four endings. Its contexts are joined already,
//   so ctx_b.capitalize() cannot be applied; the preprocess is (docs/zero-shot.md).
#include <filesystem>

#include "analysis/zero_shot_text.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"
#include "zero_shot_input.h"
#include "zero_shot_readers.h"

namespace analysis::zero_shot_readers {

using namespace zero_shot_input;

namespace {

constexpr int64_t kLinesPerTask = 6;
constexpr int64_t kEndings = 4;

ZeroShotItem item_of(const std::string& query, const std::vector<std::string>& endings, int64_t gold) {
  ZeroShotItem item;
  item.gold = gold;
  for (const std::string& ending : endings)
    item.requests.push_back(choice_request(query, hellaswag_preprocess(ending)));
  return item;
}

std::vector<ZeroShotItem> read_jsonl(const std::filesystem::path& file, const std::string& text) {
  std::vector<ZeroShotItem> items;
  for (const JsonLine& line : parse_json_lines(text, file)) {
    const std::string ctx = string_field(line, "ctx_a") + " " + python_capitalize(string_field(line, "ctx_b"));
    const std::string query = hellaswag_preprocess(string_field(line, "activity_label") + ": " + ctx);
    const nlohmann::json& endings_json = field(line, "endings");
    if (!endings_json.is_array() || endings_json.empty())
      throw quantcore::InputError(line.where, "\"endings\" must be a non-empty array of strings");
    std::vector<std::string> endings;
    for (const nlohmann::json& e : endings_json) endings.push_back(string_of(line, e, "an ending"));
    items.push_back(item_of(query, endings, label_field(line, "label", static_cast<int64_t>(endings.size()))));
  }
  return items;
}

std::vector<ZeroShotItem> read_llama_cpp_text(const std::filesystem::path& file, const std::string& text) {
  const std::vector<Line> lines = split_lines(text);
  if (lines.size() % kLinesPerTask != 0)
    throw quantcore::InputError(
        file.string(), "has " + std::to_string(lines.size()) + " lines, not 6 a task (context, label, four endings)");
  std::vector<ZeroShotItem> items;
  for (size_t first = 0; first < lines.size(); first += kLinesPerTask) {
    const Line& label = lines[first + 1];
    if (label.text.size() != 1 || label.text[0] < '0' || label.text[0] >= '0' + kEndings)
      throw quantcore::InputError(file.string() + ":" + std::to_string(label.number),
                                  "gold label " + quantcore::detail::in_quotes(label.text) + " is not 0-3");
    std::vector<std::string> endings;
    for (int64_t e = 0; e < kEndings; ++e) endings.emplace_back(lines[first + 2 + e].text);
    items.push_back(item_of(hellaswag_preprocess(lines[first].text), endings, label.text[0] - '0'));
  }
  return items;
}

}  // namespace

std::vector<ZeroShotItem> read_hellaswag(const std::filesystem::path& file) {
  const std::string text = read_task_text(file);
  const size_t first = text.find_first_not_of(" \t\r\n");
  std::vector<ZeroShotItem> items =
      first != std::string::npos && text[first] == '{' ? read_jsonl(file, text) : read_llama_cpp_text(file, text);
  require_items(file, items);
  return items;
}

}  // namespace analysis::zero_shot_readers
