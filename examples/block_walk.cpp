// Walks a model block by block, the way calibration and block-wise optimisation drive it, and
// prints how the hidden state grows through the blocks and what the model predicts next.
//
//   block_walk MODEL "Once upon a time"
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <cstdio>
#include <exception>
#include <vector>

#include "quantcore/io/checkpoint.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/tokenize/tokenizer.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s MODEL TEXT\n", argv[0]);
    return 2;
  }
  try {
    c10::InferenceMode inference;
    quantcore::Checkpoint checkpoint = quantcore::open_checkpoint(argv[1]);
    auto tokenizer = quantcore::load_tokenizer(checkpoint.tokenizer_path);
    quantcore::CausalLM model(checkpoint.spec, *checkpoint.weights, {"cpu", "fp32"});

    std::vector<int32_t> ids32 = tokenizer->encode(argv[2]);
    std::vector<int64_t> ids(ids32.begin(), ids32.end());
    at::Tensor hidden = model.embed(at::tensor(ids, at::kLong).unsqueeze(0));
    std::printf("%-8s rms of the last position's hidden state\n", "stage");
    std::printf("%-8s %.4f\n", "embed", hidden[0][-1].pow(2).mean().sqrt().item<float>());
    for (int64_t i = 0; i < model.num_blocks(); ++i) {
      hidden = model.block_forward(i, hidden);
      std::printf("block %-2lld %.4f\n", static_cast<long long>(i), hidden[0][-1].pow(2).mean().sqrt().item<float>());
    }
    at::Tensor logits = model.head(model.final_hidden(hidden))[0][-1];
    auto [values, indices] = at::softmax(logits, -1).topk(5);
    std::printf("next token:");
    for (int64_t k = 0; k < 5; ++k)
      std::printf("  %s (%.3f)", tokenizer->piece(static_cast<int32_t>(indices[k].item<int64_t>())).c_str(),
                  values[k].item<float>());
    std::printf("\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "block_walk: %s\n", e.what());
    return 1;
  }
  return 0;
}
