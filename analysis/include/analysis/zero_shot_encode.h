#pragma once
#include <cstdint>
#include <vector>

#include "analysis/zero_shot_task.h"

namespace quantcore {
class Tokenizer;
}

namespace analysis {

struct ZeroShotTokens {
  std::vector<int32_t> context;
  std::vector<int32_t> continuation;
};

// The harness's encoding for causal models (TemplateLM._encode_pair, HFLM with the default
// add_bos_token=False): no special tokens; trailing whitespace of the context moves to the
// continuation; continuation = encode(context + continuation)[len(encode(context)):]. An empty
// context is the tokenizer's BOS (else EOS) alone, the harness's prefix_token_id.
ZeroShotTokens encode_zero_shot_request(const quantcore::Tokenizer& tokenizer, const ZeroShotRequest& request);

}  // namespace analysis
