#pragma once
// Analysis dumps of PTQ1.61 (docs/hdf5-dump.md): `quantlens dump` (statistics, masks, the
// analytic initialisation and its errors, saliency; no optimisation) and `quantize --dump`
// (the same plus the learned parameters, their errors and the loss curves). Torch-free header.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "analysis/dump_data.h"
#include "analysis/loss_curve_recorder.h"
#include "quantcore/calib/calibration_windows.h"
#include "quantcore/jobs/progress.h"
#include "quantcore/optimize/events.h"
#include "quantcore/optimize/ptq161_options.h"

namespace quantcore {
class CausalLM;
struct Checkpoint;
struct ActivationStats;
struct Ptq161Result;
}  // namespace quantcore

namespace analysis {

DumpSettings dump_settings(const quantcore::Ptq161Options& options, const quantcore::CalibrationOptions& calib,
                           const std::string& calib_file);

// What every dump describes: the original weights (read from the checkpoint, so they are W even
// after a pass replaced the model's) and the statistics the masks come from.
struct DumpSource {
  const quantcore::Checkpoint& checkpoint;
  const quantcore::ActivationStats& stats;
  DumpSettings settings;
};

// One progress stage, one step per block; cancellation is checked per linear and leaves no file.
void write_statistics_dump(const std::filesystem::path& path, const DumpSource& source,
                           quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel);

// After run_ptq161: `model` holds W', `result` the masks and learned parameters.
void write_quantization_dump(const std::filesystem::path& path, const DumpSource& source,
                             const quantcore::CausalLM& model, const quantcore::Ptq161Result& result,
                             const LossCurveRecorder& losses, quantcore::ProgressSink& progress,
                             const quantcore::CancelToken& cancel);
// The same with the loss curves already recorded (one per block index).
void write_quantization_dump(const std::filesystem::path& path, const DumpSource& source,
                             const quantcore::CausalLM& model, const quantcore::Ptq161Result& result,
                             const std::map<int64_t, LossCurve>& losses, quantcore::ProgressSink& progress,
                             const quantcore::CancelToken& cancel);

}  // namespace analysis
