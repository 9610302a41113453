// The teaching view under Xvfb, in the studio window at 1280 x 800: editing a cell of W or x and
// moving the ratio slider change the mask, W' and the output errors live; edits typed into the
// cell editor undo and redo (keys and buttons), Reset returns to the example, a bad entry is
// refused and named, the fixed colour scale holds its range, and the numbers carry tooltips.
// Saves screenshots into the build tree (QUANTLENS_GUI_SHOTS).
#include <QApplication>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSlider>
#include <QStyleOptionSlider>
#include <QTableWidget>
#include <QTest>
#include <QToolTip>
#include <QUndoStack>

#include <cmath>

#include "widgets/colormap.h"
#include "widgets/main_window.h"
#include "gui_test_support.h"

class TeachViewTest : public gui_test::StudioWindowTest {
  Q_OBJECT

  QWidget* view_ = nullptr;
  QStringList exampleResults_, exampleInputs_;

  template <typename T>
  T* child(const char* name) {
    return gui_test::require_child<T>(*view_, name);
  }
  double number(const char* label) { return child<QLabel>(label)->text().toDouble(); }
  QString label(const char* name) { return child<QLabel>(name)->text(); }
  QTableWidget* table(const char* name) { return child<QTableWidget>(name); }
  QString text(const char* name, int row, int col) { return table(name)->item(row, col)->text(); }
  QTableWidgetItem* cell(int row, int col) { return table("teachWeights")->item(row, col); }
  QColor background(int row, int col) { return cell(row, col)->background().color(); }
  // The colours drawn in a cell of W and x: just inside its left edge, and between the edge and the text.
  QColor drawn(int row, int col, int dx, int dy) {
    QTableWidget* t = table("teachWeights");
    const QRect r = t->visualItemRect(cell(row, col));
    return t->viewport()->grab().toImage().pixelColor(r.left() + dx, r.top() + dy);
  }
  QColor drawnEdge(int row, int col) { return drawn(row, col, 2, cell(row, col)->tableWidget()->rowHeight(row) / 2); }
  QColor drawnInside(int row, int col) { return drawn(row, col, 6, 5); }
  static bool isRed(const QColor& c) { return c.red() >= 190 && c.green() < 170 && c.blue() < 170; }
  QUndoStack* undoStack() { return child<QUndoStack>("teachUndoStack"); }

  static QStringList cells(const QTableWidget* t) {
    QStringList all;
    for (int i = 0; i < t->rowCount(); ++i)
      for (int j = 0; j < t->columnCount(); ++j) all << t->item(i, j)->text();
    return all;
  }
  // Everything the view computes from W, x and the ratio.
  QStringList results() {
    QStringList all;
    for (const char* name : {"teachRatioValue", "teachMask", "teachMaskRule", "teachErrorMasked", "teachErrorUnmasked",
                             "teachErrorRatio", "teachBits"})
      all << label(name);
    for (const char* name : {"teachCodes", "teachDequantized", "teachRows"}) all << cells(table(name));
    return all;
  }
  QStringList inputs() { return cells(table("teachWeights")); }

  // Types `typed` into cell (row, col) of W and x (row 6 is x) through its editor, as a user does:
  // open the editor, select what it holds, type, Enter.
  bool typeInto(int row, int col, const QString& typed) {
    QTableWidget* t = table("teachWeights");
    t->setFocus();
    t->setCurrentCell(row, col);
    t->editItem(t->item(row, col));
    auto* editor = qobject_cast<QLineEdit*>(QApplication::focusWidget());
    if (!editor || !t->isAncestorOf(editor)) return false;
    QTest::keyClick(editor, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(editor, typed);
    QTest::keyClick(editor, Qt::Key_Return);
    // The delegate commits on the next turn of the event loop.
    return QTest::qWaitFor([&] { return QApplication::focusWidget() == t; });
  }
  void keys(const QKeySequence& sequence) { QTest::keySequence(table("teachWeights"), sequence); }
  void click(const char* button) { QTest::mouseClick(child<QPushButton>(button), Qt::LeftButton); }

private Q_SLOTS:
  void initTestCase() {
    createWindow(1280, 800);
    QVERIFY(window_->showView("teach"));
    view_ = window_->view("teach");
    QVERIFY(view_);
    window_->activateWindow();  // shortcuts reach only the active window
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
    exampleResults_ = results();
    exampleInputs_ = inputs();
  }
  void cleanupTestCase() { destroyWindow(); }
  // Every test starts from the shipped example on the automatic colour scale.
  void init() {
    child<QCheckBox>("teachFixedScale")->setChecked(false);
    click("teachReset");
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
    gui_test::save_screenshot(*window_, "teach-view");
  }

  void resetRestoresTheExample() {
    QVERIFY(typeInto(0, 0, "2"));
    QVERIFY(typeInto(6, 3, "-7"));
    child<QSlider>("teachRatio")->setValue(70);
    QVERIFY(inputs() != exampleInputs_);
    click("teachReset");
    QCOMPARE(inputs(), exampleInputs_);
    QCOMPARE(results(), exampleResults_);
    QCOMPARE(child<QSlider>("teachRatio")->value(), 20);
    // Reset is an edit too: undoing it brings the edits back.
    click("teachUndo");
    QCOMPARE(text("teachWeights", 0, 0), QString("2.00"));
    QCOMPARE(text("teachWeights", 6, 3), QString("-7.00"));
    QCOMPARE(child<QSlider>("teachRatio")->value(), 70);
    click("teachReset");
    QCOMPARE(results(), exampleResults_);
  }

  void typedEditUndoesAndRedoes() {
    const QStringList before = results();
    const QString old = text("teachWeights", 1, 3);
    QVERIFY(typeInto(1, 3, "1.5"));
    QCOMPARE(text("teachWeights", 1, 3), QString("1.50"));
    const QStringList after = results();
    QVERIFY(after != before);

    keys(QKeySequence(Qt::CTRL | Qt::Key_Z));
    QCOMPARE(text("teachWeights", 1, 3), old);
    QCOMPARE(results(), before);
    keys(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
    QCOMPARE(text("teachWeights", 1, 3), QString("1.50"));
    QCOMPARE(results(), after);
    keys(QKeySequence(Qt::CTRL | Qt::Key_Z));
    QCOMPARE(results(), before);
    keys(QKeySequence(Qt::CTRL | Qt::Key_Y));
    QCOMPARE(results(), after);

    click("teachUndo");
    QCOMPARE(text("teachWeights", 1, 3), old);
    QCOMPARE(results(), before);
    click("teachRedo");
    QCOMPARE(results(), after);
  }

  void ratioMovesAreUndoable() {
    auto* ratio = child<QSlider>("teachRatio");
    ratio->setFocus();
    QTest::keyClick(ratio, Qt::Key_PageUp);  // one page step: 0.20 -> 0.30
    QCOMPARE(label("teachRatioValue"), QString("0.30"));
    QCOMPARE(label("teachMask").count('c'), 3);  // floor(0.3 x 8) + 1
    keys(QKeySequence(Qt::CTRL | Qt::Key_Z));
    QCOMPARE(ratio->value(), 20);
    QCOMPARE(results(), exampleResults_);
  }

  void aRatioDragIsOneUndoStep() {
    auto* ratio = child<QSlider>("teachRatio");
    QStyleOptionSlider option;
    option.initFrom(ratio);
    option.orientation = ratio->orientation();
    option.minimum = ratio->minimum();
    option.maximum = ratio->maximum();
    option.sliderPosition = option.sliderValue = ratio->value();
    const QPoint handle =
        ratio->style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderHandle, ratio).center();
    const int steps = undoStack()->index();
    QTest::mousePress(ratio, Qt::LeftButton, {}, handle);
    for (int dx = 10; dx <= 120; dx += 10) {
      QTest::mouseMove(ratio, handle + QPoint(dx, 0));
      QCOMPARE(undoStack()->index(), steps);  // the drag previews, nothing is pushed yet
    }
    QTest::mouseRelease(ratio, Qt::LeftButton, {}, handle + QPoint(120, 0));
    QVERIFY(ratio->value() > 30);
    QCOMPARE(label("teachRatioValue"), QString::number(ratio->value() / 100.0, 'f', 2));
    QCOMPARE(undoStack()->index(), steps + 1);
    click("teachUndo");
    QCOMPARE(ratio->value(), 20);
    QCOMPARE(results(), exampleResults_);
  }

  void badEntryIsRefusedAndNamed() {
    const int steps = undoStack()->index();
    QVERIFY(!isRed(background(2, 3)));
    QVERIFY(typeInto(2, 3, "abc"));
    QCOMPARE(results(), exampleResults_);
    QCOMPARE(undoStack()->index(), steps);  // nothing to undo: the input did not change
    QCOMPARE(cell(2, 3)->text(), QString("abc"));
    QVERIFY(isRed(background(2, 3)));
    QVERIFY(isRed(drawnEdge(2, 3)));  // seen even while the cell is selected, as it is after the edit
    QVERIFY(!isRed(drawnEdge(2, 4)));
    QVERIFY2(cell(2, 3)->toolTip().contains("0.110"), qPrintable(cell(2, 3)->toolTip()));  // the value still used
    QCOMPARE(label("teachMessage"), QString("W[2,3]: 'abc' is not a number"));
    gui_test::save_screenshot(*window_, "teach-view-refused");

    QVERIFY(typeInto(6, 0, "inf"));
    QCOMPARE(results(), exampleResults_);
    QVERIFY(isRed(background(6, 0)));
    QVERIFY(isRed(background(2, 3)));
    QCOMPARE(label("teachMessage"), QString("x[0]: 'inf' is not finite"));
    QVERIFY(typeInto(6, 0, "0,5"));
    QVERIFY2(label("teachMessage").contains("decimal point"), qPrintable(label("teachMessage")));

    // A good value is accepted and the marks go: the cells show the input again.
    QVERIFY(typeInto(2, 3, "0.2"));
    QVERIFY(results() != exampleResults_);
    QCOMPARE(cell(2, 3)->text(), QString("0.20"));
    QVERIFY(!isRed(background(2, 3)));
    QVERIFY(!isRed(background(6, 0)));
    QCOMPARE(cell(6, 0)->text(), QString("0.80"));
    QVERIFY(!label("teachMessage").contains('['));
  }

  void fixedColourScaleKeepsItsRange() {
    auto* fixed = child<QCheckBox>("teachFixedScale");
    auto* low = child<QDoubleSpinBox>("teachScaleLow");
    auto* high = child<QDoubleSpinBox>("teachScaleHigh");
    QCOMPARE(high->value(), 0.48);  // max|W| of the example, W[2,1]
    QCOMPARE(low->value(), -0.48);
    QVERIFY(!high->isEnabled());
    const QColor w00 = background(0, 0);

    fixed->click();
    QVERIFY(high->isEnabled());
    QVERIFY(typeInto(1, 3, "3"));  // would widen the range to +-3
    QCOMPARE(high->value(), 0.48);
    QCOMPARE(low->value(), -0.48);
    QCOMPARE(background(0, 0), w00);
    const widgets::Rgb top = widgets::colormap(1.0f);
    QCOMPARE(background(1, 3), QColor(top.r, top.g, top.b));   // above the scale: its last colour
    QCOMPARE(drawnInside(1, 3), QColor(top.r, top.g, top.b));  // seen although the edit left it selected

    high->setValue(1.0);  // an edited end recolours
    QVERIFY(background(0, 0) != w00);
    QCOMPARE(high->value(), 1.0);

    fixed->click();  // automatic again: the range follows the edit
    QCOMPARE(high->value(), 3.0);
    QCOMPARE(low->value(), -3.0);
    QVERIFY(background(0, 0) != w00);
    click("teachReset");
    QCOMPARE(background(0, 0), w00);
  }

  void numbersCarryTheirExplanations() {
    for (const char* name : {"teachRatioValue", "teachMask", "teachMaskRule", "teachErrorMasked", "teachErrorUnmasked",
                             "teachErrorRatio", "teachBits"})
      QVERIFY2(!child<QLabel>(name)->toolTip().isEmpty(), name);
    QVERIFY(child<QLabel>("teachErrorMasked")->toolTip().contains("E = ‖(W − W′)x‖²"));
    QVERIFY(child<QLabel>("teachErrorRatio")->toolTip().contains("all-binarised"));
    QVERIFY(child<QLabel>("teachBits")->toolTip().contains("§7"));
    QVERIFY(child<QLabel>("teachMaskRule")->toolTip().contains("ratio 0 keeps one salient column"));
    for (int c = 0; c < 7; ++c) QVERIFY(!table("teachRows")->horizontalHeaderItem(c)->toolTip().isEmpty());
    for (const char* name : {"teachWeights", "teachCodes", "teachDequantized", "teachRows"})
      for (int i = 0; i < table(name)->rowCount(); ++i)
        for (int j = 0; j < table(name)->columnCount(); ++j)
          QVERIFY2(!table(name)->item(i, j)->toolTip().isEmpty(), name);

    // The longest tooltip wraps into a readable box.
    auto* bits = child<QLabel>("teachBits");
    QToolTip::showText(bits->mapToGlobal(QPoint(0, bits->height())), bits->toolTip(), bits);
    QWidget* shown = nullptr;
    QVERIFY(QTest::qWaitFor([&] {
      for (QWidget* w : QApplication::topLevelWidgets())
        if (w->objectName() == "qtooltip_label" && w->isVisible()) shown = w;
      return shown != nullptr;
    }));
    QVERIFY2(shown->width() < 800, qPrintable(QString::number(shown->width())));
    gui_test::save_screenshot(*shown, "teach-view-bits-tooltip");
    QToolTip::hideText();

    // E/E(0) is the squared ratio of the two norms shown above it.
    const double ratio = number("teachErrorMasked") / number("teachErrorUnmasked");
    QVERIFY(std::fabs(number("teachErrorRatio") - ratio * ratio) < 1e-3);
    // Spec §7 [derived] for 6 x 8 with k = 2: payload (6 + 2 x 4) / 8 = 1.75; stored adds 8 mask
    // bits, a, c, r2, s at 16 bits (26 x 16) and six 4-bit zeros: 532 / 48 = 11.08.
    QCOMPARE(label("teachBits"), QString("1.75, 11.08"));
  }

  void ratioZeroStillKeepsOneSalientColumn() {
    QCOMPARE(label("teachMaskRule"), QString("⌊0.20 × 8⌋ + 1 = 2; ratio 0 keeps 1"));
    child<QSlider>("teachRatio")->setValue(0);
    QCOMPARE(label("teachMask"), QString("c2"));  // the largest |x|
    QCOMPARE(label("teachMaskRule"), QString("⌊0.00 × 8⌋ + 1 = 1; ratio 0 keeps 1"));
    QCOMPARE(label("teachBits"), QString("1.38, 10.71"));  // (7 + 4) / 8 = 1.375; (66 + 448) / 48
    // Ties at thr are salient too, beyond the count.
    QVERIFY(typeInto(6, 6, "5.2"));  // |x6| = |x2|
    QCOMPARE(label("teachMask"), QString("c2, c6"));
    QCOMPARE(label("teachMaskRule"), QString("⌊0.00 × 8⌋ + 1 = 1, + 1 tied; ratio 0 keeps 1"));
  }
};

QUANTLENS_GUI_TEST_MAIN(TeachViewTest)
#include "test_teach_view.moc"
