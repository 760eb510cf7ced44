#include "relayd/server/commit_queue.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "relayd/server/log.h"

namespace sotto::relayd {

CommitQueue::CommitQueue(Store& store, QueueLimits limits, std::size_t max_batch, std::chrono::microseconds max_delay,
                         Metrics& metrics, unsigned syncers)
    : store_(store),
      limits_(limits),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      max_delay_(max_delay),
      metrics_(metrics),
      syncer_count_(syncers == 0 ? 1 : syncers) {}

CommitQueue::~CommitQueue() { stop(); }

void CommitQueue::start() {
  writer_ = std::thread([this] { write_loop(); });
  for (unsigned i = 0; i < syncer_count_; ++i) syncers_.emplace_back([this] { sync_loop(); });
}

void CommitQueue::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
  for (auto& syncer : syncers_) {
    if (syncer.joinable()) syncer.join();
  }
}

void CommitQueue::submit(PendingSend send, SendDone done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      const bool first = sends_.empty();
      const Clock::time_point now = Clock::now();
      if (first) oldest_ = now;
      sends_.push_back(Item{std::move(send), std::move(done), now});
      // The writer waits for a first send, then lingers until the batch is
      // full or its time is up: waking it for any other send only puts it
      // back to sleep, and on this kind of virtual machine a futex wake-up
      // and the context switches it causes cost more CPU than the send.
      if (first || sends_.size() == max_batch_) wake_.notify_one();
      return;
    }
  }
  done(send, nullptr);
}

void CommitQueue::ack(std::vector<DeliveryAck> deliveries) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    // Deletes are not urgent (nobody waits for them), so they ride along
    // with the next batch of sends; the writer is woken for them alone only
    // to start the ack linger when the first arrives, or when enough have
    // gathered to fill a transaction of their own.
    const bool first = acks_.empty();
    if (first) oldest_ack_ = Clock::now();
    acks_.insert(acks_.end(), deliveries.begin(), deliveries.end());
    wake = (first && sends_.empty()) || (acks_.size() >= kAckBatch && acks_.size() - deliveries.size() < kAckBatch);
  }
  if (wake) wake_.notify_one();
}

std::size_t CommitQueue::backlog() {
  std::lock_guard lock(mutex_);
  return sends_.size();
}

void CommitQueue::write_loop() {
  std::vector<DeliveryAck> acks;
  for (;;) {
    Written batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !sends_.empty() || !acks_.empty(); });
      if (sends_.empty() && acks_.empty() && stopping_) break;
      if (sends_.empty() && acks_.size() < kAckBatch && !stopping_) {
        // Acks alone: give sends a while to come and carry them.
        wake_.wait_until(lock, oldest_ack_ + kAckLinger,
                         [this] { return stopping_ || !sends_.empty() || acks_.size() >= kAckBatch; });
      }
      // Linger: a batch that is not full waits for companions, but never past
      // max_delay after its oldest envelope arrived.
      if (!sends_.empty() && sends_.size() < max_batch_ && max_delay_.count() > 0 && !stopping_) {
        wake_.wait_until(lock, oldest_ + max_delay_, [this] { return stopping_ || sends_.size() >= max_batch_; });
      }
      const std::size_t n = std::min(sends_.size(), max_batch_);
      batch.sends.reserve(n);
      batch.dones.reserve(n);
      batch.arrived.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch.sends.push_back(std::move(sends_.front().send));
        batch.dones.push_back(std::move(sends_.front().done));
        batch.arrived.push_back(sends_.front().arrived);
        sends_.pop_front();
      }
      if (!sends_.empty()) oldest_ = Clock::now();
      acks.clear();
      acks.swap(acks_);
    }

    try {
      const Clock::time_point started = Clock::now();
      batch.results = store_.write_batch(batch.sends, acks, limits_).sends;
      if (!batch.sends.empty()) {
        metrics_.commit_write.observe(Clock::now() - started);
        metrics_.record_batch(batch.sends.size());
      }
      metrics_.deliveries_acked.fetch_add(acks.size(), std::memory_order_relaxed);
    } catch (const std::exception& e) {
      // Nothing of the batch was stored: its sends are answered with a
      // failure (in order, by the syncers), and its acked envelopes stay
      // queued and are delivered again (at least once).
      log_error("send_commit_failed", "batch=" + std::to_string(batch.sends.size()) +
                                          " acks=" + std::to_string(acks.size()) + " error=\"" + e.what() + "\"");
      batch.results.clear();
    }
    // Written, not yet durable: readers of the store already see the batch
    // (a recipient's drain may push it now), so a live push may go too.
    if (written_hook_) {
      for (std::size_t i = 0; i < batch.results.size(); ++i) written_hook_(batch.sends[i], batch.results[i]);
    }
    if (batch.sends.empty()) continue;  // acks alone: nobody waits for their sync

    {
      std::lock_guard lock(sync_mutex_);
      batch.sequence = ++last_written_;
      written_.push_back(std::move(batch));
    }
    sync_wake_.notify_one();
  }
  {
    std::lock_guard lock(sync_mutex_);
    writer_done_ = true;
  }
  sync_wake_.notify_all();
}

void CommitQueue::sync_loop() {
  std::unique_lock lock(sync_mutex_);
  for (;;) {
    sync_wake_.wait(lock, [this] { return last_written_ > sync_started_ || (writer_done_ && written_.empty()); });
    if (last_written_ <= sync_started_) return;  // the writer has stopped and everything is answered

    // One fsync covers every batch written before it starts.
    const std::uint64_t covers = last_written_;
    sync_started_ = covers;
    lock.unlock();
    try {
      const Clock::time_point started = Clock::now();
      store_.sync_writes();
      metrics_.commit_sync.observe(Clock::now() - started);
    } catch (const std::exception& e) {
      // After a failed fsync the kernel may have dropped the dirty pages
      // while SQLite's cache still holds them, so a later sync that succeeds
      // would prove nothing and a retried Send would be acknowledged as a
      // duplicate of an envelope that is not on disk. Only a restart, which
      // recovers the database from what is really on disk, makes the
      // promise true again (PostgreSQL treats fsync failure the same way).
      log_error("wal_sync_failed", std::string("error=\"") + e.what() + "\" action=exit");
      std::abort();
    }
    lock.lock();
    durable_ = std::max(durable_, covers);
    complete_ready(lock);
  }
}

void CommitQueue::complete_ready(std::unique_lock<std::mutex>& lock) {
  // Another thread is completing: it re-reads durable_ before it stops, so
  // the batches this caller made durable are not left waiting.
  if (completing_) return;
  completing_ = true;
  while (!written_.empty() && written_.front().sequence <= durable_) {
    Written batch = std::move(written_.front());
    written_.pop_front();
    lock.unlock();
    if (!batch.results.empty()) {
      // Durable now: what each Send waited for, linger and queueing included.
      const Clock::time_point durable = Clock::now();
      for (const Clock::time_point arrived : batch.arrived) metrics_.commit_wait.observe(durable - arrived);
    }
    for (std::size_t i = 0; i < batch.dones.size(); ++i) {
      batch.dones[i](batch.sends[i], i < batch.results.size() ? &batch.results[i] : nullptr);
    }
    if (batch_done_) batch_done_(batch.sends, batch.results);
    // The callbacks hold their sessions: drop them now (batch goes out of
    // scope here), not when the next batch arrives, or a closed session
    // lives on until someone else sends.
    batch = Written{};
    lock.lock();
  }
  completing_ = false;
  // The last batch answered after the writer stopped: the other syncers may
  // leave. Otherwise they have nothing to do, and waking them would only
  // cost two context switches per batch.
  if (writer_done_ && written_.empty()) sync_wake_.notify_all();
}

}  // namespace sotto::relayd
