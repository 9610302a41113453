#pragma once
// The run-kind extension point: every kind of run the Studio keeps in its run list (today the
// quantisation runs of the Optimise panel, saved as a run directory or as the HDF5 dump they
// made, and the Methods view's comparisons, one row per method; preprocessing runs add their row
// here) says how what it saved is recognised and read back. File > Open run and the run list
// loop over this table.
#include <QString>

#include <functional>
#include <vector>

#include "widgets/run_record.h"

namespace widgets {

struct RunKind {
  QString name;   // RunRecord::kind
  QString title;  // shown in the run list's kind column
  // Whether `path` (a directory or a file) holds a saved run of this kind.
  std::function<bool(const QString& path)> recognises;
  // The saved run as a row (status Reopened, no stored forms); throws quantcore::InputError
  // naming the file and the problem.
  std::function<RunRecord(const QString& path)> open;
  // For a kind whose saved directory holds several rows (a comparison: one per method), instead
  // of `open`: all of them, the same way.
  std::function<std::vector<RunRecord>(const QString& path)> openRows = {};
};

const std::vector<RunKind>& runKinds();
const RunKind* findRunKind(const QString& name);
// The run (or runs) saved at `path`, by the first kind that recognises it; InputError when none
// does.
std::vector<RunRecord> openSavedRuns(const QString& path);

}  // namespace widgets
