// The loss chart as a plot to query, under Xvfb: real wheel and mouse events zoom, pan and box
// zoom; reset gives tight axes; the hover read-out names the nearest step; smoothing is
// TensorBoard's debiased EMA; block and epoch markers; overlays of other runs; a legend that
// fits; CSV and PNG/SVG/PDF export through QSaveFile. Screenshots go into the build tree.
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>
#include <QtCharts/QChart>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "widgets/ema_smoothing.h"
#include "widgets/loss_chart.h"
#include "widgets/log_axis_ticks.h"
#include "widgets/readable_number.h"
#include "gui_test_support.h"

namespace {

constexpr int kBlocks = 4, kEpochs = 2, kSamples = 8;
constexpr int kTotal = widgets::LossChart::kTerms - 1;

// A run's events, block-major: every term positive, falling within a block, noisy, each block
// starting higher than the one before.
std::vector<quantcore::LossEvent> makeEvents(int blocks, int epochs, int nsamples, double scale = 1) {
  std::vector<quantcore::LossEvent> events;
  for (int b = 0; b < blocks; ++b)
    for (int e = 0; e < epochs; ++e)
      for (int s = 0; s < nsamples; ++s) {
        const int i = e * nsamples + s;
        const double base = scale * 0.02 * (b + 1) * std::exp(-0.15 * i) * (1 + 0.3 * ((i * 7 + b * 3) % 5) / 4.0);
        quantcore::LossEvent ev;
        ev.block = b;
        ev.epoch = e;
        ev.step = s;
        ev.loss.mse_fp = base;
        ev.loss.mse_q = 0.6 * base;
        ev.loss.nlc_fp = 0.002 * (b + 1) * (1 + 0.1 * (i % 3));
        ev.loss.nlc_q = 0.0015 * (b + 1) * (1 + 0.1 * (i % 4));
        ev.loss.total = ev.loss.mse_fp + ev.loss.mse_q + ev.loss.nlc_fp + ev.loss.nlc_q;
        events.push_back(ev);
      }
  return events;
}

double termOf(const quantcore::LossValues& v, int t) {
  const double all[] = {v.mse_fp, v.mse_q, v.nlc_fp, v.nlc_q, v.total};
  return all[t];
}

QLineSeries* seriesNamed(QChart& chart, const QString& name) {
  for (QAbstractSeries* s : chart.series())
    if (s->name() == name) return qobject_cast<QLineSeries*>(s);
  return nullptr;
}

}  // namespace

class LossChartGuiTest : public QObject {
  Q_OBJECT

  std::unique_ptr<widgets::LossChart> chart_;
  std::vector<quantcore::LossEvent> events_;

  QWidget* viewport() { return chart_->viewport(); }
  QRectF plot() { return chart_->chart()->plotArea(); }
  // The viewport pixel at fractions of the plot area (fy = 0 at the bottom).
  QPoint at(double fx, double fy) {
    const QRectF p = plot();
    const QPointF chartPos(p.left() + fx * p.width(), p.bottom() - fy * p.height());
    return chart_->mapFromScene(chart_->chart()->mapToScene(chartPos));
  }
  // The x value under a viewport pixel.
  double xAt(QPoint viewportPos) {
    const QPointF c = chart_->chart()->mapFromScene(chart_->mapToScene(viewportPos));
    const auto [x0, x1] = chart_->xRange();
    return x0 + (c.x() - plot().left()) / plot().width() * (x1 - x0);
  }
  double xPerPixel() {
    const auto [x0, x1] = chart_->xRange();
    return (x1 - x0) / plot().width();
  }
  void wheel(QPoint pos, int angle) {
    QWheelEvent ev(QPointF(pos), QPointF(viewport()->mapToGlobal(pos)), QPoint(), QPoint(0, angle), Qt::NoButton,
                   Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(viewport(), &ev);
  }
  std::pair<double, double> dataY() const {
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (const auto& e : events_)
      for (int t = 0; t < widgets::LossChart::kTerms; ++t) {
        lo = std::min(lo, termOf(e.loss, t));
        hi = std::max(hi, termOf(e.loss, t));
      }
    return {lo, hi};
  }
  void verifyTight() {
    const auto [x0, x1] = chart_->xRange();
    QCOMPARE(x0, 0.0);
    QCOMPARE(x1, double(kBlocks * kEpochs * kSamples - 1));
    const auto [lo, hi] = dataY();
    const double margin = 0.05 * std::log10(hi / lo);
    const auto [y0, y1] = chart_->yRange();
    QVERIFY2(std::abs(std::log10(y0) - (std::log10(lo) - margin)) < 1e-9, qPrintable(QString::number(y0)));
    QVERIFY2(std::abs(std::log10(y1) - (std::log10(hi) + margin)) < 1e-9, qPrintable(QString::number(y1)));
  }
  QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
  }

private Q_SLOTS:
  void init() {
    chart_ = std::make_unique<widgets::LossChart>();
    chart_->resize(600, 400);
    chart_->show();
    QVERIFY(QTest::qWaitForWindowExposed(chart_.get()));
    events_ = makeEvents(kBlocks, kEpochs, kSamples);
    chart_->reset(kSamples, kEpochs);
    chart_->append(events_);
    QCoreApplication::processEvents();
  }
  void cleanup() { chart_.reset(); }

  void numbersAndTicksAreReadable() {
    QCOMPARE(widgets::readableNumber(0.0123), QString("0.0123"));
    QCOMPARE(widgets::readableNumber(1.2e-05), QString("1.2e-05"));
    QCOMPARE(widgets::readableNumber(12.345), QString("12.3"));
    QCOMPARE(widgets::readableNumber(4560), QString("4560"));
    QCOMPARE(widgets::readableNumber(0.5), QString("0.5"));
    // Inside one decade a log axis still gets several labels (QLogValueAxis would give none).
    const std::vector<double> inDecade = widgets::logAxisTicks(0.021, 0.047);
    QVERIFY(inDecade.size() >= 3);
    QCOMPARE(widgets::tickLabels(inDecade).front(), QString("0.025"));
    // Over many decades, decades only, and never more than asked for.
    const std::vector<double> wide = widgets::logAxisTicks(1e-9, 1e3, 8);
    QVERIFY(wide.size() >= 4 && wide.size() <= 8);
    for (double t : wide) QCOMPARE(std::round(std::log10(t)), std::log10(t));
  }

  void resetGivesTightAxes() {
    verifyTight();
    // Not rounded out to whole decades.
    const auto [y0, y1] = chart_->yRange();
    QVERIFY(std::log10(y1) - std::log10(y0) < std::ceil(std::log10(y1)) - std::floor(std::log10(y0)) - 0.2);
    wheel(at(0.5, 0.5), 240);
    QVERIFY(chart_->xRange().second - chart_->xRange().first < 60);
    chart_->resetZoom();
    verifyTight();
  }

  void wheelZoomsAboutTheCursor() {
    const QPoint cursor = at(0.25, 0.6);
    const double xBefore = xAt(cursor);
    const auto [x0, x1] = chart_->xRange();
    const auto [y0, y1] = chart_->yRange();
    wheel(cursor, 120);
    const auto [nx0, nx1] = chart_->xRange();
    QVERIFY2(nx1 - nx0 < 0.9 * (x1 - x0), qPrintable(QString("%1..%2").arg(nx0).arg(nx1)));
    QVERIFY(nx0 > x0 && nx1 < x1);
    QVERIFY(std::abs(xAt(cursor) - xBefore) < 1.5 * xPerPixel());
    const auto [ny0, ny1] = chart_->yRange();
    QVERIFY(std::log10(ny1 / ny0) < std::log10(y1 / y0));
    // Wheel back out: wider again.
    wheel(cursor, -240);
    QVERIFY(chart_->xRange().second - chart_->xRange().first > nx1 - nx0);
  }

  void dragPans() {
    wheel(at(0.5, 0.5), 120);  // zoomed in, so there is room on both sides
    const auto [x0, x1] = chart_->xRange();
    const double perPixel = xPerPixel();
    const QPoint from = at(0.5, 0.5), to = from + QPoint(-100, 0);
    QTest::mousePress(viewport(), Qt::LeftButton, {}, from);
    QTest::mouseMove(viewport(), from + QPoint(-50, 0));
    QTest::mouseMove(viewport(), to);
    QTest::mouseRelease(viewport(), Qt::LeftButton, {}, to);
    const auto [nx0, nx1] = chart_->xRange();
    QVERIFY(std::abs((nx1 - nx0) - (x1 - x0)) < 1e-9);  // panning keeps the span
    QVERIFY2(std::abs((nx0 - x0) - 100 * perPixel) < 1.5 * perPixel,
             qPrintable(QString("shifted %1, expected %2").arg(nx0 - x0).arg(100 * perPixel)));
  }

  void boxZoomSetsTheRangeToTheBox() {
    for (bool shiftDrag : {false, true}) {
      chart_->resetZoom();
      const QPoint a = at(0.2, 0.3), b = at(0.6, 0.8);
      const double xa = xAt(a), xb = xAt(b), perPixel = xPerPixel();
      const Qt::MouseButton button = shiftDrag ? Qt::LeftButton : Qt::RightButton;
      const Qt::KeyboardModifiers mods = shiftDrag ? Qt::ShiftModifier : Qt::NoModifier;
      QTest::mousePress(viewport(), button, mods, a);
      QTest::mouseMove(viewport(), b);
      QTest::mouseRelease(viewport(), button, mods, b);
      const auto [x0, x1] = chart_->xRange();
      QVERIFY2(std::abs(x0 - xa) < 1.5 * perPixel && std::abs(x1 - xb) < 1.5 * perPixel,
               qPrintable(QString("%1..%2, box %3..%4").arg(x0).arg(x1).arg(xa).arg(xb)));
    }
  }

  void doubleClickAndHomeResetTheZoom() {
    wheel(at(0.3, 0.5), 360);
    QTest::mouseClick(viewport(), Qt::LeftButton, {}, at(0.5, 0.5));
    QTest::mouseDClick(viewport(), Qt::LeftButton, {}, at(0.5, 0.5));
    QTest::mouseRelease(viewport(), Qt::LeftButton, {}, at(0.5, 0.5));
    verifyTight();
    wheel(at(0.3, 0.5), 360);
    QTest::keyClick(chart_.get(), Qt::Key_Home);
    verifyTight();
  }

  void axesFollowNewPointsUntilTheUserZooms() {
    chart_->reset(kSamples, kEpochs);
    chart_->append(std::vector<quantcore::LossEvent>(events_.begin(), events_.begin() + 10));
    QCOMPARE(chart_->xRange().second, 9.0);
    chart_->append(std::vector<quantcore::LossEvent>(events_.begin() + 10, events_.begin() + 20));
    QCOMPARE(chart_->xRange().second, 19.0);
    wheel(at(0.5, 0.5), 120);
    const auto zoomed = chart_->xRange();
    chart_->append(std::vector<quantcore::LossEvent>(events_.begin() + 20, events_.end()));
    QCOMPARE(chart_->xRange(), zoomed);
    chart_->resetZoom();
    verifyTight();
  }

  void hoverReadsTheNearestStep() {
    // The pixel of step 37 (block 2, epoch 0, sample 5), nudged a third of a step to the right.
    const auto [x0, x1] = chart_->xRange();
    const QPoint p = at((37.3 - x0) / (x1 - x0), 0.5);
    QTest::mouseMove(viewport(), p);
    QTRY_VERIFY(!chart_->hoverText().isEmpty());
    const QString text = chart_->hoverText();
    QVERIFY2(text.startsWith("step 37 · block 2 · epoch 0 · sample 5"), qPrintable(text));
    const quantcore::LossEvent& e = events_[37];
    QVERIFY2(text.contains("total  " + widgets::readableNumber(e.loss.total)), qPrintable(text));
    QVERIFY2(text.contains("nlc_q  " + widgets::readableNumber(e.loss.nlc_q)), qPrintable(text));
    // A curve switched off in the legend leaves the read-out.
    const auto markers = chart_->chart()->legend()->markers(seriesNamed(*chart_->chart(), "nlc_q"));
    QCOMPARE(int(markers.size()), 1);
    Q_EMIT markers.front()->clicked();
    QVERIFY(!seriesNamed(*chart_->chart(), "nlc_q")->isVisible());
    QVERIFY(markers.front()->isVisible());  // greyed, still there to click back
    QTest::mouseMove(viewport(), p + QPoint(1, 0));
    QTRY_VERIFY(!chart_->hoverText().isEmpty());
    QVERIFY2(!chart_->hoverText().contains("nlc_q"), qPrintable(chart_->hoverText()));
    QVERIFY(chart_->hoverText().contains("total"));
    // Leaving the plot area hides it.
    QTest::mouseMove(viewport(), at(0.5, 0) + QPoint(0, 20));
    QTRY_VERIFY(chart_->hoverText().isEmpty());
  }

  void smoothingIsTheDebiasedEma() {
    chart_->setSmoothing(0.6);
    const std::vector<QPointF> drawn = chart_->drawnPoints(kTotal);
    QCOMPARE(int(drawn.size()), int(events_.size()));
    const double v0 = events_[0].loss.total, v1 = events_[1].loss.total, v2 = events_[2].loss.total;
    // By hand: s_n = (sum_i 0.4 * 0.6^(n-i) v_i) / (1 - 0.6^(n+1)).
    const double s[] = {v0, (0.24 * v0 + 0.4 * v1) / 0.64, (0.144 * v0 + 0.24 * v1 + 0.4 * v2) / 0.784};
    for (int i = 0; i < 3; ++i) QVERIFY2(std::abs(drawn[i].y() / s[i] - 1) < 1e-9, qPrintable(QString::number(i)));
    QVERIFY(std::abs(drawn[1].y() - v1) > 1e-6 * v1);  // really smoothed
    // Each block starts afresh: its first point is its raw value.
    const int firstOfBlock1 = kEpochs * kSamples;
    QVERIFY(std::abs(drawn[firstOfBlock1].y() / events_[firstOfBlock1].loss.total - 1) < 1e-9);
    // The raw curve stays, faint, behind.
    QLineSeries* raw = seriesNamed(*chart_->chart(), "total (raw)");
    QVERIFY(raw && raw->isVisible());
    QCOMPARE(raw->count(), int(events_.size()));
    QVERIFY(raw->pen().color().alpha() < 128);
    // Appending extends the average without redrawing what is there.
    chart_->reset(kSamples, kEpochs);
    QLineSeries* total = seriesNamed(*chart_->chart(), "total");
    chart_->append(std::vector<quantcore::LossEvent>(events_.begin(), events_.begin() + 5));
    QSignalSpy removed(total, &QXYSeries::pointsRemoved), replaced(total, &QXYSeries::pointsReplaced);
    chart_->append(std::vector<quantcore::LossEvent>(events_.begin() + 5, events_.begin() + firstOfBlock1));
    QCOMPARE(removed.size() + replaced.size(), 0);
    std::vector<double> totals;
    for (int i = 0; i < firstOfBlock1; ++i) totals.push_back(events_[size_t(i)].loss.total);
    const std::vector<double> expected = widgets::debiasedEma(totals, 0.6);
    const std::vector<QPointF> tail = chart_->drawnPoints(kTotal);
    QCOMPARE(int(tail.size()), firstOfBlock1);
    for (int i = 0; i < firstOfBlock1; ++i) QVERIFY(std::abs(tail[size_t(i)].y() / expected[size_t(i)] - 1) < 1e-9);
    // Off again: the raw values.
    chart_->setSmoothing(0);
    QCOMPARE(chart_->drawnPoints(kTotal)[1].y(), v1);
    QVERIFY(!raw->isVisible());
  }

  void markersSitAtBlockAndEpochBoundaries() {
    QCOMPARE(chart_->markerCount(), kBlocks - 1);
    chart_->showBlock(1);
    QCOMPARE(chart_->markerCount(), kEpochs - 1);
    QCOMPARE(chart_->pointCount(kTotal), kEpochs * kSamples);
    chart_->showBlock(-1);
    QCOMPARE(chart_->markerCount(), kBlocks - 1);
    // A new block brings its boundary.
    std::vector<quantcore::LossEvent> next = makeEvents(kBlocks + 1, kEpochs, kSamples);
    chart_->append(std::vector<quantcore::LossEvent>(next.begin() + kBlocks * kEpochs * kSamples, next.end()));
    QCOMPARE(chart_->markerCount(), kBlocks);
  }

  void overlaysDrawOneTermPerRun() {
    const int before = int(chart_->chart()->series().size());
    chart_->setOverlays({{"#1 ptq161 r=0.1", makeEvents(kBlocks, kEpochs, kSamples, 1.5), kSamples, kEpochs},
                         {"#2 ptq161 r=0.2", makeEvents(kBlocks - 1, kEpochs, kSamples, 0.7), kSamples, kEpochs}});
    QCOMPARE(chart_->overlayCount(), 2);
    // One line per run (and its raw twin, hidden while smoothing is off).
    QCOMPARE(int(chart_->chart()->series().size()), before + 4);
    QLineSeries* one = seriesNamed(*chart_->chart(), "#1 ptq161 r=0.1");
    QLineSeries* two = seriesNamed(*chart_->chart(), "#2 ptq161 r=0.2");
    QVERIFY(one && two);
    QCOMPARE(one->count(), kBlocks * kEpochs * kSamples);
    QCOMPARE(two->count(), (kBlocks - 1) * kEpochs * kSamples);
    QVERIFY(one->pen().color() != two->pen().color());
    QCOMPARE(one->pen().style(), Qt::DashLine);
    QCoreApplication::processEvents();  // the legend lays its markers out on the event loop
    QVERIFY(chart_->chart()->legend()->markers(one).front()->isVisible());
    QCOMPARE(chart_->chart()->legend()->markers(one).front()->label(), QString("#1 ptq161 r=0.1"));
    // The live run keeps its five terms.
    for (int t = 0; t < widgets::LossChart::kTerms; ++t) QCOMPARE(chart_->pointCount(t), int(events_.size()));
    // The chosen term, and the chosen block, apply to the overlays.
    chart_->setOverlayTerm(0);
    QVERIFY(chart_->chart()->axes(Qt::Vertical).front()->titleText().endsWith("runs: mse_fp"));
    QCOMPARE(one->at(3).y(), std::log10(makeEvents(kBlocks, kEpochs, kSamples, 1.5)[3].loss.mse_fp));
    chart_->showBlock(2);
    QCOMPARE(one->count(), kEpochs * kSamples);
    QCOMPARE(two->count(), kEpochs * kSamples);
    chart_->showBlock(3);
    QCOMPARE(two->count(), 0);
    // Axes hold the overlays too.
    chart_->showBlock(-1);
    chart_->setOverlayTerm(kTotal);
    QVERIFY(chart_->yRange().second > 1.3 * dataY().second);
    chart_->setOverlays({});
    QCOMPARE(chart_->overlayCount(), 0);
    QCOMPARE(chart_->chart()->axes(Qt::Vertical).front()->titleText(), QString("loss (log scale)"));
    QCOMPARE(int(chart_->chart()->series().size()), before);
  }

  void legendFits() {
    chart_->setOverlays({{"#1 ptq161 r=0.1", makeEvents(kBlocks, kEpochs, kSamples, 1.5), kSamples, kEpochs},
                         {"#2 ptq161 r=0.2", makeEvents(kBlocks, kEpochs, kSamples, 0.7), kSamples, kEpochs}});
    chart_->setSmoothing(0.6);
    QCoreApplication::processEvents();
    QLegend* legend = chart_->chart()->legend();
    QCOMPARE(legend->alignment(), Qt::AlignBottom);
    QVERIFY2(legend->geometry().height() <= 400 / 5.0, qPrintable(QString::number(legend->geometry().height())));
    // Raw twins stay out of the legend.
    int shown = 0;
    for (QLegendMarker* m : legend->markers()) shown += m->isVisible();
    QCOMPARE(shown, widgets::LossChart::kTerms + 2);
    chart_->resize(1200, 450);
    QCoreApplication::processEvents();
    QCOMPARE(legend->alignment(), Qt::AlignRight);
    QVERIFY(legend->geometry().width() <= 1200 / 4.0);
  }

  void exportsCsv() {
    chart_->setOverlays({{"#1 ptq, r=0.1", makeEvents(2, kEpochs, kSamples), kSamples, kEpochs}});
    QTemporaryDir dir;
    const QString path = dir.filePath("loss.csv");
    QString error;
    QVERIFY2(chart_->exportCsv(path, error), qPrintable(error));
    const QList<QByteArray> lines = readFile(path).trimmed().split('\n');
    QCOMPARE(lines.front(), QByteArray("run,block,epoch,step,x,mse_fp,mse_q,nlc_fp,nlc_q,total"));
    QCOMPARE(int(lines.size()), 1 + int(events_.size()) + 2 * kEpochs * kSamples);
    QCOMPARE(lines[1 + 37].split(',').mid(0, 5).join(','), QByteArray("current,2,0,5,37"));
    QCOMPARE(lines[1 + 37].split(',').last().toDouble(), events_[37].loss.total);  // exact: shortest round-trip
    QVERIFY(lines.back().startsWith("\"#1 ptq, r=0.1\",1,1,7,31,"));
    // One block: its rows only.
    chart_->showBlock(1);
    QVERIFY2(chart_->exportCsv(path, error), qPrintable(error));
    QCOMPARE(int(readFile(path).trimmed().split('\n').size()), 1 + 2 * kEpochs * kSamples);
  }

  void exportsImages() {
    QTemporaryDir dir;
    QString error;
    const QString png = dir.filePath("loss.png"), svg = dir.filePath("loss.svg"), pdf = dir.filePath("loss.pdf");
    QVERIFY2(chart_->exportImage(png, error), qPrintable(error));
    const QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.width(), 2 * 600);
    QVERIFY2(chart_->exportImage(svg, error), qPrintable(error));
    QVERIFY(readFile(svg).startsWith("<?xml"));
    QVERIFY(readFile(svg).contains("total"));  // the legend came along as text
    QVERIFY2(chart_->exportImage(pdf, error), qPrintable(error));
    QVERIFY(readFile(pdf).startsWith("%PDF"));
    QCOMPARE(int(QDir(dir.path()).entryList(QDir::Files).size()), 3);  // no temporary file left behind

    const QString missing = dir.filePath("no-such-dir/loss.png");
    QVERIFY(!chart_->exportImage(missing, error));
    QVERIFY2(error.startsWith(missing + ": ") && !error.contains('\n'), qPrintable(error));
    QVERIFY(!chart_->exportCsv(dir.filePath("no-such-dir/loss.csv"), error));
    QVERIFY2(error.contains(dir.filePath("no-such-dir/loss.csv")), qPrintable(error));
    QVERIFY(!chart_->exportImage(dir.filePath("loss.bmp"), error));
    QVERIFY2(error.contains(".png, .svg or .pdf"), qPrintable(error));
  }

  void screenshotWithOverlaysAndSmoothing() {
    chart_->setOverlays({{"#1 ptq161 r=0.1", makeEvents(kBlocks, kEpochs, kSamples, 1.5), kSamples, kEpochs},
                         {"#2 ptq161 r=0.2", makeEvents(kBlocks, kEpochs, kSamples, 0.7), kSamples, kEpochs}});
    chart_->setSmoothing(0.6);
    const auto [x0, x1] = chart_->xRange();
    QTest::mouseMove(viewport(), at((21 - x0) / (x1 - x0), 0.7));
    QTRY_VERIFY(!chart_->hoverText().isEmpty());
    QVERIFY(chart_->hoverText().contains("#2 ptq161 r=0.2 (total)"));
    gui_test::save_screenshot(*chart_, "gui-loss-chart-overlays");
    chart_->showBlock(2);
    QCoreApplication::processEvents();  // Qt Charts lays the axes out on the event loop
    gui_test::save_screenshot(*chart_, "gui-loss-chart-block");
    chart_->showBlock(-1);
    chart_->resize(1200, 450);
    QCoreApplication::processEvents();
    gui_test::save_screenshot(*chart_, "gui-loss-chart-wide");
  }
};

QUANTLENS_GUI_TEST_MAIN(LossChartGuiTest)
#include "test_loss_chart_gui.moc"
