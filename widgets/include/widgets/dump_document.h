#pragma once
// An analysis dump opened in the Studio (docs/hdf5-dump.md): its header and every block, read
// on a worker thread with progress (one step per block) and a cancel between blocks, and the
// linear the dump view has selected. A failed or cancelled open leaves the previous dump in
// place.
#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

#include "analysis/dump_data.h"
#include "widgets/job_progress.h"

namespace quantcore {
class CancelToken;
}

namespace widgets {

class DumpDocument : public QObject {
  Q_OBJECT
public:
  explicit DumpDocument(QObject* parent = nullptr);
  ~DumpDocument() override;

  bool isOpen() const { return header_.has_value(); }
  const QString& path() const { return path_; }
  const analysis::DumpHeader& header() const { return *header_; }
  const std::vector<analysis::DumpBlock>& blocks() const { return blocks_; }
  // analysis::salient_cell_threshold of blocks()[block].linears[linear].
  float markThreshold(int64_t block, int linear) const;

  // -1 / nullptr while nothing is open.
  int64_t selectedBlock() const { return selectedBlock_; }
  int selectedLinear() const { return selectedLinear_; }
  const analysis::DumpLinear* selected() const;

  bool busy() const { return busy_; }
  const JobProgress& progress() const { return *progress_; }

public Q_SLOTS:
  void open(const QString& path);  // ignored while a read is running
  void cancel();
  void select(qint64 block, int linear);

Q_SIGNALS:
  void opening(const QString& path);
  void opened();
  void failed(const QString& message);  // one line: "FILE: problem"
  void cancelled();
  void selectionChanged();

private:
  struct Read;
  static Read readFile(const QString& path, JobProgress& progress, const quantcore::CancelToken& cancel);

  QString path_;
  std::optional<analysis::DumpHeader> header_;
  std::vector<analysis::DumpBlock> blocks_;
  std::vector<std::vector<float>> markThresholds_;
  int64_t selectedBlock_ = -1;
  int selectedLinear_ = -1;

  bool busy_ = false;
  std::shared_ptr<JobProgress> progress_;
  std::shared_ptr<quantcore::CancelToken> cancel_;
};

}  // namespace widgets
