#include "widgets/save_names.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace widgets {

QString withSuffixOf(const QString& path, const QString& filter) {
  if (!QFileInfo(path).suffix().isEmpty()) return path;
  const qsizetype star = filter.indexOf("*.");
  if (star < 0) return path;
  const qsizetype end = filter.indexOf(QRegularExpression("[ );]"), star);
  return path + filter.mid(star + 1, end < 0 ? -1 : end - star - 1);
}

QString suggestedBeside(const QString& modelPath, const QString& what) {
  if (modelPath.isEmpty()) return "quantlens-" + what;
  const QFileInfo model(modelPath);
  // An HF model is a directory: its name is the model's name, its parent the place beside it.
  const QString base = model.isDir() ? model.fileName() : model.completeBaseName();
  return model.absoluteDir().filePath(base + "-" + what);
}

}  // namespace widgets
