#pragma once
// `quantize --reuse-masks FIRST_PASS_DIR`: the final pass on a preprocessed model keeps the
// first pass's salient channels instead of ranking M_P's own statistics (ptq161-spec §1.1 and
// §6.4, the code's remain.py). Torch-free.
#include <filesystem>

#include "quantcore/calib/activation_stats.h"
#include "quantcore/io/model_spec.h"

namespace quantcore::quantize {

// Statistics that select exactly the first pass's masks: 1 on its salient channels, 0
// elsewhere, for every linear of `spec`; the mask rule (§2.2, s_j >= the floor(ratio m)-th
// largest) then keeps those channels as long as each mask holds more than floor(ratio m) of
// them. InputError naming `first_pass` when it holds no masks (not a PTQ1.61 fake-quant
// directory), when a linear is missing or of another width, or when `salient_ratio` asks for
// more channels than the first pass kept; and when `model` (the directory being quantised) was
// not made from the model the first pass quantised: a preprocessed directory names its source
// in preprocess.json, any other model must be the first pass's own.
ActivationStats reused_mask_statistics(const std::filesystem::path& first_pass, const ModelSpec& spec,
                                       const std::filesystem::path& model, double salient_ratio);

}  // namespace quantcore::quantize
