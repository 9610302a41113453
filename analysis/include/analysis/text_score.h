#pragma once
#include <cstdint>
#include <vector>

namespace quantcore {
class CausalLM;
}

namespace analysis {

// Probes of one forward pass over a short text, the fields of REFERENCE.json's fixed_sentence.
struct TextScore {
  std::vector<int32_t> ids;
  double mean_nll = 0;  // over the ids.size()-1 predicted tokens
  std::vector<int32_t> last_top5_ids;
  std::vector<float> last_top5_values;
  std::vector<float> pos0_first8;
};

TextScore score_tokens(const quantcore::CausalLM& model, const std::vector<int32_t>& ids);

}  // namespace analysis
