#include "bench/fanout_load/fanout_run.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <iostream>
#include <unordered_map>

#include "bench/relay_load/error_tally.h"
#include "bench/relay_load/io_threads.h"
#include "bench/relay_load/message_stamp.h"
#include "bench/relay_load/poll_until.h"
#include "bench/relay_load/proc_status.h"
#include "bench/relay_load/relay_connection.h"
#include "bench/relay_load/relay_handshake.h"
#include "bench/relay_load/throughput_state.h"
#include "lib/crypto/random.h"
#include "lib/net/tls_context.h"
#include "lib/wire/limits.h"

namespace sotto::fanout_load {

namespace asio = net::asio;
using relay_load::AuthNotes;
using relay_load::MessageKey;
using relay_load::RefusedError;
using relay_load::RelayConnection;

namespace {

using Clock = std::chrono::steady_clock;

// How often the coordinator looks at the counters. Only decides when a phase
// ends: every time reported is taken on the io thread when the event happens.
constexpr auto kPollInterval = std::chrono::milliseconds(2);
// Delivery ids per DeliverAck: a socket read's deliveries together, at most
// this many (well under the protocol's kMaxDeliveryIdsPerAck).
constexpr std::size_t kAckBatch = 256;
static_assert(kAckBatch <= wire::kMaxDeliveryIdsPerAck);
// Members coming back at once in the catch-up phase: enough to keep the
// relay's drains busy, few enough that TLS handshakes do not crowd them out.
constexpr std::uint32_t kReconnectsInFlight = 64;
// After a connection was lost, how long to wait for what may still come.
constexpr auto kLostConnectionGrace = std::chrono::seconds(2);
constexpr auto kShutdownGrace = std::chrono::milliseconds(2000);
constexpr auto kMetricsTimeout = std::chrono::milliseconds(2000);

double seconds_between_ns(std::int64_t from, std::int64_t to) { return to > from ? (to - from) / 1e9 : 0.0; }
double per_second(double count, double seconds) { return seconds > 0 ? count / seconds : 0.0; }

// Everything of one run. Members' connections and the fields below the
// atomics belong to the io thread; the coordinator reads only the atomics
// until the io thread has been joined.
class FanoutRun {
 public:
  explicit FanoutRun(const FanoutOptions& o)
      : o_(o),
        tls_(net::make_client_context()),
        server_(o.address, o.port),
        deadline_(Clock::now() +
                  std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_limit))),
        run_(relay_load::random_run_id()),
        started_unix_ms_(relay_load::unix_now_ms()),
        delivered_(static_cast<std::size_t>(o.members - 1) * o.messages, 0) {
    filler_.resize(o.size - relay_load::kEnvelopeStampBytes);
    crypto::random_fill(std::span(reinterpret_cast<std::uint8_t*>(filler_.data()), filler_.size()));
    members_.resize(o.members);
    for (std::uint32_t i = 0; i < o.members; ++i) {
      members_[i].name = member_name(o, i);
      // The last ones are the offline members, so that any group size keeps
      // the same online members first.
      members_[i].offline = i > 0 && i >= o.members - o.offline;
    }
    latencies_ns_.reserve(delivered_.size());
  }

  void attach(asio::any_io_executor executor) {
    executor_ = executor;
    window_signal_.emplace(executor);
  }
  Clock::time_point deadline() const { return deadline_; }

  // ---- phases, each started on the io thread ----
  void start_logins() {
    asio::post(executor_, [this] {
      for (std::uint32_t w = 0; w < std::min(o_.logins_in_flight, o_.members); ++w) {
        asio::co_spawn(executor_, login_worker(), asio::detached);
      }
    });
  }
  void start_sending() {
    asio::post(executor_, [this] { asio::co_spawn(executor_, send_loop(), asio::detached); });
  }
  void start_catch_up() {
    asio::post(executor_, [this] {
      catch_up_start_ns_.store(relay_load::steady_now_ns());
      for (std::uint32_t i = 0; i < o_.members; ++i) {
        if (members_[i].offline) to_reconnect_.push_back(i);
      }
      for (std::uint32_t w = 0; w < std::min<std::size_t>(kReconnectsInFlight, to_reconnect_.size()); ++w) {
        asio::co_spawn(executor_, reconnect_worker(), asio::detached);
      }
    });
  }
  void stop() {
    asio::post(executor_, [this] {
      stopping_ = true;
      for (auto& m : members_) {
        if (m.connection) m.connection->close_gracefully();
      }
      window_signal_->cancel();
    });
  }

  // ---- read by the coordinator while the run goes on ----
  std::atomic<std::uint32_t> logged_in{0};
  std::atomic<std::uint32_t> login_failed{0};
  std::atomic<std::uint32_t> reconnected{0};
  std::atomic<std::uint32_t> reconnect_failed{0};
  std::atomic<std::uint32_t> connections_lost{0};
  std::atomic<bool> sender_done{false};
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> acked{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> delivered_live{0};
  std::atomic<std::uint64_t> delivered_catch_up{0};
  std::atomic<std::int64_t> first_send_ns_{0};
  std::atomic<std::int64_t> last_ack_ns_{0};
  std::atomic<std::int64_t> last_live_ns_{0};
  std::atomic<std::int64_t> catch_up_start_ns_{0};
  std::atomic<std::int64_t> last_reconnect_ns_{0};
  std::atomic<std::int64_t> last_catch_up_ns_{0};
  relay_load::ErrorTally errors;

  // ---- read after the io thread is joined ----
  void collect(FanoutResult& r) {
    r.duplicates = duplicates_;
    r.stale = stale_;
    r.out_of_order = out_of_order_;
    r.unanswered = in_flight_.size();
    r.latency = relay_load::summarize_latencies(latencies_ns_);
    for (std::uint32_t i = 1; i < o_.members; ++i) {
      for (std::uint32_t seq = 0; seq < o_.messages; ++seq) {
        if (acked_seq_.size() > seq && acked_seq_[seq] != 0 && delivered_[index(i, seq)] == 0) ++r.lost;
      }
    }
  }

 private:
  struct Member {
    std::string name;
    bool offline = false;
    std::shared_ptr<RelayConnection> connection;
    std::optional<crypto::SecretBytes> token;
    std::vector<std::uint64_t> acks_to_send;
    std::int64_t last_seq = -1;  // highest seq of this run delivered so far
  };

  std::size_t index(std::uint32_t member, std::uint32_t seq) const {
    return static_cast<std::size_t>(member - 1) * o_.messages + seq;
  }

  net::Awaitable<void> login_worker() {
    while (next_login_ < o_.members && !stopping_) co_await log_in_member(next_login_++);
  }

  net::Awaitable<void> log_in_member(std::uint32_t i) {
    Member& m = members_[i];
    auto connection = std::make_shared<RelayConnection>(executor_, tls_.get());
    connection->set_deadline(deadline_);
    try {
      co_await connection->open(server_, std::nullopt);
      co_await relay_load::say_hello(*connection);
      AuthNotes notes;
      m.token = co_await relay_load::log_in(*connection, m.name, o_.password, o_.register_users, deadline_, notes);
    } catch (const RefusedError& e) {
      errors.add(e.code() == wire::ERROR_UNSPECIFIED ? std::string("unexpected_answer")
                                                     : std::string(wire::ErrorCode_Name(e.code())));
      std::cerr << "fanout_load: " << m.name << ": " << e.what() << '\n';
      connection->close();
      login_failed.fetch_add(1);
      co_return;
    } catch (const std::exception& e) {
      errors.add("connect_failed");
      std::cerr << "fanout_load: " << m.name << ": " << e.what() << '\n';
      connection->close();
      login_failed.fetch_add(1);
      co_return;
    }
    if (m.offline) {
      // Known to the relay, away while the group talks: the token brings it back.
      connection->close_gracefully();
    } else {
      m.connection = connection;
      if (i == 0) {
        asio::co_spawn(executor_, sender_read_loop(connection), asio::detached);
      } else {
        asio::co_spawn(executor_, member_read_loop(i, connection), asio::detached);
      }
    }
    logged_in.fetch_add(1);
  }

  net::Awaitable<void> reconnect_worker() {
    while (next_reconnect_ < to_reconnect_.size() && !stopping_) {
      const std::uint32_t i = to_reconnect_[next_reconnect_++];
      Member& m = members_[i];
      auto connection = std::make_shared<RelayConnection>(executor_, tls_.get());
      connection->set_deadline(deadline_);
      try {
        co_await connection->open(server_, std::nullopt);
        co_await relay_load::say_hello(*connection);
        co_await relay_load::resume(*connection, *m.token);
      } catch (const std::exception& e) {
        errors.add("reconnect_failed");
        std::cerr << "fanout_load: " << m.name << ": coming back: " << e.what() << '\n';
        connection->close();
        reconnect_failed.fetch_add(1);
        continue;
      }
      m.connection = connection;
      asio::co_spawn(executor_, member_read_loop(i, connection), asio::detached);
      last_reconnect_ns_.store(relay_load::steady_now_ns());
      reconnected.fetch_add(1);
    }
  }

  net::Awaitable<void> member_read_loop(std::uint32_t i, std::shared_ptr<RelayConnection> connection) {
    Member& m = members_[i];
    try {
      for (;;) {
        const wire::Frame frame = co_await connection->next_frame();
        switch (frame.body_case()) {
          case wire::Frame::kDeliver:
            on_deliver(i, frame.deliver());
            break;
          case wire::Frame::kError:
            errors.add(frame.error().code());
            std::cerr << "fanout_load: " << m.name << ": relay error " << wire::ErrorCode_Name(frame.error().code())
                      << ": " << frame.error().reason() << '\n';
            break;
          case wire::Frame::kOk:  // answers a DeliverAck
          case wire::Frame::kPong:
          case wire::Frame::kPrekeyStatus:
            break;
          default:
            errors.add("unexpected_frame");
            break;
        }
        if (!m.acks_to_send.empty() && (m.acks_to_send.size() >= kAckBatch || !connection->has_buffered_frames())) {
          wire::Frame ack;
          for (const auto id : m.acks_to_send) ack.mutable_deliver_ack()->add_delivery_ids(id);
          m.acks_to_send.clear();
          connection->queue(ack);
        }
      }
    } catch (const std::exception& e) {
      if (!stopping_) {
        errors.add("connection_lost");
        connections_lost.fetch_add(1);
        std::cerr << "fanout_load: " << m.name << ": " << e.what() << '\n';
      }
    }
  }

  void on_deliver(std::uint32_t i, const wire::Deliver& deliver) {
    const std::int64_t now = relay_load::steady_now_ns();
    Member& m = members_[i];
    m.acks_to_send.push_back(deliver.delivery_id());
    const auto key = relay_load::decode_message_id(deliver.message_id(), run_, started_unix_ms_);
    if (!key) {
      ++stale_;  // left in this account's queue by an earlier run
      return;
    }
    const auto stamp = relay_load::read_envelope_stamp(deliver.envelope());
    if (key->sender != 0 || key->seq >= o_.messages || !stamp || stamp->key != *key ||
        deliver.envelope().size() != o_.size || deliver.sender() != members_[0].name) {
      errors.add("corrupt_delivery");
      return;
    }
    std::uint8_t& flag = delivered_[index(i, key->seq)];
    if (flag != 0) {
      ++duplicates_;  // at least once on the wire: allowed, not timed again
      return;
    }
    flag = 1;
    if (static_cast<std::int64_t>(key->seq) < m.last_seq) ++out_of_order_;
    m.last_seq = std::max<std::int64_t>(m.last_seq, key->seq);
    if (m.offline) {
      delivered_catch_up.fetch_add(1, std::memory_order_relaxed);
      last_catch_up_ns_.store(now, std::memory_order_relaxed);
    } else {
      latencies_ns_.push_back(now - stamp->send_time_ns);
      delivered_live.fetch_add(1, std::memory_order_relaxed);
      last_live_ns_.store(now, std::memory_order_relaxed);
    }
  }

  net::Awaitable<void> sender_read_loop(std::shared_ptr<RelayConnection> connection) {
    try {
      for (;;) {
        const wire::Frame frame = co_await connection->next_frame();
        if (frame.body_case() == wire::Frame::kSendAck) {
          const auto it = in_flight_.find(frame.request_id());
          if (it == in_flight_.end()) {
            errors.add("unmatched_send_ack");
            continue;
          }
          const auto key = relay_load::decode_message_id(frame.send_ack().message_id(), run_, started_unix_ms_);
          if (!key || key->seq != it->second) errors.add("mismatched_send_ack");
          acked_seq_[it->second] = 1;
          in_flight_.erase(it);
          acked.fetch_add(1, std::memory_order_relaxed);
          last_ack_ns_.store(relay_load::steady_now_ns(), std::memory_order_relaxed);
          window_signal_->cancel();
        } else if (frame.body_case() == wire::Frame::kError) {
          errors.add(frame.error().code());
          const auto it = in_flight_.find(frame.request_id());
          // The first refusal's reason is shown: a group above the relay's
          // max_recipients is refused for every Send alike.
          if (it == in_flight_.end() || refused.load() == 0) {
            std::cerr << "fanout_load: " << members_[0].name << ": relay error "
                      << wire::ErrorCode_Name(frame.error().code()) << ": " << frame.error().reason() << '\n';
          }
          if (it != in_flight_.end()) {
            in_flight_.erase(it);
            refused.fetch_add(1);
            window_signal_->cancel();
          }
        } else if (frame.body_case() != wire::Frame::kPong && frame.body_case() != wire::Frame::kPrekeyStatus) {
          errors.add("unexpected_frame");
        }
      }
    } catch (const std::exception& e) {
      if (!stopping_) {
        errors.add("connection_lost");
        connections_lost.fetch_add(1);
        std::cerr << "fanout_load: " << members_[0].name << ": " << e.what() << '\n';
      }
    }
    window_signal_->cancel();
  }

  net::Awaitable<void> send_loop() {
    const std::shared_ptr<RelayConnection> connection = members_[0].connection;
    acked_seq_.assign(o_.messages, 0);
    std::string envelope(o_.size, '\0');
    envelope.replace(relay_load::kEnvelopeStampBytes, filler_.size(), filler_);
    // One frame, its recipients set once: only the id, the envelope and the
    // request id change from one Send to the next.
    wire::Frame frame;
    auto* send = frame.mutable_send();
    for (std::uint32_t i = 1; i < o_.members; ++i) send->add_recipients(members_[i].name);
    try {
      for (std::uint32_t seq = 0; seq < o_.messages; ++seq) {
        while (in_flight_.size() >= o_.window && connection->is_open() && !stopping_) {
          window_signal_->expires_at(Clock::time_point::max());
          boost::system::error_code ec;
          co_await window_signal_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        if (stopping_ || !connection->is_open()) break;
        const std::int64_t now = relay_load::steady_now_ns();
        const MessageKey key{0, seq};
        relay_load::write_envelope_stamp(envelope, relay_load::EnvelopeStamp{now, key});
        frame.set_request_id(0);
        send->set_message_id(relay_load::encode_message_id(run_, key, relay_load::unix_now_ms()));
        send->set_envelope(envelope);
        connection->queue(frame);
        in_flight_.emplace(frame.request_id(), seq);
        if (seq == 0) first_send_ns_.store(now);
        sent.fetch_add(1, std::memory_order_relaxed);
      }
    } catch (const std::exception& e) {
      errors.add("send_failed");
      std::cerr << "fanout_load: " << members_[0].name << ": " << e.what() << '\n';
    }
    sender_done.store(true);
  }

  const FanoutOptions& o_;
  net::SslCtxPtr tls_;
  net::tcp::endpoint server_;
  Clock::time_point deadline_;
  relay_load::RunId run_;
  std::int64_t started_unix_ms_;
  std::string filler_;
  asio::any_io_executor executor_;
  std::optional<asio::steady_timer> window_signal_;

  std::vector<Member> members_;
  std::uint32_t next_login_ = 0;
  std::vector<std::uint32_t> to_reconnect_;
  std::size_t next_reconnect_ = 0;
  std::unordered_map<std::uint64_t, std::uint32_t> in_flight_;  // request id -> seq
  std::vector<std::uint8_t> acked_seq_;
  std::vector<std::uint8_t> delivered_;  // per (member, seq); see index()
  std::vector<std::int64_t> latencies_ns_;
  std::uint64_t duplicates_ = 0;
  std::uint64_t stale_ = 0;
  std::uint64_t out_of_order_ = 0;
  bool stopping_ = false;
};

std::optional<relay_load::CommitCounters> scrape(const FanoutOptions& o) {
  if (!o.metrics_port) return std::nullopt;
  const auto body = relay_load::fetch_metrics_text(*o.metrics_port, kMetricsTimeout);
  if (!body) return std::nullopt;
  return relay_load::parse_commit_counters(*body);
}

std::optional<double> relayd_cpu(const FanoutOptions& o) {
  return o.relayd_pid ? relay_load::read_cpu_seconds(*o.relayd_pid) : std::nullopt;
}

std::optional<double> difference(const std::optional<double>& before, const std::optional<double>& after) {
  if (!before || !after) return std::nullopt;
  return *after - *before;
}

}  // namespace

FanoutResult run_fanout(const FanoutOptions& o) {
  FanoutResult r;
  r.recipients = o.members - 1;
  r.offline_recipients = o.offline;
  r.online_recipients = r.recipients - o.offline;

  // Declared so that the io context (and any coroutine still in it) goes
  // before the run state the coroutines refer to.
  FanoutRun run(o);
  relay_load::IoThreads io(1);
  run.attach(io.for_index(0).get_executor());
  io.start();

  const auto login_start = Clock::now();
  run.start_logins();
  const bool logged_in = relay_load::poll_until(
      [&] { return run.logged_in.load() + run.login_failed.load() == o.members; }, run.deadline(), kPollInterval);
  r.login_s = std::chrono::duration<double>(Clock::now() - login_start).count();

  if (logged_in && run.login_failed.load() == 0) {
    r.commits_before = scrape(o);
    const auto cpu_before = relayd_cpu(o);
    const double tool_before = relay_load::own_cpu_seconds();
    run.start_sending();
    std::optional<Clock::time_point> settled_since;
    const bool sent_all = relay_load::poll_until(
        [&] {
          if (!run.sender_done.load() || run.acked.load() + run.refused.load() < run.sent.load()) {
            if (run.connections_lost.load() == 0) return false;
          }
          if (run.delivered_live.load() >= run.acked.load() * r.online_recipients && run.sender_done.load() &&
              run.acked.load() + run.refused.load() == run.sent.load()) {
            return true;
          }
          if (run.connections_lost.load() == 0) return false;
          if (!settled_since) settled_since = Clock::now();
          return Clock::now() - *settled_since >= kLostConnectionGrace;
        },
        run.deadline(), kPollInterval);
    r.tool_cpu_send_s = relay_load::own_cpu_seconds() - tool_before;
    r.relayd_cpu_send_s = difference(cpu_before, relayd_cpu(o));
    r.commits_after = scrape(o);
    r.timed_out = !sent_all;

    if (sent_all && o.offline > 0 && run.acked.load() > 0) {
      const auto catch_up_cpu_before = relayd_cpu(o);
      run.start_catch_up();
      const bool caught_up = relay_load::poll_until(
          [&] {
            return run.reconnected.load() + run.reconnect_failed.load() == o.offline &&
                   (run.delivered_catch_up.load() >= run.acked.load() * o.offline || run.reconnect_failed.load() > 0 ||
                    run.connections_lost.load() > 0);
          },
          run.deadline(), kPollInterval);
      r.relayd_cpu_catch_up_s = difference(catch_up_cpu_before, relayd_cpu(o));
      r.timed_out = !caught_up;
    }
  } else {
    r.timed_out = !logged_in;
  }

  run.stop();
  io.finish(kShutdownGrace);

  r.sent = run.sent.load();
  r.acked = run.acked.load();
  r.refused = run.refused.load();
  r.delivered_live = run.delivered_live.load();
  r.delivered_catch_up = run.delivered_catch_up.load();
  const std::int64_t first = run.first_send_ns_.load();
  r.durable_s = seconds_between_ns(first, run.last_ack_ns_.load());
  r.live_deliver_s = seconds_between_ns(first, run.last_live_ns_.load());
  const std::int64_t back = run.catch_up_start_ns_.load();
  r.reconnect_s = seconds_between_ns(back, run.last_reconnect_ns_.load());
  r.catch_up_s = seconds_between_ns(back, run.last_catch_up_ns_.load());
  run.collect(r);
  r.errors = run.errors.snapshot();

  if (!logged_in || run.login_failed.load() > 0) {
    r.failure = std::to_string(o.members - run.logged_in.load()) + " of " + std::to_string(o.members) +
                " members could not log in";
  } else if (r.lost > 0) {
    r.failure = std::to_string(r.lost) + " deliveries acknowledged as durable (SendAck) never arrived";
  } else if (r.out_of_order > 0) {
    r.failure = std::to_string(r.out_of_order) + " deliveries arrived before one the sender sent earlier";
  } else if (r.timed_out) {
    r.failure = "the duration limit ended the run before everything was answered and delivered";
  } else if (!r.errors.empty()) {
    r.failure = "the relay or a connection reported errors";
  } else if (r.acked != o.messages) {
    r.failure = "only " + std::to_string(r.acked) + " of " + std::to_string(o.messages) + " Sends were acknowledged";
  }
  return r;
}

relay_load::Report fanout_report(const FanoutOptions& o, const FanoutResult& t) {
  relay_load::Report r;
  const double recipients = t.recipients;
  r.add_count("group members", "members", o.members);
  r.add_count("recipients per Send", "recipients", t.recipients);
  r.add_count("offline while sending", "offline", t.offline_recipients);
  r.add_count("group messages", "messages", o.messages);
  r.add_count("envelope size", "envelope_bytes", o.size, "bytes");
  r.add_count("window", "window", o.window, "Sends in flight");
  r.add_number("log-in time", "login_s", t.login_s, 3, "s");
  r.add_count("sent", "sent", t.sent);
  r.add_count("durable (SendAck)", "durable", t.acked);
  r.add_count("refused", "refused", t.refused);
  r.add_count("unanswered", "unanswered", t.unanswered);
  r.add_number("first Send to last SendAck", "durable_s", t.durable_s, 3, "s");
  r.add_number("messages/s (durable)", "messages_per_s", per_second(t.acked, t.durable_s), 1);
  r.add_number("deliveries stored/s", "stored_deliveries_per_s", per_second(t.acked * recipients, t.durable_s), 0,
               "(messages x recipients, durable)");
  r.add_count("delivered live", "delivered_live", t.delivered_live);
  r.add_number("first Send to last live Deliver", "live_deliver_s", t.live_deliver_s, 3, "s");
  r.add_number("deliveries delivered/s", "delivered_per_s", per_second(t.delivered_live, t.live_deliver_s), 0,
               "(to online members)");
  r.add_number("Send->Deliver p50", "latency_p50_ms", t.latency.p50_ns / 1e6, 3, "ms");
  r.add_number("Send->Deliver p99", "latency_p99_ms", t.latency.p99_ns / 1e6, 3, "ms");
  r.add_number("Send->Deliver p99.9", "latency_p999_ms", t.latency.p999_ns / 1e6, 3, "ms");
  r.add_number("Send->Deliver max", "latency_max_ms", t.latency.max_ns / 1e6, 3, "ms");
  if (t.relayd_cpu_send_s) {
    r.add_number("relayd CPU, sending phase", "relayd_cpu_send_s", *t.relayd_cpu_send_s, 2, "s");
    const double deliveries = t.acked * recipients;
    if (deliveries > 0) {
      r.add_number("relayd CPU per delivery", "relayd_cpu_per_delivery_us", *t.relayd_cpu_send_s / deliveries * 1e6, 2,
                   "us (store + push + ack, per message x recipient)");
    }
  } else {
    r.add_missing("relayd CPU, sending phase", "relayd_cpu_send_s", o.relayd_pid ? "unreadable" : "no --relayd-pid");
  }
  r.add_number("fanout_load CPU, sending phase", "tool_cpu_send_s", t.tool_cpu_send_s, 2, "s");
  if (t.commits_before && t.commits_after) {
    const double batches = t.commits_after->batches - t.commits_before->batches;
    const double sends = t.commits_after->envelopes - t.commits_before->envelopes;
    r.add_count("commit batches", "commit_batches", static_cast<std::uint64_t>(std::llround(batches)));
    r.add_number("commit batch avg", "commit_batch_avg", batches > 0 ? sends / batches : 0.0, 1, "Sends");
  } else {
    r.add_missing("commit batches", "commit_batches", o.metrics_port ? "metrics unreadable" : "no --metrics-port");
  }
  if (o.offline > 0) {
    r.add_count("delivered on catch-up", "delivered_catch_up", t.delivered_catch_up);
    r.add_number("catch-up: reconnects took", "reconnect_s", t.reconnect_s, 3, "s");
    r.add_number("catch-up: first reconnect to last Deliver", "catch_up_s", t.catch_up_s, 3, "s");
    r.add_number("catch-up deliveries/s", "catch_up_per_s", per_second(t.delivered_catch_up, t.catch_up_s), 0);
    if (t.relayd_cpu_catch_up_s && t.delivered_catch_up > 0) {
      r.add_number("relayd CPU per catch-up delivery", "relayd_cpu_per_catch_up_us",
                   *t.relayd_cpu_catch_up_s / t.delivered_catch_up * 1e6, 2, "us (TLS set-up included)");
    }
  }
  r.add_count("duplicate deliveries", "duplicate_deliveries", t.duplicates);
  r.add_count("stale deliveries (earlier runs)", "stale_deliveries", t.stale);
  r.add_count("out of order", "out_of_order", t.out_of_order);
  r.add_count("lost", "lost", t.lost);
  r.add_counts("errors", "errors", t.errors);
  r.add_text("result", "result", t.failure.empty() ? "ok" : "FAILED: " + t.failure);
  return r;
}

}  // namespace sotto::fanout_load
