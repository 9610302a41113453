#include "widgets/quantize_run_kind.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <filesystem>

#include "quantcore/export/quantized_model_writers.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"
#include "quantcore/io/read_file.h"
#include "quantcore/quantize/loss_csv.h"

namespace widgets {

namespace fs = std::filesystem;

namespace {

double numberAt(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* at = &j;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return RunRecord::kUnknown;
    at = &(*at)[key];
  }
  return at->is_number() ? at->get<double>() : RunRecord::kUnknown;
}

// settings_json's `key` at the top (calibration) or among the method's parameters; `fallback`
// where it is absent or null (a method without calibration or epochs).
qint64 integerSetting(const nlohmann::json& settings, const char* key, qint64 fallback) {
  for (const nlohmann::json* j : {&settings, settings.contains("parameters") ? &settings["parameters"] : nullptr})
    if (j && j->contains(key) && (*j)[key].is_number_integer()) return (*j)[key].get<qint64>();
  return fallback;
}

bool recognises(const QString& directory) { return QFileInfo(QDir(directory).filePath("summary.json")).isFile(); }

RunRecord open(const QString& directory) {
  const fs::path dir = directory.toStdString();
  const fs::path summaryPath = dir / "summary.json";
  const nlohmann::json summary = quantcore::detail::read_json_file(summaryPath);
  for (const char* key : {"method", "settings", "bits"})
    if (!summary.is_object() || !summary.contains(key))
      throw quantcore::InputError(summaryPath.string(),
                                  std::string("no \"") + key + "\" (not a quantize run's summary)");
  const nlohmann::json& settings = summary["settings"];
  RunRecord r;
  r.kind = "quantize";
  r.status = RunStatus::Reopened;
  r.directory = QFileInfo(directory).absoluteFilePath();
  r.message = QCoreApplication::translate("RunKinds", "read from %1").arg(r.directory);
  r.model =
      summary.contains("model") && summary["model"].is_string() ? QString::fromStdString(summary["model"]) : QString();
  r.method = summary["method"].is_string() ? QString::fromStdString(summary["method"]) : QString();
  r.spelling = settings.contains("spelling") && settings["spelling"].is_string()
                   ? QString::fromStdString(settings["spelling"])
                   : r.method;
  r.settings = settings;
  r.storedBits = numberAt(summary, {"bits", "bits_per_weight"});
  r.paperBits = numberAt(summary, {"bits", "paper_bits_per_weight"});
  r.bitsFromBytes = numberAt(summary, {"bits_from_bytes", "bits_per_weight"});
  r.seconds = numberAt(summary, {"seconds"});
  if (summary.contains("perplexity") && summary["perplexity"].is_object()) {
    const nlohmann::json& p = summary["perplexity"];
    r.perplexity.ppl = numberAt(p, {"ppl"});
    r.perplexity.fpPpl = numberAt(p, {"fp_ppl"});
    const double seqlen = numberAt(p, {"seqlen"}), windows = numberAt(p, {"windows"});
    r.perplexity.seqlen = std::isfinite(seqlen) ? qint64(seqlen) : 0;
    r.perplexity.windows = std::isfinite(windows) ? qint64(windows) : 0;
    if (p.contains("text") && p["text"].is_string()) r.perplexity.text = QString::fromStdString(p["text"]);
    if (p.contains("kernels") && p["kernels"].is_string()) r.perplexity.kernels = QString::fromStdString(p["kernels"]);
  }
  r.nsamples = std::max<qint64>(1, integerSetting(settings, "nsamples", 1));
  r.epochs = std::max<qint64>(1, integerSetting(settings, "epochs", 1));
  const fs::path losses = dir / quantcore::quantize::kLossCsvName;
  if (fs::is_regular_file(losses))
    r.losses = quantcore::quantize::parse_loss_events_csv(quantcore::read_file(losses), losses.string());
  return r;
}

}  // namespace

RunKind quantizeRunKind() {
  return {"quantize", QCoreApplication::translate("RunKinds", "Quantisation"), recognises, open};
}

RunRecord startedQuantizeRun(const QString& model, const nlohmann::json& settings, const QString& spelling,
                             qint64 nsamples, qint64 epochs) {
  RunRecord r;
  r.kind = "quantize";
  r.model = model;
  r.settings = settings;
  r.spelling = spelling;
  r.method = spelling.section(':', 0, 0);
  r.nsamples = std::max<qint64>(1, nsamples);
  r.epochs = std::max<qint64>(1, epochs);
  return r;
}

void finishQuantizeRun(RunRecord& record, std::shared_ptr<const quantcore::quantize::QuantizeResult> result) {
  const nlohmann::json bits = quantcore::outputs::bits_json(*result);
  record.storedBits = numberAt(bits, {"bits_per_weight"});
  record.paperBits = numberAt(bits, {"paper_bits_per_weight"});
  record.seconds = result->seconds;
  record.losses = quantcore::quantize::events_in_step_order(result->losses);
  record.status = RunStatus::Done;
  record.result = std::move(result);
}

void writeSavedPerplexity(const QString& directory, const RunPerplexity& p) {
  const fs::path path = fs::path(directory.toStdString()) / "summary.json";
  nlohmann::json summary = quantcore::detail::read_json_file(path);
  if (!summary.is_object()) throw quantcore::InputError(path.string(), "not a JSON object");
  summary["perplexity"] = perplexityJson(p);
  quantcore::write_text_atomically(path, summary.dump(2) + "\n");
}

nlohmann::json perplexityJson(const RunPerplexity& p) {
  auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return {{"text", p.text.toStdString()}, {"seqlen", p.seqlen},        {"windows", p.windows},
          {"ppl", number(p.ppl)},         {"fp_ppl", number(p.fpPpl)}, {"kernels", p.kernels.toStdString()}};
}

}  // namespace widgets
