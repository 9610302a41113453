#include "widgets/compare_run_kind.h"

#include <limits>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <filesystem>
#include <optional>

#include "analysis/compare_report.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"
#include "quantcore/quantize/quantize_job.h"
#include "widgets/quantize_run_kind.h"

namespace widgets {

namespace fs = std::filesystem;

namespace {

constexpr const char* kCompareJson = "compare.json";

// Reads compare.json's fields, naming the file and the field for anything missing or mistyped.
class JsonReader {
public:
  explicit JsonReader(std::string file) : file_(std::move(file)) {}
  const nlohmann::json& at(const nlohmann::json& j, const char* key, const std::string& where) const {
    if (!j.is_object() || !j.contains(key)) fail(where + key + " is missing");
    return j[key];
  }
  double number(const nlohmann::json& j, const char* key, const std::string& where) const {
    const nlohmann::json& v = at(j, key, where);
    if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();  // JSON has no NaN: written as null
    if (!v.is_number()) fail(where + key + " is not a number");
    return v.get<double>();
  }
  std::optional<double> optionalNumber(const nlohmann::json& j, const char* key) const {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return std::nullopt;
    return j[key].get<double>();
  }
  std::string text(const nlohmann::json& j, const char* key, const std::string& where) const {
    const nlohmann::json& v = at(j, key, where);
    if (!v.is_string()) fail(where + key + " is not a string");
    return v.get<std::string>();
  }
  [[noreturn]] void fail(const std::string& problem) const { throw quantcore::InputError(file_, problem); }

private:
  std::string file_;
};

std::optional<analysis::ZeroShotResult> accuracyOf(const JsonReader& in, const nlohmann::json& j,
                                                   const std::string& where) {
  if (j.is_null()) return std::nullopt;
  analysis::ZeroShotResult a;
  a.task = in.text(j, "task", where);
  a.acc = in.number(j, "acc", where);
  a.acc_stderr = in.optionalNumber(j, "acc_stderr");
  a.acc_norm = in.optionalNumber(j, "acc_norm");
  a.acc_norm_stderr = in.optionalNumber(j, "acc_norm_stderr");
  a.count = static_cast<int64_t>(in.optionalNumber(j, "count").value_or(0));
  return a;
}

analysis::CompareRow rowOf(const JsonReader& in, const nlohmann::json& j, size_t index,
                           const analysis::PerplexityResult& windows) {
  const std::string where = "rows[" + std::to_string(index) + "].";
  analysis::CompareRow row;
  row.method = in.text(j, "method", where);
  row.spelling = in.text(j, "spelling", where);
  if (j.contains("parameters")) row.parameters = j["parameters"];
  const nlohmann::json& bits = in.at(j, "bits", where);
  row.paper_bits = in.number(bits, "paper", where + "bits.");
  row.stored_bits = in.number(bits, "stored", where + "bits.");
  row.bits_from_bytes = in.optionalNumber(bits, "from_bytes");
  row.perplexity = windows;
  row.perplexity.ppl = in.number(j, "ppl", where);
  if (j.contains("accuracy")) row.accuracy = accuracyOf(in, j["accuracy"], where + "accuracy.");
  row.seconds = in.optionalNumber(j, "seconds").value_or(0);
  row.peak_memory_bytes = static_cast<int64_t>(in.optionalNumber(j, "peak_memory_bytes").value_or(0));
  if (j.contains("notices") && j["notices"].is_array())
    for (const nlohmann::json& n : j["notices"])
      if (n.is_string()) row.notices.push_back(n.get<std::string>());
  if (j.contains("layer_errors")) {
    const nlohmann::json& layers = j["layer_errors"];
    if (!layers.is_array()) in.fail(where + "layer_errors is not a list");
    for (size_t k = 0; k < layers.size(); ++k) {
      const std::string at = where + "layer_errors[" + std::to_string(k) + "].";
      row.layer_errors.push_back({static_cast<int64_t>(in.number(layers[k], "block", at)),
                                  in.text(layers[k], "linear", at), in.number(layers[k], "relative_error", at)});
    }
  }
  return row;
}

bool recognises(const QString& directory) { return QFileInfo(QDir(directory).filePath(kCompareJson)).isFile(); }

std::vector<RunRecord> openRows(const QString& directory) {
  const analysis::CompareResult result = readSavedComparison(directory);
  std::vector<RunRecord> rows;
  for (const analysis::CompareRow& row : result.rows) rows.push_back(reopenedCompareRun(result, row, directory));
  return rows;
}

// The settings a row of the comparison runs with: the job's own (compare_job.cpp's run_one).
quantcore::quantize::QuantizeSettings settingsOf(const QString& model, const analysis::CompareRequest& request,
                                                 const quantcore::methods::MethodSettings& method) {
  quantcore::quantize::QuantizeSettings s(method);
  s.model = model.toStdString();
  s.calib = request.calib;
  s.calibration = request.calibration;
  s.chains = request.chains;
  return s;
}

}  // namespace

RunKind compareRunKind() {
  RunKind kind{"compare", QCoreApplication::translate("RunKinds", "Comparison"), recognises, {}};
  kind.openRows = openRows;
  return kind;
}

analysis::CompareResult readSavedComparison(const QString& directory) {
  const fs::path path = fs::path(directory.toStdString()) / kCompareJson;
  const nlohmann::json j = quantcore::detail::read_json_file(path);
  const JsonReader in(path.string());
  if (!j.is_object()) in.fail("not a JSON object (not a comparison's compare.json)");
  analysis::CompareResult result;
  result.model = j.contains("model") && j["model"].is_string() ? j["model"].get<std::string>() : std::string();
  result.calibration_seconds = in.optionalNumber(j, "calibration_seconds").value_or(0);
  result.cancelled = j.contains("cancelled") && j["cancelled"].is_boolean() && j["cancelled"].get<bool>();
  result.fp_perplexity.windows = static_cast<int64_t>(in.optionalNumber(j, "ppl_windows").value_or(0));
  result.fp_perplexity.seqlen = static_cast<int64_t>(in.optionalNumber(j, "ppl_seqlen").value_or(0));
  analysis::PerplexityResult windows = result.fp_perplexity;
  const nlohmann::json& fp = in.at(j, "fp", "");
  result.fp_perplexity.ppl = in.number(fp, "ppl", "fp.");
  if (fp.contains("accuracy")) result.fp_accuracy = accuracyOf(in, fp["accuracy"], "fp.accuracy.");
  const nlohmann::json& rows = in.at(j, "rows", "");
  if (!rows.is_array()) in.fail("rows is not a list");
  for (size_t i = 0; i < rows.size(); ++i) result.rows.push_back(rowOf(in, rows[i], i, windows));
  return result;
}

void writeSavedComparison(const analysis::CompareResult& result, const QString& directory, bool force) {
  const fs::path dest = quantcore::outputs::checked_destination(directory.toStdString(), force);
  quantcore::outputs::StagingDir staging(dest);
  const fs::path& dir = staging.path();
  quantcore::write_text_atomically(dir / kCompareJson, analysis::compare_json(result).dump(2) + "\n");
  quantcore::write_text_atomically(dir / "compare.md", analysis::compare_markdown(result));
  quantcore::write_text_atomically(dir / "compare.csv", analysis::compare_csv(result));
  quantcore::write_text_atomically(dir / "layer_errors.csv", analysis::layer_errors_csv(result));
  quantcore::write_text_atomically(dir / "compare.svg", analysis::compare_svg(result));
  staging.commit(dest, force);
}

RunRecord startedCompareRun(const QString& model, const analysis::CompareRequest& request,
                            const quantcore::methods::MethodSettings& method) {
  const quantcore::quantize::QuantizeSettings s = settingsOf(model, request, method);
  const int64_t nsamples = s.calibration.nsamples;
  const int64_t steps = quantcore::quantize::total_steps(s, 1);
  RunRecord r =
      startedQuantizeRun(model, quantcore::quantize::settings_json(s), QString::fromStdString(method.spelling()),
                         nsamples, nsamples > 0 ? steps / nsamples : 1);
  r.kind = "compare";
  return r;
}

void finishCompareRun(RunRecord& record, const analysis::CompareRow& row, const QString& textPath) {
  if (row.run) finishQuantizeRun(record, row.run);
  record.status = RunStatus::Done;
  record.paperBits = row.paper_bits;
  record.storedBits = row.stored_bits;
  record.bitsFromBytes = row.bits_from_bytes.value_or(RunRecord::kUnknown);
  record.seconds = row.seconds;
  record.perplexity.text = textPath;
  record.perplexity.seqlen = row.perplexity.seqlen;
  record.perplexity.windows = row.perplexity.windows;
  record.perplexity.ppl = row.perplexity.ppl;
  record.perplexity.kernels = QString::fromStdString(row.perplexity.kernels);
}

RunRecord reopenedCompareRun(const analysis::CompareResult& result, const analysis::CompareRow& row,
                             const QString& directory) {
  RunRecord r;
  r.kind = "compare";
  r.status = RunStatus::Reopened;
  r.directory = QFileInfo(directory).absoluteFilePath();
  r.message = QCoreApplication::translate("RunKinds", "read from %1").arg(r.directory);
  r.model = QString::fromStdString(result.model);
  r.method = QString::fromStdString(row.method);
  r.spelling = QString::fromStdString(row.spelling);
  // compare.json keeps the method's settings; the shared calibration is not in it.
  r.settings = {
      {"method", row.method}, {"spelling", row.spelling}, {"parameters", row.parameters}, {"model", result.model}};
  r.paperBits = row.paper_bits;
  r.storedBits = row.stored_bits;
  r.bitsFromBytes = row.bits_from_bytes.value_or(RunRecord::kUnknown);
  r.seconds = row.seconds;
  r.perplexity.seqlen = result.fp_perplexity.seqlen;
  r.perplexity.windows = result.fp_perplexity.windows;
  r.perplexity.ppl = row.perplexity.ppl;
  r.perplexity.fpPpl = result.fp_perplexity.ppl;
  return r;
}

}  // namespace widgets
