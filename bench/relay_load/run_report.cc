#include "bench/relay_load/run_report.h"

#include <cmath>
#include <string>
#include <tuple>

namespace sotto::relay_load {

namespace {

void add_rss(Report& r, const LoadOptions& o, const std::string& label, const std::string& key,
             const std::optional<std::uint64_t>& kib) {
  if (kib) {
    r.add_count(label, key, *kib, "KiB");
  } else {
    r.add_missing(label, key, o.relayd_pid ? "could not read /proc" : "no --relayd-pid");
  }
}

// p50 and p99 of one of relayd's histograms over the run, in ms: where the
// time between a Send and its Deliver went inside the relay.
void add_histogram(Report& r, const std::string& label, const std::string& key,
                   const std::optional<HistogramCounts>& before, const std::optional<HistogramCounts>& after) {
  for (const auto& [q, name, suffix] : {std::tuple{0.5, std::string(" p50"), std::string("_p50_ms")},
                                        std::tuple{0.99, std::string(" p99"), std::string("_p99_ms")}}) {
    if (!before || !after) {
      r.add_missing(label + name, key + suffix, "not in relayd's metrics");
      continue;
    }
    const auto seconds = histogram_quantile(q, *before, *after);
    if (seconds) {
      r.add_number(label + name, key + suffix, *seconds * 1e3, 3, "ms (relayd's histogram)");
    } else {
      r.add_missing(label + name, key + suffix, "nothing observed");
    }
  }
}

double per_second(std::uint64_t count, double seconds) { return seconds > 0 ? count / seconds : 0.0; }

void add_errors_and_verdict(Report& r, const std::map<std::string, std::uint64_t>& errors, const std::string& failure) {
  r.add_counts("errors", "errors", errors);
  r.add_text("result", "result", failure.empty() ? "ok" : "FAILED: " + failure);
}

}  // namespace

Report throughput_report(const LoadOptions& o, const ThroughputResult& t) {
  Report r;
  r.add_text("mode", "mode", "throughput");
  r.add_count("clients", "clients", o.clients);
  r.add_count("messages per client", "messages_per_client", o.messages);
  r.add_count("envelope size", "envelope_bytes", o.size, "bytes");
  if (o.rate > 0) {
    r.add_number("target rate", "target_rate_per_s", o.rate, 0, "msgs/s");
  } else {
    r.add_text("target rate", "target_rate_per_s", "max");
  }
  r.add_count("window", "window", o.window, "Sends in flight per client");
  r.add_count("io threads", "io_threads", o.threads);
  r.add_number("log-in time", "login_s", t.login_s, 3, "s");
  r.add_count("accounts already registered", "already_registered", t.already_registered);
  r.add_count("log-in retries (RATE_LIMITED)", "login_retries", t.rate_limited_retries);
  r.add_count("sent", "sent", t.sent);
  r.add_count("durable (SendAck)", "durable", t.durable);
  r.add_count("refused", "refused", t.refused);
  r.add_count("unanswered", "unanswered", t.unanswered);
  r.add_count("delivered", "delivered", t.delivered);
  r.add_count("duplicate deliveries", "duplicate_deliveries", t.duplicates);
  r.add_count("stale deliveries (earlier runs)", "stale_deliveries", t.stale);
  r.add_count("lost", "lost", t.lost);
  r.add_number("first send to last SendAck", "durable_s", t.durable_s, 3, "s");
  r.add_number("durable msgs/s", "durable_per_s", per_second(t.durable, t.durable_s), 0);
  r.add_number("first send to last Deliver", "deliver_s", t.deliver_s, 3, "s");
  r.add_number("deliveries/s", "deliveries_per_s", per_second(t.delivered, t.deliver_s), 0);
  r.add_number("latency p50", "latency_p50_ms", t.latency.p50_ns / 1e6, 3, "ms");
  r.add_number("latency p99", "latency_p99_ms", t.latency.p99_ns / 1e6, 3, "ms");
  r.add_number("latency p99.9", "latency_p999_ms", t.latency.p999_ns / 1e6, 3, "ms");
  r.add_number("latency max", "latency_max_ms", t.latency.max_ns / 1e6, 3, "ms");
  if (o.rate > 0) r.add_number("schedule lag max", "schedule_lag_max_ms", t.max_schedule_lag_ms, 3, "ms");

  if (t.commits_before && t.commits_after) {
    const double batches = t.commits_after->batches - t.commits_before->batches;
    const double envelopes = t.commits_after->envelopes - t.commits_before->envelopes;
    r.add_count("commit batches", "commit_batches", static_cast<std::uint64_t>(std::llround(batches)));
    if (batches > 0) {
      r.add_number("commit batch avg", "commit_batch_avg", envelopes / batches, 1, "envelopes");
    } else {
      r.add_missing("commit batch avg", "commit_batch_avg", "no commits");
    }
    r.add_number("commit batch max (since relayd start)", "commit_batch_max", t.commits_after->max_batch, 0,
                 "envelopes");
    add_histogram(r, "relayd Send to durable", "relayd_commit_wait", t.commits_before->wait, t.commits_after->wait);
    add_histogram(r, "relayd batch write", "relayd_commit_write", t.commits_before->write, t.commits_after->write);
    add_histogram(r, "relayd fsync", "relayd_commit_sync", t.commits_before->sync, t.commits_after->sync);
  } else {
    const std::string why = o.metrics_port ? "metrics unreadable" : "no --metrics-port";
    r.add_missing("commit batches", "commit_batches", why);
    r.add_missing("commit batch avg", "commit_batch_avg", why);
    r.add_missing("commit batch max (since relayd start)", "commit_batch_max", why);
  }
  add_rss(r, o, "relayd RSS before", "relayd_rss_before_kib", t.rss_before_kib);
  add_rss(r, o, "relayd RSS after", "relayd_rss_after_kib", t.rss_after_kib);
  if (t.relayd_cpu_s) {
    r.add_number("relayd CPU time", "relayd_cpu_s", *t.relayd_cpu_s, 2, "s");
    if (t.durable > 0) {
      r.add_number("relayd CPU per envelope", "relayd_cpu_per_envelope_us", *t.relayd_cpu_s / t.durable * 1e6, 1,
                   "us (send + commit + deliver + ack)");
    }
  } else {
    r.add_missing("relayd CPU time", "relayd_cpu_s", o.relayd_pid ? "could not read /proc" : "no --relayd-pid");
  }
  r.add_number("relay_load CPU time", "tool_cpu_s", t.tool_cpu_s, 2, "s");
  add_errors_and_verdict(r, t.errors, t.failure);
  return r;
}

Report idle_report(const LoadOptions& o, const IdleResult& i) {
  Report r;
  r.add_text("mode", "mode", "idle");
  r.add_count("connections requested", "connections", i.requested);
  r.add_count("authenticated", "authenticated", i.authenticated);
  r.add_count("failed", "failed", i.failed);
  r.add_count("handshakes in flight", "handshakes_in_flight", o.handshakes_in_flight);
  r.add_count("source addresses", "source_addresses", o.source_addresses);
  r.add_count("io threads", "io_threads", o.threads);
  r.add_count("fd limit (soft)", "fd_limit", i.fd_limit.soft);
  r.add_number("open time", "open_s", i.open_s, 3, "s");
  r.add_number("connections/s", "connections_per_s", i.open_s > 0 ? i.authenticated / i.open_s : 0.0, 0);
  add_rss(r, o, "relayd RSS before", "relayd_rss_before_kib", i.rss_before_kib);
  add_rss(r, o, "relayd RSS after", "relayd_rss_after_kib", i.rss_after_kib);
  if (i.rss_per_connection_kib) {
    r.add_number("relayd RSS per connection", "relayd_rss_per_connection_kib", *i.rss_per_connection_kib, 2, "KiB");
  } else {
    r.add_missing("relayd RSS per connection", "relayd_rss_per_connection_kib",
                  o.relayd_pid ? "no RSS figures" : "no --relayd-pid");
  }
  if (i.relayd_open_cpu_s && i.authenticated > 0) {
    r.add_number("relayd CPU per connection set-up", "relayd_cpu_per_setup_ms",
                 *i.relayd_open_cpu_s / i.authenticated * 1e3, 3, "ms (TLS + Hello + Resume)");
  } else {
    r.add_missing("relayd CPU per connection set-up", "relayd_cpu_per_setup_ms",
                  o.relayd_pid ? "no CPU figures" : "no --relayd-pid");
  }
  if (o.hold_seconds > 0) {
    r.add_number("hold", "hold_s", o.hold_seconds, 1, "s");
    add_rss(r, o, "relayd RSS after hold", "relayd_rss_after_hold_kib", i.rss_after_hold_kib);
    r.add_count("still open after hold", "still_open", i.still_open);
  }
  add_errors_and_verdict(r, i.errors, i.failure);
  return r;
}

}  // namespace sotto::relay_load
