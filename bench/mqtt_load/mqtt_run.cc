#include "bench/mqtt_load/mqtt_run.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "bench/mqtt_load/client_poll_loop.h"
#include "bench/mqtt_load/mosquitto_library.h"
#include "bench/mqtt_load/mqtt_client.h"
#include "bench/mqtt_load/mqtt_run_state.h"
#include "bench/mqtt_load/proc_io.h"
#include "bench/relay_load/poll_until.h"
#include "bench/relay_load/proc_status.h"
#include "bench/relay_load/throughput_state.h"

namespace sotto::mqtt_load {

namespace {

using Clock = std::chrono::steady_clock;

// The same pacing of the coordinator as relay_load's throughput run
// (bench/relay_load/throughput_run.cc): the interval only decides when to
// stop, every reported time is taken by the clients when the event happens.
constexpr auto kPollInterval = std::chrono::milliseconds(2);
// All clients start together, this long after the order, so that every poll
// loop has picked it up.
constexpr auto kStartDelay = std::chrono::milliseconds(20);
// After a connection was lost, how long to keep waiting for the deliveries
// still possible once everything else is answered.
constexpr auto kLostConnectionGrace = std::chrono::seconds(2);

double seconds_between_ns(std::int64_t from, std::int64_t to) { return to > from ? (to - from) / 1e9 : 0.0; }

std::optional<std::uint64_t> rss(const MqttLoadOptions& o) {
  if (!o.broker_pid) return std::nullopt;
  return relay_load::read_vm_rss_kib(*o.broker_pid);
}

std::optional<double> cpu(const MqttLoadOptions& o) {
  if (!o.broker_pid) return std::nullopt;
  return relay_load::read_cpu_seconds(*o.broker_pid);
}

std::optional<std::uint64_t> storage_writes(const MqttLoadOptions& o) {
  if (!o.broker_pid) return std::nullopt;
  return read_storage_write_bytes(*o.broker_pid);
}

}  // namespace

MqttResult run_mqtt_load(const MqttLoadOptions& o) {
  MqttResult result;
  result.planned = static_cast<std::uint64_t>(o.clients) * o.messages;
  result.rss_before_kib = rss(o);

  // Declared in this order so that they go in the reverse one: the poll loops
  // (joined) first, then the clients, the state they refer to, the library.
  const MosquittoLibrary library;
  MqttRunState state(o);
  std::vector<std::unique_ptr<MqttClient>> clients;
  clients.reserve(o.clients);
  for (std::uint32_t i = 0; i < o.clients; ++i) clients.push_back(std::make_unique<MqttClient>(state, i));
  std::vector<std::unique_ptr<ClientPollLoop>> loops;
  for (std::uint32_t t = 0; t < o.threads; ++t) {
    std::vector<MqttClient*> mine;
    for (std::uint32_t i = t; i < o.clients; i += o.threads) mine.push_back(clients[i].get());
    loops.push_back(std::make_unique<ClientPollLoop>(state, std::move(mine)));
  }

  const auto connect_start = Clock::now();
  for (auto& loop : loops) loop->start();
  const bool set_up = relay_load::poll_until(
      [&] { return state.ready.load() + state.setup_failed.load() == o.clients || state.errors.total() > 0; },
      state.deadline, kPollInterval);
  result.connect_s = std::chrono::duration<double>(Clock::now() - connect_start).count();

  const bool all_ready = set_up && state.ready.load() == o.clients;
  if (all_ready) {
    const auto broker_cpu_before = cpu(o);
    const auto broker_writes_before = storage_writes(o);
    const double tool_cpu_before = relay_load::own_cpu_seconds();
    state.start_ns.store(relay_load::steady_now_ns() +
                         std::chrono::duration_cast<std::chrono::nanoseconds>(kStartDelay).count());
    std::optional<Clock::time_point> settled_since;
    const bool finished = relay_load::poll_until(
        [&] {
          const bool settled = state.senders_done.load() == o.clients && state.in_flight.load() == 0;
          if (!settled) return false;
          if (state.delivered_count.load() >= state.acked.load()) return true;
          // Nothing more is coming for a subscriber whose connection is gone.
          if (state.connections_lost.load() == 0) return false;
          if (!settled_since) settled_since = Clock::now();
          return Clock::now() - *settled_since >= kLostConnectionGrace;
        },
        state.deadline, kPollInterval);
    result.timed_out = !finished;
    result.tool_cpu_s = relay_load::own_cpu_seconds() - tool_cpu_before;
    const auto broker_cpu_after = cpu(o);
    if (broker_cpu_before && broker_cpu_after) result.broker_cpu_s = *broker_cpu_after - *broker_cpu_before;
    const auto broker_writes_after = storage_writes(o);
    if (broker_writes_before && broker_writes_after) {
      result.broker_write_bytes = *broker_writes_after - *broker_writes_before;
    }
    result.rss_after_kib = rss(o);
  } else {
    result.timed_out = !set_up;
  }

  state.stop.store(true);
  for (auto& loop : loops) loop->join();

  // The poll threads are joined: every client's own data can be read now.
  result.sent = state.sent.load();
  result.acked = state.acked.load();
  result.unanswered =
      state.unanswered.load() + static_cast<std::uint64_t>(std::max<std::int64_t>(0, state.in_flight.load()));
  result.delivered = state.delivered_count.load();
  result.duplicates = state.duplicates.load();
  const std::int64_t first = state.first_send_ns.load();
  result.acked_s = seconds_between_ns(first, state.last_ack_ns.load());
  result.deliver_s = seconds_between_ns(first, state.last_deliver_ns.load());
  result.max_schedule_lag_ms = state.max_schedule_lag_ns.load() / 1e6;
  result.tls_version = clients.front()->tls_version();

  std::vector<std::int64_t> latencies;
  latencies.reserve(result.delivered);
  for (std::uint32_t i = 0; i < o.clients; ++i) {
    auto& mine = clients[i]->latencies_ns();
    latencies.insert(latencies.end(), mine.begin(), mine.end());
    const auto& acked = clients[i]->acked();
    for (std::uint32_t seq = 0; seq < o.messages; ++seq) {
      if (acked[seq] != 0 && state.delivered[state.delivered_index({i, seq})].load() == 0) ++result.lost;
    }
  }
  result.latency = relay_load::summarize_latencies(latencies);
  result.errors = state.errors.snapshot();

  if (!all_ready) {
    result.failure = std::to_string(o.clients - state.ready.load()) + " of " + std::to_string(o.clients) +
                     " clients could not connect and subscribe";
  } else if (result.timed_out) {
    // Checked before loss: at the hard stop, PUBACKed messages may still be
    // on their way, and "lost" then counts those too.
    result.failure = "the duration limit ended the run before every message was acknowledged and delivered";
    if (result.lost > 0) result.failure += " (" + std::to_string(result.lost) + " PUBACKed ones undelivered by then)";
  } else if (result.lost > 0) {
    result.failure = std::to_string(result.lost) + " messages acknowledged with a PUBACK were never delivered";
  } else if (!result.errors.empty()) {
    result.failure = "the broker or a connection reported errors";
  } else if (result.acked != result.planned) {
    result.failure = "only " + std::to_string(result.acked) + " of " + std::to_string(result.planned) +
                     " messages were acknowledged";
  }
  return result;
}

}  // namespace sotto::mqtt_load
