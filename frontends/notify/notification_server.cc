#include "frontends/notify/notification_server.h"

#include <sdbus-c++/Error.h>
#include <sdbus-c++/Types.h>

#include <algorithm>
#include <map>
#include <utility>

#include "frontends/notify/notify_log.h"

namespace sotto::notify {
namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += ',';
    out += w;
  }
  return out;
}

}  // namespace

DesktopNotifications::DesktopNotifications(sdbus::IConnection& bus, EventLoop& loop) : bus_(bus), loop_(loop) {
  make_proxy();
  // One match for the three signals; the message is read by hand, so a signal
  // of the wrong shape is dropped instead of throwing through sd-bus.
  signal_slot_ = bus_.addMatch(std::string("type='signal',sender='") + kNotificationsName + "',path='" +
                                   kNotificationsPath + "',interface='" + kNotificationsInterface + "'",
                               [this](sdbus::Message& message) { on_signal(message); });
  owner_watch_ = std::make_unique<BusNameWatch>(
      bus_, kNotificationsName,
      [this](const std::string& old_owner, const std::string& new_owner) { on_owner_changed(old_owner, new_owner); });
}

DesktopNotifications::~DesktopNotifications() {
  if (retry_timer_) loop_.cancel(*retry_timer_);
}

void DesktopNotifications::make_proxy() {
  // Replacing the proxy drops the calls still pending on the old one; their
  // answers would describe a server that is gone.
  proxy_ = sdbus::createProxy(bus_, kNotificationsName, kNotificationsPath);
  proxy_->finishRegistration();
  query_in_flight_ = false;
}

void DesktopNotifications::start() { query_capabilities(); }

bool DesktopNotifications::has_capability(const std::string& name) const {
  return std::find(capabilities_.begin(), capabilities_.end(), name) != capabilities_.end();
}

void DesktopNotifications::query_capabilities() {
  if (query_in_flight_) return;
  if (retry_timer_) {
    loop_.cancel(*retry_timer_);
    retry_timer_.reset();
  }
  query_in_flight_ = true;
  try {
    proxy_->callMethodAsync("GetCapabilities")
        .onInterface(kNotificationsInterface)
        .withTimeout(kCallTimeout)
        .uponReplyInvoke([this](const sdbus::Error* error, std::vector<std::string> capabilities) {
          on_capabilities(error, capabilities);
        });
  } catch (const sdbus::Error& e) {
    query_in_flight_ = false;
    mark_unavailable(e.getName());
    schedule_retry();
  }
}

void DesktopNotifications::on_capabilities(const sdbus::Error* error, const std::vector<std::string>& capabilities) {
  query_in_flight_ = false;
  if (error != nullptr) {
    mark_unavailable(error->getName());
    schedule_retry();
    return;
  }
  capabilities_ = capabilities;
  available_ = true;
  outage_logged_ = false;
  backoff_.reset();
  log_event("notification_server_ready", {{"capabilities", joined(capabilities_)}});
}

void DesktopNotifications::mark_unavailable(const std::string& reason) {
  available_ = false;
  if (outage_logged_) return;  // one line per outage, not one per retry
  outage_logged_ = true;
  log_warning("notification_server_unavailable", {{"error", reason}});
}

void DesktopNotifications::schedule_retry() {
  if (retry_timer_) return;
  retry_timer_ = loop_.call_after(backoff_.next(), [this] {
    retry_timer_.reset();
    query_capabilities();
  });
}

void DesktopNotifications::on_owner_changed(const std::string& old_owner, const std::string& new_owner) {
  available_ = false;
  capabilities_.clear();
  make_proxy();
  if (!old_owner.empty()) {
    log_event("notification_server_left");
    outage_logged_ = new_owner.empty();  // the line above is this outage's line
    if (events_ != nullptr) events_->on_server_lost();
  }
  if (new_owner.empty()) {
    schedule_retry();
    return;
  }
  log_event("notification_server_appeared");
  backoff_.reset();
  query_capabilities();
}

void DesktopNotifications::notify(const NotificationRequest& request, Posted posted) {
  const std::map<std::string, sdbus::Variant> hints{{"category", sdbus::Variant(request.category)},
                                                    {"urgency", sdbus::Variant(request.urgency)}};
  try {
    proxy_->callMethodAsync("Notify")
        .onInterface(kNotificationsInterface)
        .withTimeout(kCallTimeout)
        .withArguments(request.app_name, request.replaces_id, request.app_icon, request.summary, request.body,
                       request.actions, hints, request.expire_timeout_ms)
        .uponReplyInvoke([this, posted](const sdbus::Error* error, std::uint32_t id) {
          if (error == nullptr) {
            posted(id);
            return;
          }
          // The error's name only: a server's message might quote the popup.
          log_warning("notify_failed", {{"error", error->getName()}});
          if (error->getName() == "org.freedesktop.DBus.Error.ServiceUnknown" ||
              error->getName() == "org.freedesktop.DBus.Error.NameHasNoOwner") {
            mark_unavailable(error->getName());
            schedule_retry();
          }
          posted(std::nullopt);
        });
  } catch (const sdbus::Error& e) {
    log_warning("notify_failed", {{"error", e.getName()}});
    // Keep "exactly once, later": never call back from inside notify().
    loop_.call_after(std::chrono::milliseconds(0), [posted] { posted(std::nullopt); });
  }
}

void DesktopNotifications::close(std::uint32_t id) {
  try {
    proxy_->callMethodAsync("CloseNotification")
        .onInterface(kNotificationsInterface)
        .withTimeout(kCallTimeout)
        .withArguments(id)
        .uponReplyInvoke([](const sdbus::Error* error) {
          if (error != nullptr) log_warning("close_failed", {{"error", error->getName()}});
        });
  } catch (const sdbus::Error& e) {
    log_warning("close_failed", {{"error", e.getName()}});
  }
}

void DesktopNotifications::on_signal(sdbus::Message& message) {
  if (events_ == nullptr) return;
  const std::string member = message.getMemberName();
  try {
    std::uint32_t id = 0;
    message >> id;
    if (member == "ActionInvoked") {
      std::string key;
      message >> key;
      events_->on_action(id, key);
    } else if (member == "NotificationClosed") {
      std::uint32_t reason = 0;
      message >> reason;
      events_->on_closed(id);
    } else if (member == "NotificationReplied") {
      std::string text;
      message >> text;
      events_->on_replied(id, text);
    }
  } catch (const sdbus::Error&) {
    // A signal of the wrong shape: not from a server that follows the spec; dropped.
  }
}

}  // namespace sotto::notify
