#include "widgets/run_kinds.h"

#include <QStringList>

#include "quantcore/io/errors.h"
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
  };
  return kinds;
}

const RunKind* findRunKind(const QString& name) {
  for (const RunKind& k : runKinds())
    if (k.name == name) return &k;
  return nullptr;
}

RunRecord openSavedRun(const QString& path) {
  for (const RunKind& k : runKinds())
    if (k.recognises(path)) return k.open(path);
  QStringList names;
  for (const RunKind& k : runKinds()) names << k.title.toLower();
  throw quantcore::InputError(path.toStdString(),
                              "not a saved run (no " + names.join(", ").toStdString() + " run found: a run directory "
                              "holds summary.json, a run's dump ends in .h5)");
}

}  // namespace widgets
