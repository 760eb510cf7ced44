#include "bench/relay_load/idle_run.h"

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/relay_load/error_tally.h"
#include "bench/relay_load/io_threads.h"
#include "bench/relay_load/poll_until.h"
#include "bench/relay_load/proc_status.h"
#include "bench/relay_load/relay_connection.h"
#include "bench/relay_load/relay_handshake.h"
#include "lib/net/tls_context.h"

namespace sotto::relay_load {

namespace asio = net::asio;
using Clock = std::chrono::steady_clock;

namespace {

// Descriptors the process needs besides its connections: stdio, the epoll
// and eventfd of each io context, /proc reads, the metrics socket.
constexpr std::uint64_t kSpareDescriptors = 64;
// An idle connection pings this often, so relayd's idle timeout (90 s by
// default, ServerSettings::idle_timeout) never fires; a third of the relay's
// announced timeout when that is shorter.
constexpr std::chrono::milliseconds kPingInterval{30'000};
// A relay announcing an absurdly short timeout still gets no ping storm.
constexpr std::chrono::milliseconds kMinPingInterval{100};
// One connection's set-up (TCP, TLS, Hello, Resume) must finish within this;
// relayd's own auth timeout is 10 s.
constexpr auto kSetupTimeout = std::chrono::seconds(10);
// After the last connection authenticated: let relayd finish what each new
// session starts (reading its queue, registering it) before reading its RSS.
constexpr auto kSettle = std::chrono::milliseconds(500);
constexpr auto kPollInterval = std::chrono::milliseconds(5);
constexpr auto kShutdownGrace = std::chrono::milliseconds(3000);

// One connection kept open: a reader (answers pongs, acknowledges anything
// pushed, notices a close) and a pinger.
struct IdleConnection {
  IdleConnection(std::shared_ptr<RelayConnection> c, asio::any_io_executor executor)
      : connection(std::move(c)), ping_timer(executor) {}
  std::shared_ptr<RelayConnection> connection;
  asio::steady_timer ping_timer;
};

struct IdleState {
  IdleState(const LoadOptions& o, net::tcp::endpoint relay, Clock::time_point end)
      : options(o), server(relay), deadline(end) {}

  const LoadOptions& options;
  net::tcp::endpoint server;
  net::SslCtxPtr tls = net::make_client_context();
  crypto::SecretBytes token;
  Clock::time_point deadline;
  ErrorTally errors;
  std::atomic<std::uint32_t> next_index{0};
  std::atomic<std::uint32_t> authenticated{0};
  std::atomic<std::uint32_t> failed{0};
  std::atomic<std::uint32_t> open{0};
  std::atomic<bool> stopping{false};
  std::mutex connections_mutex;
  std::vector<std::pair<asio::any_io_executor, std::weak_ptr<RelayConnection>>> connections;
};

std::optional<asio::ip::address> source_for(const LoadOptions& o, std::uint32_t i) {
  if (o.source_addresses <= 1) return std::nullopt;
  // 127.0.0.1, 127.0.0.2, ...: each is a separate address to relayd's
  // per-address connection caps, and all of 127.0.0.0/8 is loopback.
  return asio::ip::address(asio::ip::address_v4((127u << 24) | (1 + i % o.source_addresses)));
}

net::Awaitable<void> keep_idle(IdleState& state, std::shared_ptr<IdleConnection> idle) {
  auto& connection = *idle->connection;
  try {
    for (;;) {
      wire::Frame frame = co_await connection.next_frame();
      if (frame.body_case() == wire::Frame::kDeliver) {
        // Not expected on a fresh account, but never leave a push unacknowledged.
        wire::Frame ack;
        ack.mutable_deliver_ack()->add_delivery_ids(frame.deliver().delivery_id());
        connection.queue(ack);
      } else if (frame.body_case() == wire::Frame::kError) {
        state.errors.add(frame.error().code());
      }
    }
  } catch (const std::exception&) {
    if (!state.stopping.load()) state.errors.add("connection_lost");
  }
  idle->ping_timer.cancel();
  state.open.fetch_sub(1, std::memory_order_relaxed);
}

net::Awaitable<void> ping(std::shared_ptr<IdleConnection> idle, std::chrono::milliseconds interval) {
  while (idle->connection->is_open()) {
    idle->ping_timer.expires_after(interval);
    boost::system::error_code ec;
    co_await idle->ping_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!idle->connection->is_open()) break;
    wire::Frame frame;
    frame.mutable_ping();
    idle->connection->queue(frame);
  }
}

// Opens connections one after the other, taking the next index each time,
// until all K are taken; `handshakes` of these run at once.
net::Awaitable<void> open_connections(IdleState& state) {
  const auto& o = state.options;
  auto executor = co_await asio::this_coro::executor;
  for (;;) {
    const std::uint32_t i = state.next_index.fetch_add(1, std::memory_order_relaxed);
    if (i >= o.idle || state.stopping.load()) co_return;
    auto connection = std::make_shared<RelayConnection>(executor, state.tls.get());
    connection->set_deadline(std::min(state.deadline, Clock::now() + kSetupTimeout));
    std::chrono::milliseconds interval = kPingInterval;
    try {
      co_await connection->open(state.server, source_for(o, i));
      const wire::HelloOk hello = co_await say_hello(*connection);
      co_await resume(*connection, state.token);
      if (hello.idle_timeout_ms() != 0) {
        interval = std::clamp<std::chrono::milliseconds>(std::chrono::milliseconds(hello.idle_timeout_ms() / 3),
                                                         kMinPingInterval, kPingInterval);
      }
    } catch (const RefusedError& e) {
      state.errors.add(e.code() == wire::ERROR_UNSPECIFIED ? std::string("unexpected_answer")
                                                           : std::string(wire::ErrorCode_Name(e.code())));
      state.failed.fetch_add(1, std::memory_order_relaxed);
      connection->close();
      continue;
    } catch (const std::exception&) {
      state.errors.add("connect_failed");
      state.failed.fetch_add(1, std::memory_order_relaxed);
      connection->close();
      continue;
    }
    connection->set_deadline(state.deadline);
    {
      std::lock_guard lock(state.connections_mutex);
      state.connections.emplace_back(executor, connection);
    }
    state.open.fetch_add(1, std::memory_order_relaxed);
    state.authenticated.fetch_add(1, std::memory_order_relaxed);
    auto idle = std::make_shared<IdleConnection>(connection, executor);
    asio::co_spawn(executor, keep_idle(state, idle), asio::detached);
    asio::co_spawn(executor, ping(idle, interval), asio::detached);
  }
}

// The one Login whose token every idle connection resumes with.
net::Awaitable<void> get_token(IdleState& state, std::string& failure) {
  auto executor = co_await asio::this_coro::executor;
  auto connection = std::make_shared<RelayConnection>(executor, state.tls.get());
  connection->set_deadline(state.deadline);
  try {
    co_await connection->open(state.server, std::nullopt);
    co_await say_hello(*connection);
    AuthNotes notes;
    state.token = co_await log_in(*connection, user_name(state.options, 0), state.options.password,
                                  state.options.register_users, state.deadline, notes);
  } catch (const std::exception& e) {
    failure = std::string("could not log in: ") + e.what();
  }
  // Closed without Logout, which would revoke the token.
  connection->close_gracefully();
}

}  // namespace

IdleResult run_idle(const LoadOptions& o) {
  IdleResult result;
  result.requested = o.idle;
  result.fd_limit = raise_fd_limit();
  if (result.fd_limit.soft < o.idle + kSpareDescriptors) {
    result.failure = "--idle " + std::to_string(o.idle) + " needs about " + std::to_string(o.idle + kSpareDescriptors) +
                     " file descriptors, but RLIMIT_NOFILE allows " + std::to_string(result.fd_limit.soft) +
                     " (hard limit " + std::to_string(result.fd_limit.hard) +
                     "); raise the hard limit (ulimit -Hn as root, or LimitNOFILE=) or use fewer connections";
    return result;
  }

  IdleState state(
      o, net::tcp::endpoint(o.address, o.port),
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_limit)));
  IoThreads io(o.threads);
  io.start();

  std::string login_failure;
  std::atomic<bool> got_token{false};
  asio::co_spawn(io.for_index(0), get_token(state, login_failure),
                 [&got_token](std::exception_ptr) { got_token.store(true); });
  if (!poll_until([&] { return got_token.load(); }, state.deadline + std::chrono::seconds(1), kPollInterval) ||
      !login_failure.empty()) {
    result.failure = login_failure.empty() ? "could not log in before the duration limit" : login_failure;
    state.stopping = true;
    io.finish(kShutdownGrace);
    result.errors = state.errors.snapshot();
    return result;
  }
  // Let relayd drop the login connection before the baseline is taken.
  std::this_thread::sleep_for(kSettle);
  if (o.relayd_pid) result.rss_before_kib = read_vm_rss_kib(*o.relayd_pid);

  const auto cpu_before = o.relayd_pid ? read_cpu_seconds(*o.relayd_pid) : std::nullopt;
  const auto open_start = Clock::now();
  const std::uint32_t workers = std::min(o.handshakes_in_flight, o.idle);
  for (std::uint32_t w = 0; w < workers; ++w) {
    asio::co_spawn(io.for_index(w), open_connections(state), asio::detached);
  }
  const bool all = poll_until([&] { return state.authenticated.load() + state.failed.load() >= o.idle; },
                              state.deadline, kPollInterval);
  result.open_s = std::chrono::duration<double>(Clock::now() - open_start).count();
  const auto cpu_after = o.relayd_pid ? read_cpu_seconds(*o.relayd_pid) : std::nullopt;
  if (cpu_before && cpu_after) result.relayd_open_cpu_s = *cpu_after - *cpu_before;
  result.timed_out = !all;
  result.authenticated = state.authenticated.load();
  result.failed = state.failed.load();

  if (o.relayd_pid && result.authenticated > 0) {
    std::this_thread::sleep_for(kSettle);
    result.rss_after_kib = read_vm_rss_kib(*o.relayd_pid);
    if (result.rss_before_kib && result.rss_after_kib) {
      result.rss_per_connection_kib =
          (static_cast<double>(*result.rss_after_kib) - static_cast<double>(*result.rss_before_kib)) /
          result.authenticated;
    }
  }
  if (o.hold_seconds > 0 && !result.timed_out) {
    const auto until = std::min(state.deadline, Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                                   std::chrono::duration<double>(o.hold_seconds)));
    std::this_thread::sleep_until(until);
    if (o.relayd_pid) result.rss_after_hold_kib = read_vm_rss_kib(*o.relayd_pid);
  }
  result.still_open = state.open.load();

  state.stopping = true;
  {
    std::lock_guard lock(state.connections_mutex);
    for (auto& [executor, weak] : state.connections) {
      asio::post(executor, [weak = weak] {
        if (auto c = weak.lock()) c->close_gracefully();
      });
    }
  }
  io.finish(kShutdownGrace);
  result.errors = state.errors.snapshot();

  if (result.authenticated < o.idle) {
    result.failure = std::to_string(o.idle - result.authenticated) + " of " + std::to_string(o.idle) +
                     " connections did not authenticate";
  } else if (result.still_open < result.authenticated) {
    result.failure = std::to_string(result.authenticated - result.still_open) + " connections were closed early";
  } else if (!result.errors.empty()) {
    result.failure = "the relay or the connection reported errors";
  }
  return result;
}

}  // namespace sotto::relay_load
