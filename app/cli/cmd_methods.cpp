// `quantlens methods`: the method registry, each method with its parameters and needs.
#include <cmath>
#include <cstdio>

#include "command_support.h"
#include "commands.h"
#include "quantcore/methods/registry.h"

namespace quantlens_cli {

namespace {
namespace qm = quantcore::methods;

nlohmann::json parameter_json(const qm::MethodParameter& p) {
  nlohmann::json j = {
      {"name", p.name}, {"type", qm::parameter_type_name(p.type)}, {"default", p.default_value}, {"help", p.help}};
  if (p.type == qm::ParameterType::Integer || p.type == qm::ParameterType::Real) {
    if (std::isfinite(p.min)) j["min"] = p.min;
    if (std::isfinite(p.max)) j["max"] = p.max;
  }
  if (!p.choices.empty()) j["choices"] = p.choices;
  return j;
}

nlohmann::json method_json(const qm::QuantMethod& m) {
  const qm::MethodSettings defaults(m);
  const qm::MethodNeeds n = m.needs(defaults);
  nlohmann::json params = nlohmann::json::array();
  for (const qm::MethodParameter& p : m.parameters()) params.push_back(parameter_json(p));
  const auto packed = m.packed_settings(defaults);
  return {{"name", std::string(m.name())},
          {"description", std::string(m.description())},
          {"parameters", params},
          {"needs",
           {{"calibration", n.calibration},
            {"activation_stats", n.activation_stats},
            {"hessian", n.hessian},
            {"hessian_diagonal", n.hessian_diagonal},
            {"block_optimisation", n.block_optimisation},
            {"calibration_chains", n.calibration_chains()}}},
          {"packed_format", packed ? nlohmann::json(quantcore::packed::kFormatName) : nlohmann::json(nullptr)}};
}
}  // namespace

void define_methods(CLI::App& sub, Action& action) {
  auto out = std::make_shared<OutputArgs>();
  out->add_to(sub);
  action = [out] {
    nlohmann::json all = nlohmann::json::array();
    for (const qm::QuantMethod* m : qm::registered_methods()) all.push_back(method_json(*m));
    if (out->json) {
      out->emit({{"methods", all}});
      return 0;
    }
    for (const nlohmann::json& m : all) {
      std::printf("%s: %s\n", m["name"].get<std::string>().c_str(), m["description"].get<std::string>().c_str());
      for (const nlohmann::json& p : m["parameters"])
        std::printf("  --%-16s %-8s default %-10s %s\n", p["name"].get<std::string>().c_str(),
                    p["type"].get<std::string>().c_str(),
                    p["default"].get<std::string>().empty() ? "-" : p["default"].get<std::string>().c_str(),
                    p["help"].get<std::string>().c_str());
    }
    return 0;
  };
}

}  // namespace quantlens_cli
