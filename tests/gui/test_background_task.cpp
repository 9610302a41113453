// widgets/background_task.h and its companions: the outcome arrives on the GUI thread as one of
// value / cancelled / error, a newer LatestTask request drops the stale outcome, a destroyed
// context gets nothing, the coalescing buffer delivers a worker's events in batches and the
// progress bar feed shows a JobProgress.
#include <QProgressBar>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "widgets/background_task.h"
#include "widgets/coalescing_buffer.h"
#include "widgets/progress_bar_feed.h"

using widgets::TaskResult;

namespace {
// Blocks a worker until the test opens it (or a cancel arrives, when given one).
struct Gate {
  std::atomic<bool> open{false};
  void wait(const quantcore::CancelToken* cancel = nullptr) const {
    while (!open.load()) {
      if (cancel) cancel->throw_if_requested();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
};
}  // namespace

class BackgroundTaskTest : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void valueArrivesOnTheGuiThread() {
    QObject context;
    QThread* worker = nullptr;
    QThread* deliveredOn = nullptr;
    int deliveries = 0;
    widgets::runInBackground(
        &context, [] { return QThread::currentThread(); },
        [&](TaskResult<QThread*> r) {
          ++deliveries;
          QVERIFY(r.hasValue());
          worker = r.value();
          deliveredOn = QThread::currentThread();
        });
    QTRY_COMPARE(deliveries, 1);
    QVERIFY(worker != QCoreApplication::instance()->thread());
    QCOMPARE(deliveredOn, QCoreApplication::instance()->thread());
  }

  void voidWorkDeliversItsEnd() {
    QObject context;
    std::atomic<bool> ran{false};
    int deliveries = 0;
    widgets::runInBackground(
        &context, [&] { ran = true; },
        [&](TaskResult<void> r) {
          ++deliveries;
          QVERIFY(r.hasValue());
        });
    QTRY_COMPARE(deliveries, 1);
    QVERIFY(ran.load());
  }

  void cancelDeliversCancelled() {
    QObject context;
    auto progress = std::make_shared<widgets::JobProgress>();
    std::atomic<bool> waiting{false};
    int cancelled = 0, others = 0;
    const auto cancel = widgets::runInBackground(
        &context,
        [&waiting](widgets::JobProgress& p, const quantcore::CancelToken& token) {
          p.stage("spin", 10);
          p.advance(3);
          waiting = true;
          for (;;) {
            token.throw_if_requested();
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
          }
        },
        [&](TaskResult<void> r) { r.cancelled() ? ++cancelled : ++others; }, {.progress = progress});
    QTRY_VERIFY(waiting.load());
    QCOMPARE(progress->total(), int64_t(10));  // the work reported to the progress it was given
    QCOMPARE(progress->done(), int64_t(3));
    QCOMPARE(progress->stageName(), QString("spin"));
    cancel->request();
    QTRY_COMPARE(cancelled, 1);
    QCOMPARE(others, 0);
  }

  void exceptionDeliversItsMessage() {
    QObject context;
    QString error;
    int deliveries = 0;
    widgets::runInBackground(
        &context, []() -> int { throw std::runtime_error("disk full"); },
        [&](TaskResult<int> r) {
          ++deliveries;
          QVERIFY(r.failed());
          QVERIFY(!r.hasValue() && !r.cancelled());
          error = r.error();
        });
    QTRY_COMPARE(deliveries, 1);
    QCOMPARE(error, QString("disk full"));
  }

  void runsOnTheGivenPool() {
    QObject context;
    QThreadPool pool;
    pool.setMaxThreadCount(1);
    Gate gate;
    std::atomic<bool> done{false};
    widgets::runInBackground(
        &context,
        [&] {
          gate.wait();
          done = true;
        },
        [](TaskResult<void>) {}, {.pool = &pool});
    QTRY_COMPARE(pool.activeThreadCount(), 1);
    gate.open = true;
    pool.waitForDone();
    QVERIFY(done.load());
  }

  void latestRequestWins() {
    QObject context;
    widgets::LatestTask task;
    Gate gate;
    std::vector<int> values;
    int cancelledOrFailed = 0;
    const auto deliver = [&](TaskResult<int> r) {
      r.hasValue() ? values.push_back(r.value()) : void(++cancelledOrFailed);
    };
    // The first request ignores its cancel token and still returns: its value must be dropped.
    const auto first = task.start(
        &context,
        [&gate] {
          gate.wait();
          return 1;
        },
        deliver);
    QVERIFY(task.running());
    const auto second = task.start(
        &context, [] { return 2; }, deliver);
    QVERIFY(first->requested());  // the newer request cancelled the older one
    QVERIFY(!second->requested());
    QTRY_COMPARE(values.size(), size_t(1));
    QCOMPARE(values.front(), 2);
    QVERIFY(!task.running());
    gate.open = true;
    QThreadPool::globalInstance()->waitForDone();
    QTest::qWait(50);
    QCOMPARE(values, std::vector<int>{2});
    QCOMPARE(cancelledOrFailed, 0);
  }

  void latestTaskCancelDeliversCancelled() {
    QObject context;
    widgets::LatestTask task;
    Gate gate;
    int cancelled = 0;
    task.start(
        &context, [&gate](widgets::JobProgress&, const quantcore::CancelToken& c) { gate.wait(&c); },
        [&](TaskResult<void> r) { cancelled += r.cancelled(); });
    task.cancel();
    QTRY_COMPARE(cancelled, 1);
    QVERIFY(!task.running());
  }

  void destroyedContextGetsNothing() {
    auto* context = new QObject;
    Gate gate;
    std::atomic<bool> finished{false};
    int deliveries = 0;
    widgets::runInBackground(
        context,
        [&] {
          gate.wait();
          finished = true;
          return 7;
        },
        [&](TaskResult<int>) { ++deliveries; });
    delete context;
    gate.open = true;
    QThreadPool::globalInstance()->waitForDone();
    QVERIFY(finished.load());
    QTest::qWait(50);
    QCOMPARE(deliveries, 0);
  }

  void coalescingBufferDeliversBatches() {
    constexpr int kEvents = 2000;
    std::vector<int> received;
    int batches = 0;
    bool onGuiThread = true;
    widgets::CoalescingBuffer<int> buffer(10, [&](std::vector<int> batch) {
      ++batches;
      onGuiThread = onGuiThread && QThread::currentThread() == QCoreApplication::instance()->thread();
      received.insert(received.end(), batch.begin(), batch.end());
    });
    QObject context;
    bool ended = false;
    widgets::runInBackground(
        &context,
        [queue = buffer.open()] {
          for (int i = 0; i < kEvents; ++i) {
            queue->append(i);
            if (i % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
          }
        },
        [&](TaskResult<void>) {
          buffer.close();
          ended = true;
        });
    QTRY_VERIFY(ended);
    QCOMPARE(int(received.size()), kEvents);
    for (int i = 0; i < kEvents; ++i) QCOMPARE(received[size_t(i)], i);
    QVERIFY(batches > 1);
    QVERIFY(batches < kEvents);
    QVERIFY(onGuiThread);
  }

  void progressBarFeedShowsTheStage() {
    widgets::JobProgress progress;
    QProgressBar bar;
    widgets::ProgressBarFeed feed(progress, "{stage} %v / %m");
    feed.setBar(&bar);
    feed.show();
    QCOMPARE(bar.maximum(), 0);  // busy until the total is known
    progress.stage("write", 8);
    progress.advance(5);
    feed.start();
    QTRY_COMPARE(bar.value(), 5);
    QCOMPARE(bar.maximum(), 8);
    QCOMPARE(bar.format(), QString("write %v / %m"));
    feed.stop();
    QVERIFY(!feed.active());
  }
};

QTEST_MAIN(BackgroundTaskTest)
#include "test_background_task.moc"
