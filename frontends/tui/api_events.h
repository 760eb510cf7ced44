#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "frontends/tui/chat_events.h"
#include "lib/api/client.h"

namespace sotto::tui {

// msgd's JSON (docs/local-api.md) as the model's events. A member missing or
// of the wrong type reads as empty/0/false: a confused msgd shows odd rows,
// never crashes msg-tui.
MessageData message_from_json(const nlohmann::json& object);
std::vector<MessageData> messages_from_json(const nlohmann::json& list);
std::vector<ContactData> contacts_from_json(const nlohmann::json& list);
// A group object; an id that is not 32 lower-case hex digits leaves id empty
// (the caller drops it: a conversation's peer is built from the id).
GroupData group_from_json(const nlohmann::json& object);
std::vector<GroupData> groups_from_json(const nlohmann::json& list);
std::vector<std::pair<std::string, bool>> presence_from_json(const nlohmann::json& list);
DaemonUp daemon_up_from_status(const nlohmann::json& status, std::string via);
FingerprintReady fingerprint_from_json(const std::string& peer, const nlohmann::json& object);

// The peer msgd's methods take for a conversation: a group's "#<id>" (how
// messages name it) becomes "@<id>" (how history, mark_read and export take
// it); a username stays as it is.
std::string api_peer(const std::string& peer);

// An event msgd pushed (MessageReceived, DeliveryChanged, ConnectionChanged,
// IdentityChanged, GroupChanged); nullopt for one msg-tui does not show.
// now_ms: the time a GroupChanged is stamped with (msgd's event has none).
std::optional<Event> event_from_api(const api::EventMessage& event, std::int64_t now_ms = 0);

}  // namespace sotto::tui
