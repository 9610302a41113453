#pragma once
#include <atomic>
#include <cstdint>
#include <string>

namespace quantcore {

// Raised inside a job when its cancel token was set; the job leaves its inputs untouched.
struct Cancelled {};

class CancelToken {
public:
  void request() { requested_.store(true, std::memory_order_relaxed); }
  bool requested() const { return requested_.load(std::memory_order_relaxed); }
  void throw_if_requested() const {
    if (requested()) throw Cancelled{};
  }

private:
  std::atomic<bool> requested_{false};
};

// How a long job tells the world where it is. The CLI draws terminal bars from it, the GUI
// progress bars and curves. Calls come from the job's thread.
class ProgressSink {
public:
  virtual ~ProgressSink() = default;
  virtual void stage(const std::string& name, int64_t total) = 0;
  virtual void advance(int64_t done) = 0;  // absolute count within the current stage
  virtual void finish() = 0;
};

// A sink that ignores everything.
class NullProgress : public ProgressSink {
public:
  void stage(const std::string&, int64_t) override {}
  void advance(int64_t) override {}
  void finish() override {}
};

}  // namespace quantcore
