#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "relayd/server/metrics.h"
#include "relayd/store/store.h"

namespace sotto::relayd {

// Group commit, pipelined. Sessions hand envelopes (and delivery acks) to
// one writer thread; it writes everything that has gathered in ONE
// transaction (Store::write_batch) and hands the batch on. Syncer threads
// make written batches durable (Store::sync_writes, an fsync) and then run
// each send's completion (which posts the SendAck back to the sender's
// thread), batches strictly in the order they were written. The `written`
// hook (which pushes the envelope to online recipients) runs for each send
// on the writer as soon as its batch is written, before the sync: a
// recipient need not wait for the disk, only the sender's acknowledgement
// does.
//
// Why two stages: with one thread doing both, an envelope that arrives while
// a commit is being synced waits for that sync, then for its own write and
// sync. Here the writer never waits for a disk: the envelope's batch is
// written at once and its sync starts as soon as a syncer is free, so it
// waits for about one fsync, and while one batch syncs the next is written
// (the two cores both work). Batch sizes still follow the load: one
// envelope per batch when idle, up to max_batch under load.
//
// Delivery acks ride along in the next batch's transaction. Their deletes
// need no sync of their own: one lost in a power cut means the envelope is
// delivered again, and clients de-duplicate.
class CommitQueue {
 public:
  // result is null when the batch could not be stored or made durable
  // (nothing is promised; the client may retry, and a retry is recognised
  // as a duplicate if the first attempt did reach the disk).
  using SendDone = std::function<void(const PendingSend&, const SendResult* result)>;

  // max_delay: how long a lone envelope may wait for companions before its
  // batch is written (0: never wait; the natural batching above still applies).
  // syncers: how many fsyncs may be in flight at once (at least 1).
  CommitQueue(Store& store, QueueLimits limits, std::size_t max_batch, std::chrono::microseconds max_delay,
              Metrics& metrics, unsigned syncers = 2);
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // Called once per batch, after the completions of its sends, on the thread
  // that ran them, with the batch's sends and their results (the results
  // empty if it failed). The relays sharing a store announce the batch's
  // deliveries through it (one bus message per batch, not per envelope).
  // Set before start().
  using BatchDone = std::function<void(std::span<const PendingSend>, std::span<const SendResult>)>;
  void on_batch_done(BatchDone done) { batch_done_ = std::move(done); }

  // Called once per send on the writer thread, once its batch is written
  // (visible to every reader of the store) and before it is durable; not at
  // all if the write failed. Sends come in the order they were written, so
  // delivery ids rise from one call to the next for any recipient.
  // Set before start().
  using SendWritten = std::function<void(const PendingSend&, const SendResult& result)>;
  void on_written(SendWritten written) { written_hook_ = std::move(written); }

  void start();
  // Writes and syncs everything already submitted, runs its completions,
  // then stops the threads. Submissions after stop() are answered with a
  // failure at once.
  void stop();

  // Thread-safe. done runs on a syncer thread once the outcome is durable.
  void submit(PendingSend send, SendDone done);
  // Thread-safe. Deletes ride along with the next batch of sends, or are
  // written on their own after kAckLinger; nothing waits for them.
  void ack(std::vector<DeliveryAck> deliveries);

  // Sends submitted and not yet written.
  std::size_t backlog();

 private:
  using Clock = std::chrono::steady_clock;
  struct Item {
    PendingSend send;
    SendDone done;
    Clock::time_point arrived;
  };
  // A written batch on its way to durability.
  struct Written {
    std::uint64_t sequence = 0;
    std::vector<PendingSend> sends;
    std::vector<SendDone> dones;
    std::vector<Clock::time_point> arrived;  // one per send, for Metrics::commit_wait
    std::vector<SendResult> results;         // one per send; empty when the write failed
  };

  // Acks with no sends to carry them wait up to kAckLinger, or until there
  // are kAckBatch of them, before a transaction deletes them.
  static constexpr std::chrono::milliseconds kAckLinger{20};
  static constexpr std::size_t kAckBatch = 1024;

  void write_loop();
  void sync_loop();
  // With sync_mutex_ held: runs the completions of every batch at the front
  // of written_ that is durable (or failed), in order, one caller at a time.
  void complete_ready(std::unique_lock<std::mutex>& lock);

  Store& store_;
  BatchDone batch_done_;
  SendWritten written_hook_;
  QueueLimits limits_;
  std::size_t max_batch_;
  std::chrono::microseconds max_delay_;
  Metrics& metrics_;
  unsigned syncer_count_;

  // Submissions waiting to be written.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> sends_;
  Clock::time_point oldest_;  // arrival of sends_.front()
  std::vector<DeliveryAck> acks_;
  Clock::time_point oldest_ack_;  // arrival of acks_.front()
  bool stopping_ = false;

  // Written batches waiting for a sync and their completions.
  std::mutex sync_mutex_;
  std::condition_variable sync_wake_;
  std::deque<Written> written_;
  std::uint64_t last_written_ = 0;  // sequence of the newest batch in written_ or completed
  std::uint64_t sync_started_ = 0;  // every batch up to this one is covered by a sync in flight or done
  std::uint64_t durable_ = 0;       // every batch up to this one is durable
  bool completing_ = false;         // a thread is running completions
  bool writer_done_ = false;

  std::thread writer_;
  std::vector<std::thread> syncers_;
};

}  // namespace sotto::relayd
