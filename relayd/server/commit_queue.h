#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "relayd/server/metrics.h"
#include "relayd/store/store.h"

namespace sotto::relayd {

// Group commit. Sessions hand envelopes (and delivery acks) to one committer
// thread; it writes everything that has gathered in ONE transaction with
// synchronous=FULL, then runs each send's completion (which posts the SendAck
// back to the session's thread). While one transaction is being fsynced the
// next batch gathers, so the batch size follows the load: one envelope per
// commit when idle (lowest latency), hundreds under load (throughput), with
// max_batch as the cap on one transaction's size.
class CommitQueue {
 public:
  // result is null when the transaction failed (nothing was stored; the client may retry).
  using SendDone = std::function<void(const PendingSend&, const SendResult* result)>;

  // max_delay: how long a lone envelope may wait for companions before its
  // transaction starts (0: never wait; the natural batching above still applies).
  CommitQueue(Store& store, QueueLimits limits, std::size_t max_batch, std::chrono::microseconds max_delay,
              Metrics& metrics);
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  void start();
  // Commits everything already submitted, then stops the thread. Submissions
  // after stop() are answered with an INTERNAL-style failure at once.
  void stop();

  // Thread-safe. done runs on the committer thread after the outcome is durable.
  void submit(PendingSend send, SendDone done);
  // Thread-safe. Deletes are batched the same way; nothing waits for them.
  void ack(std::vector<DeliveryAck> deliveries);

  std::size_t backlog();

 private:
  struct Item {
    PendingSend send;
    SendDone done;
  };
  void run();

  Store& store_;
  QueueLimits limits_;
  std::size_t max_batch_;
  std::chrono::microseconds max_delay_;
  Metrics& metrics_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> sends_;
  std::chrono::steady_clock::time_point oldest_;  // arrival of sends_.front()
  std::vector<DeliveryAck> acks_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sotto::relayd
