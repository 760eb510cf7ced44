#include "bench/mqtt_load/mqtt_report.h"

#include "bench/mqtt_load/mosquitto_library.h"

namespace sotto::mqtt_load {

namespace {

using relay_load::Report;

void add_rss(Report& r, const MqttLoadOptions& o, const std::string& label, const std::string& key,
             const std::optional<std::uint64_t>& kib) {
  if (kib) {
    r.add_count(label, key, *kib, "KiB");
  } else {
    r.add_missing(label, key, o.broker_pid ? "could not read /proc" : "no --broker-pid");
  }
}

double per_second(std::uint64_t count, double seconds) { return seconds > 0 ? count / seconds : 0.0; }

}  // namespace

Report mqtt_report(const MqttLoadOptions& o, const MqttResult& t) {
  Report r;
  r.add_text("mode", "mode", "mqtt throughput");
  r.add_text("protocol", "protocol",
             "MQTT 3.1.1, QoS 1, persistent sessions, libmosquitto " + std::string(MosquittoLibrary::version()));
  r.add_text("tls", "tls", t.tls_version.empty() ? "not connected" : t.tls_version);
  r.add_count("clients", "clients", o.clients);
  r.add_count("messages per client", "messages_per_client", o.messages);
  r.add_count("payload size", "envelope_bytes", o.size, "bytes");
  if (o.rate > 0) {
    r.add_number("target rate", "target_rate_per_s", o.rate, 0, "msgs/s");
  } else {
    r.add_text("target rate", "target_rate_per_s", "max");
  }
  r.add_count("window", "window", o.window, "PUBLISHes awaiting PUBACK per client");
  r.add_count("poll threads", "io_threads", o.threads);
  r.add_number("connect time", "login_s", t.connect_s, 3, "s");
  r.add_count("sent", "sent", t.sent);
  r.add_count("acked (PUBACK)", "acked", t.acked);
  r.add_count("unanswered", "unanswered", t.unanswered);
  r.add_count("delivered", "delivered", t.delivered);
  r.add_count("duplicate deliveries", "duplicate_deliveries", t.duplicates);
  r.add_count("lost", "lost", t.lost);
  r.add_number("first PUBLISH to last PUBACK", "acked_s", t.acked_s, 3, "s");
  r.add_number("acked msgs/s", "acked_per_s", per_second(t.acked, t.acked_s), 0);
  r.add_number("first PUBLISH to last delivery", "deliver_s", t.deliver_s, 3, "s");
  r.add_number("deliveries/s", "deliveries_per_s", per_second(t.delivered, t.deliver_s), 0);
  r.add_number("latency p50", "latency_p50_ms", t.latency.p50_ns / 1e6, 3, "ms");
  r.add_number("latency p99", "latency_p99_ms", t.latency.p99_ns / 1e6, 3, "ms");
  r.add_number("latency p99.9", "latency_p999_ms", t.latency.p999_ns / 1e6, 3, "ms");
  r.add_number("latency max", "latency_max_ms", t.latency.max_ns / 1e6, 3, "ms");
  if (o.rate > 0) r.add_number("schedule lag max", "schedule_lag_max_ms", t.max_schedule_lag_ms, 3, "ms");

  add_rss(r, o, "broker RSS before", "broker_rss_before_kib", t.rss_before_kib);
  add_rss(r, o, "broker RSS after", "broker_rss_after_kib", t.rss_after_kib);
  if (t.broker_cpu_s) {
    r.add_number("broker CPU time", "broker_cpu_s", *t.broker_cpu_s, 2, "s");
    if (t.acked > 0) {
      r.add_number("broker CPU per message", "broker_cpu_per_message_us", *t.broker_cpu_s / t.acked * 1e6, 1,
                   "us (publish + persist + deliver + ack)");
    }
  } else {
    r.add_missing("broker CPU time", "broker_cpu_s", o.broker_pid ? "could not read /proc" : "no --broker-pid");
  }
  if (t.broker_write_bytes) {
    r.add_number("broker storage writes", "broker_write_mib", *t.broker_write_bytes / 1048576.0, 1, "MiB");
    if (t.acked > 0) {
      r.add_number("broker storage writes per message", "broker_write_per_message_kib",
                   *t.broker_write_bytes / 1024.0 / t.acked, 2, "KiB (persistence snapshots)");
    }
  } else {
    r.add_missing("broker storage writes", "broker_write_mib",
                  o.broker_pid ? "could not read /proc/PID/io" : "no --broker-pid");
  }
  r.add_number("mqtt_load CPU time", "tool_cpu_s", t.tool_cpu_s, 2, "s");
  r.add_counts("errors", "errors", t.errors);
  r.add_text("result", "result", t.failure.empty() ? "ok" : "FAILED: " + t.failure);
  return r;
}

}  // namespace sotto::mqtt_load
