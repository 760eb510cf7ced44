#pragma once

#include <cstdint>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "lib/api/client.h"

namespace sotto::ctl {

// Human renderings of msgd's result objects (docs/local-api.md). They never
// throw on a missing or mistyped member (msgd may be newer than msgctl): what
// is missing shows as empty. Text from msgd passes through printable().
// Times are local time.

enum class TimeFormat {
  kDateMinute,  // 2026-11-24 12:03
  kTime,        // 12:03:04
  kDate,        // 2026-11-24
};
std::string format_timestamp(std::int64_t ms_since_epoch, TimeFormat format);

// "✓" sent, "✓✓" delivered, "✓✓ read", "… queued", "✗ failed"; "new" for unread incoming.
std::string state_mark(std::string_view direction, std::string_view state);

// A listing (history, inbox): "[2026-11-24 12:03] alice → bob: hi ✓✓", the
// "from → to" column aligned; `self` names our side of incoming messages.
std::string format_messages(const nlohmann::json& messages, std::string_view self, std::string_view when_empty);

// The text column of a message: its text, or for a file message (kind
// "file") "[file] report.pdf (2.1 MB)" and " — caption" when it has one.
// The file name is another person's choice: printable, on one line, and cut
// to kMaxFileNameColumns.
inline constexpr std::size_t kMaxFileNameColumns = 80;
std::string message_text(const nlohmann::json& message);

// `files`: ID, DIR, PEER, NAME, SIZE, STATE, DONE (percent) and why a
// transfer failed; `when_empty` when there are none.
std::string format_files(const nlohmann::json& files, std::string_view when_empty);
// Whether a transfer in this state has all its bytes (uploaded, downloaded, saved).
bool transfer_complete(std::string_view state);

// "#ops": how a group shows beside messages, from a group object (its name,
// else the first 8 hex digits of its id).
std::string group_label(const nlohmann::json& group);
// A group message's group label (from its "group" object, else from its peer
// "#<id>"); "" for a message between two people.
std::string message_group_label(const nlohmann::json& message);

// `group list`: NAME, MEMBERS (a count), ROLE (admin or member; "-" once
// left or removed), STATUS, ID.
std::string format_group_list(const nlohmann::json& groups);
// `group members`: USERNAME, ROLE (admin or member), TRUST, and a warning
// for an identity key that changed and is not verified.
std::string format_group_members(const nlohmann::json& members);
// "#ops (id …): 3 members: alice (admin), bob, carol" for the group methods'
// results; at most kMaxListedMembers names, then "and N more".
inline constexpr std::size_t kMaxListedMembers = 20;
std::string format_group_summary(const nlohmann::json& group);

std::string format_status(const nlohmann::json& status);
std::string format_contacts(const nlohmann::json& contacts);
std::string format_online(const nlohmann::json& online);
std::string format_fingerprint(const nlohmann::json& safety_number);

// One line for `watch`; `now` stamps events that carry no time of their own.
std::string format_event(const api::EventMessage& event, std::time_t now);
// {"event":NAME,"data":{...}} on one line for `watch --json`, "event" first
// so that a reader skimming the stream sees the name before the data.
std::string event_json_line(const api::EventMessage& event);

// Members of a result object, tolerant of absence and wrong types.
std::string string_member(const nlohmann::json& object, std::string_view key);
std::int64_t int_member(const nlohmann::json& object, std::string_view key);
bool bool_member(const nlohmann::json& object, std::string_view key);

}  // namespace sotto::ctl
