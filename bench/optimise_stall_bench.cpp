// How responsive QuantLens Studio stays while PTQ1.61 runs from its Optimise panel: the whole
// window is shown (loss chart, block list), a 10 ms timer on the GUI thread records the gap
// between its ticks, and the run's loss batches are drawn as they arrive. Prints the run's steps,
// batches and seconds and the gap distribution. With OVERLAYS > 0 that many runs go first and are
// checked in the run list, so the measured run draws beside their overlaid curves. Run under
// xvfb-run (llvmpipe).
//   optimise_stall_bench MODEL TEXT [NSAMPLES SEQLEN EPOCHS OVERLAYS]     default 8 128 2 0
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "widgets/imgui_canvas.h"
#include "widgets/main_window.h"
#include "widgets/optimisation_run.h"
#include "widgets/loss_chart.h"
#include "widgets/optimise_panel.h"
#include "widgets/run_list.h"
#include "widgets/studio_session.h"

namespace {
qint64 percentile(std::vector<qint64> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: optimise_stall_bench MODEL TEXT [NSAMPLES SEQLEN EPOCHS OVERLAYS]\n");
    return 2;
  }
  widgets::ImGuiCanvas::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  const QString model = argv[1], text = argv[2];
  const qint64 nsamples = argc > 3 ? std::atoll(argv[3]) : 8, seqlen = argc > 4 ? std::atoll(argv[4]) : 128,
               epochs = argc > 5 ? std::atoll(argv[5]) : 2, overlays = argc > 6 ? std::atoll(argv[6]) : 0;

  widgets::StudioSession session;
  widgets::MainWindow window(session, false);
  window.resize(1280, 800);
  window.show();
  auto* panel = qobject_cast<widgets::OptimisePanel*>(window.view("optimise"));
  window.showView("optimise");
  panel->setTextPath(text);
  panel->setCalibration(nsamples, seqlen, 2);
  panel->setEpochs(epochs);

  QEventLoop loop;
  int failures = 0;
  QObject::connect(&session, &widgets::StudioSession::modelOpened, &loop, &QEventLoop::quit);
  QObject::connect(&session, &widgets::StudioSession::modelFailed, &loop, [&](const QString& m) {
    std::fprintf(stderr, "%s\n", qPrintable(m));
    ++failures;
    loop.quit();
  });
  session.openModel(model);
  loop.exec();
  if (failures) return 2;

  QObject::connect(&panel->run(), &widgets::OptimisationRun::failed, &loop, [&](const QString& m) {
    std::fprintf(stderr, "%s\n", qPrintable(m));
    ++failures;
    loop.quit();
  });
  for (qint64 i = 0; i < overlays; ++i) {
    QMetaObject::Connection done =
        QObject::connect(&panel->run(), &widgets::OptimisationRun::finished, &loop, &QEventLoop::quit);
    panel->start();
    loop.exec();
    QObject::disconnect(done);
    if (failures) return 2;
    session.runs().setOverlaid(session.runs().records().back().id, true);
  }

  std::vector<qint64> gaps;
  QElapsedTimer sinceTick, wall;
  QTimer ticker;
  ticker.setInterval(10);
  QObject::connect(&ticker, &QTimer::timeout, [&] { gaps.push_back(sinceTick.restart()); });
  int batches = 0;
  QObject::connect(&panel->run(), &widgets::OptimisationRun::lossesArrived, [&] { ++batches; });
  QObject::connect(&panel->run(), &widgets::OptimisationRun::finished, &loop, &QEventLoop::quit);
  sinceTick.start();
  wall.start();
  ticker.start();
  panel->start();
  loop.exec();
  ticker.stop();
  if (failures) return 2;
  std::printf("%s: %lld blocks x %lld epochs x %lld samples of %lld tokens = %lld steps in %.1f s, %d loss batches\n",
              qPrintable(model), static_cast<long long>(session.spec().num_layers), static_cast<long long>(epochs),
              static_cast<long long>(nsamples), static_cast<long long>(seqlen),
              static_cast<long long>(panel->run().stepsDone()), wall.elapsed() / 1000.0, batches);
  std::printf("with %d earlier runs overlaid on the chart\n", panel->chart().overlayCount());
  std::printf("GUI-thread timer gaps (10 ms timer, %zu ticks): median %lld ms, p99 %lld ms, longest stall %lld ms\n",
              gaps.size(), static_cast<long long>(percentile(gaps, 0.5)),
              static_cast<long long>(percentile(gaps, 0.99)), static_cast<long long>(percentile(gaps, 1.0)));
}
