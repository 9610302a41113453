// AI2 ARC (Clark et al. 2018), Easy and Challenge, as lm-eval's arc_easy.yaml formats it:
// "Question: {question}\nAnswer:" with " {choice}" for each choice text; gold =
// choices.label.index(answerKey). Reads the AI2 jsonl ({"question": {"stem", "choices":
// [{"text", "label"}]}, "answerKey"}) and the HF datasets layout ({"question": "...",
// "choices": {"text": [...], "label": [...]}, "answerKey"}).
#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"
#include "zero_shot_input.h"
#include "zero_shot_readers.h"

namespace analysis::zero_shot_readers {

using namespace zero_shot_input;

namespace {

struct Choices {
  std::vector<std::string> texts;
  std::vector<std::string> labels;
};

Choices ai2_choices(const JsonLine& line, const nlohmann::json& list) {
  if (!list.is_array() || list.empty())
    throw quantcore::InputError(line.where, "\"question.choices\" must be a non-empty array");
  Choices c;
  for (const nlohmann::json& choice : list) {
    if (!choice.is_object() || !choice.contains("text") || !choice.contains("label"))
      throw quantcore::InputError(line.where, "each of \"question.choices\" needs \"text\" and \"label\"");
    c.texts.push_back(string_of(line, choice["text"], "a choice's \"text\""));
    c.labels.push_back(string_of(line, choice["label"], "a choice's \"label\""));
  }
  return c;
}

Choices hf_choices(const JsonLine& line) {
  const nlohmann::json& choices = field(line, "choices");
  if (!choices.is_object() || !choices.contains("text") || !choices.contains("label") || !choices["text"].is_array() ||
      !choices["label"].is_array() || choices["text"].empty() || choices["text"].size() != choices["label"].size())
    throw quantcore::InputError(line.where, "\"choices\" must hold arrays \"text\" and \"label\" of one length");
  Choices c;
  for (const nlohmann::json& t : choices["text"]) c.texts.push_back(string_of(line, t, "a choice's text"));
  for (const nlohmann::json& l : choices["label"]) c.labels.push_back(string_of(line, l, "a choice's label"));
  return c;
}

}  // namespace

std::vector<ZeroShotItem> read_arc(const std::filesystem::path& file) {
  std::vector<ZeroShotItem> items;
  for (const JsonLine& line : read_json_lines(file)) {
    const nlohmann::json& question = field(line, "question");
    std::string stem;
    Choices choices;
    if (question.is_object()) {
      if (!question.contains("stem") || !question.contains("choices"))
        throw quantcore::InputError(line.where, "\"question\" needs \"stem\" and \"choices\"");
      stem = string_of(line, question["stem"], "\"question.stem\"");
      choices = ai2_choices(line, question["choices"]);
    } else {
      stem = string_of(line, question, "\"question\"");
      choices = hf_choices(line);
    }
    const std::string key = string_field(line, "answerKey");
    ZeroShotItem item;
    item.gold = -1;
    for (size_t i = 0; i < choices.labels.size() && item.gold < 0; ++i)
      if (choices.labels[i] == key) item.gold = static_cast<int64_t>(i);
    if (item.gold < 0)
      throw quantcore::InputError(
          line.where, "\"answerKey\" " + quantcore::detail::in_quotes(key) + " is not one of the choice labels");
    const std::string context = "Question: " + stem + "\nAnswer:";
    for (const std::string& text : choices.texts) item.requests.push_back(choice_request(context, text));
    items.push_back(std::move(item));
  }
  require_items(file, items);
  return items;
}

}  // namespace analysis::zero_shot_readers
