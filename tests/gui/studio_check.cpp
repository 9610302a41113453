// End-to-end checks of the quantlens-studio binary (run under xvfb-run by ctest):
//   studio_check screenshot STUDIO VIEW MODEL CALIB OUT.png  exit 0, PNG exists and is not blank
//   studio_check no-display STUDIO                           without a display: one line, exit 2
//   studio_check bad-model STUDIO FILE OUT.png               one line naming FILE, exit 2, no PNG
#include <QCoreApplication>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSet>

#include <cstdio>

namespace {

int failed(const QString& why) {
  std::fprintf(stderr, "FAIL: %s\n", qPrintable(why));
  return 1;
}

struct Run {
  int exitCode = -1;
  QString err;
};

Run run(const QString& program, const QStringList& args, const QProcessEnvironment& env, int timeoutMs = 120000) {
  QProcess p;
  p.setProcessEnvironment(env);
  p.start(program, args);
  Run r;
  if (!p.waitForFinished(timeoutMs)) {
    p.kill();
    p.waitForFinished();
    r.err = "timed out";
    return r;
  }
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.err = QString::fromLocal8Bit(p.readAllStandardError());
  return r;
}

int screenshot(const QStringList& a) {
  const QString studio = a[0], view = a[1], model = a[2], calib = a[3], out = a[4];
  QFile::remove(out);
  const Run r = run(studio, {model, "--calib", calib, "--nsamples", "4", "--seqlen", "64", "--view", view, "--screenshot", out},
                    QProcessEnvironment::systemEnvironment());
  if (r.exitCode != 0) return failed(QString("exit %1: %2").arg(r.exitCode).arg(r.err));
  QImage image(out);
  if (image.isNull()) return failed(out + " is missing or not a PNG");
  if (image.width() < 640 || image.height() < 400) return failed(QString("image is only %1x%2").arg(image.width()).arg(image.height()));
  // Not blank: many distinct colours (a heatmap through the colour map has dozens at least).
  QSet<QRgb> colours;
  for (int y = 0; y < image.height(); y += 2)
    for (int x = 0; x < image.width(); x += 2) colours.insert(image.pixel(x, y));
  std::printf("%s: %dx%d, %lld distinct colours\n", qPrintable(out), image.width(), image.height(), static_cast<long long>(colours.size()));
  if (colours.size() < 64) return failed(QString("only %1 distinct colours: blank image").arg(colours.size()));
  return 0;
}

int noDisplay(const QStringList& a) {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.remove("DISPLAY");
  env.remove("WAYLAND_DISPLAY");
  const Run r = run(a[0], {}, env);
  if (r.exitCode != 2) return failed(QString("exit %1, expected 2").arg(r.exitCode));
  if (r.err.count('\n') != 1 || !r.err.contains("xvfb-run -a quantlens-studio") || !r.err.contains("quantlens"))
    return failed("message should be one line naming xvfb-run and the CLI: " + r.err);
  return 0;
}

int badModel(const QStringList& a) {
  QFile::remove(a[2]);
  const Run r = run(a[0], {a[1], "--view", "weights", "--screenshot", a[2]}, QProcessEnvironment::systemEnvironment());
  if (r.exitCode != 2) return failed(QString("exit %1, expected 2 (%2)").arg(r.exitCode).arg(r.err));
  if (r.err.count('\n') != 1 || !r.err.contains(a[1])) return failed("message should be one line naming the file: " + r.err);
  if (QFile::exists(a[2])) return failed("a screenshot was written for a bad model");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  QStringList args = app.arguments().mid(1);
  const QString mode = args.isEmpty() ? QString() : args.takeFirst();
  if (mode == "screenshot" && args.size() == 5) return screenshot(args);
  if (mode == "no-display" && args.size() == 1) return noDisplay(args);
  if (mode == "bad-model" && args.size() == 3) return badModel(args);
  return failed("usage: studio_check screenshot|no-display|bad-model ...");
}
