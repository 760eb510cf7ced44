// Durable envelopes per second through SqliteStore::commit_sends, by batch
// size. Each iteration commits one batch in one transaction; with
// synchronous=FULL every commit waits for an fsync of the WAL, so the batch
// size decides how many envelopes share one fsync. items_per_second is the
// figure to read: envelopes made durable per second.
//
// Run from a Release build:
//   build/NAME-release/bench/store/envelope_commit_bench
// The database lives in $TMPDIR (default /tmp), which must be a real disk,
// not tmpfs, for the figures to mean anything.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "bench/store/bench_dir.h"
#include "lib/store/database.h"
#include "lib/store/transaction.h"
#include "relayd/store/sqlite_store.h"

namespace sotto::relayd {
namespace {

// The envelope size of a short padded chat message (bytes).
constexpr std::size_t kEnvelopeBytes = 256;
// Recipients the sends rotate over: each commit then touches many queues, as
// a busy relay's would (a handful would flatter the figures).
constexpr int kRecipients = 1000;
constexpr std::int64_t kNow = 1'700'000'000'000;  // ms
constexpr std::int64_t kDay = 86'400'000;         // ms

using bench::BenchDir;

std::string recipient_name(std::uint64_t i) { return "user" + std::to_string(i % kRecipients); }

// Set-up only, not timed: 1001 accounts in one transaction, straight into the
// schema (create_user would spend one fsync per account).
void add_users(const std::filesystem::path& path) {
  store::Database db(path);
  store::Transaction transaction(db);
  const auto add = [&](const std::string& name) {
    auto insert = db.cached(
        "INSERT INTO users (username, password_hash, signing_key, dh_key, identity_signature, created_at_ms) "
        "VALUES (?, 'hash', zeroblob(32), zeroblob(32), zeroblob(64), 0)");
    insert->bind(1, name);
    insert->step();
  };
  add("sender");
  for (int i = 0; i < kRecipients; ++i) add(recipient_name(static_cast<std::uint64_t>(i)));
  transaction.commit();
}

enum class IdOrder {
  // Random-looking ids, as clients make today (a counter stored little-endian,
  // so consecutive ids differ in the first byte).
  Random,
  // Ids that grow with time (a counter stored big-endian), as a client would
  // make by putting a timestamp first.
  TimeOrdered,
};

void run_commits(benchmark::State& state, IdOrder order) {
  const auto batch_size = static_cast<std::size_t>(state.range(0));
  const BenchDir dir("sotto-store-bench");
  SqliteStore store(dir.path() / "relay.db");
  add_users(dir.path() / "relay.db");

  const QueueLimits limits{.max_envelopes = 1'000'000, .max_bytes = 1ULL << 40};
  std::vector<PendingSend> batch(batch_size);
  for (PendingSend& send : batch) {
    send.sender = "sender";
    send.recipients = {recipient_name(0)};
    send.envelope = crypto::Bytes(kEnvelopeBytes, 0xab);
    send.server_time_ms = kNow;
    send.expires_at_ms = kNow + 30 * kDay;
  }

  std::uint64_t next_id = 0;
  std::uint64_t stored = 0;
  for (auto _ : state) {
    for (PendingSend& send : batch) {
      std::uint64_t id = next_id++;
      for (std::size_t b = 0; b < 8; ++b, id >>= 8) {
        send.message_id[order == IdOrder::Random ? b : 7 - b] = static_cast<std::uint8_t>(id);
      }
      send.recipients[0] = recipient_name(next_id);
    }
    for (const auto& result : store.commit_sends(batch, limits)) stored += result.status == SendStatus::Stored;
  }
  if (stored != batch_size * state.iterations()) state.SkipWithError("some sends were not stored");
  state.SetItemsProcessed(static_cast<std::int64_t>(stored));
}

void BM_CommitSends(benchmark::State& state) { run_commits(state, IdOrder::Random); }
void BM_CommitSendsTimeOrderedIds(benchmark::State& state) { run_commits(state, IdOrder::TimeOrdered); }

// Real time, because most of a commit is waiting for the disk, not the CPU.
BENCHMARK(BM_CommitSends)
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Arg(256)
    ->Arg(512)
    ->Arg(2048)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CommitSendsTimeOrderedIds)->Arg(512)->Arg(2048)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sotto::relayd
