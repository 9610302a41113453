#include "studio_arguments.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include "quantcore/methods/method_settings.h"
#include "widgets/views.h"

std::optional<StudioArguments> parse_studio_arguments(const QStringList& arguments, QString& error) {
  QStringList names;
  for (const auto& v : widgets::studioViews()) names << v.name;
  QCommandLineParser p;
  p.setApplicationDescription("QuantLens Studio: see what sub-2-bit quantization does to a model.");
  p.addHelpOption();
  p.addVersionOption();
  p.addPositionalArgument("MODEL", "HF model directory or llama2.c .bin to open (a .h5 file opens as --dump)");
  QCommandLineOption calib("calib", "calibration text; calibration runs once the model is open", "FILE");
  QCommandLineOption nsamples("nsamples", "calibration windows (default 32)", "N", "32");
  QCommandLineOption seqlen("seqlen", "calibration window length in tokens (default 256)", "L", "256");
  QCommandLineOption seed("seed", "calibration seed (default 2)", "S", "2");
  QCommandLineOption view("view", "view to show: " + names.join(", "), "NAME");
  QCommandLineOption screenshot("screenshot", "render the view, save the window as PNG and exit", "FILE.png");
  QCommandLineOption figure("figure", "export the view's heatmap as a figure (.png, .svg or .pdf) and exit", "FILE");
  QCommandLineOption compare("compare", "second model for the compare view (side by side with MODEL)", "MODEL2");
  QCommandLineOption preprocessed(
      "preprocessed", "the preprocessed model M_P of MODEL (quantlens preprocess) for the before-after view", "M_P");
  QCommandLineOption dump("dump", "HDF5 analysis dump to show in the dump view (quantlens dump / quantize --dump)",
                          "FILE.h5");
  QCommandLineOption methods("methods",
                             "methods for the methods view, comma-separated (NAME[:KEY=VALUE]..., e.g. rtn:bits=3,"
                             "gptq:bits=3); with --view methods --screenshot they run before the picture",
                             "SPELLINGS");
  QCommandLineOption windowSize("window-size", "size of the main window in pixels (default 1280x800)", "WxH",
                                "1280x800");
  p.addOptions(
      {calib, nsamples, seqlen, seed, view, screenshot, figure, compare, dump, methods, windowSize, preprocessed});
  if (!p.parse(arguments)) {
    error = p.errorText();
    return std::nullopt;
  }
  if (p.isSet("help")) p.showHelp(0);
  if (p.isSet("version")) p.showVersion();

  StudioArguments a;
  if (p.positionalArguments().size() > 1) {
    error = "expected at most one MODEL, got " + p.positionalArguments().join(" ");
    return std::nullopt;
  }
  if (!p.positionalArguments().isEmpty()) a.model = p.positionalArguments().front();
  a.dump = p.value(dump);
  if (a.model.endsWith(".h5", Qt::CaseInsensitive)) {
    if (!a.dump.isEmpty()) {
      error = "two analysis dumps: " + a.model + " and --dump " + a.dump + " (give one)";
      return std::nullopt;
    }
    a.dump = a.model;
    a.model.clear();
  }
  a.calibText = p.value(calib);
  bool ok = true;
  auto positive = [&](const QCommandLineOption& o, const char* name) -> qint64 {
    bool good = false;
    const qint64 v = p.value(o).toLongLong(&good);
    if (!good || v < 1) {
      if (ok) error = QString("--%1 must be a positive integer, got '%2'").arg(name, p.value(o));
      ok = false;
    }
    return v;
  };
  a.calibration.nsamples = positive(nsamples, "nsamples");
  a.calibration.seqlen = positive(seqlen, "seqlen");
  bool seedOk = false;
  a.calibration.seed = p.value(seed).toULongLong(&seedOk);
  if (ok && !seedOk) error = "--seed must be a non-negative integer, got '" + p.value(seed) + "'", ok = false;
  if (!ok) return std::nullopt;

  const QStringList size = p.value(windowSize).split('x');
  bool wOk = false, hOk = false;
  const int w = size.size() == 2 ? size[0].toInt(&wOk) : 0;
  const int h = size.size() == 2 ? size[1].toInt(&hOk) : 0;
  if (!wOk || !hOk || w < 640 || h < 400 || w > 16384 || h > 16384) {
    error = "--window-size must be WIDTHxHEIGHT in pixels, at least 640x400, got '" + p.value(windowSize) + "'";
    return std::nullopt;
  }
  a.windowSize = QSize(w, h);

  a.view = p.value(view);
  if (!a.view.isEmpty() && !widgets::findView(a.view)) {
    error = "unknown --view '" + a.view + "' (views: " + names.join(", ") + ")";
    return std::nullopt;
  }
  a.screenshot = p.value(screenshot);
  a.figure = p.value(figure);
  a.compare = p.value(compare);
  if (p.isSet(preprocessed)) {
    if (p.isSet(compare)) {
      error = "give --compare or --preprocessed, not both (both name the second model)";
      return std::nullopt;
    }
    a.compare = p.value(preprocessed);
  }
  a.methods = p.value(methods);
  if (!a.methods.isEmpty()) {
    try {
      quantcore::methods::parse_method_list(a.methods.toStdString(), "--methods");
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
      return std::nullopt;
    }
  }
  if (!a.screenshot.isEmpty() && !a.figure.isEmpty()) {
    error = "give --screenshot or --figure, not both";
    return std::nullopt;
  }
  if (!a.figure.isEmpty() && !QStringList{"png", "svg", "pdf"}.contains(QFileInfo(a.figure).suffix().toLower())) {
    error = a.figure + ": the figure format must be .png, .svg or .pdf";
    return std::nullopt;
  }
  if (a.scripted()) {
    const QString option = a.figure.isEmpty() ? "--screenshot" : "--figure";
    if ((a.model.isEmpty() && a.dump.isEmpty()) || a.view.isEmpty()) {
      error = option + " needs a MODEL (or --dump FILE.h5) and --view NAME";
      return std::nullopt;
    }
    if (a.view == "dump" && a.dump.isEmpty()) {
      error = "--view dump shows an analysis dump: give --dump FILE.h5";
      return std::nullopt;
    }
    if (a.model.isEmpty() && !a.calibText.isEmpty()) {
      error = "--calib needs a MODEL to calibrate";
      return std::nullopt;
    }
    if (a.view == "compare" && a.compare.isEmpty()) {
      error = "--view compare needs a second model: give --compare MODEL2";
      return std::nullopt;
    }
    if (a.view == "before-after" && a.compare.isEmpty()) {
      error = "--view before-after needs the preprocessed model: give --preprocessed M_P";
      return std::nullopt;
    }
    if (a.view == "methods" && a.methods.isEmpty()) {
      error = "--view methods compares methods: give --methods NAME[:KEY=VALUE],... (quantlens methods lists them)";
      return std::nullopt;
    }
    if (widgets::findView(a.view)->needsStatistics && a.calibText.isEmpty()) {
      error = "--view " + a.view + " shows calibration statistics: give --calib FILE";
      return std::nullopt;
    }
  }
  return a;
}
