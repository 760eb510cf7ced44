#include "daemon/socket/socket_server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "daemon/socket/socket_connection.h"
#include "daemon/socket/socket_log.h"
#include "daemon/socket/socket_path.h"
#include "lib/api/api_error.h"
#include "lib/api/jsonrpc.h"

namespace sotto::msgd {

namespace asio = net::asio;
using Protocol = asio::local::stream_protocol;

// Shared with the accept coroutine and the connections' close hooks, so that
// neither touches a SocketServer that is gone.
struct SocketServerState {
  SocketServerState(asio::io_context& io, std::filesystem::path path, api::Handler& handler, SocketLimits limits)
      : io(io), path(std::move(path)), handler(handler), limits(limits), acceptor(io), retry_timer(io) {}

  asio::io_context& io;
  const std::filesystem::path path;
  api::Handler& handler;
  const SocketLimits limits;
  Protocol::acceptor acceptor;
  asio::steady_timer retry_timer;
  std::map<std::uint64_t, std::shared_ptr<SocketConnection>> connections;
  std::uint64_t next_id = 1;
  bool running = false;
  dev_t bound_device = 0;
  ino_t bound_inode = 0;
};

namespace {

using State = SocketServerState;

void refuse_busy(Protocol::socket& peer, std::size_t limit) {
  const std::string line =
      api::encode_error(nullptr, api::ApiError(api::ErrorName::kRateLimited,
                                               "msgd serves at most " + std::to_string(limit) + " connections")) +
      "\n";
  // A fresh socket's buffer takes a short line at once; if not, closing says enough.
  [[maybe_unused]] const ssize_t sent =
      ::send(peer.native_handle(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

void admit(const std::shared_ptr<State>& state, Protocol::socket peer) {
  ucred credentials{};
  socklen_t size = sizeof credentials;
  if (::getsockopt(peer.native_handle(), SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) {
    log_socket_event("socket_refused", "reason=no_credentials");
    return;
  }
  if (credentials.uid != ::geteuid()) {
    log_socket_event("socket_refused",
                     "uid=" + std::to_string(credentials.uid) + " pid=" + std::to_string(credentials.pid));
    return;
  }
  if (state->connections.size() >= state->limits.max_connections) {
    log_socket_event("socket_busy", "connections=" + std::to_string(state->connections.size()));
    refuse_busy(peer, state->limits.max_connections);
    return;
  }
  const std::uint64_t id = state->next_id++;
  const std::weak_ptr<State> weak_state = state;
  auto forget = [weak_state](std::uint64_t closed) {
    if (const auto owner = weak_state.lock()) owner->connections.erase(closed);
  };
  auto connection =
      std::make_shared<SocketConnection>(std::move(peer), id, state->handler, state->limits, std::move(forget));
  state->connections.emplace(id, connection);
  connection->start();
}

net::Awaitable<void> accept_loop(std::shared_ptr<State> state) {
  while (state->running) {
    boost::system::error_code ec;
    Protocol::socket peer = co_await state->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (!state->running || ec == asio::error::operation_aborted) break;
    if (ec) {
      // Out of descriptors or memory: wait a little rather than spin.
      log_socket_event("accept_failed", "error=\"" + ec.message() + "\"");
      state->retry_timer.expires_after(std::chrono::milliseconds(100));
      boost::system::error_code ignored;
      co_await state->retry_timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      continue;
    }
    try {
      admit(state, std::move(peer));
    } catch (const std::exception& e) {
      log_socket_event("accept_failed", "error=\"" + std::string(e.what()) + "\"");
    }
  }
}

}  // namespace

SocketServer::SocketServer(asio::io_context& io, std::filesystem::path socket_path, api::Handler& handler,
                           SocketLimits limits)
    : state_(std::make_shared<SocketServerState>(io, std::move(socket_path), handler, limits)) {}

SocketServer::~SocketServer() { stop(); }

void SocketServer::start() {
  State& s = *state_;
  if (s.running) return;
  prepare_socket_directory(s.path.parent_path());
  clear_stale_socket(s.path);
  try {
    s.acceptor.open(Protocol());
    s.acceptor.bind(Protocol::endpoint(s.path.string()));
  } catch (const boost::system::system_error& e) {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    throw std::runtime_error("cannot bind the socket '" + s.path.string() + "': " + e.code().message());
  }
  // The 0700 directory already keeps others out; 0600 says so on the socket too.
  struct stat st {};
  if (::chmod(s.path.c_str(), 0600) != 0 || ::lstat(s.path.c_str(), &st) != 0) {
    const int error = errno;
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    ::unlink(s.path.c_str());
    throw std::runtime_error("cannot set mode 0600 on '" + s.path.string() + "': " + std::strerror(error));
  }
  s.bound_device = st.st_dev;
  s.bound_inode = st.st_ino;
  boost::system::error_code ec;
  s.acceptor.listen(Protocol::acceptor::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    ::unlink(s.path.c_str());
    throw std::runtime_error("cannot listen on '" + s.path.string() + "': " + ec.message());
  }
  s.running = true;
  asio::co_spawn(s.io, accept_loop(state_), asio::detached);
  log_socket_event("socket_listening", "path=" + s.path.string());
}

void SocketServer::stop() {
  State& s = *state_;
  if (!s.running) return;
  s.running = false;
  boost::system::error_code ignored;
  s.acceptor.close(ignored);
  s.retry_timer.cancel();
  auto connections = std::exchange(s.connections, {});
  for (auto& [id, connection] : connections) connection->close("");
  // Another msgd may have replaced a socket we lost; only ours is removed.
  struct stat st {};
  if (::lstat(s.path.c_str(), &st) == 0 && st.st_dev == s.bound_device && st.st_ino == s.bound_inode) {
    ::unlink(s.path.c_str());
  }
  log_socket_event("socket_stopped", "path=" + s.path.string());
}

void SocketServer::publish(std::string_view event, const nlohmann::json& data) {
  if (!state_->running) return;
  const std::string line = api::encode_notification(event, data);
  // Dropping a slow subscriber erases it from the map: walk a copy.
  std::vector<std::shared_ptr<SocketConnection>> targets;
  targets.reserve(state_->connections.size());
  for (const auto& [id, connection] : state_->connections) {
    if (connection->subscribed()) targets.push_back(connection);
  }
  for (const auto& connection : targets) connection->send_event(line);
}

std::size_t SocketServer::connection_count() const { return state_->connections.size(); }

const std::filesystem::path& SocketServer::socket_path() const { return state_->path; }

}  // namespace sotto::msgd
