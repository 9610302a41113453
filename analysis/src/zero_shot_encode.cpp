#include "analysis/zero_shot_encode.h"

#include "analysis/zero_shot_text.h"
#include "quantcore/io/errors.h"
#include "quantcore/tokenize/tokenizer.h"

namespace analysis {

ZeroShotTokens encode_zero_shot_request(const quantcore::Tokenizer& tokenizer, const ZeroShotRequest& request) {
  ZeroShotTokens tokens;
  if (request.context.empty()) {
    // HFLM.prefix_token_id: the tokenizer's BOS, else its EOS.
    if (!tokenizer.prefix_ids().empty()) {
      tokens.context = {tokenizer.prefix_ids().front()};
    } else if (tokenizer.eos_id()) {
      tokens.context = {*tokenizer.eos_id()};
    } else {
      throw quantcore::InputError(
          "--task-data", "an item has an empty context and the tokenizer has no BOS or EOS token to stand for it");
    }
    tokens.continuation = tokenizer.encode_plain(request.continuation);
    return tokens;
  }
  const std::string_view context = python_rstrip(request.context);
  const std::string continuation = request.context.substr(context.size()) + request.continuation;
  const std::vector<int32_t> whole = tokenizer.encode_plain(std::string(context) + continuation);
  tokens.context = tokenizer.encode_plain(context);
  if (whole.size() > tokens.context.size())
    tokens.continuation.assign(whole.begin() + static_cast<std::ptrdiff_t>(tokens.context.size()), whole.end());
  return tokens;
}

}  // namespace analysis
