#pragma once

#include <sdbus-c++/IConnection.h>
#include <sdbus-c++/Types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "frontends/notify/bus_name_watch.h"
#include "frontends/notify/event_loop.h"
#include "frontends/notify/notification_ports.h"
#include "lib/net/backoff.h"

namespace sotto::notify {

// msgd on the session bus, through the proxy generated from
// org.sotto.Messenger1.xml: listens to MessageReceived, and calls MarkRead and
// Send for the popups' actions (asynchronously, each with kCallTimeout).
//
// msgd may be absent, restart or be started by D-Bus activation: the watch
// pings it (which also activates it) until it answers, backing off from 0.5 s
// to 30 s and logging each outage once; when the bus reports a new owner of
// org.sotto.Messenger1 it subscribes again at once with a fresh proxy.
class MessengerWatch final : public MessengerCommands {
 public:
  using MessageHandler = std::function<void(const IncomingMessage&)>;

  // on_message: each incoming message; on_subscribed: each time msgd answers
  // after an outage (and the first time).
  MessengerWatch(sdbus::IConnection& bus, EventLoop& loop, MessageHandler on_message,
                 std::function<void()> on_subscribed);
  ~MessengerWatch() override;
  MessengerWatch(const MessengerWatch&) = delete;
  MessengerWatch& operator=(const MessengerWatch&) = delete;

  void start();

  void mark_read(const std::string& peer) override;
  void send(const std::string& peer, const std::string& text) override;

 private:
  class Proxy;

  void subscribe();
  void ping();
  void on_ping(const sdbus::Error* error);
  void on_owner_changed(const std::string& old_owner, const std::string& new_owner);
  void on_signal_data(const std::map<std::string, sdbus::Variant>& data);
  void schedule_retry();

  sdbus::IConnection& bus_;
  EventLoop& loop_;
  MessageHandler on_message_;
  std::function<void()> on_subscribed_;
  std::unique_ptr<Proxy> proxy_;
  bool subscribed_ = false;
  bool ping_in_flight_ = false;
  bool outage_logged_ = false;
  // A peer that is starting is usually up within a second; a long absence
  // then costs a retry every 30 s at most.
  net::Backoff backoff_{std::chrono::milliseconds(500), std::chrono::seconds(30)};
  std::optional<EventLoop::TimerId> retry_timer_;
  std::unique_ptr<BusNameWatch> owner_watch_;
};

// The fields of a MessageReceived signal's data (a message object,
// docs/local-api.md) a popup needs; nullopt for an outgoing message or one
// that lacks them or names an invalid peer (logged, never shown). A group
// message (peer "#<id>") becomes peer "@<id>", its sender, and group "#ops"
// (the first 8 hex digits of the id when msgd sent no name).
std::optional<IncomingMessage> incoming_message_from(const std::map<std::string, sdbus::Variant>& data);

}  // namespace sotto::notify
