#include "widgets/studio_inputs.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include "quantcore/io/model_spec.h"

namespace widgets {

QString shippedFile(const QString& installed, const QString& inSource) {
  for (const QString& c : {QDir(QCoreApplication::applicationDirPath()).filePath(installed), inSource})
    if (QFileInfo(c).isFile()) return QFileInfo(c).absoluteFilePath();
  return {};
}

QString shippedCalibrationText() {
  return shippedFile("../share/quantlens/little-stories.txt", QStringLiteral(QUANTLENS_SHIPPED_TEXT));
}

quantcore::CalibrationOptions studioCalibrationDefaults() {
  quantcore::CalibrationOptions o;
  o.nsamples = 32;
  o.seqlen = 256;
  o.seed = 2;
  return o;
}

int64_t modelContext(const quantcore::ModelSpec& spec, int64_t fallback) {
  return spec.max_position_embeddings > 0 ? spec.max_position_embeddings : fallback;
}

QString textFileProblem(const QString& path, const QString& what) {
  if (path.trimmed().isEmpty()) return QCoreApplication::translate("StudioInputs", "no %1: choose a file").arg(what);
  const QFileInfo info(path);
  if (!info.exists()) return QCoreApplication::translate("StudioInputs", "%1: no such file").arg(path);
  if (info.isDir()) return QCoreApplication::translate("StudioInputs", "%1: is a directory, not a text").arg(path);
  if (!info.isReadable()) return QCoreApplication::translate("StudioInputs", "%1: cannot be read").arg(path);
  return {};
}

}  // namespace widgets
