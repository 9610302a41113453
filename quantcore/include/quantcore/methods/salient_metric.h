#pragma once
// The saliency criterion BiLLM, ARB-LLM and PB-LLM choose between (baselines-spec §2.3 step 1,
// §3.2 step 3, §7.3): "hessian" w²/U_jj² (U = chol_upper(H⁻¹)) or "magnitude" |w|, and the
// parameter row that offers it. Torch-free.
#include <optional>
#include <string>
#include <string_view>

#include "quantcore/methods/method_settings.h"

namespace quantcore::methods {

enum class SalientMetric { Hessian, Magnitude };
const char* salient_metric_name(SalientMetric metric);  // "hessian", "magnitude"
std::optional<SalientMetric> salient_metric_from_name(std::string_view name);

// "salient-metric", a choice of the two names.
MethodParameter salient_metric_parameter(SalientMetric default_metric, std::string help);
// The setting's value (the parameter row has already checked the name).
SalientMetric salient_metric_of(const MethodSettings& settings);

}  // namespace quantcore::methods
