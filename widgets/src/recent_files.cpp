#include "widgets/recent_files.h"

#include <QFileInfo>
#include <QSettings>

namespace widgets {

namespace {
constexpr const char* kKey = "recentFiles";
}

RecentFiles::RecentFiles(QObject* parent) : QObject(parent) {}

QStringList RecentFiles::paths() const { return QSettings().value(kKey).toStringList(); }

void RecentFiles::add(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  QStringList list = paths();
  list.removeAll(absolute);
  list.prepend(absolute);
  while (list.size() > kMaxEntries) list.removeLast();
  store(list);
}

void RecentFiles::clear() { store({}); }

void RecentFiles::store(const QStringList& paths) {
  QSettings settings;
  settings.setValue(kKey, paths);
  settings.sync();
  Q_EMIT changed();
}

}  // namespace widgets
