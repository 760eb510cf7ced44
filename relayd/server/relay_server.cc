#include "relayd/server/relay_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <future>

#include "relayd/server/blocking_call.h"
#include "relayd/server/log.h"
#include "relayd/server/relay_session.h"
#include "relayd/server/systemd_notify.h"

namespace sotto::relayd {

namespace asio = net::asio;
using net::tcp;

namespace {
// How often expired envelopes, tokens and blobs are purged: every minute, or
// every blob upload window if that is shorter, so that an abandoned upload is
// gone within twice its window.
constexpr auto kHousekeepingInterval = std::chrono::seconds(60);
// A revoked token's connections close within this (plus one store read):
// the promise is "within a second". A poll is one indexed read.
constexpr auto kRevocationPollInterval = std::chrono::milliseconds(250);
constexpr std::size_t kRevocationPage = 1000;
// How often the relay checks whether it went quiet and can give memory back:
// about this long after a burst ends, RSS falls back.
constexpr auto kMemoryReturnInterval = std::chrono::seconds(2);
// Backlog for listen(2): bursts of reconnecting clients after a relay restart.
constexpr int kListenBacklog = 4096;
// A metrics request must arrive within this and fit in this many bytes.
constexpr auto kMetricsTimeout = std::chrono::seconds(5);
constexpr std::size_t kMaxMetricsRequest = 8192;
// Relays sharing a store read every queue this often even while the bus is
// up: a wake lost in transit (the bus's pub/sub keeps nothing for a
// subscriber that was briefly away) delays a message by at most this.
constexpr auto kSafetyPollInterval = std::chrono::seconds(30);
}  // namespace

RelayServer::RelayServer(ServerSettings settings, ListenerOptions options, net::SslCtxPtr tls, Store& store,
                         BlobFiles& blobs, DeliveryBus* bus)
    : options_(std::move(options)),
      tls_(std::move(tls)),
      ctx_(std::make_unique<ServerContext>()),
      io_(options_.io_threads),
      blocking_(options_.blocking_threads == 0 ? 1 : options_.blocking_threads),
      login_per_account_(options_.login_per_account, clock_),
      login_per_address_(options_.login_per_address, clock_),
      register_per_address_(options_.register_per_address, clock_),
      unauthenticated_(ConnectionLimits{options_.max_unauthenticated, options_.max_unauthenticated_per_address}),
      signals_(io_.at(0), SIGINT, SIGTERM),
      housekeeping_timer_(io_.at(0)),
      memory_timer_(io_.at(0)),
      revocation_timer_(io_.at(0)),
      poll_timer_(io_.at(0)),
      presence_timer_(io_.at(0)),
      bus_(bus),
      presence_strand_(asio::make_strand(blocking_.get_executor())) {
  ctx_->settings = std::move(settings);
  ctx_->tls = tls_.get();
  ctx_->store = &store;
  ctx_->blobs = &blobs;
  ctx_->blocking = &blocking_;
  ctx_->login_per_account = &login_per_account_;
  ctx_->login_per_address = &login_per_address_;
  ctx_->register_per_address = &register_per_address_;
  const QueueLimits limits{ctx_->settings.queue_max_envelopes, ctx_->settings.queue_max_bytes};
  commits_ =
      std::make_unique<CommitQueue>(store, limits, options_.commit_max_batch, options_.commit_max_delay, ctx_->metrics);
  commits_->on_written([&router = ctx_->router](const PendingSend& send, const SendResult& result) {
    RelaySession::push_written(router, send, result);
  });
  ctx_->commits = commits_.get();
  ctx_->bus = bus_;
}

RelayServer::~RelayServer() {
  stop();
  if (bus_ != nullptr) bus_->stop();
  io_.stop();
  io_.join();
  blocking_.join();
  commits_->stop();
}

void RelayServer::listen() {
  const std::vector<int> fds = listen_fds();
  if (!fds.empty()) {
    for (const int fd : fds) {
      sockaddr_storage addr{};
      socklen_t len = sizeof addr;
      if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        throw std::runtime_error("socket activation: cannot inspect the passed socket");
      }
      auto acceptor = std::make_unique<tcp::acceptor>(io_.at(0));
      acceptor->assign(addr.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd);
      acceptors_.push_back(std::move(acceptor));
      acceptor_homes_.push_back(nullptr);
    }
    log_event("listening", "source=systemd sockets=" + std::to_string(fds.size()));
  } else {
    // With reuse_port, one socket per io thread on the same address; the
    // first binds (port 0 picks a free port), the others join its port.
    const std::size_t per_endpoint = options_.reuse_port ? io_.size() : 1;
    for (auto endpoint : options_.endpoints) {
      for (std::size_t i = 0; i < per_endpoint; ++i) {
        auto& home = io_.at(i);
        auto acceptor = std::make_unique<tcp::acceptor>(home);
        acceptor->open(endpoint.protocol());
        acceptor->set_option(tcp::acceptor::reuse_address(true));
        if (options_.reuse_port) {
          const int on = 1;
          if (::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
            throw std::runtime_error("cannot set SO_REUSEPORT on a listening socket");
          }
        }
        boost::system::error_code ec;
        acceptor->bind(endpoint, ec);
        if (ec) {
          throw std::runtime_error("cannot listen on " + endpoint.address().to_string() + ":" +
                                   std::to_string(endpoint.port()) + ": " + ec.message());
        }
        acceptor->listen(kListenBacklog);
        endpoint = acceptor->local_endpoint();
        acceptors_.push_back(std::move(acceptor));
        acceptor_homes_.push_back(options_.reuse_port ? &home : nullptr);
      }
    }
  }
  for (const auto& ep : local_endpoints()) {
    log_event("listening",
              "address=" + ep.address().to_string() + " port=" + std::to_string(ep.port()) +
                  (options_.reuse_port && acceptor_homes_.front() != nullptr ? " sockets=" + std::to_string(io_.size())
                                                                             : ""));
  }
  if (options_.metrics) {
    metrics_acceptor_ = std::make_unique<tcp::acceptor>(io_.at(0), *options_.metrics);
    const auto ep = metrics_acceptor_->local_endpoint();
    log_event("metrics_listening", "address=" + ep.address().to_string() + " port=" + std::to_string(ep.port()));
  }
}

std::vector<tcp::endpoint> RelayServer::local_endpoints() const {
  std::vector<tcp::endpoint> out;
  for (std::size_t i = 0; i < acceptors_.size(); ++i) {
    const auto ep = acceptors_[i]->local_endpoint();
    if (std::find(out.begin(), out.end(), ep) == out.end()) out.push_back(ep);
  }
  return out;
}

std::optional<tcp::endpoint> RelayServer::metrics_endpoint() const {
  if (!metrics_acceptor_) return std::nullopt;
  return metrics_acceptor_->local_endpoint();
}

void RelayServer::run() {
  std::promise<void> drained;
  auto done = drained.get_future();

  if (bus_ != nullptr) start_bus();
  commits_->start();
  for (std::size_t i = 0; i < acceptors_.size(); ++i) {
    auto& context = acceptor_homes_[i] != nullptr ? *acceptor_homes_[i] : io_.at(0);
    asio::co_spawn(context, accept_loop(*acceptors_[i], acceptor_homes_[i]), asio::detached);
  }
  if (metrics_acceptor_) asio::co_spawn(io_.at(0), metrics_loop(*metrics_acceptor_), asio::detached);
  asio::co_spawn(io_.at(0), housekeeping(), asio::detached);
  asio::co_spawn(io_.at(0), return_memory(), asio::detached);
  last_revocation_ = ctx_->store->last_token_revocation();  // earlier ones closed nothing here
  asio::co_spawn(io_.at(0), watch_revocations(), asio::detached);
  if (options_.shared_store) asio::co_spawn(io_.at(0), watch_store(), asio::detached);
  if (bus_ != nullptr) asio::co_spawn(io_.at(0), refresh_presence(), asio::detached);

  // The drain runs on io thread 0 and fulfils the promise when every session
  // is gone or the grace period is over. (A member coroutine, not a lambda:
  // a lambda coroutine's captures die with the closure that started it.)
  signals_.async_wait([this, &drained](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log_event("signal", "signal=" + std::to_string(signal));
    asio::co_spawn(io_.at(0), drain(&drained), asio::detached);
  });
  stop_drain_ = [this, &drained] { asio::co_spawn(io_.at(0), drain(&drained), asio::detached); };

  io_.start();
  notify_ready();
  log_event("ready", "io_threads=" + std::to_string(io_.size()));

  done.wait();
  const auto left = ctx_->metrics.connections_open.load();
  commits_->stop();  // everything acknowledged is committed by now; flush the rest
  if (bus_ != nullptr) bus_->stop();
  log_event("stopped", "connections_left=" + std::to_string(left));
  io_.stop();
  io_.join();
}

void RelayServer::stop() {
  if (stopping_.exchange(true)) return;
  if (stop_drain_) asio::post(io_.at(0), stop_drain_);
}

net::Awaitable<void> RelayServer::drain(std::promise<void>* drained) {
  if (drain_started_) co_return;
  drain_started_ = true;
  begin_drain();
  asio::steady_timer timer(io_.at(0));
  const auto deadline = std::chrono::steady_clock::now() + ctx_->settings.shutdown_grace;
  while (ctx_->metrics.connections_open.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
  }
  drained->set_value();
}

void RelayServer::begin_drain() {
  stopping_ = true;
  ctx_->draining = true;
  notify_stopping();
  log_event("draining");
  for (auto& a : acceptors_) {
    boost::system::error_code ignored;
    a->close(ignored);
  }
  if (metrics_acceptor_) {
    boost::system::error_code ignored;
    metrics_acceptor_->close(ignored);
  }
  signals_.cancel();
  housekeeping_timer_.cancel();
  memory_timer_.cancel();
  revocation_timer_.cancel();
  poll_timer_.cancel();
  presence_timer_.cancel();
  std::vector<std::shared_ptr<RelaySession>> live;
  {
    std::lock_guard lock(sessions_mutex_);
    for (auto& w : sessions_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->shutdown();
}

net::Awaitable<void> RelayServer::accept_loop(tcp::acceptor& acceptor, asio::io_context* home) {
  asio::steady_timer backoff(home != nullptr ? *home : io_.at(0));
  for (;;) {
    tcp::socket socket(home != nullptr ? *home : io_.next());
    boost::system::error_code ec;
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE and friends: do not spin; the condition usually clears.
      log_warning("accept_failed", "error=\"" + ec.message() + "\"");
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    ctx_->metrics.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    if (ctx_->draining.load()) continue;  // the socket closes as it goes out of scope
    if (static_cast<std::size_t>(ctx_->metrics.connections_open.load()) >= options_.max_connections) {
      ctx_->metrics.connections_refused.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    std::string address = socket.remote_endpoint(ec).address().to_string();
    if (ec) continue;
    auto slot = unauthenticated_.try_acquire(address);
    if (!slot) {
      ctx_->metrics.connections_refused.fetch_add(1, std::memory_order_relaxed);
      log_event("connection_refused", "peer=" + address + " reason=unauthenticated_cap");
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto session = std::make_shared<RelaySession>(*ctx_, std::move(socket), std::move(address), std::move(slot));
    {
      std::lock_guard lock(sessions_mutex_);
      sessions_.push_back(session);
    }
    session->start();
  }
}

void RelayServer::remove_orphaned_blob_files() {
  // Rows are deleted before files, and a file is created only after its row,
  // so a file without a row is one whose deletion a crash interrupted. A
  // session deleting a blob right now may race this: then one of the two
  // removes finds the file gone, which is fine either way.
  std::uint64_t removed = 0;
  for (const auto& id : ctx_->blobs->list()) {
    if (ctx_->store->blob(id)) continue;
    if (ctx_->blobs->remove(id)) ++removed;
  }
  if (removed > 0) log_event("orphaned_blob_files_removed", "files=" + std::to_string(removed));
}

net::Awaitable<void> RelayServer::housekeeping() {
  const auto watchdog = watchdog_interval();
  const auto interval =
      std::min<std::chrono::steady_clock::duration>(kHousekeepingInterval, ctx_->settings.blob_upload_window);
  auto next_purge = std::chrono::steady_clock::now();
  bool first = true;
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_purge) {
      next_purge = now + interval;
      {
        std::lock_guard lock(sessions_mutex_);
        std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
      }
      const auto wall =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      asio::post(blocking_, [this, wall, first] {
        if (first) {
          try {
            remove_orphaned_blob_files();
          } catch (const std::exception& e) {
            log_error("orphaned_blob_files_failed", std::string("error=\"") + e.what() + "\"");
          }
        }
        try {
          // Finished blobs past their TTL and unfinished uploads past their
          // window alike: rows first (the quota is free at once), then files.
          const auto expired = ctx_->store->expire(wall);
          std::size_t files_left = 0;
          for (const auto& id : expired.blob_ids) {
            try {
              ctx_->blobs->remove(id);
            } catch (const BlobFileError&) {
              ++files_left;  // no row any more: the next start removes it
            }
          }
          if (expired.envelopes > 0 || !expired.blob_ids.empty()) {
            log_event("expired", "envelopes=" + std::to_string(expired.envelopes) +
                                     " blobs=" + std::to_string(expired.blob_ids.size()));
          }
          if (files_left > 0) log_error("blob_remove_failed", "files=" + std::to_string(files_left));
        } catch (const std::exception& e) {
          log_error("expire_failed", std::string("error=\"") + e.what() + "\"");
        }
      });
      first = false;
    }
    if (watchdog) notify_watchdog();
    std::chrono::steady_clock::duration wait = interval;
    if (watchdog) wait = std::min<std::chrono::steady_clock::duration>(wait, *watchdog);
    housekeeping_timer_.expires_after(wait);
    boost::system::error_code ec;
    co_await housekeeping_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

net::Awaitable<void> RelayServer::watch_revocations() {
  while (!stopping_) {
    revocation_timer_.expires_after(kRevocationPollInterval);
    boost::system::error_code ec;
    co_await revocation_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || stopping_) co_return;
    // One poll at a time: a slow one (the store busy behind an admin
    // command) is not stacked up behind.
    if (revocation_poll_running_.exchange(true)) continue;
    asio::post(blocking_, [this] {
      try {
        close_revoked_sessions();
      } catch (const std::exception& e) {
        log_error("revocation_poll_failed", std::string("error=\"") + e.what() + "\"");
      }
      revocation_poll_running_ = false;
    });
  }
}

void RelayServer::close_revoked_sessions() {
  std::vector<crypto::Sha256Digest> revoked;
  for (;;) {
    const auto page = ctx_->store->token_revocations_after(last_revocation_, kRevocationPage);
    for (const auto& entry : page) revoked.push_back(entry.token_sha256);
    if (!page.empty()) last_revocation_ = page.back().seq;
    if (page.size() < kRevocationPage) break;
  }
  if (revoked.empty()) return;
  // First where a Resume in flight will look (revoked_tokens.h), then to the sessions.
  ctx_->revoked_tokens.add(revoked, std::chrono::steady_clock::now());
  auto shared = std::make_shared<const std::vector<crypto::Sha256Digest>>(std::move(revoked));
  std::lock_guard lock(sessions_mutex_);
  for (auto& w : sessions_) {
    if (auto session = w.lock()) session->close_if_token_revoked(shared);
  }
}

void RelayServer::start_bus() {
  ctx_->presence_changed = [this](const std::string& user, bool online) {
    asio::post(presence_strand_, [this, user, online] {
      if (online) {
        bus_->set_online(user);
      } else {
        bus_->set_offline(user);
      }
    });
  };
  commits_->on_batch_done(
      [this](std::span<const PendingSend> sends, std::span<const SendResult> results) { announce(sends, results); });
  DeliveryBus::Handlers handlers;
  handlers.on_wake = [this](std::vector<Wake> wakes) {
    for (const auto& w : wakes) {
      for (const auto& session : ctx_->router.sessions_of(w.recipient)) session->wake(w.delivery_id);
    }
  };
  handlers.on_connection = [this](bool connected) {
    const bool was = bus_up_.exchange(connected);
    if (connected == was && bus_state_known_.exchange(true)) return;
    log_event(
        connected ? "bus_connected" : "bus_down",
        connected ? "action=wakes" : "action=poll_store interval_ms=" + std::to_string(options_.poll_interval.count()));
    if (connected) {
      // Wakes published while this relay was away are gone: read every
      // queue once, and re-assert who is online here.
      poll_now_ = true;
      flush_wakes_ = true;
      asio::post(io_.at(0), [this] {
        poll_timer_.cancel();
        presence_timer_.cancel();
      });
    }
  };
  bus_->start(std::move(handlers));
}

void RelayServer::announce(std::span<const PendingSend> sends, std::span<const SendResult> results) {
  std::vector<Wake> wakes;
  for (std::size_t i = 0; i < results.size() && i < sends.size(); ++i) {
    if (results[i].status != SendStatus::Stored) continue;
    for (const auto& d : results[i].deliveries) wakes.push_back(Wake{d.recipient, d.delivery_id});
  }
  if (wakes.empty()) return;
  if (!bus_up_.load()) {
    owe_wakes(wakes);
    return;
  }
  if (!bus_->publish(wakes)) {
    ctx_->metrics.bus_publish_failures.fetch_add(1, std::memory_order_relaxed);
    owe_wakes(wakes);
  }
}

// The other relays may be listening rather than polling (their bus is up):
// what this one could not say waits for its bus (OwedWakes).
void RelayServer::owe_wakes(std::span<const Wake> wakes) {
  const auto dropped_before = owed_wakes_.dropped();
  owed_wakes_.owe(wakes);
  if (dropped_before == 0 && owed_wakes_.dropped() != 0) {
    log_event("bus_wakes_dropped", "reason=too_many_recipients_owed action=safety_poll");
  }
  // The bus may have come back between the check and the owe: flush now
  // rather than at the next safety poll.
  if (bus_up_.load()) {
    flush_wakes_ = true;
    asio::post(io_.at(0), [this] { poll_timer_.cancel(); });
  }
}

void RelayServer::publish_owed_wakes() {
  auto wakes = owed_wakes_.take();
  if (wakes.empty()) return;
  if (!bus_->publish(wakes)) {
    ctx_->metrics.bus_publish_failures.fetch_add(1, std::memory_order_relaxed);
    owed_wakes_.owe(wakes);  // the next reconnect tries again
  }
}

void RelayServer::poll_all_sessions() {
  std::vector<std::shared_ptr<RelaySession>> live;
  {
    std::lock_guard lock(sessions_mutex_);
    for (auto& w : sessions_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->poll_queue();
}

net::Awaitable<void> RelayServer::watch_store() {
  auto last_poll = std::chrono::steady_clock::now();
  while (!stopping_) {
    const bool bus_up = bus_ != nullptr && bus_up_.load();
    poll_timer_.expires_after(bus_up ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                           kSafetyPollInterval - (std::chrono::steady_clock::now() - last_poll))
                                     : std::chrono::steady_clock::duration(options_.poll_interval));
    boost::system::error_code ec;
    co_await poll_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopping_) co_return;
    const bool due =
        !(bus_ != nullptr && bus_up_.load()) || std::chrono::steady_clock::now() - last_poll >= kSafetyPollInterval;
    if (poll_now_.exchange(false) || due) {
      last_poll = std::chrono::steady_clock::now();
      ctx_->metrics.store_polls.fetch_add(1, std::memory_order_relaxed);
      poll_all_sessions();
    }
    if (flush_wakes_.exchange(false) && bus_up_.load() && !owed_wakes_.empty()) {
      // On the blocking pool: a publish waits up to the bus's timeout.
      co_await run_blocking(blocking_, [this] {
        publish_owed_wakes();
        return 0;
      });
    }
  }
}

net::Awaitable<void> RelayServer::refresh_presence() {
  while (!stopping_) {
    asio::post(presence_strand_, [this] { bus_->refresh_presence(ctx_->router.usernames()); });
    presence_timer_.expires_after(options_.presence_ttl / 3);
    boost::system::error_code ec;
    co_await presence_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

net::Awaitable<void> RelayServer::return_memory() {
  while (!stopping_) {
    memory_timer_.expires_after(kMemoryReturnInterval);
    boost::system::error_code ec;
    co_await memory_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    const auto& m = ctx_->metrics;
    // Every kind of work that allocates: a batch that only deletes acked
    // deliveries counts too, since a burst's last acks arrive after its last
    // push, and memory they leave free after a trim would stay until the next.
    const std::uint64_t activity =
        m.commit_batches.load(std::memory_order_relaxed) + m.connections_accepted.load(std::memory_order_relaxed) +
        m.deliveries_pushed.load(std::memory_order_relaxed) + m.deliveries_acked.load(std::memory_order_relaxed);
    // On io thread 0: malloc_trim takes a few milliseconds at most, and
    // runs only once per quiet spell.
    memory_return_.tick(activity);
  }
}

net::Awaitable<void> RelayServer::metrics_loop(tcp::acceptor& acceptor) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket(io_.at(0));
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;
    asio::co_spawn(io_.at(0), serve_metrics(std::move(socket)), asio::detached);
  }
}

net::Awaitable<void> RelayServer::serve_metrics(tcp::socket socket) {
  asio::steady_timer deadline(io_.at(0));
  deadline.expires_after(kMetricsTimeout);
  deadline.async_wait([&socket](const boost::system::error_code& ec) {
    if (!ec) {
      boost::system::error_code ignored;
      socket.close(ignored);
    }
  });
  try {
    std::string request;
    std::array<char, 1024> buf{};
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < kMaxMetricsRequest) {
      const std::size_t n = co_await socket.async_read_some(asio::buffer(buf), asio::use_awaitable);
      request.append(buf.data(), n);
    }
    const bool ok = request.rfind("GET /metrics ", 0) == 0 || request.rfind("GET / ", 0) == 0;
    std::string body;
    if (ok) {
      auto depth_call =
          run_blocking(blocking_, [this] { return static_cast<std::int64_t>(ctx_->store->queue_depth()); });
      const auto depth = co_await std::move(depth_call);
      body = ctx_->metrics.render(depth);
    }
    const std::string head =
        std::string(ok ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 404 Not Found\r\n") +
        "Content-Type: text/plain; version=0.0.4\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(head + body), asio::use_awaitable);
  } catch (const std::exception&) {
    // A scraper that went away; nothing to report.
  }
  deadline.cancel();
  boost::system::error_code ignored;
  socket.close(ignored);
}

}  // namespace sotto::relayd
