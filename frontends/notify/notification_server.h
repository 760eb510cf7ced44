#pragma once

#include <sdbus-c++/IConnection.h>
#include <sdbus-c++/IProxy.h>
#include <sdbus-c++/Message.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "frontends/notify/bus_name_watch.h"
#include "frontends/notify/call_timeout.h"
#include "frontends/notify/event_loop.h"
#include "frontends/notify/notification_ports.h"
#include "lib/net/backoff.h"

namespace sotto::notify {

inline constexpr const char* kNotificationsName = "org.freedesktop.Notifications";
inline constexpr const char* kNotificationsPath = "/org/freedesktop/Notifications";
inline constexpr const char* kNotificationsInterface = "org.freedesktop.Notifications";

// The desktop's notification server (org.freedesktop.Notifications, the
// Desktop Notifications Specification 1.2) on the session bus, called
// asynchronously: GetCapabilities, Notify, CloseNotification; and its signals
// ActionInvoked, NotificationClosed and NotificationReplied, passed on to the
// NotificationEvents. The server may be absent, restart or be replaced at
// any time: each outage is logged once, capabilities are read again with
// backoff (0.5 s doubling to 30 s) and at once when the bus reports a new
// owner of the name, and the events hear on_server_lost() whenever the owner
// changes (popup ids are per server).
class DesktopNotifications final : public NotificationSink {
 public:
  DesktopNotifications(sdbus::IConnection& bus, EventLoop& loop);
  ~DesktopNotifications() override;
  DesktopNotifications(const DesktopNotifications&) = delete;
  DesktopNotifications& operator=(const DesktopNotifications&) = delete;

  // Who hears the server's signals (may be set after construction; must outlive this).
  void set_events(NotificationEvents* events) { events_ = events; }
  // Reads the capabilities for the first time.
  void start();

  bool available() const override { return available_; }
  bool has_capability(const std::string& name) const override;
  void notify(const NotificationRequest& request, Posted posted) override;
  void close(std::uint32_t id) override;

 private:
  void query_capabilities();
  void on_capabilities(const sdbus::Error* error, const std::vector<std::string>& capabilities);
  void on_owner_changed(const std::string& old_owner, const std::string& new_owner);
  void on_signal(sdbus::Message& message);
  void mark_unavailable(const std::string& reason);
  void schedule_retry();
  void make_proxy();

  sdbus::IConnection& bus_;
  EventLoop& loop_;
  NotificationEvents* events_ = nullptr;
  std::unique_ptr<sdbus::IProxy> proxy_;
  std::vector<std::string> capabilities_;
  bool available_ = false;
  bool query_in_flight_ = false;
  bool outage_logged_ = false;
  // A peer that is starting is usually up within a second; a long absence
  // then costs a retry every 30 s at most.
  net::Backoff backoff_{std::chrono::milliseconds(500), std::chrono::seconds(30)};
  std::optional<EventLoop::TimerId> retry_timer_;
  sdbus::Slot signal_slot_;
  std::unique_ptr<BusNameWatch> owner_watch_;
};

}  // namespace sotto::notify
