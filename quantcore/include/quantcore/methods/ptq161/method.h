#pragma once
// PTQ1.61 as a row of the method registry (spec: ../shared/docs/ptq161-spec.md). Torch-free:
// views that exist only for PTQ1.61 (the eq. (4) slider, the teaching view) find it by kName.
#include <string_view>

#include "quantcore/methods/method_settings.h"
#include "quantcore/methods/ptq161/options.h"
#include "quantcore/methods/quant_method.h"

namespace quantcore::methods::ptq161 {

inline constexpr std::string_view kName = "ptq161";

const QuantMethod& method();

// The typed options the engine runs with, from the registry's settings of this method.
Ptq161Options options_from(const MethodSettings& settings);
// The settings that select `options` (every field of Ptq161Options has a parameter).
MethodSettings settings_from(const Ptq161Options& options);

MaskStatistic parse_mask_statistic(const std::string& name);  // max, mean, none
const char* mask_statistic_name(MaskStatistic statistic);

}  // namespace quantcore::methods::ptq161
