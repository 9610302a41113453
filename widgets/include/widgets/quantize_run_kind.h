#pragma once
// Run kind "quantize": a run of the quantize job (the Optimise panel's, or `quantlens quantize`'s
// saved directory with its summary.json and losses.csv).
#include <QString>

#include <memory>

#include "widgets/run_kinds.h"
#include "widgets/run_record.h"

namespace widgets {

RunKind quantizeRunKind();

// A row for a run of the quantize job that starts with `settings` (status Running, no numbers).
RunRecord startedQuantizeRun(const QString& model, const nlohmann::json& settings, const QString& spelling,
                             qint64 nsamples, qint64 epochs);
// Fills `record` from the finished run: bits both ways, seconds, the curves, the stored forms.
void finishQuantizeRun(RunRecord& record, std::shared_ptr<const quantcore::quantize::QuantizeResult> result);

// summary.json's "perplexity" object of a run saved by the Studio (and read back by open).
nlohmann::json perplexityJson(const RunPerplexity& p);
// Sets the "perplexity" of the run saved in `directory` (its summary.json rewritten atomically);
// InputError naming the file when it cannot be read or written.
void writeSavedPerplexity(const QString& directory, const RunPerplexity& p);

}  // namespace widgets
