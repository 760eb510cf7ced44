#include "bench/relay_load/throughput_run.h"

#include <iostream>

#include "bench/relay_load/io_threads.h"
#include "bench/relay_load/poll_until.h"
#include "bench/relay_load/proc_status.h"
#include "bench/relay_load/throughput_client.h"

namespace sotto::relay_load {

namespace {

using Clock = std::chrono::steady_clock;

// How often the coordinator looks at the counters. Only decides when to stop:
// every time reported is taken by the clients when the event happens.
constexpr auto kPollInterval = std::chrono::milliseconds(2);
// All clients start sending together, this long after the order is given, so
// that every io thread has picked the order up.
constexpr auto kStartDelay = std::chrono::milliseconds(20);
// After a connection was lost, how long to keep waiting for the deliveries
// still possible once everything else is answered.
constexpr auto kLostConnectionGrace = std::chrono::seconds(2);
// Closing the connections at the end: their coroutines finish within this.
constexpr auto kShutdownGrace = std::chrono::milliseconds(2000);
constexpr auto kMetricsTimeout = std::chrono::milliseconds(2000);

double seconds_between_ns(std::int64_t from, std::int64_t to) { return to > from ? (to - from) / 1e9 : 0.0; }

std::optional<CommitCounters> scrape(const LoadOptions& o) {
  if (!o.metrics_port) return std::nullopt;
  const auto body = fetch_metrics_text(*o.metrics_port, kMetricsTimeout);
  if (!body) {
    std::cerr << "relay_load: could not read metrics from 127.0.0.1:" << *o.metrics_port << '\n';
    return std::nullopt;
  }
  return parse_commit_counters(*body);
}

std::optional<std::uint64_t> rss(const LoadOptions& o) {
  if (!o.relayd_pid) return std::nullopt;
  return read_vm_rss_kib(*o.relayd_pid);
}

}  // namespace

ThroughputResult run_throughput(const LoadOptions& o) {
  ThroughputResult result;
  result.planned = static_cast<std::uint64_t>(o.clients) * o.messages;
  result.rss_before_kib = rss(o);

  // Declared in this order so that they are destroyed in the reverse one: the
  // clients first, then the io contexts (and any coroutine still holding a
  // client), then the state they all refer to.
  ThroughputState state(o, net::tcp::endpoint(o.address, o.port));
  IoThreads io(o.threads);
  std::vector<std::shared_ptr<ThroughputClient>> clients;
  clients.reserve(o.clients);
  for (std::uint32_t i = 0; i < o.clients; ++i) {
    clients.push_back(std::make_shared<ThroughputClient>(state, i, io.for_index(i).get_executor()));
  }

  const auto login_start = Clock::now();
  io.start();
  for (auto& c : clients) c->start();
  const bool logged_in = poll_until([&] { return state.logged_in.load() + state.login_failed.load() == o.clients; },
                                    state.deadline, kPollInterval);
  result.login_s = std::chrono::duration<double>(Clock::now() - login_start).count();

  if (logged_in && state.login_failed.load() == 0) {
    result.commits_before = scrape(o);
    const auto relayd_cpu_before = o.relayd_pid ? read_cpu_seconds(*o.relayd_pid) : std::nullopt;
    const double tool_cpu_before = own_cpu_seconds();
    const auto start = Clock::now() + kStartDelay;
    for (auto& c : clients) c->start_sending(start);
    std::optional<Clock::time_point> settled_since;
    const bool finished = poll_until(
        [&] {
          const bool settled = state.senders_done.load() == o.clients && state.in_flight.load() == 0;
          if (!settled) return false;
          if (state.delivered_count.load() >= state.acked.load()) return true;
          // Nothing more is coming for a recipient whose connection is gone.
          if (state.connections_lost.load() == 0) return false;
          if (!settled_since) settled_since = Clock::now();
          return Clock::now() - *settled_since >= kLostConnectionGrace;
        },
        state.deadline, kPollInterval);
    result.timed_out = !finished;
    result.tool_cpu_s = own_cpu_seconds() - tool_cpu_before;
    const auto relayd_cpu_after = o.relayd_pid ? read_cpu_seconds(*o.relayd_pid) : std::nullopt;
    if (relayd_cpu_before && relayd_cpu_after) result.relayd_cpu_s = *relayd_cpu_after - *relayd_cpu_before;
    result.rss_after_kib = rss(o);
    result.commits_after = scrape(o);
  } else {
    result.timed_out = !logged_in;
  }

  for (auto& c : clients) c->stop();
  io.finish(kShutdownGrace);

  // The io threads are joined: every client's own data can be read now.
  result.sent = state.sent.load();
  result.durable = state.acked.load();
  result.refused = state.refused.load();
  result.unanswered =
      state.unanswered.load() + static_cast<std::uint64_t>(std::max<std::int64_t>(0, state.in_flight.load()));
  result.delivered = state.delivered_count.load();
  result.duplicates = state.duplicates.load();
  result.stale = state.stale.load();
  result.rate_limited_retries = state.rate_limited_retries.load();
  result.already_registered = state.already_registered.load();
  const std::int64_t first = state.first_send_ns.load();
  result.durable_s = seconds_between_ns(first, state.last_ack_ns.load());
  result.deliver_s = seconds_between_ns(first, state.last_deliver_ns.load());
  result.max_schedule_lag_ms = state.max_schedule_lag_ns.load() / 1e6;

  std::vector<std::int64_t> latencies;
  latencies.reserve(result.delivered);
  for (std::uint32_t i = 0; i < o.clients; ++i) {
    auto& mine = clients[i]->latencies_ns();
    latencies.insert(latencies.end(), mine.begin(), mine.end());
    const auto& acked = clients[i]->acked();
    for (std::uint32_t seq = 0; seq < o.messages; ++seq) {
      if (acked[seq] != 0 && state.delivered[state.delivered_index(MessageKey{i, seq})].load() == 0) ++result.lost;
    }
  }
  result.latency = summarize_latencies(latencies);
  result.errors = state.errors.snapshot();

  if (!logged_in || state.login_failed.load() > 0) {
    result.failure = std::to_string(o.clients - state.logged_in.load()) + " of " + std::to_string(o.clients) +
                     " clients could not log in";
  } else if (result.lost > 0) {
    result.failure = std::to_string(result.lost) + " envelopes acknowledged as durable were never delivered";
  } else if (result.timed_out) {
    result.failure = "the duration limit ended the run before every envelope was answered and delivered";
  } else if (!result.errors.empty()) {
    result.failure = "the relay or the connection reported errors";
  } else if (result.durable != result.planned) {
    result.failure = "only " + std::to_string(result.durable) + " of " + std::to_string(result.planned) +
                     " envelopes were acknowledged";
  }
  return result;
}

}  // namespace sotto::relay_load
