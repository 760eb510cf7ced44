#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "lib/api/client.h"

namespace sotto::ctl {

struct GlobalOptions;

enum class TransportKind {
  kSocket,  // --socket, or no session bus
  kBus,     // --bus
  kAuto,    // a session bus is there: try it, fall back to the default socket
};

// --socket → socket; --bus → D-Bus; neither → D-Bus when a session bus is
// announced (DBUS_SESSION_BUS_ADDRESS), else the socket.
TransportKind choose_transport(const GlobalOptions& options, bool session_bus_announced);

// How to open each transport; the real ones are api::connect_socket and
// api::connect_dbus, tests may point them elsewhere.
struct Connectors {
  std::function<std::unique_ptr<api::Client>(const std::filesystem::path&, std::chrono::milliseconds)> socket;
  std::function<std::unique_ptr<api::Client>(std::chrono::milliseconds)> dbus;
};
Connectors real_connectors();

// The client msgctl's commands use: connects on first use, and in kAuto mode
// falls back from D-Bus to the socket when the bus has no msgd (until a call
// over the bus has succeeded once). target() names what was tried, for the
// "msgd is not running" message.
class Transport final : public api::Client {
 public:
  // socket_path: the socket for kSocket and the fallback of kAuto.
  Transport(TransportKind kind, std::filesystem::path socket_path, std::chrono::milliseconds call_timeout,
            Connectors connectors);

  nlohmann::json call(std::string_view method, const nlohmann::json& params) override;
  void subscribe() override;
  std::optional<api::EventMessage> next_event(std::chrono::milliseconds timeout) override;

  std::string target() const;
  // Drops the connection; the next call connects afresh (from the bus again in kAuto).
  void reset();

 private:
  api::Client& connected();
  bool fall_back();

  TransportKind kind_;
  std::filesystem::path socket_path_;
  std::chrono::milliseconds call_timeout_;
  Connectors connectors_;
  std::unique_ptr<api::Client> client_;
  bool on_bus_;
  bool bus_confirmed_ = false;
  bool fell_back_ = false;
};

// The Transport for the global options; resolves the default socket path
// (throws api::TransportError when there is no place for it).
std::unique_ptr<Transport> open_transport(const GlobalOptions& options, Connectors connectors);

}  // namespace sotto::ctl
