// Moving a relay between stores (relayd export-store / import-store): how
// long a queue of N deliveries takes to write to a dump file and to load into
// a fresh SQLite store. items_per_second is deliveries per second; the dump's
// size is reported as bytes_per_delivery.
//
// Run from a Release build:
//   build/release/bench/store/store_move_bench
// $TMPDIR (default /tmp) holds both databases and the dump: a real disk.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench/store/bench_dir.h"
#include "relayd/store/sqlite_store.h"
#include "relayd/store/store_dump.h"

namespace sotto::relayd {
namespace {

constexpr int kUsers = 100;
constexpr std::int64_t kNow = 1'700'000'000'000;  // ms
constexpr std::int64_t kDay = 86'400'000;         // ms
constexpr QueueLimits kRoomy{.max_envelopes = 10'000'000, .max_bytes = std::uint64_t{1} << 40};

using bench::BenchDir;

std::string name(int i) { return "user" + std::to_string(i % kUsers); }

// Not timed: kUsers accounts and `deliveries` queued deliveries (each Send to
// two recipients, 256-byte envelopes, in batches of 1000 as relayd commits).
void fill(SqliteStore& store, int deliveries) {
  for (int i = 0; i < kUsers; ++i) {
    store.create_user(UserRecord{name(i), "hash",
                                 IdentityKey{crypto::Bytes(32, 1), crypto::Bytes(32, 2), crypto::Bytes(64, 3)}, kNow});
  }
  std::vector<PendingSend> batch;
  for (int i = 0; i < deliveries / 2; ++i) {
    PendingSend send{name(i), {}, {name(i + 1), name(i + 2)}, crypto::Bytes(256, 7), kNow, kNow + kDay};
    for (int b = 0; b < 4; ++b) send.message_id[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(i >> (8 * b));
    batch.push_back(std::move(send));
    if (batch.size() == 1000) {
      store.commit_sends(batch, kRoomy);
      batch.clear();
    }
  }
  if (!batch.empty()) store.commit_sends(batch, kRoomy);
}

void BM_ExportToDump(benchmark::State& state) {
  const int deliveries = static_cast<int>(state.range(0));
  BenchDir dir("sotto-move-bench");
  SqliteStore store(dir.path() / "old.db");
  fill(store, deliveries);
  std::uintmax_t size = 0;
  int run = 0;
  for (auto _ : state) {
    const auto file = dir.path() / ("dump" + std::to_string(run++));
    DumpFile out(file);
    write_dump(store, out.stream());
    out.commit();
    state.PauseTiming();
    size = std::filesystem::file_size(file);
    std::filesystem::remove(file);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * deliveries);
  state.counters["bytes_per_delivery"] = static_cast<double>(size) / deliveries;
}

void BM_ImportFromDump(benchmark::State& state) {
  const int deliveries = static_cast<int>(state.range(0));
  BenchDir dir("sotto-move-bench");
  {
    SqliteStore store(dir.path() / "old.db");
    fill(store, deliveries);
    DumpFile out(dir.path() / "dump");
    write_dump(store, out.stream());
    out.commit();
  }
  int run = 0;
  for (auto _ : state) {
    state.PauseTiming();
    SqliteStore fresh(dir.path() / ("new" + std::to_string(run++) + ".db"));
    std::ifstream in(dir.path() / "dump", std::ios::binary);
    state.ResumeTiming();
    const ImportCounts counts = read_dump(in, fresh);
    if (counts.deliveries != static_cast<std::uint64_t>(deliveries)) state.SkipWithError("deliveries lost");
  }
  state.SetItemsProcessed(state.iterations() * deliveries);
}

BENCHMARK(BM_ExportToDump)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_ImportFromDump)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace sotto::relayd

BENCHMARK_MAIN();
