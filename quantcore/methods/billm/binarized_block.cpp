#include "quantcore/methods/billm/binarized_block.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "quantcore/methods/install_quantized.h"
#include "quantcore/model/causal_lm.h"

namespace quantcore::methods::billm {

QuantizedBlock binarize_block_linears(BlockContext& ctx, const LinearBinarizer& binarize) {
  at::NoGradGuard no_grad;
  QuantizedBlock out;
  out.block = ctx.block;
  const NoticeSink notice = [&](const std::string& m) { ctx.events.notice(m); };
  for (const LinearShape& shape : block_linears(ctx.model.spec())) {
    const std::string where = "block " + std::to_string(ctx.block) + " " + shape.name;
    BinarizationRun run =
        binarize(ctx.model.linear_weight(ctx.block, shape.name), ctx.data.hessians.at(shape.name), where, notice);
    nlohmann::json details = {{"percdamp", run.percdamp}, {"changed_zero_signs", run.changed_zero_signs}};
    auto stored = make_quantized_binarized(shape.name, std::move(run.stored), std::move(details));
    install_quantized(ctx.model, ctx.block, *stored);
    out.linears.push_back(std::move(stored));
  }
  return out;
}

}  // namespace quantcore::methods::billm
