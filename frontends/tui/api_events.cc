#include "frontends/tui/api_events.h"

#include <cstdint>
#include <sstream>

namespace sotto::tui {
namespace {

using nlohmann::json;

std::string string_of(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t int_of(const json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

bool bool_of(const json& object, const char* key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

MessageData message_from_json(const json& object) {
  MessageData m;
  m.id = string_of(object, "id");
  m.peer = string_of(object, "peer");
  m.outgoing = string_of(object, "direction") == "out";
  m.sender = string_of(object, "sender");
  m.text = string_of(object, "text");
  m.sent_at = int_of(object, "sent_at");
  m.received_at = int_of(object, "received_at");
  m.state = string_of(object, "state");
  m.identity_warning = bool_of(object, "identity_warning");
  m.is_file = string_of(object, "kind") == "file";
  if (object.is_object() && object.contains("group")) m.group_name = string_of(object["group"], "name");
  if (m.is_file && object.contains("file")) {
    const json& file = object["file"];
    m.file_name = string_of(file, "name");
    if (file.is_object() && file.contains("size") && file["size"].is_number_integer())
      m.file_size = int_of(file, "size");
  }
  return m;
}

std::string api_peer(const std::string& peer) {
  if (!peer.empty() && peer.front() == '#') return "@" + peer.substr(1);
  return peer;
}

std::vector<MessageData> messages_from_json(const json& list) {
  std::vector<MessageData> out;
  if (!list.is_array()) return out;
  out.reserve(list.size());
  for (const auto& item : list) out.push_back(message_from_json(item));
  return out;
}

std::vector<ContactData> contacts_from_json(const json& list) {
  std::vector<ContactData> out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    ContactData c;
    c.username = string_of(item, "username");
    c.trust = string_of(item, "trust");
    c.identity_changed = bool_of(item, "identity_changed");
    if (!c.username.empty()) out.push_back(std::move(c));
  }
  return out;
}

GroupData group_from_json(const json& object) {
  GroupData g;
  g.id = string_of(object, "id");
  // The id becomes a conversation's peer and msgd's "@<id>": nothing else gets that far.
  if (g.id.size() != 32 || g.id.find_first_not_of("0123456789abcdef") != std::string::npos) g.id.clear();
  g.name = string_of(object, "name");
  g.epoch = int_of(object, "epoch");
  g.status = string_of(object, "status");
  if (object.is_object() && object.contains("members") && object["members"].is_array()) {
    for (const auto& member : object["members"]) {
      if (member.is_string()) g.members.push_back(member.get<std::string>());
    }
  }
  return g;
}

std::vector<GroupData> groups_from_json(const json& list) {
  std::vector<GroupData> out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    GroupData g = group_from_json(item);
    if (!g.id.empty()) out.push_back(std::move(g));
  }
  return out;
}

std::vector<std::pair<std::string, bool>> presence_from_json(const json& list) {
  std::vector<std::pair<std::string, bool>> out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    const std::string name = string_of(item, "username");
    if (!name.empty()) out.emplace_back(name, bool_of(item, "online"));
  }
  return out;
}

DaemonUp daemon_up_from_status(const json& status, std::string via) {
  DaemonUp up;
  up.username = string_of(status, "username");
  up.relay_connected = bool_of(status, "connected");
  up.relay = string_of(status, "relay");
  up.via = std::move(via);
  return up;
}

FingerprintReady fingerprint_from_json(const std::string& peer, const json& object) {
  FingerprintReady f;
  f.peer = peer;
  f.trust = string_of(object, "trust");
  std::istringstream lines(string_of(object, "lines"));
  for (std::string line; std::getline(lines, line);) f.lines.push_back(line);
  if (f.lines.empty()) f.lines.push_back(string_of(object, "grouped"));
  return f;
}

std::optional<Event> event_from_api(const api::EventMessage& event, std::int64_t now_ms) {
  const json& d = event.data;
  if (event.name == "MessageReceived") {
    MessageData m = message_from_json(d);
    if (m.peer.empty()) return std::nullopt;
    return MessageReceived{std::move(m)};
  }
  if (event.name == "DeliveryChanged") {
    return DeliveryChanged{string_of(d, "id"), string_of(d, "peer"), string_of(d, "state")};
  }
  if (event.name == "ConnectionChanged") return RelayChanged{bool_of(d, "connected"), string_of(d, "relay")};
  if (event.name == "IdentityChanged") {
    const std::string peer = string_of(d, "peer");
    if (peer.empty()) return std::nullopt;
    return IdentityChanged{peer};
  }
  if (event.name == "GroupChanged") {
    GroupData g = group_from_json(d);
    if (g.id.empty()) return std::nullopt;
    return GroupChanged{std::move(g), string_of(d, "by"), now_ms};
  }
  return std::nullopt;
}

}  // namespace sotto::tui
