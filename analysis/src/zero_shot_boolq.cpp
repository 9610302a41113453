// BoolQ (Clark et al. 2019) as lm-eval's super_glue/boolq formats it:
// "{passage}\nQuestion: {question}?\nAnswer:" with the choices " no", " yes". Reads the official
// jsonl ({"question", "passage", "answer": true|false}) and SuperGLUE's ({"label": 0|1}).
#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"
#include "zero_shot_input.h"
#include "zero_shot_readers.h"

namespace analysis::zero_shot_readers {

using namespace zero_shot_input;

std::vector<ZeroShotItem> read_boolq(const std::filesystem::path& file) {
  std::vector<ZeroShotItem> items;
  for (const JsonLine& line : read_json_lines(file)) {
    const std::string context =
        string_field(line, "passage") + "\nQuestion: " + string_field(line, "question") + "?\nAnswer:";
    int64_t gold = 0;
    if (line.value.contains("answer")) {
      const nlohmann::json& answer = line.value["answer"];
      if (!answer.is_boolean())
        throw quantcore::InputError(line.where,
                                    "\"answer\" must be true or false, not " + quantcore::detail::json_kind(answer));
      gold = answer.get<bool>() ? 1 : 0;
    } else if (line.value.contains("label")) {
      gold = label_field(line, "label", 2);
    } else {
      throw quantcore::InputError(line.where, "missing field \"answer\"");
    }
    items.push_back({{choice_request(context, "no"), choice_request(context, "yes")}, gold});
  }
  require_items(file, items);
  return items;
}

}  // namespace analysis::zero_shot_readers
