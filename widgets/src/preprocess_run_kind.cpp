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

RunKind preprocessRunKind() {
  return {"preprocess", QCoreApplication::translate("RunKinds", "Preprocessing"), recognises, open};
}

RunRecord preprocessRunRecord(const nlohmann::json& record, const QString& directory, RunStatus status) {
  RunRecord r;
  r.kind = "preprocess";
  r.status = status;
  r.directory = directory;
  r.model = QString::fromStdString(record.value("source", std::string()));
  const nlohmann::json& first = record["settings"]["first_pass"];
  r.method = QString::fromStdString(first.value("method", std::string()));
  r.spelling = QString::fromStdString(first.value("spelling", std::string())) + " + LoRA";
  r.settings = record["settings"];
  if (const nlohmann::json& bits = record["first_pass"]["bits"]; bits.is_object()) {
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
  r.seconds = record["lora"].value("seconds", RunRecord::kUnknown);
  // The LoRA curve as loss events: one step per optimiser step, the loss as the total.
  const QString log = QDir(directory).filePath(QString(qp::kAdapterDir) + "/" + qp::kTrainingLogFile);
  if (!directory.isEmpty() && QFileInfo(log).isFile())
    for (const qp::TrainingStep& s : qp::read_training_log(log.toStdString())) {
      quantcore::LossEvent e;
      e.step = s.step;
      e.loss.total = s.loss;
      r.losses.push_back(e);
    }
  r.nsamples = static_cast<qint64>(r.losses.size());
  r.message = directory;
  return r;
}

}  // namespace widgets
