// The teaching view under Xvfb: editing a cell of W or x and moving the ratio slider change the
// mask, W' and the output errors live. Saves a screenshot into the build tree (QUANTLENS_GUI_SHOTS).
#include <QApplication>
#include <QLabel>
#include <QSlider>
#include <QTableWidget>
#include <QTest>

#include <memory>

#include "widgets/studio_session.h"
#include "widgets/views.h"
#include "gui_test_support.h"

class TeachViewTest : public QObject {
  Q_OBJECT

  std::unique_ptr<widgets::StudioSession> session_;
  std::unique_ptr<QWidget> view_;

  template <typename T>
  T* child(const char* name) {
    return gui_test::require_child<T>(*view_, name);
  }
  double number(const char* label) { return child<QLabel>(label)->text().toDouble(); }
  QString text(const char* table, int row, int col) { return child<QTableWidget>(table)->item(row, col)->text(); }

private Q_SLOTS:
  void initTestCase() {
    session_ = std::make_unique<widgets::StudioSession>();
    view_.reset(widgets::findView("teach")->make(*session_, nullptr));
    view_->resize(1000, 720);
    view_->show();
    QVERIFY(QTest::qWaitForWindowExposed(view_.get()));
  }

  void defaultExampleShowsTheMaskHelping() {
    QCOMPARE(child<QLabel>("teachMask")->text(), QString("c2, c6"));
    QVERIFY(text("teachCodes", 0, 2).startsWith("Q="));
    QVERIFY(text("teachCodes", 0, 0) == "+1" || text("teachCodes", 0, 0) == "-1");
    QVERIFY(number("teachErrorMasked") > 0.0);
    QVERIFY(number("teachErrorMasked") < number("teachErrorUnmasked"));
  }

  void editingAWeightChangesTheOutputs() {
    const double before = number("teachErrorMasked"), unmaskedBefore = number("teachErrorUnmasked");
    const QString wBefore = text("teachDequantized", 1, 3);
    // Row 1, binarised column 3: its alpha and mu change, so does W' of that row.
    child<QTableWidget>("teachWeights")->item(1, 3)->setText("1.50");
    QVERIFY(number("teachErrorMasked") != before);
    QVERIFY(number("teachErrorUnmasked") != unmaskedBefore);
    QVERIFY(text("teachDequantized", 1, 3) != wBefore);
  }

  void editingXMovesTheMask() {
    child<QTableWidget>("teachWeights")->item(6, 1)->setText("9.00");  // row 6 is x
    QCOMPARE(child<QLabel>("teachMask")->text(), QString("c1, c2"));
    QVERIFY(text("teachCodes", 0, 1).startsWith("Q="));
    QVERIFY(!text("teachCodes", 0, 6).startsWith("Q="));
  }

  void ratioOneQuantisesEveryColumnAtFourBits() {
    const double binarisedError = number("teachErrorUnmasked");
    child<QSlider>("teachRatio")->setValue(100);
    QCOMPARE(child<QLabel>("teachMask")->text().count('c'), 8);
    QVERIFY(number("teachErrorMasked") < 0.25 * binarisedError);
    child<QSlider>("teachRatio")->setValue(20);
    gui_test::save_screenshot(*view_, "teach-view");
  }
};

QUANTLENS_GUI_TEST_MAIN(TeachViewTest)
#include "test_teach_view.moc"
