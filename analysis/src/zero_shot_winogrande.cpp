// WinoGrande (Sakaguchi et al. 2020) with lm-eval's partial scoring (preprocess_winogrande.py):
// one request per option, context = the sentence before "_" with the option in its place,
// continuation = " " + the rest after "_", stripped; both share that continuation. Gold: answer
// "1" -> 0, "2" -> 1.
#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"
#include "analysis/zero_shot_text.h"
#include "zero_shot_input.h"
#include "zero_shot_readers.h"

namespace analysis::zero_shot_readers {

using namespace zero_shot_input;

namespace {

int64_t gold_of(const JsonLine& line) {
  const nlohmann::json& answer = field(line, "answer");
  if (answer == "1" || answer == 1) return 0;
  if (answer == "2" || answer == 2) return 1;
  throw quantcore::InputError(line.where,
                              "\"answer\" must be \"1\" or \"2\", not " + quantcore::detail::in_quotes(answer.dump()));
}

}  // namespace

std::vector<ZeroShotItem> read_winogrande(const std::filesystem::path& file) {
  std::vector<ZeroShotItem> items;
  for (const JsonLine& line : read_json_lines(file)) {
    const std::string sentence = string_field(line, "sentence");
    const size_t blank = sentence.find('_');
    if (blank == std::string::npos) throw quantcore::InputError(line.where, "\"sentence\" has no \"_\" to fill in");
    const std::string continuation = " " + std::string(python_strip(std::string_view(sentence).substr(blank + 1)));
    ZeroShotItem item;
    for (const char* key : {"option1", "option2"}) {
      const std::string option = string_field(line, key);
      item.requests.push_back({sentence.substr(0, blank) + option, continuation, sentence.substr(0, blank) + option});
    }
    item.gold = gold_of(line);
    items.push_back(std::move(item));
  }
  require_items(file, items);
  return items;
}

}  // namespace analysis::zero_shot_readers
