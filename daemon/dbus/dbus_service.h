#pragma once

#include <sdbus-c++/IConnection.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/dbus/dbus_event_loop.h"
#include "lib/api/handler.h"
#include "lib/net/asio.h"

namespace sotto::msgd {

// msgd on the session bus: serves org.sotto.Messenger1 at /org/sotto/Messenger1
// through the adaptor generated from lib/api/org.sotto.Messenger1.xml. Each
// D-Bus method call becomes handler.call() with the table's named params;
// the reply goes out when the handler completes (later, after relay round
// trips, without blocking the I/O thread). Events become signals.
//
// Runs entirely on io's thread (the one msgd runs): call start(), stop() and
// publish() there.
class DbusService : public api::EventSink {
 public:
  // connection: a session bus connection (sdbus::createSessionBusConnection()),
  // driven by this service from io; handler must outlive the service.
  DbusService(net::asio::io_context& io, std::unique_ptr<sdbus::IConnection> connection, api::Handler& handler);
  ~DbusService() override;
  DbusService(const DbusService&) = delete;
  DbusService& operator=(const DbusService&) = delete;

  // Registers the object, then claims org.sotto.Messenger1 without queueing.
  // Throws std::runtime_error("another msgd already owns org.sotto.Messenger1
  // on this session bus") if the name is taken, or naming what else failed.
  void start();
  // Unregisters the object and gives up the name; replies completed later are dropped.
  void stop();
  // Emits the signal of that event (event_table()) with data as a{sv}.
  // Throws std::invalid_argument for an event not in the table or data that
  // is not a JSON object.
  void publish(std::string_view event, const nlohmann::json& data) override;

  // Called (on the I/O thread) when the bus connection breaks: msgd has then
  // lost its D-Bus side and should say so and exit.
  void on_disconnected(std::function<void(const std::string& reason)> callback);

  std::string unique_name() const;  // this connection's ":1.N" on the bus

 private:
  class Adaptor;

  std::unique_ptr<sdbus::IConnection> connection_;
  api::Handler& handler_;
  std::function<void(const std::string&)> on_disconnected_;
  DbusEventLoop loop_;
  std::unique_ptr<Adaptor> adaptor_;
  bool owns_name_ = false;
};

}  // namespace sotto::msgd
