#include "frontends/notify/notifier.h"

#include <algorithm>

#include "frontends/notify/notification_text.h"
#include "frontends/notify/notify_log.h"

namespace sotto::notify {
namespace {

constexpr std::string_view kPeerPlaceholder = "{peer}";

}  // namespace

Notifier::Notifier(const NotifyConfig& config, NotificationSink& sink, MessengerCommands& messenger,
                   CommandLauncher& launcher)
    : config_(config), sink_(sink), messenger_(messenger), launcher_(launcher) {}

bool Notifier::is_muted(const IncomingMessage& message) const {
  const auto listed = [&](const std::string& name) {
    return std::find(config_.muted.begin(), config_.muted.end(), name) != config_.muted.end();
  };
  return listed(message.peer) || listed(message.sender);
}

void Notifier::on_message(const IncomingMessage& message) {
  if (config_.do_not_disturb) {
    log_event("notification_suppressed", {{"peer", message.peer}, {"reason", "do_not_disturb"}});
    return;
  }
  if (is_muted(message)) {
    log_event("notification_suppressed", {{"peer", message.peer}, {"reason", "muted"}});
    return;
  }
  if (!sink_.available()) {
    // msgd's inbox keeps the message; a popup for it later would be stale.
    log_warning("notification_skipped", {{"peer", message.peer}, {"reason", "no_server"}});
    return;
  }
  auto [it, created] = popups_.try_emplace(message.peer);
  Popup& popup = it->second;
  if (created) popup.generation = next_generation_++;
  ++popup.count;
  popup.sender = message.sender.empty() ? message.peer : message.sender;
  popup.group = message.group;
  popup.latest_text = config_.privacy ? std::string() : message.text;
  popup.latest_file = config_.privacy ? std::nullopt : message.file;
  if (popup.in_flight) {
    // The answer to the Notify in flight brings the id to replace; post then.
    popup.stale = true;
    return;
  }
  post(message.peer, popup);
}

NotificationRequest Notifier::request_for(const Popup& popup) const {
  const NotificationText text = compose_text(popup.sender, popup.latest_text, popup.count, config_.privacy,
                                             sink_.has_capability("body-markup"), popup.latest_file, popup.group);
  NotificationRequest request;
  request.replaces_id = popup.id;
  request.app_name = kAppName;
  request.app_icon = kAppIcon;
  request.summary = text.summary;
  request.body = text.body;
  request.actions = actions();
  request.category = kCategory;
  request.urgency = kUrgencyNormal;
  request.expire_timeout_ms = config_.timeout ? static_cast<std::int32_t>(config_.timeout->count()) : -1;
  return request;
}

std::vector<std::string> Notifier::actions() const {
  std::vector<std::string> out;
  // Without the capability a server may ignore actions, or show buttons that
  // do nothing useful; offer none.
  if (!sink_.has_capability("actions")) return out;
  out.insert(out.end(), {std::string(kDefaultAction), "Mark as read"});
  if (sink_.has_capability("inline-reply")) {
    out.insert(out.end(), {std::string(kInlineReplyAction), "Reply"});
  } else if (!config_.reply_command.empty()) {
    out.insert(out.end(), {std::string(kReplyAction), "Reply"});
  }
  return out;
}

void Notifier::post(const std::string& peer, Popup& popup) {
  popup.in_flight = true;
  popup.stale = false;
  const std::uint64_t generation = popup.generation;
  sink_.notify(request_for(popup),
               [this, peer, generation](std::optional<std::uint32_t> id) { on_posted(peer, generation, id); });
}

void Notifier::on_posted(const std::string& peer, std::uint64_t generation, std::optional<std::uint32_t> id) {
  const auto it = popups_.find(peer);
  if (it == popups_.end() || it->second.generation != generation) return;  // forgotten meanwhile
  Popup& popup = it->second;
  popup.in_flight = false;
  if (!id || *id == 0) {
    log_warning("notification_failed", {{"peer", peer}});
    popups_.erase(it);
    return;
  }
  const bool replaced = popup.id == *id;
  if (popup.id != 0 && !replaced) peers_by_id_.erase(popup.id);  // the server made a new popup instead
  popup.id = *id;
  peers_by_id_[*id] = peer;
  const std::string id_text = std::to_string(*id);
  const std::string count_text = std::to_string(popup.count);
  log_event("notification_posted",
            {{"peer", peer}, {"id", id_text}, {"count", count_text}, {"replaced", replaced ? "yes" : "no"}});
  if (popup.stale) post(peer, popup);
}

const std::string* Notifier::peer_of(std::uint32_t id) const {
  const auto it = peers_by_id_.find(id);
  return it == peers_by_id_.end() ? nullptr : &it->second;
}

void Notifier::on_action(std::uint32_t id, const std::string& action_key) {
  // Servers may broadcast actions of other programs' popups: not ours, not our business.
  const std::string* found = peer_of(id);
  if (found == nullptr) return;
  const std::string peer = *found;
  if (action_key == kDefaultAction) {
    log_event("action_invoked", {{"peer", peer}, {"action", "default"}});
    messenger_.mark_read(peer);
    // Read now, so the popup has done its job (most servers close it
    // themselves after an action; dunst does not when asked by dunstctl).
    sink_.close(id);
    // Read now: a later message starts counting afresh in the same popup.
    if (auto it = popups_.find(peer); it != popups_.end()) it->second.count = 0;
  } else if (action_key == kReplyAction && !config_.reply_command.empty()) {
    log_event("action_invoked", {{"peer", peer}, {"action", "reply"}});
    launcher_.launch(reply_argv(config_.reply_command, peer));
  }
  // Any other key (inline-reply is answered by NotificationReplied) is ignored.
}

void Notifier::on_replied(std::uint32_t id, const std::string& text) {
  const std::string* found = peer_of(id);
  if (found == nullptr) return;
  const std::string peer = *found;
  log_event("reply_received", {{"peer", peer}});
  messenger_.send(peer, text);
  // Answering is reading.
  messenger_.mark_read(peer);
  if (auto it = popups_.find(peer); it != popups_.end()) it->second.count = 0;
}

void Notifier::on_closed(std::uint32_t id) {
  const auto by_id = peers_by_id_.find(id);
  if (by_id == peers_by_id_.end()) return;
  const std::string peer = by_id->second;
  peers_by_id_.erase(by_id);
  const auto it = popups_.find(peer);
  if (it == popups_.end() || it->second.id != id) return;
  log_event("notification_closed", {{"peer", peer}, {"id", std::to_string(id)}});
  if (it->second.in_flight) {
    // A replacement is on its way for a popup that is gone: the server will
    // make a new one; keep the entry so that answer finds it.
    it->second.id = 0;
    return;
  }
  popups_.erase(it);
}

void Notifier::on_server_lost() {
  if (!popups_.empty()) log_event("notifications_forgotten", {{"count", std::to_string(popups_.size())}});
  popups_.clear();
  peers_by_id_.clear();
}

std::uint32_t Notifier::popup_id(const std::string& peer) const {
  const auto it = popups_.find(peer);
  return it == popups_.end() ? 0 : it->second.id;
}

int Notifier::popup_count(const std::string& peer) const {
  const auto it = popups_.find(peer);
  return it == popups_.end() ? 0 : it->second.count;
}

std::vector<std::string> Notifier::reply_argv(const std::vector<std::string>& command, const std::string& peer) {
  std::vector<std::string> argv;
  argv.reserve(command.size());
  for (const std::string& word : command) {
    std::string out;
    std::size_t from = 0;
    for (std::size_t at = word.find(kPeerPlaceholder); at != std::string::npos;
         at = word.find(kPeerPlaceholder, from)) {
      out.append(word, from, at - from);
      out += peer;
      from = at + kPeerPlaceholder.size();
    }
    out.append(word, from, std::string::npos);
    argv.push_back(std::move(out));
  }
  return argv;
}

}  // namespace sotto::notify
