#include "quantcore/methods/salient_metric.h"

#include <utility>

namespace quantcore::methods {

const char* salient_metric_name(SalientMetric metric) {
  return metric == SalientMetric::Hessian ? "hessian" : "magnitude";
}

std::optional<SalientMetric> salient_metric_from_name(std::string_view name) {
  if (name == "hessian") return SalientMetric::Hessian;
  if (name == "magnitude") return SalientMetric::Magnitude;
  return std::nullopt;
}

MethodParameter salient_metric_parameter(SalientMetric default_metric, std::string help) {
  return {"salient-metric", ParameterType::Choice, salient_metric_name(default_metric), std::move(help), 0, 0,
          {"hessian", "magnitude"}};
}

SalientMetric salient_metric_of(const MethodSettings& settings) {
  return *salient_metric_from_name(settings.choice("salient-metric"));
}

}  // namespace quantcore::methods
