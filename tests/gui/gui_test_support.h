#pragma once
// What the Qt Test GUI tests share: screenshots into the build tree, named-child lookup, the
// event-loop stall meter and main().
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QString>
#include <QTimer>
#include <QWidget>
#include <QtTest/QtTest>

#include <QTemporaryDir>

#include <algorithm>
#include <memory>

#include "widgets/imgui_canvas.h"
#include "widgets/main_window.h"
#include "widgets/studio_session.h"

namespace gui_test {

// The embedded default model and the shipped story text, which the GUI tests run on.
inline const QString kModel = QUANTLENS_SOURCE_DIR "/resources/models/stories260K/stories260K.bin";
inline const QString kText = QUANTLENS_SOURCE_DIR "/resources/text/little-stories.txt";

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

// A test over one studio window: a fresh statistics cache, a session, its window and named-child
// lookup in it. No slots here: Qt Test would run them as tests of every subclass.
class StudioWindowTest : public QObject {
protected:
  QTemporaryDir cache_;
  std::unique_ptr<widgets::StudioSession> session_;
  std::unique_ptr<widgets::MainWindow> window_;

  template <typename T>
  T* child(const char* name) {
    return require_child<T>(*window_, name);
  }
  void createWindow(int width = 1280, int height = 800) {
    QVERIFY(cache_.isValid());
    qputenv("XDG_CACHE_HOME", cache_.path().toUtf8());
    session_ = std::make_unique<widgets::StudioSession>();
    window_ = std::make_unique<widgets::MainWindow>(*session_, false);
    window_->resize(width, height);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }
  void destroyWindow() {
    window_.reset();
    session_.reset();
  }
};

// The longest gap between ticks of a 10 ms timer on the GUI thread since construction: how long
// the event loop went without running.
class StallMeter : public QObject {
public:
  StallMeter() {
    timer_.setInterval(10);
    QObject::connect(&timer_, &QTimer::timeout, this, [this] {
      maxGapMs_ = std::max(maxGapMs_, clock_.restart());
      ++ticks_;
    });
    clock_.start();
    timer_.start();
  }
  qint64 maxGapMs() const { return maxGapMs_; }
  int ticks() const { return ticks_; }

private:
  QTimer timer_;
  QElapsedTimer clock_;
  qint64 maxGapMs_ = 0;
  int ticks_ = 0;
};

}  // namespace gui_test

// main() of a GUI test: the ImGui canvases need a 3.3 core context requested before QApplication.
#define QUANTLENS_GUI_TEST_MAIN(TestClass)           \
  int main(int argc, char** argv) {                  \
    widgets::ImGuiCanvas::setDefaultSurfaceFormat(); \
    QApplication app(argc, argv);                    \
    TestClass test;                                  \
    return QTest::qExec(&test, argc, argv);          \
  }

#include <QAbstractScrollArea>
#include <QLayout>
#include <QStringList>

namespace gui_test {

// What overflows in `root`: every visible widget whose geometry leaves its parent's rectangle,
// and every pair of visible siblings in one layout that overlap. Scrolled contents (children of
// a scroll area's viewport) may be larger than their parent and are not checked.
inline bool managed_by(const QLayout* layout, const QWidget* w) {
  for (int i = 0; layout && i < layout->count(); ++i) {
    QLayoutItem* item = layout->itemAt(i);
    if (item->widget() == w || managed_by(item->layout(), w)) return true;
  }
  return false;
}

inline QStringList layout_overflows(const QWidget& root) {
  QStringList problems;
  const auto name = [](const QWidget* w) {
    return QString("%1 '%2' %3x%4+%5+%6")
        .arg(w->metaObject()->className(), w->objectName())
        .arg(w->width())
        .arg(w->height())
        .arg(w->x())
        .arg(w->y());
  };
  for (const QWidget* w : root.findChildren<QWidget*>()) {
    if (!w->isVisible() || w->isWindow()) continue;
    const QWidget* parent = w->parentWidget();
    if (!parent || !parent->isVisible()) continue;
    if (const auto* scroll = qobject_cast<const QAbstractScrollArea*>(parent->parentWidget());
        scroll && scroll->viewport() == parent)
      continue;
    const QRect inside = parent->rect().adjusted(-1, -1, 1, 1);
    if (!inside.contains(w->geometry())) problems << name(w) + " leaves " + name(parent);
    const QLayout* layout = parent->layout();
    if (!managed_by(layout, w)) continue;
    for (const QWidget* other : parent->findChildren<QWidget*>(Qt::FindDirectChildrenOnly)) {
      if (other <= w || !other->isVisible() || !managed_by(layout, other)) continue;
      if (w->geometry().intersects(other->geometry())) problems << name(w) + " overlaps " + name(other);
    }
  }
  return problems;
}

}  // namespace gui_test
