#include "quantcore/methods/ptq161/block_loss.h"

#include <ATen/ATen.h>

namespace quantcore::methods::ptq161 {

namespace {

// -log |mean over (batch, token) of cos along hidden| (§5.1: the log of the averaged cosine).
at::Tensor negative_log_cosine(const at::Tensor& a, const at::Tensor& b) {
  return -at::log(at::cosine_similarity(a, b, /*dim=*/-1, /*eps=*/1e-8).mean().abs());
}

// The distance term: MSE (code) or the L2 norm of the difference (paper eq. 5, spec §11 D3).
at::Tensor distance(const at::Tensor& a, const at::Tensor& b, const LossSwitches& switches) {
  return switches.l2_distance ? (a - b).norm() : at::mse_loss(a, b);
}

}  // namespace

// §5.1: L = MSE(T1,Yq) + MSE(T2,Yq) - log|cosbar(Yq,T1)| - log|cosbar(T2,Yq)|.
BlockLoss block_loss(const at::Tensor& yq_in, const at::Tensor& t1_in, const at::Tensor& t2_in,
                     const LossSwitches& switches) {
  // The reference computes the loss in fp32 whatever the block's dtype (§5.1, under autocast).
  const at::Tensor yq = yq_in.to(at::kFloat);
  const at::Tensor t1 = t1_in.to(at::kFloat);
  const at::Tensor t2 = t2_in.defined() ? t2_in.to(at::kFloat) : t2_in;
  BlockLoss out;
  at::Tensor total = distance(yq, t1, switches);
  out.values.mse_fp = total.item<double>();
  if (switches.quantized_branch) {
    at::Tensor mse_q = distance(yq, t2, switches);
    out.values.mse_q = mse_q.item<double>();
    total = total + mse_q;
  }
  if (switches.nlc) {
    at::Tensor nlc_fp = negative_log_cosine(yq, t1);
    out.values.nlc_fp = nlc_fp.item<double>();
    total = total + nlc_fp;
    if (switches.quantized_branch) {
      at::Tensor nlc_q = negative_log_cosine(t2, yq);
      out.values.nlc_q = nlc_q.item<double>();
      total = total + nlc_q;
    }
  }
  out.values.total = total.item<double>();
  out.total = total;
  return out;
}

}  // namespace quantcore::methods::ptq161
