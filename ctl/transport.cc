#include "ctl/transport.h"

#include <cstdlib>
#include <stdexcept>

#include "ctl/command.h"
#include "lib/api/paths.h"

namespace sotto::ctl {

TransportKind choose_transport(const GlobalOptions& options, bool session_bus_announced) {
  if (options.socket) return TransportKind::kSocket;
  if (options.bus) return TransportKind::kBus;
  return session_bus_announced ? TransportKind::kAuto : TransportKind::kSocket;
}

Connectors real_connectors() {
  return {[](const std::filesystem::path& path, std::chrono::milliseconds timeout) {
            return api::connect_socket(path, timeout);
          },
          [](std::chrono::milliseconds timeout) { return api::connect_dbus(timeout); }};
}

Transport::Transport(TransportKind kind, std::filesystem::path socket_path, std::chrono::milliseconds call_timeout,
                     Connectors connectors)
    : kind_(kind),
      socket_path_(std::move(socket_path)),
      call_timeout_(call_timeout),
      connectors_(std::move(connectors)),
      on_bus_(kind != TransportKind::kSocket) {}

std::string Transport::target() const {
  switch (kind_) {
    case TransportKind::kSocket:
      return socket_path_.string();
    case TransportKind::kBus:
      return "the session bus";
    case TransportKind::kAuto:
      return fell_back_ ? "the session bus or " + socket_path_.string() : "the session bus";
  }
  return socket_path_.string();
}

void Transport::reset() {
  client_.reset();
  on_bus_ = kind_ != TransportKind::kSocket;
  bus_confirmed_ = false;
}

bool Transport::fall_back() {
  if (kind_ != TransportKind::kAuto || !on_bus_ || bus_confirmed_) return false;
  client_.reset();
  on_bus_ = false;
  fell_back_ = true;
  return true;
}

api::Client& Transport::connected() {
  while (!client_) {
    try {
      client_ = on_bus_ ? connectors_.dbus(call_timeout_) : connectors_.socket(socket_path_, call_timeout_);
      if (!client_) throw api::TransportError("no client");
    } catch (const api::TransportError&) {
      if (!fall_back()) throw;
    }
  }
  return *client_;
}

nlohmann::json Transport::call(std::string_view method, const nlohmann::json& params) {
  for (;;) {
    api::Client& client = connected();
    try {
      nlohmann::json result = client.call(method, params);
      if (on_bus_) bus_confirmed_ = true;
      return result;
    } catch (const api::TransportError&) {
      if (!fall_back()) throw;
    }
  }
}

void Transport::subscribe() {
  for (;;) {
    api::Client& client = connected();
    try {
      client.subscribe();
      return;
    } catch (const api::TransportError&) {
      if (!fall_back()) throw;
    }
  }
}

std::optional<api::EventMessage> Transport::next_event(std::chrono::milliseconds timeout) {
  return connected().next_event(timeout);
}

std::unique_ptr<Transport> open_transport(const GlobalOptions& options, Connectors connectors) {
  const char* bus = std::getenv("DBUS_SESSION_BUS_ADDRESS");
  const TransportKind kind = choose_transport(options, bus != nullptr && *bus != '\0');
  std::filesystem::path socket_path;
  if (options.socket) {
    socket_path = *options.socket;
  } else if (kind != TransportKind::kBus) {
    try {
      socket_path = api::default_socket_path();
    } catch (const std::runtime_error& e) {
      if (kind == TransportKind::kSocket) throw api::TransportError(e.what());
      // kAuto without a socket location: the bus is the only way; say so if it fails.
      socket_path = "(no socket: " + std::string(e.what()) + ")";
    }
  }
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout_seconds * 1000.0));
  return std::make_unique<Transport>(kind, std::move(socket_path), timeout, std::move(connectors));
}

}  // namespace sotto::ctl
