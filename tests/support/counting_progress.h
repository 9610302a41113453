#pragma once
// A ProgressSink that records what a job reports, to tell a cache hit (no stage begun) from a
// miss, check step counts, and cancel a job at a chosen step.
#include <cstdint>
#include <string>

#include "quantcore/jobs/progress.h"

namespace quantlens_test {

class CountingProgress : public quantcore::ProgressSink {
public:
  CountingProgress() = default;
  // Requests `cancel` when the count within a stage reaches `cancel_at`.
  CountingProgress(quantcore::CancelToken& cancel, int64_t cancel_at) : cancel_(&cancel), cancel_at_(cancel_at) {}

  void stage(const std::string&, int64_t stage_total) override {
    ++stages;
    total = stage_total;
  }
  void advance(int64_t done) override {
    ++advances;
    last = done;
    if (cancel_ && done == cancel_at_) cancel_->request();
  }
  void finish() override { finished = true; }

  int stages = 0;
  int64_t total = 0;     // of the latest stage
  int64_t advances = 0;  // calls to advance, over all stages
  int64_t last = 0;      // the latest count passed to advance
  bool finished = false;

private:
  quantcore::CancelToken* cancel_ = nullptr;
  int64_t cancel_at_ = -1;
};

}  // namespace quantlens_test
