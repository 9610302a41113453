#include "widgets/compare_run_kind.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <filesystem>

#include "analysis/compare_directory.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/quantize/quantize_job.h"
#include "widgets/quantize_run_kind.h"

namespace widgets {

namespace fs = std::filesystem;

namespace {

bool recognises(const QString& directory) {
  return QFileInfo(QDir(directory).filePath(analysis::kCompareJson)).isFile();
}

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
  return analysis::read_compare_directory(fs::path(directory.toStdString()));
}

void writeSavedComparison(const analysis::CompareResult& result, const QString& directory, bool force) {
  analysis::write_compare_directory(result, quantcore::outputs::checked_destination(directory.toStdString(), force),
                                    force);
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
  // The run's whole settings (calibration too); comparisons saved before they were kept hold the
  // method's alone.
  r.settings = row.settings.is_object() ? row.settings
                                        : nlohmann::json{{"method", row.method},
                                                         {"spelling", row.spelling},
                                                         {"parameters", row.parameters},
                                                         {"model", result.model}};
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
