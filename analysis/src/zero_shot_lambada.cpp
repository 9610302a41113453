// LAMBADA, OpenAI's version (lm-eval lambada_openai.yaml): context = the text without its last
// space-separated word, continuation = " " + that word (no further delimiter); acc is whether the
// continuation is the greedy argmax at every token.
#include "quantcore/io/errors.h"
#include "zero_shot_input.h"
#include "zero_shot_readers.h"

namespace analysis::zero_shot_readers {

using namespace zero_shot_input;

std::vector<ZeroShotItem> read_lambada(const std::filesystem::path& file) {
  std::vector<ZeroShotItem> items;
  for (const JsonLine& line : read_json_lines(file)) {
    const std::string text = string_field(line, "text");
    // text.split(' ')[:-1] joined by ' ', and ' ' + text.split(' ')[-1]
    const size_t last_space = text.rfind(' ');
    const std::string context = last_space == std::string::npos ? "" : text.substr(0, last_space);
    const std::string word = last_space == std::string::npos ? text : text.substr(last_space + 1);
    items.push_back({{{context, " " + word, word}}, 0});
  }
  require_items(file, items);
  return items;
}

}  // namespace analysis::zero_shot_readers
