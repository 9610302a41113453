#include "widgets/run_kinds.h"

#include <QStringList>

#include "quantcore/io/errors.h"
#include "widgets/compare_run_kind.h"
#include "widgets/preprocess_run_kind.h"
#include "widgets/quantize_run_kind.h"
#if QUANTLENS_HAVE_HDF5
#include "widgets/dump_run_kind.h"
#endif

namespace widgets {

const std::vector<RunKind>& runKinds() {
  static const std::vector<RunKind> kinds = {
    quantizeRunKind(),
#if QUANTLENS_HAVE_HDF5
    dumpRunKind(),
#endif
    compareRunKind(),
    preprocessRunKind(),
  };
  return kinds;
}

const RunKind* findRunKind(const QString& name) {
  for (const RunKind& k : runKinds())
    if (k.name == name) return &k;
  return nullptr;
}

std::vector<RunRecord> openSavedRuns(const QString& path) {
  for (const RunKind& k : runKinds())
    if (k.recognises(path)) return k.openRows ? k.openRows(path) : std::vector<RunRecord>{k.open(path)};
  QStringList names;
  for (const RunKind& k : runKinds()) names << k.title.toLower();
  throw quantcore::InputError(
      path.toStdString(), "not a saved run (no " + names.join(", ").toStdString() +
                              " run found: a run directory holds summary.json, a run's dump "
                              "ends in .h5, a comparison holds compare.json, a preprocessed model preprocess.json)");
}

}  // namespace widgets
