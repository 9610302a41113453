#pragma once
// The run-kind extension point: every kind of run the Studio keeps in its run list (today the
// quantisation runs of the Optimise panel; the comparison and preprocessing runs add their row
// here) says how its saved directory is recognised and read back. File > Open run and the run
// list loop over this table.
#include <QString>

#include <functional>
#include <vector>

#include "widgets/run_record.h"

namespace widgets {

struct RunKind {
  QString name;   // RunRecord::kind
  QString title;  // shown in the run list's kind column
  // Whether `directory` holds a saved run of this kind.
  std::function<bool(const QString& directory)> recognises;
  // The saved run as a row (status Reopened, no stored forms); throws quantcore::InputError
  // naming the file and the problem.
  std::function<RunRecord(const QString& directory)> open;
};

const std::vector<RunKind>& runKinds();
const RunKind* findRunKind(const QString& name);
// The run saved in `directory`, by the first kind that recognises it; InputError when none does.
RunRecord openSavedRun(const QString& directory);

}  // namespace widgets
