#pragma once
// What the Qt Test GUI tests share: screenshots into the build tree and named-child lookup.
#include <QDir>
#include <QImage>
#include <QString>
#include <QWidget>
#include <QtTest/QtTest>

namespace gui_test {

// Saves `w` as QUANTLENS_GUI_SHOTS/NAME.png (the first grab lets the GL canvases render).
inline void save_screenshot(QWidget& w, const QString& name) {
  QDir().mkpath(QUANTLENS_GUI_SHOTS);
  w.grab();
  const QString path = QString(QUANTLENS_GUI_SHOTS) + "/" + name + ".png";
  QVERIFY2(w.grab().toImage().save(path), qPrintable(path));
}

// The descendant of `root` with this object name; a missing one stops the test run.
template <typename T>
T* require_child(const QObject& root, const char* name) {
  T* w = root.findChild<T*>(name);
  if (!w) qFatal("no child %s", name);
  return w;
}

}  // namespace gui_test
