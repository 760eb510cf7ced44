#include "lib/api/method_table.h"

#include <algorithm>
#include <array>
#include <string>

#include "lib/api/api_error.h"

namespace sotto::api {
namespace {

using enum ValueType;

constexpr std::array<ParamSpec, 3> kRegisterParams{{
    {"username", kString, true},
    {"password", kString, true},
    {"invite", kString, false},
}};
constexpr std::array<ParamSpec, 2> kLoginParams{{
    {"username", kString, true},
    {"password", kString, true},
}};
constexpr std::array<ParamSpec, 2> kSendParams{{
    {"peer", kString, true},
    {"text", kString, true},
}};
constexpr std::array<ParamSpec, 3> kHistoryParams{{
    {"peer", kString, true},
    {"limit", kInt64, false},    // 0: the default (50); at most 1000
    {"before", kString, false},  // a message id: only messages older than it
}};
constexpr std::array<ParamSpec, 1> kPeerParam{{{"peer", kString, true}}};
constexpr std::array<ParamSpec, 1> kIdParam{{{"id", kString, true}}};
constexpr std::array<ParamSpec, 1> kOnlineParams{{{"peers", kStringList, false}}};  // []: every contact
constexpr std::array<ParamSpec, 3> kSendFileParams{{
    {"peer", kString, true},
    {"path", kString, true},      // absolute: msgd reads the file itself
    {"caption", kString, false},  // shown with the file; at most 64 KiB like a text
}};
constexpr std::array<ParamSpec, 1> kListFilesParams{{{"peer", kString, false}}};  // "": every peer
constexpr std::array<ParamSpec, 2> kSaveFileParams{{
    {"id", kString, true},
    {"output", kString, false},  // absolute: a directory or a file name; "": msgd's download folder
}};
constexpr std::array<ParamSpec, 2> kExportParams{{
    {"peer", kString, true}, {"format", kString, false},  // "json" (default) or "txt"
}};

// A group is named by its id (32 hex digits) or its name, with or without a
// leading '@' ("@ops"); a name two of the user's groups share is refused as
// ambiguous with both ids.
constexpr std::array<ParamSpec, 2> kGroupCreateParams{{
    {"name", kString, true}, {"members", kStringList, false},  // usernames besides the creator
}};
constexpr std::array<ParamSpec, 2> kGroupMembersChangeParams{{
    {"group", kString, true},
    {"members", kStringList, true},
}};
constexpr std::array<ParamSpec, 1> kGroupParam{{{"group", kString, true}}};
constexpr std::array<ParamSpec, 2> kGroupRenameParams{{
    {"group", kString, true},
    {"name", kString, true},
}};
constexpr std::array<ParamSpec, 2> kGroupSendParams{{
    {"group", kString, true},
    {"text", kString, true},
}};
constexpr std::array<ParamSpec, 2> kBroadcastParams{{
    {"text", kString, true}, {"online_only", kBool, false},  // only the contacts the relay reports online
}};

constexpr std::array kMethods{
    MethodSpec{"register", "Register", kRegisterParams, ResultType::kObject,
               "Creates an account on the relay with a new identity key; logs in."},
    MethodSpec{"login", "Login", kLoginParams, ResultType::kObject, "Logs in to an existing account."},
    MethodSpec{"logout", "Logout", {}, ResultType::kObject, "Revokes the session token; keys and history stay."},
    MethodSpec{"status", "Status", {}, ResultType::kObject, "Account, relay connection, outbox and unread counts."},
    MethodSpec{"send", "Send", kSendParams, ResultType::kObject,
               "Queues a text message; returns its id at once, before any network work."},
    MethodSpec{"get_message", "GetMessage", kIdParam, ResultType::kObject, "One message by id, with its state."},
    MethodSpec{"history", "History", kHistoryParams, ResultType::kObjectList,
               "A conversation, newest last; at most limit messages older than before."},
    MethodSpec{"inbox", "Inbox", {}, ResultType::kObjectList, "Unread incoming messages, oldest first."},
    MethodSpec{"mark_read", "MarkRead", kPeerParam, ResultType::kObject, "Marks a conversation read."},
    MethodSpec{"contacts", "Contacts", {}, ResultType::kObjectList, "Known peers with their identity and trust."},
    MethodSpec{"online", "Online", kOnlineParams, ResultType::kObjectList, "Presence of peers (the relay's view)."},
    MethodSpec{"fingerprint", "Fingerprint", kPeerParam, ResultType::kObject,
               "The safety number of this account and a peer."},
    MethodSpec{"verify", "Verify", kPeerParam, ResultType::kObject,
               "Trusts the peer's current identity key after the user compared safety numbers."},
    MethodSpec{"export", "Export", kExportParams, ResultType::kObject, "A conversation as JSON or text."},
    MethodSpec{"relay_forget",
               "RelayForget",
               {},
               ResultType::kObject,
               "Forgets the pinned relay certificate; the next connection pins anew."},
    MethodSpec{"send_file", "SendFile", kSendFileParams, ResultType::kObject,
               "Queues a file: msgd encrypts and uploads it, then sends the key in a message; returns its id at once."},
    MethodSpec{"list_files", "ListFiles", kListFilesParams, ResultType::kObjectList,
               "Sent and received files with their transfer state, oldest first."},
    MethodSpec{"save_file", "SaveFile", kSaveFileParams, ResultType::kObject,
               "Writes a received file under a name that exists nowhere yet, downloading it first if needed."},
    MethodSpec{"cancel_transfer", "CancelTransfer", kIdParam, ResultType::kObject,
               "Stops an upload or a download; the partial data is deleted."},
    MethodSpec{"group_create", "GroupCreate", kGroupCreateParams, ResultType::kObject,
               "Creates a group with this user as its admin and tells the members; returns the group."},
    MethodSpec{"group_add", "GroupAdd", kGroupMembersChangeParams, ResultType::kObject,
               "Adds members (admins only); every member learns the new membership."},
    MethodSpec{"group_remove", "GroupRemove", kGroupMembersChangeParams, ResultType::kObject,
               "Removes members (admins only); every member takes a new sender key they never see."},
    MethodSpec{"group_leave", "GroupLeave", kGroupParam, ResultType::kObject,
               "Leaves a group; the others take new sender keys. History stays."},
    MethodSpec{"group_rename", "GroupRename", kGroupRenameParams, ResultType::kObject,
               "Renames a group (admins only) for every member."},
    MethodSpec{"group_list", "GroupList", {}, ResultType::kObjectList, "The groups this user is or was in."},
    MethodSpec{"group_members", "GroupMembers", kGroupParam, ResultType::kObjectList,
               "A group's members with their role and identity trust."},
    MethodSpec{"group_send", "GroupSend", kGroupSendParams, ResultType::kObject,
               "Queues a text to a group (one ciphertext, fanned out by the relay); returns its id at once."},
    MethodSpec{"broadcast", "Broadcast", kBroadcastParams, ResultType::kObject,
               "Queues one text to every contact (or every one online), each copy encrypted for its contact."},
    MethodSpec{"subscribe",
               "",
               {},
               ResultType::kObject,
               "Socket only: events follow as JSON-RPC notifications (D-Bus has signals)."},
};

constexpr std::array<EventSpec, 7> kEvents{{
    {"MessageReceived", "A message arrived and is stored in history."},
    {"DeliveryChanged", "An outgoing message changed state (sent, delivered, read, failed)."},
    {"ConnectionChanged", "The relay connection went up or down."},
    {"IdentityChanged", "A peer's identity key changed; sending to them waits for verify."},
    {"TransferProgress", "A file transfer moved on or changed state (at most ~10 a second per transfer)."},
    {"FileReceived", "A received file is downloaded, verified and stored (or saved where asked)."},
    {"GroupChanged", "A group was created, renamed, or its members changed (by anyone, this user included)."},
}};

bool has_type(const nlohmann::json& value, ValueType type) {
  switch (type) {
    case kString:
      return value.is_string();
    case kInt64:
      return value.is_number_integer() && (value.is_number_unsigned() ? value.get<std::uint64_t>() <= INT64_MAX : true);
    case kBool:
      return value.is_boolean();
    case kStringList:
      return value.is_array() && std::all_of(value.begin(), value.end(), [](const auto& v) { return v.is_string(); });
  }
  return false;
}

nlohmann::json default_value(ValueType type) {
  switch (type) {
    case kString:
      return "";
    case kInt64:
      return 0;
    case kBool:
      return false;
    case kStringList:
      return nlohmann::json::array();
  }
  return nullptr;
}

void check_string_sizes(const std::string& name, const nlohmann::json& value) {
  auto check = [&](const nlohmann::json& s) {
    if (s.get_ref<const std::string&>().size() > kMaxStringParam) {
      throw ApiError(ErrorName::kInvalidParams,
                     "parameter '" + name + "' is longer than " + std::to_string(kMaxStringParam) + " bytes");
    }
  };
  if (value.is_string()) check(value);
  if (value.is_array()) {
    if (value.size() > 1024) throw ApiError(ErrorName::kInvalidParams, "parameter '" + name + "' has too many items");
    for (const auto& item : value) check(item);
  }
}

}  // namespace

std::span<const MethodSpec> method_table() { return kMethods; }

const MethodSpec* find_method(std::string_view name) {
  for (const auto& m : kMethods) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

nlohmann::json normalize_params(const MethodSpec& method, const nlohmann::json& params) {
  if (!params.is_null() && !params.is_object()) {
    throw ApiError(ErrorName::kInvalidParams, "params must be an object of named parameters");
  }
  nlohmann::json out = nlohmann::json::object();
  if (params.is_object()) {
    for (const auto& [key, value] : params.items()) {
      // An init-capture: clang before 16 cannot capture a structured binding itself.
      auto it = std::find_if(method.params.begin(), method.params.end(),
                             [&name = key](const ParamSpec& p) { return p.name == name; });
      if (it == method.params.end()) {
        throw ApiError(ErrorName::kInvalidParams,
                       "unknown parameter '" + key + "' for method '" + std::string(method.name) + "'");
      }
      if (!has_type(value, it->type)) {
        throw ApiError(ErrorName::kInvalidParams,
                       "parameter '" + key + "' must be " + std::string(to_string(it->type)));
      }
      check_string_sizes(key, value);
      out[key] = value;
    }
  }
  for (const auto& p : method.params) {
    const std::string key(p.name);
    if (out.contains(key)) continue;
    if (p.required) {
      throw ApiError(ErrorName::kInvalidParams,
                     "missing parameter '" + key + "' for method '" + std::string(method.name) + "'");
    }
    out[key] = default_value(p.type);
  }
  return out;
}

std::span<const EventSpec> event_table() { return kEvents; }

const EventSpec* find_event(std::string_view name) {
  for (const auto& e : kEvents) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

std::string_view to_string(ValueType type) {
  switch (type) {
    case kString:
      return "a string";
    case kInt64:
      return "an integer";
    case kBool:
      return "true or false";
    case kStringList:
      return "an array of strings";
  }
  return "?";
}

std::string_view dbus_signature(ValueType type) {
  switch (type) {
    case kString:
      return "s";
    case kInt64:
      return "x";
    case kBool:
      return "b";
    case kStringList:
      return "as";
  }
  return "";
}

std::string_view dbus_signature(ResultType type) { return type == ResultType::kObject ? "a{sv}" : "aa{sv}"; }

}  // namespace sotto::api
