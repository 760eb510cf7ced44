#include "relayd/server/commit_queue.h"

#include <string>

#include "relayd/server/log.h"

namespace sotto::relayd {

CommitQueue::CommitQueue(Store& store, QueueLimits limits, std::size_t max_batch, std::chrono::microseconds max_delay,
                         Metrics& metrics)
    : store_(store),
      limits_(limits),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      max_delay_(max_delay),
      metrics_(metrics) {}

CommitQueue::~CommitQueue() { stop(); }

void CommitQueue::start() {
  thread_ = std::thread([this] { run(); });
}

void CommitQueue::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CommitQueue::submit(PendingSend send, SendDone done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      if (sends_.empty()) oldest_ = std::chrono::steady_clock::now();
      sends_.push_back(Item{std::move(send), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(send, nullptr);
}

void CommitQueue::ack(std::vector<DeliveryAck> deliveries) {
  {
    std::lock_guard lock(mutex_);
    acks_.insert(acks_.end(), deliveries.begin(), deliveries.end());
  }
  wake_.notify_one();
}

std::size_t CommitQueue::backlog() {
  std::lock_guard lock(mutex_);
  return sends_.size();
}

void CommitQueue::run() {
  std::vector<PendingSend> sends;
  std::vector<SendDone> dones;
  std::vector<DeliveryAck> acks;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !sends_.empty() || !acks_.empty(); });
      if (sends_.empty() && acks_.empty() && stopping_) return;
      // Linger: a batch that is not full waits for companions, but never past
      // max_delay after its oldest envelope arrived.
      if (!sends_.empty() && sends_.size() < max_batch_ && max_delay_.count() > 0 && !stopping_) {
        wake_.wait_until(lock, oldest_ + max_delay_, [this] { return stopping_ || sends_.size() >= max_batch_; });
      }
      const std::size_t n = std::min(sends_.size(), max_batch_);
      sends.clear();
      dones.clear();
      for (std::size_t i = 0; i < n; ++i) {
        sends.push_back(std::move(sends_.front().send));
        dones.push_back(std::move(sends_.front().done));
        sends_.pop_front();
      }
      if (!sends_.empty()) oldest_ = std::chrono::steady_clock::now();
      acks.clear();
      acks.swap(acks_);
    }

    if (!acks.empty()) {
      try {
        store_.ack_deliveries(acks);
        metrics_.deliveries_acked.fetch_add(acks.size(), std::memory_order_relaxed);
      } catch (const std::exception& e) {
        // The envelopes stay queued and are delivered again: at least once.
        log_error("ack_commit_failed", std::string("error=\"") + e.what() + "\"");
      }
    }
    if (sends.empty()) continue;

    std::vector<SendResult> results;
    try {
      results = store_.commit_sends(sends, limits_);
      metrics_.record_batch(sends.size());
    } catch (const std::exception& e) {
      log_error("send_commit_failed", "batch=" + std::to_string(sends.size()) + " error=\"" + e.what() + "\"");
      results.clear();
    }
    for (std::size_t i = 0; i < dones.size(); ++i) {
      dones[i](sends[i], i < results.size() ? &results[i] : nullptr);
    }
    // The callbacks hold their sessions: drop them now, not when the next
    // batch arrives, or a closed session lives on until someone else sends.
    dones.clear();
    sends.clear();
  }
}

}  // namespace sotto::relayd
