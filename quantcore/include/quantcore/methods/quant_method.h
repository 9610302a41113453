#pragma once
// The one interface every quantization method implements (docs/CONTRIBUTING.md, "Add a method").
// Torch-free: the CLI's help, the Studio's method chooser and the writers' metadata read it
// without LibTorch; only quantize_block works on tensors (BlockContext, block_context.h).
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "quantcore/methods/method_settings.h"
#include "quantcore/methods/quantized_linear.h"
#include "quantcore/pack/packed_format.h"

namespace quantcore::methods {

struct BlockContext;

// What a method needs before it can quantise a block.
struct MethodNeeds {
  bool calibration = false;         // a calibration text (windows, spec §1.3)
  bool activation_stats = false;    // per-linear max|x|, mean|x| (cached)
  bool hessian = false;             // per-linear 2/N X X^T
  bool hessian_diagonal = false;    // only its diagonal (BlockTrainingData::hessian_diagonals)
  bool block_optimisation = false;  // trains parameters block by block against the block output
  bool fp_target = false;           // the block driver's chains: T1 = FP block on the FP chain
  bool quantized_target = false;    // T2 = FP block on the quantised chain
  bool calibration_chains() const { return fp_target || quantized_target; }
};

// Bits per weight of one linear W[n, m] both ways (methods' papers differ in what they count).
struct DeclaredBits {
  double paper = 0;   // as the method's paper counts them
  double stored = 0;  // every stored bit (codes, masks, scales) over n * m
};

class QuantMethod {
public:
  virtual ~QuantMethod() = default;

  virtual std::string_view name() const = 0;         // the registry key, e.g. "rtn"
  virtual std::string_view description() const = 0;  // one line
  virtual const std::vector<MethodParameter>& parameters() const = 0;
  virtual MethodNeeds needs(const MethodSettings& settings) const = 0;
  // Throws InputError(where, ...) for settings that are valid one by one but not together.
  virtual void check(const MethodSettings& settings, std::string_view where) const {}

  // The packed checkpoint's settings (docs/packed-format.md) when its stored form is packable
  // (QuantizedLinear::packed()); nullopt when the method exports fake-quant and dense only.
  virtual std::optional<packed::FormatSettings> packed_settings(const MethodSettings& settings) const = 0;
  // The accounting of spec §7 / baselines-spec §7.5 for one linear with `salient_columns`
  // salient input channels (0 for methods without).
  virtual DeclaredBits bits(const MethodSettings& settings, int64_t out_features, int64_t in_features,
                            int64_t salient_columns) const = 0;
  // The accounting of one finished linear. By default bits() of its shape and salient columns;
  // a method whose stored size depends on more of its data overrides it (PB-LLM: ties at the
  // threshold binarise more than low-frac, baselines-spec §3.2 step 3).
  virtual DeclaredBits bits_of(const MethodSettings& settings, const QuantizedLinear& linear) const {
    return bits(settings, linear.out_features(), linear.in_features(), linear.salient_columns());
  }

  // Optimiser steps of one block over `samples` calibration windows (0: no steps).
  virtual int64_t steps_per_block(const MethodSettings& settings, int64_t samples) const { return 0; }

  // Quantises every linear of ctx.block; afterwards ctx.model's linears of that block hold W'
  // and, for forms that quantise their inputs, that input quantisation (the driver propagates
  // the quantised chain through them). The driver puts the block's original weights and input
  // quantisation back afterwards, on cancellation and on errors too.
  virtual QuantizedBlock quantize_block(BlockContext& ctx, const MethodSettings& settings) const = 0;
};

}  // namespace quantcore::methods
