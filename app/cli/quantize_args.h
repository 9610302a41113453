#pragma once
// The options of `quantlens quantize` and the Ptq161Options they select.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "calibration_args.h"
#include "quantcore/optimize/ptq161_options.h"

namespace quantlens_cli {

struct QuantizeArgs {
  std::string method = "ptq161";
  CalibrationArgs calibration;
  double salient_ratio = 0.2;
  int salient_bits = 4;
  int64_t epochs = 20;
  double lr_alpha = 5e-4;
  double lr_r = 1e-3;
  std::string mask_stat = "max";
  bool no_learn = false;
  std::string loss = "both";
  bool no_nlc = false;
  std::vector<std::string> paper;  // spec §11 readings of the paper: no-mean, alpha-l1, l2-distance, all
  std::string chains = "device";
  std::string vector_dtype = "fp16";
  std::string format = "hf";  // hf: fake-quant directory; packed: docs/packed-format.md
  std::string out;
  bool force = false;
  std::string dump;  // HDF5 analysis dump (docs/hdf5-dump.md), when built with HDF5

  void add_to(CLI::App& sub);
  quantcore::Ptq161Options ptq161_options() const;
};

}  // namespace quantlens_cli
