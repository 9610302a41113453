#include "widgets/save_names.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace widgets {

namespace {
// ".png", ".svg", ... of the patterns "*.png" in a filter list.
QStringList suffixesOf(const QString& filters) {
  QStringList out;
  static const QRegularExpression pattern("\\*(\\.[A-Za-z0-9]+)");
  for (auto m = pattern.globalMatch(filters); m.hasNext();) out << m.next().captured(1).toLower();
  return out;
}
}  // namespace

QString withSuffixOf(const QString& path, const QString& filter, const QString& filters) {
  for (const QString& suffix : suffixesOf(filters.isEmpty() ? filter : filters))
    if (path.toLower().endsWith(suffix)) return path;
  const QStringList chosen = suffixesOf(filter);
  return chosen.isEmpty() ? path : path + chosen.front();
}

QString suggestedBeside(const QString& modelPath, const QString& what) {
  if (modelPath.isEmpty()) return "quantlens-" + what;
  const QFileInfo model(modelPath);
  // An HF model is a directory: its name is the model's name, its parent the place beside it.
  const QString base = model.isDir() ? model.fileName() : model.completeBaseName();
  return model.absoluteDir().filePath(base + "-" + what);
}

}  // namespace widgets
