#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "quantcore/jobs/loss_events.h"
#include "quantcore/jobs/progress.h"

namespace quantlens_cli {

// A progress bar with rate and ETA on stderr. On a terminal it redraws in place (at most ten
// times a second); elsewhere (logs, CI) it prints a line at every tenth of the stage.
class TerminalProgress : public quantcore::ProgressSink {
public:
  explicit TerminalProgress(bool enabled);
  void stage(const std::string& name, int64_t total) override;
  void advance(int64_t done) override;
  void finish() override;
  // A line of its own on stderr (after a bar being redrawn in place), shown even when the bar
  // is disabled.
  void note(const std::string& line);

private:
  void draw(bool final_line);
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool tty_;
  std::string name_;
  int64_t total_ = 0;
  int64_t done_ = 0;
  int64_t last_decile_ = -1;
  Clock::time_point start_;
  Clock::time_point last_draw_;
};

// A run's notices as "notice: ..." lines beside the progress bar; loss events are not printed.
class TerminalNotices : public quantcore::OptimizationEvents {
public:
  explicit TerminalNotices(TerminalProgress& progress) : progress_(progress) {}
  void loss(const quantcore::LossEvent&) override {}
  void notice(const std::string& message) override { progress_.note("notice: " + message); }

private:
  TerminalProgress& progress_;
};

}  // namespace quantlens_cli
