#pragma once
// Events a worker produces faster than the GUI wants them: the worker appends to an EventQueue
// under a mutex and never waits for the GUI; a GUI timer takes what arrived every intervalMs and
// hands each non-empty batch to `deliver` on the GUI thread.
#include <QTimer>

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace widgets {

template <typename T>
class EventQueue {
public:
  void append(T event) {
    std::lock_guard<std::mutex> lock(mutex_);
    events_.push_back(std::move(event));
  }
  std::vector<T> take() {
    std::vector<T> out;
    std::lock_guard<std::mutex> lock(mutex_);
    out.swap(events_);
    return out;
  }

private:
  std::mutex mutex_;
  std::vector<T> events_;
};

template <typename T>
class CoalescingBuffer {
public:
  CoalescingBuffer(int intervalMs, std::function<void(std::vector<T>)> deliver) : deliver_(std::move(deliver)) {
    timer_.setInterval(intervalMs);
    QObject::connect(&timer_, &QTimer::timeout, &timer_, [this] { drain(); });
  }
  CoalescingBuffer(const CoalescingBuffer&) = delete;
  CoalescingBuffer& operator=(const CoalescingBuffer&) = delete;

  // A fresh queue for a new worker (what the previous one left is dropped); the timer runs.
  std::shared_ptr<EventQueue<T>> open() {
    queue_ = std::make_shared<EventQueue<T>>();
    timer_.start();
    return queue_;
  }
  // Delivers what arrived so far.
  void drain() {
    if (!queue_) return;
    std::vector<T> batch = queue_->take();
    if (!batch.empty()) deliver_(std::move(batch));
  }
  // Delivers the last events and stops the timer: the worker has ended.
  void close() {
    drain();
    timer_.stop();
    queue_.reset();
  }

private:
  std::function<void(std::vector<T>)> deliver_;
  std::shared_ptr<EventQueue<T>> queue_;
  QTimer timer_;
};

}  // namespace widgets
