#include "widgets/preprocess_run_kind.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include "quantcore/io/errors.h"
#include "quantcore/io/read_file.h"
#include "quantcore/preprocess/training_log.h"
#include "quantcore/preprocess/preprocess_job.h"

namespace widgets {

namespace {

namespace qp = quantcore::preprocess;

bool recognises(const QString& directory) {
  return QFileInfo(QDir(directory).filePath(qp::kPreprocessRecord)).isFile();
}

RunRecord open(const QString& directory) {
  const std::string file = QDir(directory).filePath(qp::kPreprocessRecord).toStdString();
  nlohmann::json record = nlohmann::json::parse(quantcore::read_file(file), nullptr, false);
  if (!record.is_object() || !record.contains("settings") || !record.contains("lora"))
    throw quantcore::InputError(file, "is not a preprocessing record (settings and lora expected)");
  return preprocessRunRecord(record, directory, RunStatus::Reopened);
}

}  // namespace

quantcore::LossEvent lossEventOf(const quantcore::preprocess::TrainingStep& step) {
  quantcore::LossEvent e;
  e.step = step.step;
  e.loss.total = step.loss;
  return e;
}

RunKind preprocessRunKind() {
  return {"preprocess", QCoreApplication::translate("RunKinds", "Preprocessing"), recognises, open};
}

RunRecord preprocessRunRecord(const nlohmann::json& record, const QString& directory, RunStatus status) {
  RunRecord r;
  r.kind = "preprocess";
  r.status = status;
  r.directory = directory;
  r.model = QString::fromStdString(record.value("source", std::string()));
  const nlohmann::json none = nlohmann::json::object();
  const nlohmann::json& settings = record.contains("settings") ? record.at("settings") : none;
  const nlohmann::json& first = settings.contains("first_pass") ? settings.at("first_pass") : none;
  r.method = QString::fromStdString(first.value("method", std::string()));
  r.spelling = QString::fromStdString(first.value("spelling", std::string())) + " + LoRA";
  r.settings = settings;
  const nlohmann::json pass = record.value("first_pass", nlohmann::json::object());
  if (const nlohmann::json bits = pass.is_object() ? pass.value("bits", nlohmann::json()) : nlohmann::json();
      bits.is_object()) {
    r.storedBits = bits.value("bits_per_weight", RunRecord::kUnknown);
    r.paperBits = bits.value("paper_bits_per_weight", RunRecord::kUnknown);
  }
  if (const nlohmann::json& p = record.value("perplexity", nlohmann::json()); p.is_object()) {
    r.perplexity.text = QString::fromStdString(p.value("text", std::string()));
    r.perplexity.seqlen = p.value("seqlen", 0);
    r.perplexity.ppl = p.value("preprocessed", RunRecord::kUnknown);
    r.perplexity.fpPpl = p.value("original", RunRecord::kUnknown);
    r.perplexity.kernels = "dense";
  }
  const nlohmann::json lora = record.value("lora", nlohmann::json::object());
  r.seconds = lora.is_object() ? lora.value("seconds", RunRecord::kUnknown) : RunRecord::kUnknown;
  // The LoRA curve as loss events: one step per optimiser step, the loss as the total.
  const QString log = QDir(directory).filePath(QString(qp::kAdapterDir) + "/" + qp::kTrainingLogFile);
  if (!directory.isEmpty() && QFileInfo(log).isFile())
    for (const qp::TrainingStep& s : qp::read_training_log(log.toStdString())) r.losses.push_back(lossEventOf(s));
  r.nsamples = static_cast<qint64>(r.losses.size());
  r.message = directory;
  return r;
}

}  // namespace widgets
