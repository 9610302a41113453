#pragma once
// The options of `quantlens quantize`: the method (a registry spelling, `NAME[:KEY=VALUE]...`),
// every registered method's parameters as options of their own, and the run's outputs.
#include <CLI/CLI.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "calibration_args.h"
#include "quantcore/methods/method_settings.h"
#include "quantcore/quantize/quantize_job.h"

namespace quantlens_cli {

// Every parameter of every registered method as `--NAME` on `sub` (a name shared by several
// methods is one option whose help names each); method_settings() applies the given ones.
class MethodParameterOptions {
public:
  void add_to(CLI::App& sub);
  // The spelling's settings with the given options applied; an option the method does not take
  // is an InputError naming it.
  quantcore::methods::MethodSettings method_settings(const std::string& spelling) const;

private:
  struct Given {
    CLI::Option* option = nullptr;
    std::string value;
    std::vector<std::string> items;  // a list parameter: repeated or comma-separated
    bool flag = false;
    bool list = false;
  };
  std::map<std::string, std::shared_ptr<Given>> options_;
};

struct QuantizeArgs {
  std::string method;  // default: the registry's first row
  CalibrationArgs calibration;
  MethodParameterOptions parameters;
  std::string chains = "device";
  std::string format = "hf";  // hf: fake-quant directory; packed: docs/packed-format.md
  std::string out;
  bool force = false;
  std::string dump;  // HDF5 analysis dump (docs/hdf5-dump.md), when built with HDF5

  void add_to(CLI::App& sub);              // everything below, and the outputs
  void add_method_options(CLI::App& sub);  // --method, the calibration, every method parameter, --chains
  quantcore::methods::MethodSettings method_settings() const { return parameters.method_settings(method); }
  // InputError for fp16 (training needs a loss scaler): called before the model is loaded.
  static void check_compute(const quantcore::ComputeOptions& compute);
  // The run's settings on `open` computing with `compute`: InputError for a method that needs
  // --calib without one, and for fp16.
  quantcore::quantize::QuantizeSettings settings(const quantcore::quantize::OpenModel& open,
                                                 const quantcore::ComputeOptions& compute) const;
};

}  // namespace quantlens_cli
