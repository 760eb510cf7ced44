#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lib/net/asio.h"
#include "lib/net/tls_context.h"
#include "relayd/auth/clock.h"
#include "relayd/auth/connection_limiter.h"
#include "relayd/auth/rate_limiter.h"
#include "relayd/server/commit_queue.h"
#include "relayd/server/io_pool.h"
#include "relayd/server/memory_return.h"
#include "relayd/server/owed_wakes.h"
#include "relayd/server/server_context.h"

namespace sotto::relayd {

struct ListenerOptions {
  std::vector<net::tcp::endpoint> endpoints;  // ignored when systemd passed sockets
  std::optional<net::tcp::endpoint> metrics;  // loopback only
  unsigned io_threads = 0;                    // 0: one per core
  bool reuse_port = false;                    // one SO_REUSEPORT acceptor per io thread
  unsigned blocking_threads = 4;              // Argon2 and store calls
  std::size_t max_connections = 20000;
  std::size_t max_unauthenticated = 1024;
  std::size_t max_unauthenticated_per_address = 32;
  std::size_t commit_max_batch = 512;
  std::chrono::microseconds commit_max_delay{2000};
  RateLimit login_per_account{10, std::chrono::minutes(1), 5};
  RateLimit login_per_address{30, std::chrono::minutes(1), 10};
  RateLimit register_per_address{5, std::chrono::hours(1), 5};
  // Other relays write to the same store (PostgreSQL): this one must look
  // for what they stored for its users, through the bus and by polling
  // every poll_interval while there is no bus or it is down.
  bool shared_store = false;
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds presence_ttl{30000};
};

// The relay: listeners, io threads, the shared context, the committer. main()
// builds one, calls run(), and run() returns after a signal has drained it.
class RelayServer {
 public:
  // bus: to the other relays sharing the store, or null. The server starts
  // and stops it.
  RelayServer(ServerSettings settings, ListenerOptions options, net::SslCtxPtr tls, Store& store, BlobFiles& blobs,
              DeliveryBus* bus = nullptr);
  ~RelayServer();
  RelayServer(const RelayServer&) = delete;
  RelayServer& operator=(const RelayServer&) = delete;

  // Binds (or adopts systemd's sockets). Throws with a clear reason on failure.
  void listen();
  // The ports actually bound (tests use port 0 and read this).
  std::vector<net::tcp::endpoint> local_endpoints() const;
  std::optional<net::tcp::endpoint> metrics_endpoint() const;

  // Runs until SIGTERM/SIGINT (or stop()), then drains: stop accepting, tell
  // every session SHUTTING_DOWN, wait for them (at most shutdown_grace),
  // commit what is queued, stop. Reports READY=1 / STOPPING=1 to systemd.
  void run();
  void stop();  // thread-safe

  ServerContext& context() { return *ctx_; }

 private:
  // home: the io_context for every accepted connection, or nullptr to hand
  // them to the io threads round robin.
  net::Awaitable<void> accept_loop(net::tcp::acceptor& acceptor, net::asio::io_context* home);
  net::Awaitable<void> metrics_loop(net::tcp::acceptor& acceptor);
  net::Awaitable<void> serve_metrics(net::tcp::socket socket);
  // Every kHousekeepingInterval (or blob upload window, if shorter): expired
  // envelopes, tokens, invites and blobs go; the first run also removes blob
  // files left without a row by a crash.
  net::Awaitable<void> housekeeping();
  void remove_orphaned_blob_files();  // on the blocking pool
  // Every kRevocationPollInterval: reads the store's revocation log (tokens
  // deleted by any process: Logout, the admin commands, expiry) and closes
  // the sessions authenticated with those tokens.
  net::Awaitable<void> watch_revocations();
  void close_revoked_sessions();  // on the blocking pool
  // Every kMemoryReturnInterval: once the relay has gone quiet after work,
  // gives free heap pages back to the system (memory_return.h).
  net::Awaitable<void> return_memory();
  // Relays sharing a store. start_bus: wakes from the bus go to the
  // recipients' sessions here, and each batch this relay commits is
  // announced (or owed while this relay's bus is down, and published as soon
  // as it is back: owed_wakes.h). watch_store: reads every session's queue every
  // poll_interval while the bus is absent or down (and once whenever it
  // comes back, for what was announced while it was away), and every
  // kSafetyPollInterval while it is up. refresh_presence: re-asserts this
  // relay's users on the bus every third of the presence TTL.
  void start_bus();
  void announce(std::span<const PendingSend> sends, std::span<const SendResult> results);
  void owe_wakes(std::span<const Wake> wakes);
  void publish_owed_wakes();  // blocks up to the bus's timeout
  void poll_all_sessions();
  net::Awaitable<void> watch_store();
  net::Awaitable<void> refresh_presence();
  net::Awaitable<void> drain(std::promise<void>* drained);
  void begin_drain();

  ListenerOptions options_;
  net::SslCtxPtr tls_;
  std::unique_ptr<ServerContext> ctx_;
  IoPool io_;
  net::asio::thread_pool blocking_;
  std::unique_ptr<CommitQueue> commits_;
  SteadyClock clock_;
  RateLimiter login_per_account_;
  RateLimiter login_per_address_;
  RateLimiter register_per_address_;
  ConnectionLimiter unauthenticated_;
  std::vector<std::unique_ptr<net::tcp::acceptor>> acceptors_;
  std::vector<net::asio::io_context*> acceptor_homes_;  // per acceptor, see accept_loop
  std::unique_ptr<net::tcp::acceptor> metrics_acceptor_;
  net::asio::signal_set signals_;
  net::asio::steady_timer housekeeping_timer_;
  net::asio::steady_timer memory_timer_;
  net::asio::steady_timer revocation_timer_;
  net::asio::steady_timer poll_timer_;
  net::asio::steady_timer presence_timer_;
  DeliveryBus* bus_ = nullptr;
  std::atomic<bool> bus_up_{false};
  std::atomic<bool> bus_state_known_{false};  // the first report is logged either way
  std::atomic<bool> poll_now_{false};         // the bus came back: read every queue once
  std::atomic<bool> flush_wakes_{false};      // the bus is up: publish what owed_wakes_ holds
  OwedWakes owed_wakes_;
  // Presence calls to the bus, one at a time in the order sessions made them
  // (online, then offline, must not arrive the other way round).
  net::asio::strand<net::asio::thread_pool::executor_type> presence_strand_;
  std::atomic<bool> revocation_poll_running_{false};
  std::int64_t last_revocation_ = 0;  // written only by the one running poll
  MemoryReturn memory_return_;
  std::atomic<bool> stopping_{false};
  std::mutex sessions_mutex_;
  std::vector<std::weak_ptr<RelaySession>> sessions_;
  std::function<void()> stop_drain_;
  bool drain_started_ = false;  // io thread 0 only
};

}  // namespace sotto::relayd
