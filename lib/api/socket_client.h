#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "lib/api/client.h"
#include "lib/api/jsonrpc.h"
#include "lib/api/unique_fd.h"

namespace sotto::api {

// The longest line the client takes from msgd: a history page of long messages
// is big, but a daemon gone wrong must not make a frontend grow without bound.
inline constexpr std::size_t kMaxDaemonLine = 16 * 1024 * 1024;

// The blocking JSON-RPC client behind connect_socket (client.h). Every wait is
// bounded by poll() with the call timeout, so a daemon that accepts and never
// answers costs a frontend one timeout, never a hang.
class SocketClient final : public Client {
 public:
  // Connects; throws TransportError naming the path when nothing serves it.
  SocketClient(std::filesystem::path path, std::chrono::milliseconds call_timeout);

  nlohmann::json call(std::string_view method, const nlohmann::json& params = nlohmann::json::object()) override;
  void subscribe() override;
  std::optional<EventMessage> next_event(std::chrono::milliseconds timeout) override;

 private:
  using Clock = std::chrono::steady_clock;

  void write_all(std::string_view data, Clock::time_point deadline);
  // The next complete line (without '\n'); nullopt when the deadline came first.
  std::optional<std::string> read_line(Clock::time_point deadline);
  // Queues a notification; returns the response, if the line is one.
  std::optional<JsonRpcResponse> take(std::string_view line);
  [[noreturn]] void fail(const std::string& what);
  void ensure_open() const;

  std::filesystem::path path_;
  std::chrono::milliseconds timeout_;
  UniqueFd fd_;
  std::string closed_reason_;
  std::int64_t next_id_ = 1;
  std::string buffer_;       // bytes read and not yet returned as lines
  std::size_t scanned_ = 0;  // buffer_[0, scanned_) holds no '\n'
  std::deque<EventMessage> events_;
};

}  // namespace sotto::api
