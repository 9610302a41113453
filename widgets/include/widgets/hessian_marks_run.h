#pragma once
// PB-LLM's Hessian criterion (baselines-spec §3.2) for the session's selected linear and salient
// ratio, computed on a worker thread. The latest request wins: a request for another linear
// cancels a collection of H in flight; one for another ratio waits for it (H is then cached).
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

#include "analysis/salient_marks.h"
#include "widgets/job_progress.h"
#include "widgets/studio_session.h"

namespace widgets {

class HessianMarksRun : public QObject {
  Q_OBJECT
public:
  explicit HessianMarksRun(StudioSession& session, QObject* parent = nullptr);
  ~HessianMarksRun() override;

  bool available() const { return session_.hessianSaliency() != nullptr; }  // calibrated
  bool running() const { return running_; }
  // The marks of the current request, once computed (none while pending or after a failure).
  const std::optional<analysis::SalientMarks>& result() const { return result_; }
  const JobProgress& progress() const { return *progress_; }

public Q_SLOTS:
  void request();  // the session's selected layer and ratio
  void clear();    // forget the request and the result (the view left the criterion)

Q_SIGNALS:
  void runningChanged(bool running);
  void resultChanged();  // result() now belongs to the current request, or is empty
  void failed(const QString& message);

private:
  struct Request {
    std::shared_ptr<analysis::HessianSaliency> saliency;
    LayerId layer;
    double ratio = 0;
    bool operator==(const Request&) const = default;
  };
  void start(const Request& r);

  StudioSession& session_;
  std::optional<Request> wanted_;
  Request inFlight_;
  bool running_ = false;
  std::optional<analysis::SalientMarks> result_;
  std::shared_ptr<JobProgress> progress_ = std::make_shared<JobProgress>();
  std::shared_ptr<quantcore::CancelToken> cancel_;
};

}  // namespace widgets
