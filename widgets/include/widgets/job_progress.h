#pragma once
// A ProgressSink the GUI polls: the job thread writes atomics, a timer on the GUI thread reads
// them (workers produce, the GUI pulls; nothing crosses threads through signals per step).
#include <QString>

#include <atomic>
#include <mutex>
#include <string>

#include "quantcore/jobs/progress.h"

namespace widgets {

class JobProgress : public quantcore::ProgressSink {
public:
  void stage(const std::string& name, int64_t total) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stage_ = name;
    }
    done_.store(0);
    total_.store(total);
  }
  void advance(int64_t done) override { done_.store(done); }
  void finish() override { done_.store(total_.load()); }

  void reset() { stage("", 0); }
  int64_t done() const { return done_.load(); }
  int64_t total() const { return total_.load(); }
  QString stageName() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return QString::fromStdString(stage_);
  }

private:
  mutable std::mutex mutex_;
  std::string stage_;
  std::atomic<int64_t> done_{0};
  std::atomic<int64_t> total_{0};
};

}  // namespace widgets
