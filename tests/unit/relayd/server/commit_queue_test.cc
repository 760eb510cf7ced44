#include "relayd/server/commit_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "relayd/store/sqlite_store.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/relayd/server/gated_sync_store.h"

namespace sotto::relayd {
namespace {

using namespace std::chrono_literals;
using sotto::testing::TempDir;

constexpr std::int64_t kNow = 1'700'000'000'000;  // ms
constexpr std::int64_t kHour = 3'600'000;         // ms
constexpr QueueLimits kRoomy{.max_envelopes = 100'000, .max_bytes = 1 << 30};

UserRecord user(const std::string& name) {
  return UserRecord{name, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
                    IdentityKey{crypto::Bytes(32, 1), crypto::Bytes(32, 2), crypto::Bytes(64, 3)}, kNow};
}

// message id n, as 16 bytes: distinct for every n below 2^32.
PendingSend send(const std::string& sender, std::uint32_t n, const std::string& recipient) {
  MessageId id{};
  for (int i = 0; i < 4; ++i) id[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
  return PendingSend{sender, id, {recipient}, crypto::Bytes(64, static_cast<std::uint8_t>(n)), kNow, kNow + kHour};
}

// What the completions reported, in the order they ran.
struct Outcomes {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::int64_t> delivery_ids;  // of stored sends
  std::vector<std::uint32_t> failed;       // message numbers answered with no result
  std::size_t answered = 0;
  std::size_t duplicates = 0;

  CommitQueue::SendDone done() {
    return [this](const PendingSend& s, const SendResult* result) {
      std::lock_guard lock(mutex);
      ++answered;
      if (result == nullptr) {
        failed.push_back(static_cast<std::uint32_t>(s.message_id[3]));
      } else if (result->status == SendStatus::Duplicate) {
        ++duplicates;
      } else if (result->status == SendStatus::Stored) {
        for (const auto& d : result->deliveries) delivery_ids.push_back(d.delivery_id);
      }
      changed.notify_all();
    };
  }

  bool wait_for(std::size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 30s, [&] { return answered >= n; });
  }
};

// Four threads submit per_thread sends each from alice to bob at once
// (thread t's n-th send is number t << 16 | n), and all have returned.
void submit_from_four_threads(CommitQueue& queue, std::uint32_t per_thread, const CommitQueue::SendDone& done) {
  std::vector<std::thread> senders;
  for (std::uint32_t t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      for (std::uint32_t i = 0; i < per_thread; ++i) queue.submit(send("alice", t << 16 | i, "bob"), done);
    });
  }
  for (auto& s : senders) s.join();
}

// Each id above the one before: what sessions rely on to push in order.
void expect_rising(const std::vector<std::int64_t>& ids, const char* what) {
  for (std::size_t i = 1; i < ids.size(); ++i) {
    ASSERT_LT(ids[i - 1], ids[i]) << what << " " << i << " ran out of order";
  }
}

class CommitQueueTest : public ::testing::Test {
 protected:
  CommitQueueTest() : store_(dir_ / "relay.db") {
    for (const char* name : {"alice", "bob", "carol"}) EXPECT_TRUE(store_.create_user(user(name)));
  }

  TempDir dir_;
  SqliteStore store_;
  Metrics metrics_;
};

TEST_F(CommitQueueTest, AnswersEverySendOnceAndStoresIt) {
  CommitQueue queue(store_, kRoomy, 64, 0us, metrics_);
  queue.start();
  Outcomes outcomes;
  for (std::uint32_t i = 0; i < 200; ++i) queue.submit(send("alice", i, "bob"), outcomes.done());
  ASSERT_TRUE(outcomes.wait_for(200));
  queue.stop();

  EXPECT_EQ(outcomes.answered, 200u);
  EXPECT_TRUE(outcomes.failed.empty());
  EXPECT_EQ(outcomes.delivery_ids.size(), 200u);
  EXPECT_EQ(store_.pending("bob", 0, 1000, kNow).size(), 200u);
  EXPECT_EQ(metrics_.commit_envelopes.load(), 200u);
}

TEST_F(CommitQueueTest, CompletionsRunInTheOrderTheBatchesWereWritten) {
  // Sessions push envelopes from the completions and skip any delivery id
  // not above the last one pushed, so a later batch completing first would
  // hide the earlier one from a live recipient. Four threads submit at once,
  // in batches of at most 8, with two syncs in flight.
  CommitQueue queue(store_, kRoomy, 8, 0us, metrics_, 2);
  queue.start();
  Outcomes outcomes;
  submit_from_four_threads(queue, 500, outcomes.done());
  ASSERT_TRUE(outcomes.wait_for(2000));
  queue.stop();

  ASSERT_EQ(outcomes.delivery_ids.size(), 2000u);
  expect_rising(outcomes.delivery_ids, "completion");
  EXPECT_GT(metrics_.commit_batches.load(), 1u) << "the test never formed more than one batch";
}

// Relays sharing a store announce each batch on the bus once it is answered:
// the hook sees every send exactly once, after its completion, with its
// result (the delivery ids the other relays read up to).
TEST_F(CommitQueueTest, TheBatchHookSeesEverySendOnceAfterItsCompletion) {
  CommitQueue queue(store_, kRoomy, 16, 0us, metrics_);
  Outcomes outcomes;
  std::mutex mutex;
  std::vector<std::int64_t> announced;
  std::size_t batches = 0;
  bool announced_before_answer = false;
  queue.on_batch_done([&](std::span<const PendingSend> sends, std::span<const SendResult> results) {
    std::lock_guard lock(mutex);
    ++batches;
    EXPECT_EQ(sends.size(), results.size());
    {
      std::lock_guard answered(outcomes.mutex);
      if (outcomes.delivery_ids.size() < announced.size() + results.size()) announced_before_answer = true;
    }
    for (const auto& r : results) {
      for (const auto& d : r.deliveries) announced.push_back(d.delivery_id);
    }
  });
  queue.start();
  for (std::uint32_t i = 0; i < 300; ++i) queue.submit(send("alice", i, i % 2 == 0 ? "bob" : "carol"), outcomes.done());
  ASSERT_TRUE(outcomes.wait_for(300));
  queue.stop();
  std::lock_guard lock(mutex);
  EXPECT_FALSE(announced_before_answer);
  EXPECT_EQ(announced, outcomes.delivery_ids);
  EXPECT_GE(batches, 300u / 16);
}

TEST_F(CommitQueueTest, AcksAreDeletedInTheNextBatch) {
  CommitQueue queue(store_, kRoomy, 64, 0us, metrics_);
  queue.start();
  Outcomes first;
  queue.submit(send("alice", 1, "bob"), first.done());
  queue.submit(send("alice", 2, "bob"), first.done());
  ASSERT_TRUE(first.wait_for(2));
  ASSERT_EQ(first.delivery_ids.size(), 2u);

  queue.ack({DeliveryAck{"bob", first.delivery_ids[0]}, DeliveryAck{"carol", first.delivery_ids[1]}});
  Outcomes second;
  queue.submit(send("alice", 3, "carol"), second.done());
  ASSERT_TRUE(second.wait_for(1));
  queue.stop();

  // bob's own ack deleted his first envelope; carol's ack of bob's second did nothing.
  const auto left = store_.pending("bob", 0, 10, kNow);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].delivery_id, first.delivery_ids[1]);
  EXPECT_EQ(metrics_.deliveries_acked.load(), 2u);
}

TEST_F(CommitQueueTest, AcksWithNoSendToCarryThemAreDeletedOnTheirOwn) {
  CommitQueue queue(store_, kRoomy, 64, 0us, metrics_);
  queue.start();
  Outcomes sent;
  queue.submit(send("alice", 1, "bob"), sent.done());
  ASSERT_TRUE(sent.wait_for(1));
  ASSERT_EQ(sent.delivery_ids.size(), 1u);

  queue.ack({DeliveryAck{"bob", sent.delivery_ids[0]}});
  // No send follows: the ack linger runs out and a transaction of its own
  // deletes it (the queue stays running, so stop() is not what writes it).
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (metrics_.deliveries_acked.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(metrics_.deliveries_acked.load(), 1u);
  EXPECT_TRUE(store_.pending("bob", 0, 10, kNow).empty());
  queue.stop();
}

TEST_F(CommitQueueTest, StopAnswersWhatWasSubmittedAndRefusesWhatComesAfter) {
  Outcomes outcomes;
  {
    // A long linger keeps the sends waiting when stop() comes.
    CommitQueue queue(store_, kRoomy, 512, 10s, metrics_);
    queue.start();
    for (std::uint32_t i = 0; i < 50; ++i) queue.submit(send("alice", i, "bob"), outcomes.done());
    queue.stop();
    EXPECT_EQ(outcomes.answered, 50u);
    EXPECT_TRUE(outcomes.failed.empty());

    queue.submit(send("alice", 99, "bob"), outcomes.done());
    ASSERT_EQ(outcomes.failed.size(), 1u);
    EXPECT_EQ(outcomes.failed[0], 99u);
  }
  EXPECT_EQ(store_.pending("bob", 0, 1000, kNow).size(), 50u);
}

TEST_F(CommitQueueTest, ARepeatedSendIsAnsweredAsADuplicate) {
  CommitQueue queue(store_, kRoomy, 64, 0us, metrics_);
  queue.start();
  Outcomes outcomes;
  queue.submit(send("alice", 7, "bob"), outcomes.done());
  ASSERT_TRUE(outcomes.wait_for(1));
  queue.submit(send("alice", 7, "bob"), outcomes.done());
  ASSERT_TRUE(outcomes.wait_for(2));
  queue.stop();
  EXPECT_EQ(outcomes.delivery_ids.size(), 1u);
  EXPECT_EQ(outcomes.duplicates, 1u);
  EXPECT_EQ(store_.pending("bob", 0, 10, kNow).size(), 1u);
}

// The metrics that time the durability path: each Send's wait counts once,
// linger included; each batch's write and each fsync once.
TEST_F(CommitQueueTest, TimesEachSendsWaitEachWriteAndEachSync) {
  {
    // A lone envelope lingers 20 ms for companions before its batch is written.
    CommitQueue queue(store_, kRoomy, 64, 20ms, metrics_);
    queue.start();
    Outcomes outcomes;
    for (std::uint32_t i = 0; i < 3; ++i) {
      queue.submit(send("alice", i, "bob"), outcomes.done());
      ASSERT_TRUE(outcomes.wait_for(i + 1));
    }
    queue.stop();
  }
  EXPECT_EQ(metrics_.commit_wait.count(), 3u);
  EXPECT_EQ(metrics_.commit_write.count(), metrics_.commit_batches.load());
  EXPECT_GE(metrics_.commit_sync.count(), 1u);
  EXPECT_LE(metrics_.commit_sync.count(), metrics_.commit_batches.load());

  std::ostringstream out;
  metrics_.commit_wait.render(out, "w", "h");
  const std::string text = out.str();
  // None waited less than its 20 ms linger.
  EXPECT_NE(text.find("w_bucket{le=\"0.015\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("w_count 3\n"), std::string::npos) << text;
  // And the metrics page carries all three.
  const std::string page = metrics_.render(0);
  for (const char* name :
       {"sotto_relayd_commit_wait_seconds_count 3", "sotto_relayd_commit_write_seconds_count",
        "sotto_relayd_commit_sync_seconds_count", "# TYPE sotto_relayd_commit_sync_seconds histogram"}) {
    EXPECT_NE(page.find(name), std::string::npos) << name;
  }
}

// The n that send() put in the message id.
std::uint32_t number_of(const PendingSend& s) {
  std::uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = n << 8 | s.message_id[static_cast<std::size_t>(i)];
  return n;
}

// What the written hooks saw, in the order they ran.
struct Written {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::int64_t> delivery_ids;
  std::vector<std::uint32_t> numbers;  // of the sends, see number_of

  CommitQueue::SendWritten hook() {
    return [this](const PendingSend& s, const SendResult& result) {
      std::lock_guard lock(mutex);
      numbers.push_back(number_of(s));
      for (const auto& d : result.deliveries) delivery_ids.push_back(d.delivery_id);
      changed.notify_all();
    };
  }
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 30s, [&] { return numbers.size() >= n; });
  }
};

// Live pushes go out from the written hook: a recipient does not wait for
// the fsync, only the sender's SendAck (the completion) does. With the disk
// held, every send is written, visible to readers, and unanswered.
TEST_F(CommitQueueTest, TheWrittenHookRunsBeforeTheSyncAndTheCompletionOnlyAfterIt) {
  gated_sync::GatedSyncStore gated(store_);
  CommitQueue queue(gated, kRoomy, 64, 0us, metrics_);
  // Declared after the queue, so destroyed first: a failed assertion must
  // not leave stop() waiting for a sync that never returns.
  struct OpenOnExit {
    gated_sync::GatedSyncStore& store;
    ~OpenOnExit() { store.open(); }
  } open_on_exit{gated};
  Outcomes outcomes;
  Written written;
  queue.on_written(written.hook());
  queue.start();
  for (std::uint32_t i = 0; i < 20; ++i) queue.submit(send("alice", i, "bob"), outcomes.done());
  ASSERT_TRUE(written.wait_for(20));

  EXPECT_EQ(written.delivery_ids.size(), 20u);
  ASSERT_TRUE(gated.wait_for_a_held_sync(30s));
  EXPECT_EQ(store_.pending("bob", 0, 1000, kNow).size(), 20u) << "written means readers see it";
  {
    std::lock_guard lock(outcomes.mutex);
    EXPECT_EQ(outcomes.answered, 0u) << "a SendAck went out before its envelope was durable";
  }
  gated.open();
  ASSERT_TRUE(outcomes.wait_for(20));
  queue.stop();
  EXPECT_EQ(outcomes.delivery_ids, written.delivery_ids);
}

// Sessions skip a pushed delivery id that is not above the last one they
// pushed, so the hooks must run in the order the ids were given, and each
// before its own completion.
TEST_F(CommitQueueTest, WrittenHooksRunInDeliveryOrderEachBeforeItsCompletion) {
  CommitQueue queue(store_, kRoomy, 8, 0us, metrics_, 2);
  Written written;
  queue.on_written(written.hook());
  queue.start();
  std::atomic<int> completed_before_written{0};
  Outcomes outcomes;
  auto done = [&, inner = outcomes.done()](const PendingSend& s, const SendResult* result) {
    {
      std::lock_guard lock(written.mutex);
      const std::uint32_t n = number_of(s);
      if (std::find(written.numbers.begin(), written.numbers.end(), n) == written.numbers.end()) {
        ++completed_before_written;
      }
    }
    inner(s, result);
  };
  submit_from_four_threads(queue, 250, done);
  ASSERT_TRUE(outcomes.wait_for(1000));
  queue.stop();

  ASSERT_EQ(written.delivery_ids.size(), 1000u);
  expect_rising(written.delivery_ids, "hook");
  EXPECT_EQ(written.delivery_ids, outcomes.delivery_ids);
  EXPECT_EQ(completed_before_written.load(), 0);
  EXPECT_GT(metrics_.commit_batches.load(), 1u) << "the test never formed more than one batch";
}

}  // namespace
}  // namespace sotto::relayd
