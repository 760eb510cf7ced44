#include "relayd/server/metrics.h"

#include <sstream>

namespace sotto::relayd {

void Metrics::record_batch(std::uint64_t envelopes) {
  commit_batches.fetch_add(1, std::memory_order_relaxed);
  commit_envelopes.fetch_add(envelopes, std::memory_order_relaxed);
  std::uint64_t prev = commit_max_batch.load(std::memory_order_relaxed);
  while (envelopes > prev && !commit_max_batch.compare_exchange_weak(prev, envelopes, std::memory_order_relaxed)) {
  }
}

std::string Metrics::render(std::int64_t queue_depth) const {
  std::ostringstream out;
  auto metric = [&out](const char* name, const char* type, const char* help, auto value) {
    out << "# HELP sotto_relayd_" << name << ' ' << help << "\n# TYPE sotto_relayd_" << name << ' ' << type
        << "\nsotto_relayd_" << name << ' ' << value << '\n';
  };
  metric("connections_accepted_total", "counter", "TCP connections accepted.", connections_accepted.load());
  metric("connections_open", "gauge", "Connections open now.", connections_open.load());
  metric("connections_authenticated", "gauge", "Authenticated connections open now.", connections_authenticated.load());
  metric("connections_refused_total", "counter", "Connections refused by caps or failed handshakes.",
         connections_refused.load());
  metric("protocol_errors_total", "counter", "Connections closed for a protocol error.", protocol_errors.load());
  metric("auth_failures_total", "counter", "Failed logins, registrations and resumes.", auth_failures.load());
  metric("rate_limited_total", "counter", "Requests answered RATE_LIMITED.", rate_limited.load());
  metric("sends_total", "counter", "Envelopes acknowledged as durable.", sends.load());
  metric("send_rejections_total", "counter", "Sends refused (queue full, unknown recipient).", send_rejections.load());
  metric("deliveries_pushed_total", "counter", "Envelopes pushed to online recipients.", deliveries_pushed.load());
  metric("deliveries_acked_total", "counter", "Envelopes acknowledged by recipients and deleted.",
         deliveries_acked.load());
  metric("commit_batches_total", "counter", "Group-commit transactions.", commit_batches.load());
  metric("commit_envelopes_total", "counter", "Envelopes committed in group commits.", commit_envelopes.load());
  metric("commit_batch_max", "gauge", "Largest group-commit batch so far.", commit_max_batch.load());
  metric("bus_publish_failures_total", "counter", "Committed batches the bus could not announce to the other relays.",
         bus_publish_failures.load());
  metric("store_polls_total", "counter", "Reads of every connected user's queue for what other relays stored.",
         store_polls.load());
  metric("queue_depth", "gauge", "Envelopes waiting in offline queues.", queue_depth);
  commit_wait.render(out, "sotto_relayd_commit_wait_seconds",
                     "From a Send reaching the group commit to its envelope being durable (before the SendAck).");
  commit_write.render(
      out, "sotto_relayd_commit_write_seconds",
      "Writing one group-commit transaction that holds Sends (on SQLite before its fsync; on PostgreSQL its COMMIT, "
      "which makes it durable).");
  commit_sync.render(out, "sotto_relayd_commit_sync_seconds",
                     "One fsync of SQLite's write-ahead log (nothing to do on PostgreSQL, durable at COMMIT).");
  return out.str();
}

}  // namespace sotto::relayd
