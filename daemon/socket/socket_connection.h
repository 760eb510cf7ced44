#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/socket/socket_limits.h"
#include "lib/api/handler.h"
#include "lib/api/jsonrpc.h"
#include "lib/net/asio.h"

namespace sotto::msgd {

// One client of msgd's socket, already checked to be our uid. A reader
// coroutine takes request lines and hands them to the Handler; answers come
// back through completions (maybe later, maybe out of order) and join a
// single-writer queue with the events of a subscriber. Everything runs on the
// io_context's one thread: no locks.
class SocketConnection : public std::enable_shared_from_this<SocketConnection> {
 public:
  using Socket = net::asio::local::stream_protocol::socket;
  // Called once when the connection closes, so its owner can forget it.
  using ClosedHook = std::function<void(std::uint64_t id)>;

  SocketConnection(Socket socket, std::uint64_t id, api::Handler& handler, const SocketLimits& limits,
                   ClosedHook on_closed);
  SocketConnection(const SocketConnection&) = delete;
  SocketConnection& operator=(const SocketConnection&) = delete;

  void start();
  // A notification line (encode_notification) for a subscriber; a subscriber
  // that has let max_unsent bytes pile up is dropped instead.
  void send_event(std::string_view line);
  // Closes at once; pending answers are dropped.
  void close(std::string_view reason);

  std::uint64_t id() const { return id_; }
  bool subscribed() const { return subscribed_; }
  std::size_t unsent() const { return pending_.size() + (writing_active_ ? writing_.size() : 0); }

 private:
  friend struct PendingCall;

  net::Awaitable<void> read_loop(std::shared_ptr<SocketConnection> self);
  net::Awaitable<void> wait_until_readable_again();
  void handle_line(std::string_view line);
  void dispatch(api::JsonRpcRequest request);
  void finish_call(const std::optional<nlohmann::json>& id, const api::Outcome& outcome);
  void answer(const nlohmann::json& id, const api::Outcome& outcome);
  void queue_line(std::string_view line);
  void start_write();
  void on_written(const boost::system::error_code& ec);
  // Closes once nothing is left to say: after a fatal error line was
  // flushed, or after the client stopped sending and every call finished.
  void close_when_done();
  void wake_reader();

  Socket socket_;
  const std::uint64_t id_;
  api::Handler& handler_;
  const SocketLimits limits_;
  ClosedHook on_closed_;

  std::string input_;
  std::string pending_;  // lines not yet handed to the socket
  std::string writing_;  // the lines async_write is sending
  bool writing_active_ = false;
  std::size_t calls_in_flight_ = 0;
  bool subscribed_ = false;
  bool input_done_ = false;  // the client closed its side (or we stopped reading)
  bool close_after_flush_ = false;
  bool closed_ = false;
  net::asio::steady_timer reader_wake_;  // signals the paused reader
};

}  // namespace sotto::msgd
