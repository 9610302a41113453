#include "quantcore/preprocess/training_log.h"

#include <cstdio>
#include <sstream>
#include <string>

#include "quantcore/io/atomic_write.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/read_file.h"

namespace quantcore::preprocess {

namespace fs = std::filesystem;

void write_training_log(const fs::path& file, const std::vector<TrainingStep>& steps) {
  std::string text = "step,loss,lr,grad_norm,tokens,seconds\n";
  char line[256];
  for (const TrainingStep& s : steps) {
    std::snprintf(line, sizeof line, "%lld,%.17g,%.17g,%.17g,%lld,%.17g\n", (long long)s.step, s.loss, s.lr,
                  s.grad_norm, (long long)s.tokens, s.seconds);
    text += line;
  }
  write_text_atomically(file, text);
}

std::vector<TrainingStep> read_training_log(const fs::path& file) {
  std::istringstream in(read_file(file));
  std::string line;
  std::getline(in, line);
  std::vector<TrainingStep> steps;
  while (std::getline(in, line)) {
    TrainingStep s;
    long long step = 0, tokens = 0;
    if (std::sscanf(line.c_str(), "%lld,%lf,%lf,%lf,%lld,%lf", &step, &s.loss, &s.lr, &s.grad_norm, &tokens,
                    &s.seconds) != 6)
      throw InputError(file.string(), "has a malformed line: " + line);
    s.step = step;
    s.tokens = tokens;
    steps.push_back(s);
  }
  return steps;
}

}  // namespace quantcore::preprocess
