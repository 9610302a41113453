#include "quantize_args.h"

#include "quantcore/io/errors.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/methods/registry.h"

namespace quantlens_cli {

namespace qm = quantcore::methods;

void MethodParameterOptions::add_to(CLI::App& sub) {
  // One help line per option, naming each method that takes it with its default.
  std::map<std::string, std::string> help;
  std::map<std::string, qm::ParameterType> type;
  for (const qm::QuantMethod* m : qm::registered_methods())
    for (const qm::MethodParameter& p : m->parameters()) {
      std::string& h = help[p.name];
      h += (h.empty() ? "" : "; ") + std::string("[") + std::string(m->name()) + "] " + p.help;
      if (p.type != qm::ParameterType::Flag)
        h += " (default " + (p.default_value.empty() ? std::string("none") : p.default_value) + ")";
      type[p.name] = p.type;
    }
  for (const auto& [name, text] : help) {
    auto given = std::make_shared<Given>();
    given->flag = type[name] == qm::ParameterType::Flag;
    given->list = type[name] == qm::ParameterType::List;
    if (given->flag) {
      given->option = sub.add_flag("--" + name, text);
    } else if (given->list) {
      given->option = sub.add_option("--" + name, given->items, text)->delimiter(',');
    } else {
      given->option = sub.add_option("--" + name, given->value, text);
    }
    options_[name] = given;
  }
}

qm::MethodSettings MethodParameterOptions::method_settings(const std::string& spelling) const {
  const std::string name = spelling.empty() ? std::string(qm::registered_methods().front()->name()) : spelling;
  qm::MethodSettings settings = qm::parse_method_spelling(name, "--method");
  for (const auto& [option, given] : options_) {
    if (given->option->count() == 0) continue;
    const std::string where = "--" + option;
    if (!settings.takes(option))
      throw quantcore::InputError(where, std::string(settings.method_name()) + " takes no option " + where);
    std::string value = given->flag ? "true" : given->value;
    if (given->list) {
      value.clear();
      for (const std::string& item : given->items) value += (value.empty() ? "" : ",") + item;
    }
    settings.set(option, value, where);
  }
  settings.method().check(settings, "--method");
  return settings;
}

void QuantizeArgs::add_method_options(CLI::App& sub) {
  std::string names;
  for (const qm::QuantMethod* m : qm::registered_methods())
    names += "\n  " + std::string(m->name()) + ": " + std::string(m->description());
  sub.add_option("--method", method,
                 "Method, optionally with settings (NAME[:KEY=VALUE]..., e.g. rtn:bits=2:group-size=128); default " +
                     std::string(qm::registered_methods().front()->name()) +
                     ". `quantlens methods` lists them:" + names);
  calibration.add_to(sub);
  parameters.add_to(sub);
  sub.add_option("--chains", chains, "Where the calibration chains live: device, or host when the device is short")
      ->check(CLI::IsMember({"device", "host"}))
      ->capture_default_str();
}

quantcore::quantize::QuantizeSettings QuantizeArgs::settings(const quantcore::quantize::OpenModel& open,
                                                             const quantcore::ComputeOptions& compute) const {
  quantcore::quantize::QuantizeSettings s(method_settings());
  if (s.method.method().needs(s.method).calibration) s.calib = calibration.required_text(s.method.method_name());
  check_compute(compute);
  s.model = open.checkpoint->path.string();
  s.calibration = calibration.options(open.checkpoint->spec);
  s.chains = chains == "host" ? quantcore::optimize::ChainPlacement::Host : quantcore::optimize::ChainPlacement::Device;
  s.compute = compute;
  return s;
}

void QuantizeArgs::check_compute(const quantcore::ComputeOptions& compute) {
  // fp32 master parameters always (§5.2); the block computes in fp32 or bf16. fp16 would need
  // the reference's loss scaler, which LibTorch's C++ API does not have.
  if (compute.dtype == "fp16")
    throw quantcore::InputError("--dtype", "fp16 training needs a loss scaler; use bf16 or fp32");
}

void QuantizeArgs::add_to(CLI::App& sub) {
  add_method_options(sub);
  sub.add_option("--format", format, "hf: fp16 fake-quant weights; packed: the method's packed checkpoint")
      ->check(CLI::IsMember({"hf", "packed"}))
      ->capture_default_str();
  sub.add_option("--out", out, "Output directory (written atomically)")->required();
  sub.add_flag("--force", force, "Replace a non-empty --out directory");
#if QUANTLENS_HAVE_HDF5
  sub.add_option("--dump", dump, "Also write an HDF5 analysis dump (docs/hdf5-dump.md)");
#endif
}

}  // namespace quantlens_cli
