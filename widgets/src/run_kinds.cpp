#include "widgets/run_kinds.h"

#include <QStringList>

#include "quantcore/io/errors.h"
#include "widgets/quantize_run_kind.h"

namespace widgets {

const std::vector<RunKind>& runKinds() {
  static const std::vector<RunKind> kinds = {quantizeRunKind()};
  return kinds;
}

const RunKind* findRunKind(const QString& name) {
  for (const RunKind& k : runKinds())
    if (k.name == name) return &k;
  return nullptr;
}

RunRecord openSavedRun(const QString& directory) {
  for (const RunKind& k : runKinds())
    if (k.recognises(directory)) return k.open(directory);
  QStringList names;
  for (const RunKind& k : runKinds()) names << k.title.toLower();
  throw quantcore::InputError(directory.toStdString(),
                              "not a saved run (no " + names.join(", ").toStdString() + " run found: a run directory "
                              "holds summary.json)");
}

}  // namespace widgets
