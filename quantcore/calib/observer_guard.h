#pragma once
// Removes a model's linear-input observer however a collection ends (returns, throws, is
// cancelled). Private to quantcore/calib.
#include "quantcore/model/causal_lm.h"

namespace quantcore::detail {

struct ObserverGuard {
  CausalLM& model;
  ~ObserverGuard() { model.set_linear_input_observer({}); }
};

}  // namespace quantcore::detail
