#include "lib/api/socket_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace sotto::api {
namespace {

using nlohmann::json;

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

std::string describe_connect_failure(int error, const std::filesystem::path& path, std::chrono::milliseconds timeout) {
  switch (error) {
    case ENOENT:
      return "no msgd socket at " + quoted(path) + " (is msgd running?)";
    case ECONNREFUSED:
      return "nothing is listening on " + quoted(path) + " (is msgd running?)";
    case EACCES:
    case EPERM:
      return "permission denied connecting to " + quoted(path);
    case EAGAIN:
    case EINPROGRESS:
      return "msgd at " + quoted(path) + " did not accept the connection within " + std::to_string(timeout.count()) +
             " ms";
    default:
      return "cannot connect to " + quoted(path) + ": " + std::strerror(error);
  }
}

int poll_timeout_ms(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return 0;
  return static_cast<int>(std::min<std::int64_t>(left.count(), 60'000));
}

// A huge timeout ("wait forever") must not overflow the clock.
std::chrono::steady_clock::time_point deadline_after(std::chrono::milliseconds timeout) {
  constexpr auto kLongest = std::chrono::hours(24 * 365);
  return std::chrono::steady_clock::now() +
         std::clamp<std::chrono::milliseconds>(timeout, std::chrono::milliseconds(0), kLongest);
}

}  // namespace

SocketClient::SocketClient(std::filesystem::path path, std::chrono::milliseconds call_timeout)
    : path_(std::move(path)), timeout_(call_timeout) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string native = path_.string();
  if (native.empty() || native.size() >= sizeof address.sun_path) {
    throw TransportError("the socket path " + quoted(path_) + " is empty or longer than " +
                         std::to_string(sizeof address.sun_path - 1) + " bytes");
  }
  std::memcpy(address.sun_path, native.data(), native.size());

  fd_ = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd_.valid()) throw TransportError(std::string("cannot create a Unix socket: ") + std::strerror(errno));
  // A blocking connect on AF_UNIX waits while the listener's backlog is full;
  // SO_SNDTIMEO bounds that wait (Linux applies it to connect on Unix sockets).
  const auto connect_wait =
      std::clamp<std::chrono::milliseconds>(timeout_, std::chrono::milliseconds(1), std::chrono::hours(1));
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(connect_wait.count() / 1000);
  limit.tv_usec = static_cast<suseconds_t>((connect_wait.count() % 1000) * 1000);
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  int rc;
  do {
    rc = ::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int error = errno;
    fd_.reset();
    throw TransportError(describe_connect_failure(error, path_, timeout_));
  }
  const timeval none{};
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
}

json SocketClient::call(std::string_view method, const json& params) {
  ensure_open();
  const std::int64_t id = next_id_++;
  const auto deadline = deadline_after(timeout_);
  write_all(encode_request(id, method, params) + "\n", deadline);
  for (;;) {
    std::optional<std::string> line = read_line(deadline);
    if (!line) {
      // The connection stays usable: a late answer carries this id and is skipped.
      throw ApiError(ErrorName::kTimeout, "msgd did not answer " + std::string(method) + " within " +
                                              std::to_string(timeout_.count()) + " ms");
    }
    std::optional<JsonRpcResponse> response = take(*line);
    if (!response) continue;
    // A null id answers a request msgd could not read, which can only be ours.
    if (!response->id.is_null() && response->id != json(id)) continue;
    if (auto* error = std::get_if<ApiError>(&response->outcome)) throw *error;
    return std::move(std::get<json>(response->outcome));
  }
}

void SocketClient::subscribe() { call("subscribe"); }

std::optional<EventMessage> SocketClient::next_event(std::chrono::milliseconds timeout) {
  const auto deadline = deadline_after(timeout);
  while (events_.empty()) {
    ensure_open();
    std::optional<std::string> line = read_line(deadline);
    if (!line) return std::nullopt;
    take(*line);  // a late answer to a call that timed out is dropped
  }
  EventMessage event = std::move(events_.front());
  events_.pop_front();
  return event;
}

void SocketClient::write_all(std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_.get(), POLLOUT, 0};
      const int ready = ::poll(&p, 1, poll_timeout_ms(deadline));
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0 && Clock::now() >= deadline) {
        // Half a request is on the wire: the stream cannot be used again.
        fd_.reset();
        closed_reason_ = "the connection to msgd was closed after a write timed out";
        throw ApiError(ErrorName::kTimeout,
                       "msgd did not take the request within " + std::to_string(timeout_.count()) + " ms");
      }
      continue;
    }
    fail(std::string("lost the connection to msgd at ") + quoted(path_) + ": " + std::strerror(errno));
  }
}

std::optional<std::string> SocketClient::read_line(Clock::time_point deadline) {
  for (;;) {
    if (const auto newline = buffer_.find('\n', scanned_); newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      scanned_ = 0;
      return line;
    }
    scanned_ = buffer_.size();
    if (buffer_.size() > kMaxDaemonLine) {
      fail("msgd sent a line longer than " + std::to_string(kMaxDaemonLine) + " bytes");
    }
    pollfd p{fd_.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, poll_timeout_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) fail(std::string("poll failed: ") + std::strerror(errno));
    if (ready == 0) {
      if (Clock::now() >= deadline) return std::nullopt;
      continue;  // poll waits at most a minute at a time
    }
    char chunk[64 * 1024];
    const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, MSG_DONTWAIT);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n == 0) fail("msgd closed the connection on " + quoted(path_));
    fail(std::string("lost the connection to msgd at ") + quoted(path_) + ": " + std::strerror(errno));
  }
}

std::optional<JsonRpcResponse> SocketClient::take(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return std::nullopt;
  JsonRpcIncoming incoming = parse_jsonrpc_response(line);
  if (auto* notification = std::get_if<JsonRpcNotification>(&incoming)) {
    events_.push_back(EventMessage{std::move(notification->method), std::move(notification->params)});
    return std::nullopt;
  }
  if (auto* broken = std::get_if<JsonRpcProtocolError>(&incoming)) fail(broken->message);
  return std::move(std::get<JsonRpcResponse>(incoming));
}

void SocketClient::fail(const std::string& what) {
  fd_.reset();
  closed_reason_ = what;
  throw TransportError(what);
}

void SocketClient::ensure_open() const {
  if (!fd_.valid()) throw TransportError(closed_reason_.empty() ? "the connection to msgd is closed" : closed_reason_);
}

std::unique_ptr<Client> connect_socket(const std::filesystem::path& path, std::chrono::milliseconds call_timeout) {
  return std::make_unique<SocketClient>(path, call_timeout);
}

}  // namespace sotto::api
