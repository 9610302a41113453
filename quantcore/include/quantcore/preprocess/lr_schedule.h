#pragma once
// The learning rate of HF's get_cosine_schedule_with_warmup as the Trainer steps it: optimiser
// step k (0-based) uses lr x f(k), with f(k) = k / warmup during the warm-up (so the first step
// has lr 0) and 0.5 (1 + cos(pi (k - warmup) / (steps - warmup))) after it. Torch-free.
#include <cstdint>

namespace quantcore::preprocess {

double scheduled_learning_rate(double lr, int64_t warmup, int64_t steps, int64_t step);

}  // namespace quantcore::preprocess
