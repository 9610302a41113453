#pragma once
// Run kind "compare": one row per method of a comparison (analysis/compare_job.h, the Methods
// view's or `quantlens compare`'s). A saved comparison is the directory `quantlens compare --out`
// writes (compare.json, compare.md, compare.csv, layer_errors.csv, compare.svg); it reopens as
// one row per method.
#include <QString>

#include "analysis/compare_job.h"
#include "widgets/run_kinds.h"
#include "widgets/run_record.h"

namespace widgets {

RunKind compareRunKind();

// The comparison saved in `directory` (its compare.json) with every row's numbers and layer
// errors, no stored forms; InputError naming the file for anything malformed.
analysis::CompareResult readSavedComparison(const QString& directory);
// Writes the five files of `quantlens compare --out` through a staging directory renamed into
// place; `force` replaces a directory QuantLens wrote. InputError naming the path otherwise.
void writeSavedComparison(const analysis::CompareResult& result, const QString& directory, bool force);

// A row for `method` of the comparison `request` on `model`, as it starts (status Running).
RunRecord startedCompareRun(const QString& model, const analysis::CompareRequest& request,
                            const quantcore::methods::MethodSettings& method);
// Fills `record` from its finished row: bits three ways, perplexity, time, the stored forms.
void finishCompareRun(RunRecord& record, const analysis::CompareRow& row, const QString& textPath);
// The row of a saved comparison as a run (status Reopened), read from `directory`.
RunRecord reopenedCompareRun(const analysis::CompareResult& result, const analysis::CompareRow& row,
                             const QString& directory);

}  // namespace widgets
