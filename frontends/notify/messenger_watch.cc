#include "frontends/notify/messenger_watch.h"

#include <sdbus-c++/Error.h>
#include <sdbus-c++/ProxyInterfaces.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "frontends/notify/call_timeout.h"
#include "frontends/notify/notify_log.h"
#include "lib/api/dbus/dbus_names.h"
#include "lib/api/dbus/variant_conversion.h"
#include "lib/wire/username.h"
#include "messenger1_proxy.h"

namespace sotto::notify {

// The generated proxy: its constructor subscribes to msgd's signals (match
// rules on the bus), its destructor unsubscribes and drops pending calls.
class MessengerWatch::Proxy final : public sdbus::ProxyInterfaces<org::sotto::Messenger1_proxy> {
 public:
  Proxy(sdbus::IConnection& bus, std::function<void(const std::map<std::string, sdbus::Variant>&)> on_message)
      : ProxyInterfaces(bus, std::string(api::kDbusBusName), std::string(api::kDbusObjectPath)),
        on_message_(std::move(on_message)) {
    registerProxy();
  }
  ~Proxy() { unregisterProxy(); }
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  sdbus::IProxy& proxy() { return getProxy(); }

 private:
  void onMessageReceived(const std::map<std::string, sdbus::Variant>& data) override { on_message_(data); }
  void onDeliveryChanged(const std::map<std::string, sdbus::Variant>&) override {}
  void onConnectionChanged(const std::map<std::string, sdbus::Variant>&) override {}
  void onIdentityChanged(const std::map<std::string, sdbus::Variant>&) override {}
  // A file message pops up through MessageReceived like any other; its
  // transfer's progress is msgctl's and msg-tui's to show.
  void onTransferProgress(const std::map<std::string, sdbus::Variant>&) override {}
  void onFileReceived(const std::map<std::string, sdbus::Variant>&) override {}
  // Group messages pop up through MessageReceived; a change of membership
  // is shown where the group is (msgctl watch, msg-tui).
  void onGroupChanged(const std::map<std::string, sdbus::Variant>&) override {}

  std::function<void(const std::map<std::string, sdbus::Variant>&)> on_message_;
};

namespace {

// A group conversation's peer is "#" and the group's id, 32 lower-case hex
// digits; the id without the "#", or nullopt for anything else.
std::optional<std::string> group_id_of(const std::string& peer) {
  if (peer.size() != 33 || peer[0] != '#') return std::nullopt;
  for (std::size_t i = 1; i < peer.size(); ++i) {
    const char c = peer[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return peer.substr(1);
}

}  // namespace

std::optional<IncomingMessage> incoming_message_from(const std::map<std::string, sdbus::Variant>& data) {
  nlohmann::json message;
  try {
    message = api::to_json(data);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const auto text_field = [&](const char* key) -> std::optional<std::string> {
    const auto it = message.find(key);
    if (it == message.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  const auto direction = text_field("direction");
  if (direction && *direction != "in") return std::nullopt;
  auto peer = text_field("peer");
  auto text = text_field("text");
  const bool is_file = text_field("kind") == "file";
  // A file message's text is its caption, which msgd may leave out when empty.
  if (!peer || (!text && !is_file)) return std::nullopt;
  IncomingMessage out;
  // The peer becomes a popup's title, a log field and an argument of
  // reply_command: only a valid username, or a group's id, gets that far.
  if (const std::optional<std::string> group_id = group_id_of(*peer)) {
    // A group conversation is "@<id>" for MarkRead, GroupSend and msgctl alike.
    out.peer = "@" + *group_id;
    // Someone wrote it: a group message without a valid sender is malformed.
    const wire::UsernameResult sender = wire::canonical_username(text_field("sender").value_or(""));
    if (!sender) return std::nullopt;
    out.sender = sender.value();
    std::string name;
    const auto group = message.find("group");
    if (group != message.end() && group->is_object()) {
      const auto it = group->find("name");
      if (it != group->end() && it->is_string()) name = it->get<std::string>();
    }
    out.group = "#" + (name.empty() ? group_id->substr(0, 8) : name);
  } else {
    const wire::UsernameResult canonical = wire::canonical_username(*peer);
    if (!canonical) return std::nullopt;
    out.peer = canonical.value();
    const wire::UsernameResult sender = wire::canonical_username(text_field("sender").value_or(out.peer));
    out.sender = sender ? sender.value() : out.peer;
  }
  out.id = text_field("id").value_or("");
  out.text = text.value_or("");
  if (is_file) {
    FileSummary file;
    const auto it = message.find("file");
    if (it != message.end() && it->is_object()) {
      const auto name = it->find("name");
      if (name != it->end() && name->is_string()) file.name = name->get<std::string>();
      const auto size = it->find("size");
      if (size != it->end() && size->is_number_integer() &&
          (!size->is_number_unsigned() || size->get<std::uint64_t>() <= INT64_MAX)) {
        file.size = size->get<std::int64_t>();
      }
    }
    out.file = std::move(file);
  }
  return out;
}

MessengerWatch::MessengerWatch(sdbus::IConnection& bus, EventLoop& loop, MessageHandler on_message,
                               std::function<void()> on_subscribed)
    : bus_(bus), loop_(loop), on_message_(std::move(on_message)), on_subscribed_(std::move(on_subscribed)) {
  owner_watch_ = std::make_unique<BusNameWatch>(
      bus_, std::string(api::kDbusBusName),
      [this](const std::string& old_owner, const std::string& new_owner) { on_owner_changed(old_owner, new_owner); });
}

MessengerWatch::~MessengerWatch() {
  if (retry_timer_) loop_.cancel(*retry_timer_);
}

void MessengerWatch::start() { subscribe(); }

void MessengerWatch::subscribe() {
  // A fresh proxy: new match rules, and no answer pending from an msgd that left.
  proxy_.reset();
  ping_in_flight_ = false;
  try {
    proxy_ = std::make_unique<Proxy>(
        bus_, [this](const std::map<std::string, sdbus::Variant>& data) { on_signal_data(data); });
  } catch (const sdbus::Error& e) {
    log_warning("msgd_subscribe_failed", {{"error", e.getName()}});
    schedule_retry();
    return;
  }
  ping();
}

void MessengerWatch::ping() {
  if (ping_in_flight_ || !proxy_) return;
  if (retry_timer_) {
    loop_.cancel(*retry_timer_);
    retry_timer_.reset();
  }
  ping_in_flight_ = true;
  try {
    // The matches are in place before msgd is asked, so nothing sent after
    // its answer is missed; asking also starts msgd where D-Bus activates it.
    proxy_->proxy()
        .callMethodAsync("Ping")
        .onInterface("org.freedesktop.DBus.Peer")
        .withTimeout(kCallTimeout)
        .uponReplyInvoke([this](const sdbus::Error* error) { on_ping(error); });
  } catch (const sdbus::Error& e) {
    ping_in_flight_ = false;
    on_ping(&e);
  }
}

void MessengerWatch::on_ping(const sdbus::Error* error) {
  ping_in_flight_ = false;
  if (error != nullptr) {
    subscribed_ = false;
    if (!outage_logged_) {
      outage_logged_ = true;
      log_warning("msgd_unavailable", {{"error", error->getName()}});
    }
    schedule_retry();
    return;
  }
  outage_logged_ = false;
  backoff_.reset();
  if (subscribed_) return;
  subscribed_ = true;
  log_event("msgd_subscribed");
  if (on_subscribed_) on_subscribed_();
}

void MessengerWatch::schedule_retry() {
  if (retry_timer_) return;
  retry_timer_ = loop_.call_after(backoff_.next(), [this] {
    retry_timer_.reset();
    if (proxy_) {
      ping();
    } else {
      subscribe();
    }
  });
}

void MessengerWatch::on_owner_changed(const std::string& old_owner, const std::string& new_owner) {
  if (!old_owner.empty()) {
    subscribed_ = false;
    log_event("msgd_left");
    outage_logged_ = new_owner.empty();  // the line above is this outage's line
  }
  if (new_owner.empty()) {
    schedule_retry();
    return;
  }
  log_event("msgd_appeared");
  backoff_.reset();
  if (retry_timer_) {
    loop_.cancel(*retry_timer_);
    retry_timer_.reset();
  }
  subscribe();
}

void MessengerWatch::on_signal_data(const std::map<std::string, sdbus::Variant>& data) {
  const std::optional<IncomingMessage> message = incoming_message_from(data);
  if (!message) {
    // Outgoing copies are normal; anything else is malformed. Neither is shown.
    return;
  }
  try {
    on_message_(*message);
  } catch (const std::exception& e) {
    log_warning("message_not_handled", {{"peer", message->peer}, {"error", e.what()}});
  }
}

namespace {

// Calls one of msgd's methods about a peer without waiting for it, and logs
// how it ended: ok_event, or failed_event with the D-Bus error's name only
// (msgd's message could quote the text).
template <typename... Args>
void call_and_log(sdbus::IProxy& proxy, const char* method, const std::string& peer, const char* ok_event,
                  const char* failed_event, const Args&... args) {
  try {
    proxy.callMethodAsync(method)
        .onInterface(org::sotto::Messenger1_proxy::INTERFACE_NAME)
        .withTimeout(kCallTimeout)
        .withArguments(args...)
        .uponReplyInvoke(
            [peer, ok_event, failed_event](const sdbus::Error* error, const std::map<std::string, sdbus::Variant>&) {
              if (error != nullptr) {
                log_warning(failed_event, {{"peer", peer}, {"error", error->getName()}});
              } else {
                log_event(ok_event, {{"peer", peer}});
              }
            });
  } catch (const sdbus::Error& e) {
    log_warning(failed_event, {{"peer", peer}, {"error", e.getName()}});
  }
}

}  // namespace

void MessengerWatch::mark_read(const std::string& peer) {
  if (!proxy_) return;
  call_and_log(proxy_->proxy(), "MarkRead", peer, "marked_read", "mark_read_failed", peer);
}

void MessengerWatch::send(const std::string& peer, const std::string& text) {
  if (!proxy_) return;
  std::string checked;
  try {
    checked = api::to_dbus_string(text);
  } catch (const std::invalid_argument&) {
    log_warning("reply_failed", {{"peer", peer}, {"error", "the reply is not UTF-8 text"}});
    return;
  }
  // "@<id>" is a group conversation (incoming_message_from): msgd resolves it.
  const char* method = !peer.empty() && peer.front() == '@' ? "GroupSend" : "Send";
  call_and_log(proxy_->proxy(), method, peer, "reply_sent", "reply_failed", peer, checked);
}

}  // namespace sotto::notify
