// End-to-end checks of the quantlens-studio binary (run under xvfb-run by ctest):
//   studio_check screenshot STUDIO VIEW MODEL CALIB OUT.png [ARGS...]
//                                                            exit 0, PNG exists and is not blank
//   studio_check no-display STUDIO                           without a display: one line, exit 2
//   studio_check bad-model STUDIO FILE OUT.png               one line naming FILE, exit 2, no PNG
//   studio_check figure STUDIO VIEW MODEL CALIB OUTDIR       --figure writes a decodable, non-uniform
//                                                            PNG, an SVG with the title, a PDF with pages
#include <QCoreApplication>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QXmlStreamReader>

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
  const QStringList extra = a.mid(5);  // e.g. --compare MODEL2
  const Run r = run(
      studio,
      QStringList{model, "--calib", calib, "--nsamples", "4", "--seqlen", "64", "--view", view, "--screenshot", out} +
          extra,
      QProcessEnvironment::systemEnvironment());
  if (r.exitCode != 0) return failed(QString("exit %1: %2").arg(r.exitCode).arg(r.err));
  QImage image(out);
  if (image.isNull()) return failed(out + " is missing or not a PNG");
  if (image.width() < 640 || image.height() < 400)
    return failed(QString("image is only %1x%2").arg(image.width()).arg(image.height()));
  // --window-size WxH: the window (and so the picture) has exactly that size; without it 1280x800.
  const qsizetype sizeAt = extra.indexOf("--window-size");
  const QString wanted = sizeAt >= 0 && sizeAt + 1 < extra.size() ? extra[sizeAt + 1] : QString("1280x800");
  if (QString("%1x%2").arg(image.width()).arg(image.height()) != wanted)
    return failed(QString("image is %1x%2, the window should be %3").arg(image.width()).arg(image.height()).arg(wanted));
  // Not blank: many distinct colours (a heatmap through the colour map has dozens at least).
  QSet<QRgb> colours;
  for (int y = 0; y < image.height(); y += 2)
    for (int x = 0; x < image.width(); x += 2) colours.insert(image.pixel(x, y));
  std::printf("%s: %dx%d, %lld distinct colours\n", qPrintable(out), image.width(), image.height(),
              static_cast<long long>(colours.size()));
  if (colours.size() < 64) return failed(QString("only %1 distinct colours: blank image").arg(colours.size()));
  return 0;
}

// Without a display: one line naming the same command under xvfb-run (the studio's own command
// line, or the launcher's from QUANTLENS_STUDIO_COMMAND) and the CLI.
int noDisplay(const QStringList& a) {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.remove("DISPLAY");
  env.remove("WAYLAND_DISPLAY");
  env.remove("QUANTLENS_STUDIO_COMMAND");
  const QStringList args = {"some-model.bin", "--view", "slider"};
  const QString expected[2] = {"`xvfb-run -a " + a[0] + " " + args.join(" ") + "`", "`xvfb-run -a ./scripts/run.sh`"};
  for (const QString& want : expected) {
    const Run r = run(a[0], args, env);
    if (r.exitCode != 2) return failed(QString("exit %1, expected 2").arg(r.exitCode));
    if (r.err.count('\n') != 1 || !r.err.contains(want) || !r.err.contains("quantlens --help"))
      return failed("message should be one line naming " + want + " and the CLI: " + r.err);
    env.insert("QUANTLENS_STUDIO_COMMAND", "./scripts/run.sh");
  }
  return 0;
}

int badModel(const QStringList& a) {
  QFile::remove(a[2]);
  const Run r = run(a[0], {a[1], "--view", "weights", "--screenshot", a[2]}, QProcessEnvironment::systemEnvironment());
  if (r.exitCode != 2) return failed(QString("exit %1, expected 2 (%2)").arg(r.exitCode).arg(r.err));
  if (r.err.count('\n') != 1 || !r.err.contains(a[1]))
    return failed("message should be one line naming the file: " + r.err);
  if (QFile::exists(a[2])) return failed("a screenshot was written for a bad model");
  return 0;
}

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int figure(const QStringList& a) {
  const QString studio = a[0], view = a[1], model = a[2], calib = a[3], dir = a[4];
  for (const QString suffix : {"png", "svg", "pdf"}) {
    const QString out = dir + "/figure-" + view + "." + suffix;
    QFile::remove(out);
    const Run r =
        run(studio, {model, "--calib", calib, "--nsamples", "4", "--seqlen", "64", "--view", view, "--figure", out},
            QProcessEnvironment::systemEnvironment());
    if (r.exitCode != 0) return failed(QString("%1: exit %2: %3").arg(out).arg(r.exitCode).arg(r.err));
    const QByteArray bytes = readAll(out);
    if (bytes.isEmpty()) return failed(out + " is missing or empty");
    if (suffix == "png") {
      QImage image;
      if (!image.loadFromData(bytes, "PNG")) return failed(out + " does not decode as PNG");
      if (image.size() != QSize(1920, 1280))
        return failed(QString("%1 is %2x%3, expected 1920x1280").arg(out).arg(image.width()).arg(image.height()));
      QSet<QRgb> colours;
      for (int y = 0; y < image.height(); y += 4)
        for (int x = 0; x < image.width(); x += 4) colours.insert(image.pixel(x, y));
      if (colours.size() < 64) return failed(QString("%1 has only %2 colours").arg(out).arg(colours.size()));
      std::printf("%s: %dx%d, %lld distinct colours\n", qPrintable(out), image.width(), image.height(),
                  static_cast<long long>(colours.size()));
    } else if (suffix == "svg") {
      QXmlStreamReader xml(bytes);
      QString root, title;
      QStringList texts;  // the painted text: title, tick labels, axis and colour-bar labels
      while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement) continue;
        if (root.isEmpty()) root = xml.name().toString();
        if (xml.name() == QLatin1String("title") && title.isEmpty())
          title = xml.readElementText();
        else if (xml.name() == QLatin1String("text"))
          texts << xml.readElementText();
      }
      if (xml.hasError()) return failed(out + ": not well-formed XML: " + xml.errorString());
      if (root != "svg") return failed(out + ": root element is <" + root + ">, not <svg>");
      const QString expected = view == "weights" ? "|W| of block 0" : "per input channel";
      if (!title.contains(expected)) return failed(out + ": title '" + title + "' lacks '" + expected + "'");
      if (!texts.contains(title)) return failed(out + ": the title is not drawn as text");
      if (texts.filter("input channel").isEmpty()) return failed(out + ": no column axis label");
      std::printf("%s: <svg>, title '%s', %lld text elements, %lld bytes\n", qPrintable(out), qPrintable(title),
                  static_cast<long long>(texts.size()), static_cast<long long>(bytes.size()));
    } else {
      if (!bytes.startsWith("%PDF-")) return failed(out + " does not start with %PDF-");
      if (!bytes.trimmed().endsWith("%%EOF")) return failed(out + " has no %%EOF trailer");
      const int pages = QString::fromLatin1(bytes).count(QRegularExpression("/Type\\s*/Page[^s]"));
      if (pages < 1) return failed(out + " has no page objects");
      std::printf("%s: %s, %d page(s), %lld bytes\n", qPrintable(out), bytes.left(8).constData(), pages,
                  static_cast<long long>(bytes.size()));
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  QStringList args = app.arguments().mid(1);
  const QString mode = args.isEmpty() ? QString() : args.takeFirst();
  if (mode == "screenshot" && args.size() >= 5) return screenshot(args);
  if (mode == "no-display" && args.size() == 1) return noDisplay(args);
  if (mode == "bad-model" && args.size() == 3) return badModel(args);
  if (mode == "figure" && args.size() == 5) return figure(args);
  return failed("usage: studio_check screenshot|no-display|bad-model|figure ...");
}
