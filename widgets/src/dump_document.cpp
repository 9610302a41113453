#include "widgets/dump_document.h"

#include "analysis/dump_views.h"
#include "quantcore/io/errors.h"
#include "quantcore/jobs/progress.h"
#include "widgets/background_task.h"
#if QUANTLENS_HAVE_HDF5
#include "analysis/dump_reader.h"
#endif

namespace widgets {

struct DumpDocument::Read {
  QString path;
  std::optional<analysis::DumpHeader> header;
  std::vector<analysis::DumpBlock> blocks;
  std::vector<std::vector<float>> thresholds;
};

DumpDocument::Read DumpDocument::readFile(const QString& path, JobProgress& progress,
                                          const quantcore::CancelToken& cancel) {
  Read r;
  r.path = path;
#if QUANTLENS_HAVE_HDF5
  progress.stage("read dump", 1);
  const analysis::DumpReader reader(path.toStdString());
  const analysis::DumpHeader& h = reader.header();
  progress.stage("read dump", h.num_layers);
  for (int64_t b = 0; b < h.num_layers; ++b) {
    cancel.throw_if_requested();
    analysis::DumpBlock block = reader.read_block(b);
    std::vector<float> thresholds;
    for (const analysis::DumpLinear& l : block.linears)
      thresholds.push_back(analysis::salient_cell_threshold(l.saliency_map, l.salient_weights));
    r.blocks.push_back(std::move(block));
    r.thresholds.push_back(std::move(thresholds));
    progress.advance(b + 1);
  }
  r.header = h;
#else
  static_cast<void>(progress);
  static_cast<void>(cancel);
  throw quantcore::InputError(path.toStdString(), "this build of QuantLens reads no HDF5 dumps (built without HDF5)");
#endif
  return r;
}

DumpDocument::DumpDocument(QObject* parent) : QObject(parent), progress_(std::make_shared<JobProgress>()) {}

DumpDocument::~DumpDocument() {
  if (cancel_) cancel_->request();  // the worker holds its own progress and token
}

float DumpDocument::markThreshold(int64_t block, int linear) const {
  return markThresholds_.at(static_cast<size_t>(block)).at(static_cast<size_t>(linear));
}

const analysis::DumpLinear* DumpDocument::selected() const {
  if (selectedBlock_ < 0) return nullptr;
  return &blocks_[static_cast<size_t>(selectedBlock_)].linears[static_cast<size_t>(selectedLinear_)];
}

void DumpDocument::open(const QString& path) {
  if (busy_) return;
  busy_ = true;
  cancel_ = std::make_shared<quantcore::CancelToken>();
  progress_->reset();
  Q_EMIT opening(path);
  runInBackground(
      this,
      [path](JobProgress& progress, const quantcore::CancelToken& cancel) { return readFile(path, progress, cancel); },
      [this](TaskResult<Read> result) {
        busy_ = false;
        cancel_.reset();
        if (result.cancelled()) return Q_EMIT cancelled();
        if (result.failed()) return Q_EMIT failed(result.error());
        Read& r = result.value();
        path_ = r.path;
        header_ = std::move(r.header);
        blocks_ = std::move(r.blocks);
        markThresholds_ = std::move(r.thresholds);
        selectedBlock_ = -1;
        selectedLinear_ = -1;
        Q_EMIT opened();
        select(0, 0);
      },
      {.progress = progress_, .cancel = cancel_});
}

void DumpDocument::cancel() {
  if (cancel_) cancel_->request();
}

void DumpDocument::select(qint64 block, int linear) {
  if (block < 0 || block >= static_cast<qint64>(blocks_.size())) return;
  const auto& linears = blocks_[static_cast<size_t>(block)].linears;
  if (linear < 0 || linear >= static_cast<int>(linears.size())) return;
  if (block == selectedBlock_ && linear == selectedLinear_) return;
  selectedBlock_ = block;
  selectedLinear_ = linear;
  Q_EMIT selectionChanged();
}

}  // namespace widgets
