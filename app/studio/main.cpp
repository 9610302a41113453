// quantlens-studio: the Qt workbench. Opens MODEL (and calibrates on --calib FILE) off the GUI
// thread; with --view NAME --screenshot FILE.png it renders that view, saves the window and exits;
// with --figure FILE.{png,svg,pdf} it exports the view's heatmap as a figure instead. --dump
// FILE.h5 (or a MODEL ending in .h5) reads an analysis dump into the dump view.
#include <QApplication>
#include <QDockWidget>
#include <QImage>
#include <QSaveFile>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "studio_arguments.h"
#include "widgets/calibration_panel.h"
#include "widgets/dump_document.h"
#include "widgets/imgui_canvas.h"
#include "widgets/main_window.h"
#include "widgets/model_bounds_run.h"
#include "widgets/run_list.h"
#include "widgets/studio_session.h"
#include "widgets/views.h"

namespace {

bool has_display() {
  const char* x = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  return (x && *x) || (wayland && *wayland);
}

// QUANTLENS_STUDIO_COMMAND names the command that launched the studio (scripts/run.sh sets it);
// otherwise it is the studio's own command line.
std::string no_display_message(int argc, char** argv) {
  std::string command;
  if (const char* launcher = std::getenv("QUANTLENS_STUDIO_COMMAND"); launcher && *launcher) {
    command = launcher;
  } else {
    for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
  }
  const char* cli = std::getenv("QUANTLENS_CLI");
  return "quantlens-studio: no display (DISPLAY and WAYLAND_DISPLAY are unset): run the same command under a "
         "virtual display, `xvfb-run -a " +
         command + "`, or use the command-line tool `" + std::string(cli && *cli ? cli : "quantlens") + " --help`";
}

void fail(const QString& message) {
  std::fprintf(stderr, "quantlens-studio: error: %s\n", qPrintable(message.simplified()));
  QCoreApplication::exit(2);
}

// Writes the whole window (the GL canvases included) through a temporary file.
bool save_window(QWidget& window, const QString& path, QString& error) {
  window.grab();  // the first frame lays out the ImGui canvases; the second is the picture
  const QImage image = window.grab().toImage();
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
    error = path + ": cannot write the screenshot (" + file.errorString() + ")";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (!has_display()) {
    std::fprintf(stderr, "%s\n", no_display_message(argc, argv).c_str());
    return 2;
  }
  widgets::ImGuiCanvas::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  QApplication::setOrganizationName("QuantLens");
  QApplication::setApplicationName("quantlens-studio");
  QApplication::setApplicationVersion(QUANTLENS_VERSION);

  QString error;
  const std::optional<StudioArguments> args = parse_studio_arguments(QApplication::arguments(), error);
  if (!args) {
    std::fprintf(stderr, "quantlens-studio: error: %s\n", qPrintable(error));
    return 2;
  }
  const bool scripted = args->scripted();

  widgets::StudioSession session;
  widgets::MainWindow window(session, !scripted);
  window.resize(args->windowSize);
  if (!args->calibText.isEmpty()) {
    window.calibrationPanel().setTextPath(args->calibText);
    window.calibrationPanel().setOptions(args->calibration.nsamples, args->calibration.seqlen, args->calibration.seed);
  }
  // Every view takes what it needs of the command line through its registry entry.
  for (const widgets::ViewEntry& entry : widgets::studioViews()) {
    if (!entry.launch) continue;
    widgets::ViewLaunch launch{args->calibText,          args->calibration, scripted,
                               entry.name == args->view, args->methods,     fail};
    entry.launch(window.view(entry.name), launch);
  }
  if (!args->view.isEmpty()) window.showView(args->view);
  if (args->model.isEmpty() && !args->dump.isEmpty()) {
    // Without a model the model tree and calibration docks are empty; View brings them back.
    for (const char* dock : {"modelDock", "calibrationDock"})
      if (auto* d = window.findChild<QDockWidget*>(dock)) d->hide();
    if (args->view.isEmpty()) window.showView("dump");
  }
  window.show();

  const widgets::ViewEntry* shown = widgets::findView(args->view);
  bool calibrated = false, dumpRead = false;
  auto ready = [&] {
    const bool viewReady = !shown || !shown->ready || shown->ready(window.view(shown->name));
    return (args->calibText.isEmpty() || calibrated) && viewReady && (args->dump.isEmpty() || dumpRead) &&
           (args->compare.isEmpty() || session.secondModel()) && !session.sliderPending() &&
           (args->view != "slider" || !session.hasStats() || session.modelBounds().complete());
  };
  bool shotTaken = false;
  auto takeScreenshot = [&] {
    if (!scripted || shotTaken || !ready()) return;  // the next event calls again
    shotTaken = true;
    window.showView(args->view);
    QTimer::singleShot(200, &window, [&] {
      QString saveError;
      if (!args->figure.isEmpty()) {
        if (!window.exportFigure(args->figure, saveError)) return fail(saveError);
      } else if (!save_window(window, args->screenshot, saveError)) {
        return fail(saveError);
      }
      QCoreApplication::exit(0);
    });
  };
  QObject::connect(&session, &widgets::StudioSession::modelOpened, &window, [&] {
    if (!args->compare.isEmpty()) session.openSecondModel(args->compare);
    if (!args->calibText.isEmpty()) window.calibrationPanel().run();
    takeScreenshot();
  });
  QObject::connect(&session, &widgets::StudioSession::calibrationFinished, &window, [&] {
    calibrated = true;
    takeScreenshot();
  });
  QObject::connect(&session, &widgets::StudioSession::quantizedRunChanged, &window, takeScreenshot);
  QObject::connect(&session, &widgets::StudioSession::secondModelOpened, &window, takeScreenshot);
  QObject::connect(&session, &widgets::StudioSession::secondStatsReady, &window, takeScreenshot);
  QObject::connect(&session.runs(), &widgets::RunList::changed, &window, takeScreenshot);  // e.g. a comparison's end
  QObject::connect(&session.dump(), &widgets::DumpDocument::opened, &window, [&] {
    dumpRead = true;
    takeScreenshot();
  });
  QObject::connect(&session, &widgets::StudioSession::sliderChanged, &window, takeScreenshot);
  QObject::connect(&session.modelBounds(), &widgets::ModelBoundsRun::finished, &window, takeScreenshot);
  if (scripted) {
    QObject::connect(&session, &widgets::StudioSession::modelFailed, &window, fail);
    QObject::connect(&session, &widgets::StudioSession::calibrationFailed, &window, fail);
    QObject::connect(&session, &widgets::StudioSession::secondModelFailed, &window, fail);
    QObject::connect(&session.dump(), &widgets::DumpDocument::failed, &window, fail);
  }
  if (!args->model.isEmpty()) session.openModel(args->model);
  if (!args->dump.isEmpty()) session.dump().open(args->dump);
  return app.exec();
}
