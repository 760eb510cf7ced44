// Group fan-out in SQLite: durable deliveries per second for Sends to 999
// recipients (a group of 1,000), two ways of laying them out.
//
// SharedBody: what relayd ships (relayd/store/sqlite_schema.cc): the envelope
// once per Send in `messages`, one small row per recipient in `deliveries`
// pointing at it; the body goes when the last recipient has acknowledged.
// Driven through SqliteStore itself (write_batch, sync_writes).
//
// CopyPerRecipient: the envelope bytes copied into every recipient's row, the
// other way the issue asked to measure. The same statements otherwise (the
// duplicate check, one idempotency row per Send, the queue totals, a trigger
// that gives quota back on delete), on a schema made here for the purpose.
//
// One iteration: a batch of Sends written in one transaction and made durable
// with one fdatasync of the WAL (as relayd's commit queue does), then every
// delivery of the batch acknowledged in a second transaction (acks ride in
// the next batch in relayd; their sync is the next iteration's).
// items_per_second: deliveries (Sends x recipients) stored, synced and
// deleted per second. Real time: the fsync is part of the cost.
//
// Run from a Release build:
//   build/release/bench/store/fanout_commit_bench
// The database lives in $TMPDIR (default /tmp), which must be a real disk.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "bench/store/bench_dir.h"
#include "lib/store/database.h"
#include "lib/store/transaction.h"
#include "lib/store/wal_sync.h"
#include "relayd/store/sqlite_store.h"

namespace sotto::relayd {
namespace {

constexpr std::size_t kEnvelopeBytes = 256;
constexpr int kRecipients = 999;
constexpr std::int64_t kNow = 1'700'000'000'000;  // ms
constexpr std::int64_t kDay = 86'400'000;         // ms

using bench::BenchDir;

std::string recipient_name(int i) { return "member" + std::to_string(i); }

// Set-up, not timed: the accounts in one transaction.
void add_users(store::Database& db) {
  store::Transaction transaction(db);
  const auto add = [&](const std::string& name) {
    auto insert = db.cached(
        "INSERT INTO users (username, password_hash, signing_key, dh_key, identity_signature, created_at_ms) "
        "VALUES (?, 'hash', zeroblob(32), zeroblob(32), zeroblob(64), 0)");
    insert->bind(1, name);
    insert->step();
  };
  add("sender");
  for (int i = 0; i < kRecipients; ++i) add(recipient_name(i));
  transaction.commit();
}

// Time-ordered message ids (a counter, big-endian), as msgd makes them.
void set_message_id(MessageId& id, std::uint64_t n) {
  for (std::size_t b = 0; b < 8; ++b, n >>= 8) id[7 - b] = static_cast<std::uint8_t>(n);
}

void BM_FanoutSharedBody(benchmark::State& state) {
  const auto batch_size = static_cast<std::size_t>(state.range(0));
  const BenchDir dir("sotto-fanout-bench");
  SqliteStore store(dir.path() / "relay.db");
  {
    store::Database db(dir.path() / "relay.db");
    add_users(db);
  }
  const QueueLimits limits{.max_envelopes = 1'000'000, .max_bytes = 1ULL << 40};
  std::vector<PendingSend> batch(batch_size);
  for (PendingSend& send : batch) {
    send.sender = "sender";
    for (int i = 0; i < kRecipients; ++i) send.recipients.push_back(recipient_name(i));
    send.envelope = crypto::Bytes(kEnvelopeBytes, 0xab);
    send.server_time_ms = kNow;
    send.expires_at_ms = kNow + 30 * kDay;
  }
  std::uint64_t next_id = 0;
  std::uint64_t stored = 0;
  std::vector<DeliveryAck> acks;
  for (auto _ : state) {
    for (PendingSend& send : batch) set_message_id(send.message_id, next_id++);
    const auto results = store.write_batch(batch, {}, limits).sends;
    store.sync_writes();
    acks.clear();
    for (const auto& result : results) {
      if (result.status != SendStatus::Stored) continue;
      for (const auto& d : result.deliveries) acks.push_back({d.recipient, d.delivery_id});
    }
    stored += acks.size();
    store.write_batch({}, acks, limits);
  }
  if (stored != batch_size * kRecipients * state.iterations()) state.SkipWithError("some sends were not stored");
  if (store.queue_depth() != 0) state.SkipWithError("deliveries left after the acks");
  state.SetItemsProcessed(static_cast<std::int64_t>(stored));
}

// The alternative layout: the envelope in every delivery row.
constexpr const char* kCopySchema = R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  signing_key BLOB NOT NULL,
  dh_key BLOB NOT NULL,
  identity_signature BLOB NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  sender TEXT NOT NULL,
  message_id BLOB NOT NULL CHECK (length(message_id) = 16),
  server_time_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  UNIQUE (message_id, sender)
) STRICT;
CREATE INDEX messages_by_expiry ON messages(expires_at_ms);
CREATE TABLE deliveries (
  delivery_id INTEGER PRIMARY KEY AUTOINCREMENT,
  recipient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  message_row INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  envelope BLOB NOT NULL,
  envelope_size INTEGER NOT NULL
) STRICT;
CREATE INDEX deliveries_by_recipient ON deliveries(recipient_id, delivery_id);
CREATE INDEX deliveries_by_message ON deliveries(message_row);
CREATE TABLE queue_usage (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  envelopes INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TRIGGER users_get_queue_usage AFTER INSERT ON users BEGIN
  INSERT INTO queue_usage (user_id) VALUES (NEW.id);
END;
CREATE TRIGGER deliveries_release AFTER DELETE ON deliveries BEGIN
  UPDATE queue_usage SET envelopes = envelopes - 1, bytes = bytes - OLD.envelope_size
   WHERE user_id = OLD.recipient_id;
END;
)sql";

void BM_FanoutCopyPerRecipient(benchmark::State& state) {
  const auto batch_size = static_cast<std::size_t>(state.range(0));
  const BenchDir dir("sotto-fanout-bench");
  const auto path = dir.path() / "relay.db";
  {
    store::Database setup(path);
    setup.exec(kCopySchema);
    add_users(setup);
  }
  // As SqliteStore's batch writer: no fsync per commit, one WAL sync after.
  store::Database db(path, store::DatabaseOptions{.sync_on_commit = false});
  store::WalSync wal(path);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < kRecipients; ++i) {
    auto select = db.cached("SELECT id FROM users WHERE username = ?");
    select->bind(1, recipient_name(i));
    select->step();
    ids.push_back(select->column_int64(0));
  }
  const crypto::Bytes envelope(kEnvelopeBytes, 0xab);
  MessageId message_id{};
  std::uint64_t next_id = 0;
  std::uint64_t stored = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> acks;  // delivery id, recipient id
  for (auto _ : state) {
    acks.clear();
    {
      store::Transaction transaction(db);
      // The quota check reads each recipient's totals once per batch, as
      // SqliteStore does.
      std::uint64_t total = 0;
      for (const std::int64_t id : ids) {
        auto usage = db.cached("SELECT envelopes, bytes FROM queue_usage WHERE user_id = ?");
        usage->bind(1, id);
        usage->step();
        total += static_cast<std::uint64_t>(usage->column_int64(0));
      }
      benchmark::DoNotOptimize(total);
      for (std::size_t s = 0; s < batch_size; ++s) {
        set_message_id(message_id, next_id++);
        auto duplicate = db.cached("SELECT server_time_ms FROM messages WHERE sender = ? AND message_id = ?");
        duplicate->bind(1, std::string_view("sender"));
        duplicate->bind(2, message_id);
        if (duplicate->step() == store::StepResult::Row) state.SkipWithError("duplicate");
        auto insert =
            db.cached("INSERT INTO messages (sender, message_id, server_time_ms, expires_at_ms) VALUES (?, ?, ?, ?)");
        insert->bind(1, std::string_view("sender"));
        insert->bind(2, message_id);
        insert->bind(3, kNow);
        insert->bind(4, kNow + 30 * kDay);
        insert->step();
        const std::int64_t row = db.last_insert_rowid();
        for (const std::int64_t id : ids) {
          auto add = db.cached(
              "INSERT INTO deliveries (recipient_id, message_row, envelope, envelope_size) VALUES (?, ?, ?, ?)");
          add->bind(1, id);
          add->bind(2, row);
          add->bind(3, envelope);
          add->bind(4, kEnvelopeBytes);
          add->step();
          acks.emplace_back(db.last_insert_rowid(), id);
        }
      }
      for (const std::int64_t id : ids) {
        auto update =
            db.cached("UPDATE queue_usage SET envelopes = envelopes + ?, bytes = bytes + ? WHERE user_id = ?");
        update->bind(1, batch_size);
        update->bind(2, batch_size * kEnvelopeBytes);
        update->bind(3, id);
        update->step();
      }
      transaction.commit();
    }
    wal.sync();
    stored += acks.size();
    {
      store::Transaction transaction(db);
      for (const auto& [delivery, recipient] : acks) {
        auto remove = db.cached("DELETE FROM deliveries WHERE delivery_id = ? AND recipient_id = ?");
        remove->bind(1, delivery);
        remove->bind(2, recipient);
        remove->step();
      }
      transaction.commit();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(stored));
}

BENCHMARK(BM_FanoutSharedBody)->Arg(1)->Arg(4)->Arg(16)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FanoutCopyPerRecipient)->Arg(1)->Arg(4)->Arg(16)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sotto::relayd
