#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "daemon/socket/socket_limits.h"
#include "lib/api/handler.h"
#include "lib/net/asio.h"

namespace sotto::msgd {

struct SocketServerState;

// msgd's JSON-RPC 2.0 endpoint on a Unix socket (docs/local-api.md): one
// request object per line, answered through the Handler; "subscribe" turns a
// connection into an event stream. Only peers with msgd's own uid are served.
// All methods run on the io_context's thread (or before it runs).
class SocketServer : public api::EventSink {
 public:
  SocketServer(net::asio::io_context& io, std::filesystem::path socket_path, api::Handler& handler,
               SocketLimits limits = {});
  ~SocketServer() override;
  SocketServer(const SocketServer&) = delete;
  SocketServer& operator=(const SocketServer&) = delete;

  // Prepares the directory (0700, ours), refuses when another msgd serves the
  // path, replaces a stale socket, binds (0600) and starts accepting. Throws
  // std::runtime_error with a message fit for the user.
  void start();
  // Stops accepting, closes every connection and removes the socket file
  // (only if it is still the one we bound). Safe to call twice.
  void stop();

  // Sends the event to every connection that subscribed.
  void publish(std::string_view event, const nlohmann::json& data) override;

  std::size_t connection_count() const;
  const std::filesystem::path& socket_path() const;

 private:
  std::shared_ptr<SocketServerState> state_;
};

}  // namespace sotto::msgd
