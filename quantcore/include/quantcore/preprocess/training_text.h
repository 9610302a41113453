#pragma once
// The training sequences of restorative LoRA (ptq161-spec §6.2): each document tokenised on its
// own by the model's tokenizer (its usual prefix, no packing) and truncated to max_len, or,
// optionally, fixed windows of the whole text; and the seeded order in which training visits
// them. Torch-free.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "quantcore/preprocess/lora_settings.h"

namespace quantcore {
class Tokenizer;
}

namespace quantcore::preprocess {

// Documents of `text`: separated by `separator`, or by blank lines (lines holding only
// whitespace) when it is empty; leading and trailing blank lines trimmed, empty ones dropped.
std::vector<std::string> split_documents(std::string_view text, const std::string& separator);

struct TrainingText {
  std::vector<std::vector<int32_t>> sequences;  // each at least 2 tokens (one prediction)
  int64_t documents = 0;                        // documents (or windows) before dropping short ones
  int64_t tokens() const;
};

// InputError naming `path` when no sequence of at least 2 tokens remains (an empty or too
// short text).
TrainingText training_text(const std::string& path, const Tokenizer& tokenizer, const TrainingSettings& settings);

// Which sequence the n-th (0-based) training sequence of the run is: passes over the data, each
// in the order of a Fisher-Yates shuffle drawn from mt19937_64(seed + pass) with uniform_below,
// so the order is the same on every platform and a resumed run continues it from n alone.
class SequenceOrder {
public:
  SequenceOrder(int64_t count, uint64_t seed);
  int64_t at(int64_t n);

private:
  void shuffle_pass(int64_t pass);
  int64_t count_;
  uint64_t seed_;
  int64_t pass_ = -1;
  std::vector<int64_t> order_;
};

}  // namespace quantcore::preprocess
