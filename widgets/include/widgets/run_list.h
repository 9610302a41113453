#pragma once
// The session's runs, one RunRecord each, in the order they started; a run is never dropped by
// starting another. The stored forms of finished runs are kept within a memory budget, which
// also counts, once each, the FP models that kept runs hold alive after another model was
// opened: beyond it the oldest runs release theirs (their row, settings, numbers and curves stay;
// a saved run can be reopened from its directory), never the session's current run. Which runs
// the loss chart overlays is kept here too.
#include <QObject>

#include <functional>
#include <set>
#include <vector>

#include "widgets/run_record.h"

namespace widgets {

class RunList : public QObject {
  Q_OBJECT
public:
  static constexpr qint64 kDefaultBudgetBytes = qint64(4) << 30;

  explicit RunList(QObject* parent = nullptr) : QObject(parent) {}

  // Adds the run with the next id; returns it.
  int add(RunRecord record);
  // Changes run `id` in place (no-op for an unknown id) and emits changed(id).
  void update(int id, const std::function<void(RunRecord&)>& change);
  const RunRecord* find(int id) const;
  const std::vector<RunRecord>& records() const { return records_; }
  int count() const { return int(records_.size()); }

  void setBudgetBytes(qint64 bytes);
  qint64 budgetBytes() const { return budget_; }
  // Stored forms kept plus the FP models they hold that are not the open one.
  qint64 keptBytes() const;
  // What a record's stored forms take (0 without), and the FP model they keep alive (its fp32
  // weights, the CPU compute dtype; an upper bound elsewhere).
  static qint64 storedBytes(const RunRecord& r);
  static qint64 sourceModelBytes(const RunRecord& r);
  // The open model's checkpoint (its memory is the session's, not the runs') and the session's
  // current run (never released); both compared by identity.
  void setOpenSource(const void* checkpoint);
  void setCurrentResult(const void* result);
  bool isCurrent(const RunRecord& r) const { return r.result && r.result.get() == current_; }

  void setOverlaid(int id, bool on);
  bool overlaid(int id) const { return overlaid_.count(id) > 0; }
  const std::set<int>& overlaidIds() const { return overlaid_; }

Q_SIGNALS:
  void aboutToAdd();  // the next row is about to be appended (for item models)
  void added(int id);
  void changed(int id);
  void overlaysChanged();

private:
  void enforceBudget(int keep);

  std::vector<RunRecord> records_;
  std::set<int> overlaid_;
  qint64 budget_ = kDefaultBudgetBytes;
  const void* openSource_ = nullptr;
  const void* current_ = nullptr;
  int nextId_ = 1;
};

}  // namespace widgets
