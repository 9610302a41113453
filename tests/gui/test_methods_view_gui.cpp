// The Methods view under Xvfb on the embedded model: a comparison of rtn and gptq at 3 bits
// (4 x 64 calibration windows, perplexity on 4 windows of 64) fills the table, the scatter and
// the layer-error heatmap row by row, puts each row in the run list as a "compare" run, exports
// the table as CSV and Markdown and the whole comparison as `quantlens compare --out` does, and
// reopens such a directory (its own and the CLI's) as its rows; Cancel after the first row keeps
// that row; the method list adds, reorders and removes; nothing overflows at 1280x800 or widens
// the window.
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstdio>

#include "analysis/compare_report.h"
#include "quantcore/io/model_spec.h"
#include "widgets/comparison_run.h"
#include "widgets/heatmap_canvas.h"
#include "widgets/method_list_editor.h"
#include "widgets/methods_view.h"
#include "widgets/run_list.h"
#include "widgets/run_table_model.h"
#include "widgets/runs_view.h"
#include "widgets/scatter_chart.h"
#include "widgets/table_csv.h"
#include "widgets/views.h"
#include "gui_test_support.h"

namespace {
using gui_test::kModel;
using gui_test::kText;

QString readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}
}  // namespace

class MethodsViewGuiTest : public gui_test::StudioWindowTest {
  Q_OBJECT

  widgets::MethodsView* view_ = nullptr;
  QTemporaryDir out_;
  std::vector<widgets::RunRecord> live_;  // the two rows' runs after the full comparison

  std::vector<const widgets::RunRecord*> compareRuns() const {
    std::vector<const widgets::RunRecord*> out;
    for (const widgets::RunRecord& r : session_->runs().records())
      if (r.kind == "compare") out.push_back(&r);
    return out;
  }
  // Lists `methods` with the tiny settings: 4 x 64 calibration windows, perplexity on 4 windows of 64.
  bool configure(const QString& methods) {
    QString error;
    if (!view_->methodList().setSpellings(methods, error)) return false;
    view_->setCalibration(kText, 4, 64, 2);
    view_->setEvaluation(kText, 64, 4);
    return true;
  }
  // The heatmap holds exactly the rows' layer errors: layers x methods.
  void checkHeatmap(const analysis::CompareResult& result) {
    const analysis::FloatMatrix& m = view_->heatmap().content().values;
    const int64_t layers = session_->spec().num_layers * 7;
    QCOMPARE(m.rows, layers);
    QCOMPARE(m.cols, int64_t(result.rows.size()));
    for (size_t j = 0; j < result.rows.size(); ++j) {
      QCOMPARE(int64_t(result.rows[j].layer_errors.size()), layers);
      for (int64_t i = 0; i < layers; ++i)
        QCOMPARE(m.at(i, int64_t(j)), float(result.rows[j].layer_errors[size_t(i)].relative_error));
    }
    QCOMPARE(view_->heatmap().content().rowName(0), std::string("0.") + result.rows[0].layer_errors[0].linear);
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(out_.isValid());
    createWindow();
    QSignalSpy opened(session_.get(), &widgets::StudioSession::modelOpened);
    session_->openModel(kModel);
    QVERIFY(opened.wait(30000));
    view_ = qobject_cast<widgets::MethodsView*>(window_->view("methods"));
    QVERIFY(view_);
    QVERIFY(window_->showView("methods"));
  }

  void theMethodListAddsReordersAndRemoves() {
    auto* list = child<QListWidget>("methodsList");
    QCOMPARE(list->count(), 0);
    QVERIFY(!child<QPushButton>("methodsRun")->isEnabled());  // nothing to compare, and it says so
    QVERIFY(child<QLabel>("methodsRunReason")->text().contains("at least one method"));
    child<QComboBox>("methodsMethod")->setCurrentText("rtn");
    child<QSpinBox>("methodsBits")->setValue(2);
    QTest::mouseClick(child<QPushButton>("methodsAdd"), Qt::LeftButton);
    child<QSpinBox>("methodsBits")->setValue(3);
    QTest::mouseClick(child<QPushButton>("methodsAdd"), Qt::LeftButton);
    QCOMPARE(view_->methodList().spellings(), (QStringList{"rtn:bits=2", "rtn:bits=3"}));
    QVERIFY(child<QPushButton>("methodsRun")->isEnabled());
    list->setCurrentRow(1);
    QTest::mouseClick(child<QPushButton>("methodsUp"), Qt::LeftButton);
    QCOMPARE(view_->methodList().spellings(), (QStringList{"rtn:bits=3", "rtn:bits=2"}));
    QCOMPARE(child<QSpinBox>("methodsBits")->value(), 3);  // the selected entry is loaded into the form
    QTest::mouseClick(child<QPushButton>("methodsRemove"), Qt::LeftButton);
    QCOMPARE(view_->methodList().spellings(), (QStringList{"rtn:bits=2"}));
    // A missing text is named before anything runs.
    const QString missing = out_.filePath("no-such-text.txt");
    child<QLineEdit>("methodsPplText")->setText(missing);
    QVERIFY(!child<QPushButton>("methodsRun")->isEnabled());
    QCOMPARE(child<QLabel>("methodsRunReason")->text(), missing + ": no such file");
    child<QLineEdit>("methodsPplText")->setText(kText);
    QString error;
    QVERIFY(!view_->methodList().setSpellings("rtn:bits=3,nosuchmethod", error));
    QVERIFY2(error.contains("nosuchmethod") && !error.contains('\n'), qPrintable(error));
    QCOMPARE(view_->methodList().spellings(), (QStringList{"rtn:bits=2"}));  // unchanged
  }

  void rowsFillInAndJoinTheRunList() {
    QVERIFY(configure("rtn:bits=3,gptq:bits=3"));
    std::vector<std::pair<int, int>> seen;  // table rows and scatter points as each row arrived
    connect(view_, &widgets::MethodsView::rowAdded, this,
            [&] { seen.emplace_back(view_->table().model()->rowCount(), view_->scatter().drawnPointCount()); });
    QSignalSpy ended(view_, &widgets::MethodsView::comparisonEnded);
    QVERIFY2(child<QPushButton>("methodsRun")->isEnabled(), qPrintable(child<QLabel>("methodsRunReason")->text()));
    QTest::mouseClick(child<QPushButton>("methodsRun"), Qt::LeftButton);
    QVERIFY2(child<QPushButton>("methodsCancel")->isEnabled(), qPrintable(child<QLabel>("methodsStatus")->text()));
    QVERIFY(ended.wait(60000));
    disconnect(view_, &widgets::MethodsView::rowAdded, this, nullptr);
    QCOMPARE(seen, (std::vector<std::pair<int, int>>{{1, 1}, {2, 2}}));
    const analysis::CompareResult& result = view_->result();
    QVERIFY(!result.cancelled);
    QCOMPARE(result.rows.size(), size_t(2));
    QCOMPARE(result.rows[0].spelling, std::string("rtn:bits=3"));
    QCOMPARE(result.rows[1].spelling, std::string("gptq:bits=3"));
    const double fp = result.fp_perplexity.ppl;
    QVERIFY(std::isfinite(fp) && fp > 1);
    QCOMPARE(result.fp_perplexity.windows, 4);
    for (const analysis::CompareRow& row : result.rows) {
      QVERIFY(std::isfinite(row.perplexity.ppl) && row.perplexity.ppl > fp);
      QVERIFY(row.stored_bits > 3 && row.stored_bits < 4);
      QVERIFY(!row.run);  // the view keeps no stored forms
    }
    std::printf("methods: FP %.3f, rtn:bits=3 %.3f at %.4f bits, gptq:bits=3 %.3f at %.4f bits\n", fp,
                result.rows[0].perplexity.ppl, result.rows[0].stored_bits, result.rows[1].perplexity.ppl,
                result.rows[1].stored_bits);
    // The table, in run order.
    QAbstractItemModel* table = view_->table().model();
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->index(0, 0).data().toString(), QString("rtn"));
    QCOMPARE(table->index(1, 1).data().toString(), QString("bits=3"));
    // The scatter: one point per row at its stored bits and perplexity, FP as the baseline, labels apart.
    const widgets::ScatterChart& scatter = view_->scatter();
    QCOMPARE(scatter.drawnPointCount(), 2);
    for (size_t i = 0; i < 2; ++i) {
      QCOMPARE(scatter.points()[i].x, result.rows[i].stored_bits);
      QCOMPARE(scatter.points()[i].y, result.rows[i].perplexity.ppl);
      QCOMPARE(scatter.points()[i].label, QString::fromStdString(result.rows[i].spelling));
    }
    QVERIFY(scatter.baseline() && scatter.baseline()->y == fp);
    const std::vector<QRectF> labels = scatter.labelRects();
    QCOMPARE(labels.size(), size_t(3));
    for (size_t a = 0; a < labels.size(); ++a)
      for (size_t b = a + 1; b < labels.size(); ++b) QVERIFY(!labels[a].intersects(labels[b]));
    QVERIFY(scatter.yRange().first < fp && scatter.yRange().second > result.rows[0].perplexity.ppl);
    checkHeatmap(result);
    QVERIFY(child<QLabel>("methodsHeatmapLegend")->text().contains("gptq:bits=3"));
    // Each row is a "compare" run with its numbers and stored forms.
    const auto runs = compareRuns();
    QCOMPARE(runs.size(), size_t(2));
    for (size_t i = 0; i < 2; ++i) {
      const widgets::RunRecord& r = *runs[i];
      QCOMPARE(r.status, widgets::RunStatus::Done);
      QVERIFY(r.result);
      QCOMPARE(r.spelling, QString::fromStdString(result.rows[i].spelling));
      QCOMPARE(r.method, QString::fromStdString(result.rows[i].method));
      QCOMPARE(r.storedBits, result.rows[i].stored_bits);
      QCOMPARE(r.paperBits, result.rows[i].paper_bits);
      QCOMPARE(r.perplexity.ppl, result.rows[i].perplexity.ppl);
      QCOMPARE(r.perplexity.fpPpl, fp);
      QCOMPARE(r.perplexity.windows, 4);
      QCOMPARE(r.perplexity.seqlen, 64);
      QCOMPARE(r.settings["parameters"]["bits"].get<int>(), 3);
      // The shared calibration is in the settings of the method that calibrates (gptq), not of rtn.
      QCOMPARE(r.settings["nsamples"].is_null(), i == 0);
      if (i == 1) QCOMPARE(r.settings["nsamples"].get<int>(), 4);
      live_.push_back(r);
    }
    // The Runs view names their kind.
    auto* runsTable = &qobject_cast<widgets::RunsView*>(window_->view("runs"))->table();
    const int last = runsTable->model()->rowCount() - 1;
    QCOMPARE(runsTable->model()->index(last, widgets::RunTableModel::Kind).data().toString(), QString("Comparison"));
    // Hovering a point reads it out.
    QTest::mouseMove(view_->scatter().viewport(), view_->scatter().pointPosition(1).toPoint());
    QTRY_VERIFY(!view_->scatter().hoverText().isEmpty());
    QVERIFY2(view_->scatter().hoverText().startsWith("gptq:bits=3"), qPrintable(view_->scatter().hoverText()));
    QTest::mouseMove(view_->scatter().viewport(), QPoint(2, 2));
    gui_test::save_screenshot(*window_, "gui-methods");
  }

  void theTableAndTheFiguresExport() {
    const analysis::CompareResult& result = view_->result();
    QString error;
    const QString csv = out_.filePath("table.csv"), md = out_.filePath("table.md");
    QVERIFY2(view_->exportTable(csv, error), qPrintable(error));
    QVERIFY2(view_->exportTable(md, error), qPrintable(error));
    QCOMPARE(readAll(csv), QString::fromStdString(analysis::compare_csv(result)));
    QCOMPARE(readAll(csv).count('\n'), 4);  // header, FP, two methods
    QVERIFY(readAll(csv).startsWith("method,settings,bits (paper),bits (stored),bits (bytes),PPL,seconds,peak MiB\n"));
    QVERIFY(readAll(csv).contains("\nrtn,rtn:bits=3,3.000,"));
    QCOMPARE(readAll(md), QString::fromStdString(analysis::compare_markdown(result)));
    QVERIFY(readAll(md).startsWith("| method | settings |"));
    QVERIFY(readAll(md).contains("| FP |") && readAll(md).contains("| gptq | gptq:bits=3 |"));
    QVERIFY(!view_->exportTable(out_.filePath("table.txt"), error));
    // Copy as CSV: what the table shows, a line per row.
    const QString copied = widgets::tableCsv(view_->table(), false);
    QCOMPARE(copied.count('\n'), 3);
    QVERIFY(copied.startsWith("method,settings,bits (paper),bits (stored),bits (bytes),PPL,time,peak MiB\n"));
    // The chart as pictures and points, the heatmap as a figure naming the methods.
    for (const char* suffix : {"png", "svg", "pdf"}) {
      const QString path = out_.filePath(QString("scatter.") + suffix);
      QVERIFY2(view_->scatter().exportImage(path, error), qPrintable(error));
      QVERIFY(QFileInfo(path).size() > 1000);
    }
    QVERIFY(readAll(out_.filePath("scatter.svg")).contains("gptq:bits=3"));
    QVERIFY2(view_->scatter().exportCsv(out_.filePath("scatter.csv"), error), qPrintable(error));
    const QStringList lines = readAll(out_.filePath("scatter.csv")).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0], QString("method,stored_bits_per_weight,ppl"));
    QVERIFY(lines[1].startsWith("rtn:bits=3,") && lines[3].startsWith("FP,,"));
    QVERIFY2(view_->exportLayerErrorFigure(out_.filePath("layers.svg"), error), qPrintable(error));
    QVERIFY(readAll(out_.filePath("layers.svg")).contains("1 gptq:bits=3"));
  }

  void aSavedComparisonReopensAsItsRows() {
    const QString dir = out_.filePath("comparison");
    QString error;
    QVERIFY2(view_->saveComparison(dir, false, error), qPrintable(error));
    for (const char* f : {"compare.json", "compare.md", "compare.csv", "layer_errors.csv", "compare.svg"})
      QVERIFY2(QFile::exists(dir + "/" + f), f);
    QCOMPARE(readAll(dir + "/layer_errors.csv"), QString::fromStdString(analysis::layer_errors_csv(view_->result())));
    QVERIFY(!view_->saveComparison(dir, false, error));  // an existing directory is not replaced without force
    QVERIFY2(error.contains(dir), qPrintable(error));
    // File > Open run: one row per method.
    auto* runs = qobject_cast<widgets::RunsView*>(window_->view("runs"));
    const int before = session_->runs().count();
    QVERIFY2(runs->openRun(dir, error), qPrintable(error));
    QCOMPARE(session_->runs().count(), before + 2);
    for (size_t i = 0; i < 2; ++i) {
      const widgets::RunRecord& back = session_->runs().records()[size_t(before) + i];
      const widgets::RunRecord& live = live_[i];
      QCOMPARE(back.kind, QString("compare"));
      QCOMPARE(back.status, widgets::RunStatus::Reopened);
      QVERIFY(!back.result);
      QCOMPARE(back.method, live.method);
      QCOMPARE(back.spelling, live.spelling);
      QCOMPARE(back.settings["parameters"], live.settings["parameters"]);
      for (const char* key : {"calib", "nsamples", "seqlen", "seed"})  // the calibration travels with each row
        QVERIFY2(back.settings[key] == live.settings[key], key);
      QCOMPARE(back.storedBits, live.storedBits);
      QCOMPARE(back.paperBits, live.paperBits);
      QCOMPARE(back.perplexity.ppl, live.perplexity.ppl);
      QCOMPARE(back.perplexity.fpPpl, live.perplexity.fpPpl);
      QCOMPARE(back.perplexity.windows, live.perplexity.windows);
    }
    // A reopened row holds numbers, not a model: Compare with original is off for it.
    runs->selectRuns({session_->runs().records()[size_t(before)].id});
    auto* compareButton = runs->findChild<QPushButton*>("runCompare");
    QVERIFY(compareButton && !compareButton->isEnabled());
    // The view shows it again, as it was.
    const analysis::CompareResult shown = view_->result();
    QVERIFY2(view_->openComparison(dir, error), qPrintable(error));
    QCOMPARE(session_->runs().count(), before + 4);
    QCOMPARE(view_->result().rows.size(), size_t(2));
    QCOMPARE(view_->result().fp_perplexity.ppl, shown.fp_perplexity.ppl);
    QCOMPARE(view_->scatter().drawnPointCount(), 2);
    checkHeatmap(view_->result());
    QCOMPARE(QString::fromStdString(analysis::compare_csv(view_->result())),
             QString::fromStdString(analysis::compare_csv(shown)));
    // Not a comparison: one line naming the file.
    QFile bad(out_.filePath("bad/compare.json"));
    QVERIFY(QDir().mkpath(out_.filePath("bad")) && bad.open(QIODevice::WriteOnly));
    bad.write("{\"rows\": []}");
    bad.close();
    QVERIFY(!runs->openRun(out_.filePath("bad"), error));
    QVERIFY2(error.contains("compare.json") && error.contains("fp") && !error.contains('\n'), qPrintable(error));
  }

  void theClisComparisonReopensToo() {
    const QString dir = out_.filePath("cli-comparison");
    QProcess cli;
    cli.start(QUANTLENS_CLI, {"compare", kModel, "--methods", "rtn:bits=3,gptq:bits=3", "--calib", kText, "--nsamples",
                              "4", "--seqlen", "64", "--text", kText, "--max-windows", "4", "--out", dir, "--quiet"});
    QVERIFY(cli.waitForFinished(60000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    QString error;
    const int before = session_->runs().count();
    auto* runs = qobject_cast<widgets::RunsView*>(window_->view("runs"));
    QVERIFY2(runs->openRun(dir, error), qPrintable(error));
    QCOMPARE(session_->runs().count(), before + 2);
    // The same windows, the same methods: the same numbers as the view's comparison.
    for (size_t i = 0; i < 2; ++i) {
      const widgets::RunRecord& back = session_->runs().records()[size_t(before) + i];
      QCOMPARE(back.spelling, live_[i].spelling);
      QCOMPARE(back.storedBits, live_[i].storedBits);
      QVERIFY(std::abs(back.perplexity.ppl - live_[i].perplexity.ppl) < 1e-6 * live_[i].perplexity.ppl);
    }
  }

  void cancelAfterTheFirstRowKeepsIt() {
    // PTQ1.61's block training (20 epochs) takes seconds: the cancel lands inside it.
    QVERIFY(configure("rtn:bits=3,ptq161"));
    const int before = session_->runs().count();
    QSignalSpy ended(view_, &widgets::MethodsView::comparisonEnded);
    connect(view_, &widgets::MethodsView::rowAdded, this,
            [this] { QTest::mouseClick(child<QPushButton>("methodsCancel"), Qt::LeftButton); });
    QTest::mouseClick(child<QPushButton>("methodsRun"), Qt::LeftButton);
    QVERIFY(ended.wait(60000));
    disconnect(view_, &widgets::MethodsView::rowAdded, this, nullptr);
    QVERIFY(view_->result().cancelled);
    QCOMPARE(view_->result().rows.size(), size_t(1));
    QCOMPARE(view_->table().model()->rowCount(), 1);
    QCOMPARE(view_->scatter().drawnPointCount(), 1);
    QCOMPARE(view_->heatmap().content().values.cols, int64_t(1));
    QVERIFY(child<QLabel>("methodsStatus")->text().startsWith("Cancelled after 1 of 2"));
    // Both runs keep their rows: the finished one done, the interrupted one cancelled.
    QCOMPARE(session_->runs().count(), before + 2);
    QCOMPARE(session_->runs().records()[size_t(before)].status, widgets::RunStatus::Done);
    QCOMPARE(session_->runs().records()[size_t(before) + 1].status, widgets::RunStatus::Cancelled);
    QCOMPARE(session_->runs().records()[size_t(before) + 1].method, QString("ptq161"));
    QVERIFY(child<QPushButton>("methodsRun")->isEnabled());
  }

  void nothingOverflowsOrWidensTheWindow() {
    QVERIFY(configure("rtn:bits=3,gptq:bits=3"));
    QSignalSpy ended(view_, &widgets::MethodsView::comparisonEnded);
    view_->start();
    QVERIFY(ended.wait(60000));
    for (const QSize size : {QSize(1280, 800), QSize(1920, 1080)}) {
      window_->resize(size);
      QVERIFY(window_->showView("methods"));
      QTest::qWait(50);
      QApplication::processEvents();
      QCOMPARE(window_->size(), size);
      const QStringList problems = gui_test::layout_overflows(*window_);
      QVERIFY2(problems.isEmpty(), qPrintable(problems.join("; ")));
      gui_test::save_screenshot(*window_, QString("gui-methods-run-%1x%2").arg(size.width()).arg(size.height()));
    }
    window_->resize(1280, 800);
  }

  void cleanupTestCase() { destroyWindow(); }
};

QUANTLENS_GUI_TEST_MAIN(MethodsViewGuiTest)
#include "test_methods_view_gui.moc"
