#include "quantcore/tokenize/tokenizer.h"

namespace quantcore {

std::vector<int32_t> Tokenizer::encode(std::string_view text) const {
  std::vector<int32_t> ids = prefix_ids_;
  std::vector<int32_t> body = encode_plain(text);
  ids.insert(ids.end(), body.begin(), body.end());
  return ids;
}

}  // namespace quantcore
