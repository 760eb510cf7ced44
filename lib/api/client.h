#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "lib/api/api_error.h"

namespace sotto::api {

// msgd could not be reached, or the connection to it broke (msgctl exit 3).
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EventMessage {
  std::string name;  // "MessageReceived"
  nlohmann::json data;
};

// A blocking client of msgd's local API over one transport; what msgctl, the
// tests and other frontends use. Not thread-safe: one thread at a time.
class Client {
 public:
  virtual ~Client() = default;
  // Calls a method of the table with named params. Throws ApiError (the
  // daemon's error, or kTimeout when no answer came within the client's
  // timeout) or TransportError.
  virtual nlohmann::json call(std::string_view method, const nlohmann::json& params = nlohmann::json::object()) = 0;
  // Starts receiving events. Events that arrive during later calls are kept.
  virtual void subscribe() = 0;
  // Waits up to timeout for the next event; nullopt on timeout. Throws
  // TransportError when the daemon went away.
  virtual std::optional<EventMessage> next_event(std::chrono::milliseconds timeout) = 0;
};

// JSON-RPC over msgd's Unix socket. Throws TransportError when nothing listens.
std::unique_ptr<Client> connect_socket(const std::filesystem::path& path, std::chrono::milliseconds call_timeout);

// D-Bus on the session bus (DBUS_SESSION_BUS_ADDRESS). Throws TransportError
// when there is no session bus; calls fail with TransportError when no msgd
// owns org.sotto.Messenger1 (and D-Bus activation could not start one).
std::unique_ptr<Client> connect_dbus(std::chrono::milliseconds call_timeout);

}  // namespace sotto::api
