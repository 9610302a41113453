#pragma once
// Analysis dumps of PTQ1.61 (docs/hdf5-dump.md): `quantlens dump` (statistics, masks, the
// analytic initialisation and its errors, saliency; no optimisation) and `quantize --dump`
// (the same plus the learned parameters, their errors and the loss curves). Torch-free header.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "analysis/dump_data.h"
#include "quantcore/jobs/progress.h"
#include "quantcore/quantize/quantize_job.h"

namespace quantcore {
struct Checkpoint;
struct ActivationStats;
}  // namespace quantcore

namespace analysis {

// Every field of a PTQ1.61 run's settings; InputError unless the method is PTQ1.61.
DumpSettings dump_settings(const quantcore::quantize::QuantizeSettings& settings);
// InputError("--dump", ...) unless the method is PTQ1.61: the dump holds its masks and scales.
void check_quantization_dump_method(const quantcore::methods::MethodSettings& method);

// What every dump describes: the original weights (read from the checkpoint, so they are W even
// when the run holds W') and the statistics the masks come from.
struct DumpSource {
  const quantcore::Checkpoint& checkpoint;
  const quantcore::ActivationStats& stats;
  DumpSettings settings;
};

// One progress stage, one step per block; cancellation is checked per linear and leaves no file.
void write_statistics_dump(const std::filesystem::path& path, const DumpSource& source,
                           quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel);

// A finished PTQ1.61 run: its masks, learned parameters, W' from the stored forms and the loss
// curves, with the statistics it calibrated on.
void write_quantization_dump(const std::filesystem::path& path, const quantcore::quantize::QuantizeResult& run,
                             quantcore::ProgressSink& progress, const quantcore::CancelToken& cancel);

}  // namespace analysis
