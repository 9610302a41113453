#include "widgets/run_list.h"

#include <QCoreApplication>

#include <set>

#include "quantcore/io/model_spec.h"
#include "quantcore/quantize/quantize_job.h"

namespace widgets {

QString runStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::Running: return QCoreApplication::translate("RunList", "running");
    case RunStatus::Done: return QCoreApplication::translate("RunList", "done");
    case RunStatus::Cancelled: return QCoreApplication::translate("RunList", "cancelled");
    case RunStatus::Failed: return QCoreApplication::translate("RunList", "failed");
    case RunStatus::Reopened: return QCoreApplication::translate("RunList", "from disk");
  }
  return {};
}

QString RunRecord::label() const {
  QString parameters = spelling.section(':', 1).replace(':', ' ');
  return QString("#%1 %2%3").arg(id).arg(method, parameters.isEmpty() ? QString() : " " + parameters);
}

int RunList::add(RunRecord record) {
  record.id = nextId_++;
  const int id = record.id;
  Q_EMIT aboutToAdd();
  records_.push_back(std::move(record));
  Q_EMIT added(id);
  enforceBudget(id);
  return id;
}

void RunList::update(int id, const std::function<void(RunRecord&)>& change) {
  for (RunRecord& r : records_)
    if (r.id == id) {
      change(r);
      enforceBudget(id);
      Q_EMIT changed(id);
      return;
    }
}

const RunRecord* RunList::find(int id) const {
  for (const RunRecord& r : records_)
    if (r.id == id) return &r;
  return nullptr;
}

void RunList::setBudgetBytes(qint64 bytes) {
  budget_ = bytes;
  enforceBudget(records_.empty() ? 0 : records_.back().id);
}

qint64 RunList::storedBytes(const RunRecord& r) {
  return r.result && r.result->quantized ? qint64(r.result->quantized->stored_bytes()) : 0;
}

qint64 RunList::sourceModelBytes(const RunRecord& r) {
  return r.result && r.result->source.checkpoint ? 4 * quantcore::parameter_count(r.result->source.checkpoint->spec)
                                                 : 0;
}

qint64 RunList::keptBytes() const {
  qint64 total = 0;
  std::set<const void*> models;  // each FP model once, compared by identity while a result holds it
  for (const RunRecord& r : records_) {
    if (!r.result) continue;
    total += storedBytes(r);
    const void* model = r.result->source.checkpoint.get();
    if (model && model != openSource_ && models.insert(model).second) total += sourceModelBytes(r);
  }
  return total;
}

void RunList::setOpenSource(const void* checkpoint) {
  openSource_ = checkpoint;
  enforceBudget(0);
}

void RunList::setCurrentResult(const void* result) { current_ = result; }

// Oldest first, never the run just changed nor the current run: their stored forms are what the
// user is looking at.
void RunList::enforceBudget(int keep) {
  for (RunRecord& r : records_) {
    if (keptBytes() <= budget_) return;
    if (r.id == keep || !r.result || isCurrent(r)) continue;
    r.result.reset();
    r.message = tr("stored forms released (memory budget %1 GiB)").arg(double(budget_) / double(1 << 30), 0, 'f', 1);
    Q_EMIT changed(r.id);
  }
}

void RunList::setOverlaid(int id, bool on) {
  if (on == overlaid(id) || (on && !find(id))) return;
  if (on)
    overlaid_.insert(id);
  else
    overlaid_.erase(id);
  Q_EMIT overlaysChanged();
}

}  // namespace widgets
