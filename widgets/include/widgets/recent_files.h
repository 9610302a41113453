#pragma once
// The files opened most recently (models and analysis dumps), newest first, kept in the user's
// QuantLens Studio settings (QSettings) across sessions.
#include <QObject>
#include <QStringList>

namespace widgets {

class RecentFiles : public QObject {
  Q_OBJECT
public:
  static constexpr int kMaxEntries = 8;

  explicit RecentFiles(QObject* parent = nullptr);

  QStringList paths() const;
  // Moves `path` (made absolute) to the front; the oldest entry beyond kMaxEntries drops out.
  void add(const QString& path);
  void clear();

Q_SIGNALS:
  void changed();

private:
  void store(const QStringList& paths);
};

}  // namespace widgets
