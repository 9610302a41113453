// BoolQ (Clark et al. 2019) as lm-eval's super_glue/boolq formats it:
// "{passage}\nQuestion: {question}?\nAnswer:" with the choices " no", " yes". SuperGLUE's passage
// is the official one prefixed by its article title and " -- ", so the official jsonl
// ({"question", "title", "passage", "answer": true|false}) is read as "{title} -- {passage}";
// SuperGLUE's own jsonl ({"label": true|false}) and the HF export ({"label": 0|1}) as they are.
#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"
#include "zero_shot_input.h"
#include "zero_shot_readers.h"

namespace analysis::zero_shot_readers {

using namespace zero_shot_input;

std::vector<ZeroShotItem> read_boolq(const std::filesystem::path& file) {
  std::vector<ZeroShotItem> items;
  for (const JsonLine& line : read_json_lines(file)) {
    std::string passage = string_field(line, "passage");
    if (line.value.contains("title")) passage = string_field(line, "title") + " -- " + passage;
    const std::string context = passage + "\nQuestion: " + string_field(line, "question") + "?\nAnswer:";
    auto boolean = [&](const char* field) -> int64_t {
      const nlohmann::json& v = line.value[field];
      if (!v.is_boolean())
        throw quantcore::InputError(
            line.where, std::string("\"") + field + "\" must be true or false, not " + quantcore::detail::json_kind(v));
      return v.get<bool>() ? 1 : 0;
    };
    int64_t gold = 0;
    if (line.value.contains("answer")) {
      gold = boolean("answer");
    } else if (line.value.contains("label")) {
      gold = line.value["label"].is_boolean() ? boolean("label") : label_field(line, "label", 2);
    } else {
      throw quantcore::InputError(line.where, "missing field \"answer\"");
    }
    items.push_back({{choice_request(context, "no"), choice_request(context, "yes")}, gold});
  }
  require_items(file, items);
  return items;
}

}  // namespace analysis::zero_shot_readers
