// The dump view under Xvfb on two dumps of the embedded model written here by the CLI
// (nsamples 4, seqlen 64): `quantlens dump` and `quantlens quantize --epochs 1 --dump`. The table
// and the heatmaps must hold what analysis::DumpReader reads from the same files, a click on a row
// shows that linear, the quantize dump's loss curves are drawn, and broken files give one error
// naming the file (a message box in an interactive window) while the open dump stays.
#include <QApplication>
#include <QCheckBox>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QProcess>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cmath>
#include <cstdio>
#include <memory>
#include <limits>
#include <set>

#include "analysis/dump_reader.h"
#include "analysis/dump_views.h"
#include "widgets/dump_document.h"
#include "widgets/dump_table_model.h"
#include "widgets/table_csv.h"
#include "widgets/heatmap_canvas.h"
#include "widgets/imgui_canvas.h"
#include "widgets/loss_chart.h"
#include "widgets/main_window.h"
#include "widgets/studio_session.h"
#include "gui_test_support.h"

namespace {
using gui_test::kModel;
using gui_test::kText;
constexpr int kTotalTerm = widgets::LossChart::kTerms - 1;

// The distinct saliency-map cells that hold one of the linear's listed top-K weights.
std::set<int64_t> cellsHoldingTopK(const analysis::DumpLinear& l) {
  std::set<int64_t> cells;
  const auto& p = l.salient_weights.positions;
  for (size_t i = 0; i + 1 < p.size(); i += 2)
    cells.insert((p[i] / l.saliency_map.pool_rows) * l.saliency_map.cols + p[i + 1] / l.saliency_map.pool_cols);
  return cells;
}
}  // namespace

class DumpViewGuiTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString statistics_, quantized_;
  std::unique_ptr<widgets::StudioSession> session_;
  std::unique_ptr<widgets::MainWindow> window_;
  QWidget* view_ = nullptr;
  QTableView* table_ = nullptr;
  widgets::DumpTableModel* model_ = nullptr;
  QSortFilterProxyModel* proxy_ = nullptr;

  widgets::DumpDocument& document() { return session_->dump(); }

  void runCli(const QStringList& args) {
    QProcess cli;
    cli.start(QUANTLENS_CLI, args);
    QVERIFY(cli.waitForFinished(120000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
  }

  bool openDump(const QString& path) {
    QSignalSpy opened(&document(), &widgets::DumpDocument::opened);
    document().open(path);
    return opened.wait(30000);
  }

  QString failedOpen(const QString& path) {
    QSignalSpy failed(&document(), &widgets::DumpDocument::failed);
    document().open(path);
    if (!failed.wait(30000)) return {};
    return failed.front().front().toString();
  }

private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    qputenv("XDG_CACHE_HOME", dir_.filePath("cache").toUtf8());
    statistics_ = dir_.filePath("statistics.h5");
    quantized_ = dir_.filePath("quantized.h5");
    const QStringList calib{"--calib", kText, "--nsamples", "4", "--seqlen", "64", "--quiet"};
    runCli(QStringList{"dump", kModel, "--out", statistics_} + calib);
    runCli(QStringList{"quantize", kModel, "--epochs", "1", "--out", dir_.filePath("quantized"), "--dump", quantized_} +
           calib);

    session_ = std::make_unique<widgets::StudioSession>();
    window_ = std::make_unique<widgets::MainWindow>(*session_, false);
    window_->resize(1280, 800);
    // As `quantlens-studio FILE.h5` starts: no model, so the model and calibration docks are hidden.
    for (const char* dock : {"modelDock", "calibrationDock"})
      gui_test::require_child<QDockWidget>(*window_, dock)->hide();
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QVERIFY(window_->showView("dump"));
    view_ = window_->view("dump");
    QVERIFY(view_);
    table_ = gui_test::require_child<QTableView>(*view_, "dumpTable");
    proxy_ = qobject_cast<QSortFilterProxyModel*>(table_->model());  // the table sorts by any column
    QVERIFY(proxy_);
    model_ = qobject_cast<widgets::DumpTableModel*>(proxy_->sourceModel());
    QVERIFY(model_);
  }

  void tableHoldsEveryLinearAsTheReaderReadsIt() {
    QVERIFY(openDump(statistics_));
    const analysis::DumpReader reader(statistics_.toStdString());
    const analysis::DumpHeader& h = reader.header();
    QCOMPARE(document().progress().total(), h.num_layers);
    QCOMPARE(document().progress().done(), h.num_layers);
    QCOMPARE(model_->rowCount(), static_cast<int>(h.num_layers * static_cast<int64_t>(h.linears.size())));
    QCOMPARE(model_->columnCount(),
             static_cast<int>(widgets::DumpTableModel::LearnedErrorBound));  // no learned columns
    using C = widgets::DumpTableModel;
    auto exact = [this](int row, int column) { return model_->data(model_->index(row, column), Qt::UserRole); };
    int row = 0;
    for (const analysis::DumpBlock& b : reader.read_blocks())
      for (const analysis::DumpLinear& l : b.linears) {
        QCOMPARE(exact(row, C::Block).toLongLong(), b.index);
        QCOMPARE(exact(row, C::Linear).toString().toStdString(), l.linear);
        QCOMPARE(exact(row, C::Shape).toList().at(0).toLongLong(), l.out_features);
        QCOMPARE(exact(row, C::Shape).toList().at(1).toLongLong(), l.in_features);
        QCOMPARE(exact(row, C::SalientRatio).toDouble(), l.salient_ratio);
        QCOMPARE(exact(row, C::Bits).toDouble(), l.bits);
        QCOMPARE(exact(row, C::ErrorBound).toDouble(), l.error_bound);
        QCOMPARE(exact(row, C::RelativeError).toDouble(), l.relative_error);
        QVERIFY(model_->data(model_->index(row, C::ErrorBound), Qt::DisplayRole).toString().size() > 0);
        ++row;
      }
    const QString header = gui_test::require_child<QLabel>(*view_, "dumpHeader")->text();
    QVERIFY2(header.contains(QString::fromStdString(h.model)), qPrintable(header));
    QVERIFY2(header.contains(QString::number(h.bits_per_weight, 'f', 4) + " bits/weight"), qPrintable(header));
    QVERIFY(!gui_test::require_child<widgets::LossChart>(*view_, "dumpLossChart")->isVisibleTo(view_));

    // Activation heatmap: one row per linear, its max|x| from the dump, NaN beyond its width.
    const auto& map =
        gui_test::require_child<widgets::HeatmapCanvas>(*view_, "dumpActivationsCanvas")->content().values;
    QCOMPARE(map.rows, static_cast<int64_t>(model_->rowCount()));
    const analysis::DumpBlock b4 = reader.read_block(4);
    const auto& down = b4.linears.back();
    QCOMPARE(map.cols, down.in_features);  // down_proj is the widest
    const int64_t downRow = model_->rowOf(4, static_cast<int>(b4.linears.size()) - 1);
    for (int64_t j = 0; j < down.in_features; ++j) QCOMPARE(map.at(downRow, j), down.act_max_abs[j]);
    QVERIFY(std::isnan(map.at(0, map.cols - 1)));
    std::printf("dump view: %d rows, activation map %lld x %lld, bits/weight %.4f\n", model_->rowCount(),
                static_cast<long long>(map.rows), static_cast<long long>(map.cols), h.bits_per_weight);
  }

  void theTableSortsByAnyColumnAndCopiesAsCsv() {
    using C = widgets::DumpTableModel;
    // The learned errors say why they can be above the analytic ones.
    QVERIFY(model_->headerData(C::LearnedRelativeError, Qt::Horizontal, Qt::ToolTipRole)
                .toString()
                .contains("Training minimises the block's output loss"));
    table_->sortByColumn(C::ErrorBound, Qt::DescendingOrder);
    double previous = std::numeric_limits<double>::infinity();
    for (int r = 0; r < proxy_->rowCount(); ++r) {
      const double v = proxy_->index(r, C::ErrorBound).data(Qt::UserRole).toDouble();
      QVERIFY(v <= previous);
      previous = v;
    }
    const QString csv = widgets::tableCsv(*table_, false);
    QCOMPARE(csv.count('\n'), proxy_->rowCount() + 1);
    QVERIFY(csv.startsWith("block,linear,"));
    proxy_->sort(-1);  // back to the file's order
    QCOMPARE(proxy_->mapToSource(proxy_->index(0, 0)).row(), 0);
  }

  void clickingARowShowsThatLinearsSaliencyMap() {
    const int row = model_->rowOf(3, 4);  // block 3 mlp.gate_proj
    const QModelIndex index = proxy_->mapFromSource(model_->index(row, widgets::DumpTableModel::Linear));
    table_->scrollTo(index);
    QTest::mouseClick(table_->viewport(), Qt::LeftButton, {}, table_->visualRect(index).center());
    QTRY_COMPARE_WITH_TIMEOUT(document().selectedBlock(), int64_t{3}, 5000);
    QCOMPARE(document().selectedLinear(), 4);

    const analysis::DumpReader reader(statistics_.toStdString());
    const analysis::DumpLinear l = reader.read_block(3).linears[4];
    QCOMPARE(l.linear, std::string("mlp.gate_proj"));
    const auto& canvas = *gui_test::require_child<widgets::HeatmapCanvas>(*view_, "dumpSaliencyCanvas");
    QVERIFY(QString::fromStdString(canvas.content().title).contains("block 3 mlp.gate_proj"));
    QCOMPARE(canvas.content().values.rows, l.saliency_map.rows);
    QCOMPARE(canvas.content().values.cols, l.saliency_map.cols);
    QVERIFY(canvas.content().values.values == l.saliency_map.values);
    // Bands: the structured mask over the map's columns; marks: the cells holding a top-K weight.
    QVERIFY(canvas.overlay().columnBands == analysis::pooled_column_mask(l.mask, l.saliency_map));
    int64_t bands = 0;
    for (uint8_t b : canvas.overlay().columnBands) bands += b;
    QCOMPARE(bands, l.salient_columns);  // stories260K's maps are unpooled (m <= 256)
    std::set<int64_t> marked;
    for (size_t c = 0; c < l.saliency_map.values.size(); ++c)
      if (l.saliency_map.values[c] >= canvas.overlay().markThreshold) marked.insert(static_cast<int64_t>(c));
    QVERIFY(!marked.empty());
    QVERIFY(marked == cellsHoldingTopK(l));

    // A click on the activation heatmap's row selects that linear too.
    auto* activations = gui_test::require_child<widgets::HeatmapCanvas>(*view_, "dumpActivationsCanvas");
    Q_EMIT activations->cellClicked(model_->rowOf(1, 6), 10);
    QCOMPARE(document().selectedBlock(), int64_t{1});
    QCOMPARE(document().selectedLinear(), 6);
    QCOMPARE(proxy_->mapToSource(table_->currentIndex()).row(), model_->rowOf(1, 6));
    QVERIFY(QString::fromStdString(canvas.content().title).contains("block 1 mlp.down_proj"));
    std::printf("dump view: block 3 mlp.gate_proj, %lld salient columns, %zu cells marked of %zu\n",
                static_cast<long long>(bands), marked.size(), l.saliency_map.values.size());
    document().select(3, 4);
    gui_test::save_screenshot(*window_, "gui-dump-statistics");
  }

  void quantizeDumpShowsLearnedErrorsAndLossCurves() {
    QVERIFY(openDump(quantized_));
    const analysis::DumpReader reader(quantized_.toStdString());
    QCOMPARE(model_->columnCount(), static_cast<int>(widgets::DumpTableModel::ColumnCount));
    const std::vector<analysis::DumpBlock> blocks = reader.read_blocks();
    int row = 0;
    for (const analysis::DumpBlock& b : blocks)
      for (const analysis::DumpLinear& l : b.linears) {
        QCOMPARE(model_->data(model_->index(row, widgets::DumpTableModel::LearnedErrorBound), Qt::UserRole).toDouble(),
                 *l.learned_error_bound);
        QCOMPARE(
            model_->data(model_->index(row, widgets::DumpTableModel::LearnedRelativeError), Qt::UserRole).toDouble(),
            *l.learned_relative_error);
        ++row;
      }

    auto* chart = gui_test::require_child<widgets::LossChart>(*view_, "dumpLossChart");
    QVERIFY(chart->isVisibleTo(view_));
    QCOMPARE(chart->shownBlock(), int64_t{0});
    const int64_t steps0 = static_cast<int64_t>(blocks[0].loss->size());
    QCOMPARE(steps0, int64_t{4});  // 1 epoch x 4 samples
    QCOMPARE(static_cast<int64_t>(chart->pointCount(kTotalTerm)), steps0);
    document().select(2, 0);
    QCOMPARE(chart->shownBlock(), int64_t{2});
    gui_test::require_child<QCheckBox>(*view_, "dumpLossAllBlocks")->setChecked(true);
    QCOMPARE(chart->shownBlock(), int64_t{-1});
    int64_t steps = 0;
    for (const auto& b : blocks) steps += static_cast<int64_t>(b.loss->size());
    QCOMPARE(chart->eventCount(), steps);
    QCOMPARE(static_cast<int64_t>(chart->pointCount(kTotalTerm)), steps);
    std::printf("dump view: quantize dump, %lld loss points over %zu blocks\n", static_cast<long long>(steps),
                blocks.size());
    gui_test::save_screenshot(*window_, "gui-dump-quantized");
  }

  void brokenFilesGiveOneErrorAndKeepTheOpenDump() {
    const QString garbage = dir_.filePath("garbage.h5");
    {
      QFile f(garbage);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("this is not an HDF5 file\n");
    }
    QFile source(quantized_);
    QVERIFY(source.open(QIODevice::ReadOnly));
    const QByteArray bytes = source.readAll();
    // Another HDF5 file: the format attribute renamed in place (same length).
    const QString foreign = dir_.filePath("foreign.h5");
    {
      QByteArray patched = bytes;
      QVERIFY(patched.contains("quantlens-analysis-dump"));
      patched.replace("quantlens-analysis-dump", "someone-elses-data-file");
      QFile f(foreign);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(patched);
    }
    const QString truncated = dir_.filePath("truncated.h5");
    {
      QFile f(truncated);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(bytes.left(bytes.size() / 2));
    }
    const std::string model = document().header().model;
    for (const auto& [path, problem] :
         {std::pair{garbage, QString("not an HDF5 file")}, std::pair{foreign, QString("not a QuantLens analysis dump")},
          std::pair{truncated, QString()}, std::pair{dir_.filePath("missing.h5"), QString("no such file")}}) {
      const QString message = failedOpen(path);
      std::printf("dump view: %s\n", qPrintable(message));
      QVERIFY2(message.startsWith(path + ": "), qPrintable(message));
      QVERIFY2(message.contains(problem), qPrintable(message));
      QVERIFY(!message.contains('\n'));
      QVERIFY(document().isOpen());
      QCOMPARE(document().path(), quantized_);
      QCOMPARE(document().header().model, model);
    }
    QVERIFY(gui_test::require_child<QLabel>(*view_, "dumpHeader")->text().contains("Cannot open the analysis dump"));
    gui_test::save_screenshot(*window_, "gui-dump-error");
  }

  void interactiveWindowShowsAMessageBox() {
    widgets::StudioSession session;
    widgets::MainWindow window(session, true);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QString boxText;
    QTimer poll;
    connect(&poll, &QTimer::timeout, this, [&] {
      if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
        boxText = box->text();
        box->accept();
      }
    });
    poll.start(20);
    const QString garbage = dir_.filePath("garbage.h5");
    session.dump().open(garbage);
    QTRY_VERIFY_WITH_TIMEOUT(!boxText.isEmpty(), 10000);
    QCOMPARE(boxText, garbage + ": not an HDF5 file");
    QVERIFY(!session.dump().isOpen());
  }

  void cleanupTestCase() {
    window_.reset();
    session_.reset();
  }
};

QUANTLENS_GUI_TEST_MAIN(DumpViewGuiTest)

#include "test_dump_view_gui.moc"
