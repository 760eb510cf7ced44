#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "frontends/tui/key.h"

namespace sotto::tui {

// The model's inputs (events) and outputs (actions). Everything msgd says
// arrives as an event; everything the model wants from msgd or the terminal
// leaves as an action, which the program carries out and answers with events.

// A message object of the local API (docs/local-api.md).
struct MessageData {
  std::string id;
  std::string peer;
  bool outgoing = false;
  std::string sender;
  std::string text;
  std::int64_t sent_at = 0;
  std::int64_t received_at = 0;
  std::string state;  // queued|sent|delivered|read|failed (out), unread|read (in)
  bool identity_warning = false;
  // kind "file": text is the caption; the name and size come from "file".
  bool is_file = false;
  std::string file_name;
  std::int64_t file_size = -1;  // -1: msgd did not say
  // A group message (peer "#<group id>"): the group's name, "" when msgd did not say.
  std::string group_name;
};

// A group object of the local API: one group this user is or was in.
struct GroupData {
  std::string id;  // 32 hex digits; its conversation is "#" + id
  std::string name;
  std::int64_t epoch = 0;
  std::vector<std::string> members;  // sorted, this user included while a member
  std::string status;                // member|removed|left
};

struct ContactData {
  std::string username;
  std::string trust;  // trusted|verified|untrusted
  bool identity_changed = false;
};

// ---- events ----------------------------------------------------------------

struct KeyPressed {
  Key key;
  std::int64_t now_ms = 0;  // when it was pressed (the time a sent message shows until msgd answers)
};
struct Resized {
  int width = 0;
  int height = 0;
};
// msgd answered (again): who we are and how the relay link is.
struct DaemonUp {
  std::string username;  // "" before register/login
  bool relay_connected = false;
  std::string relay;
  std::string via;  // "the session bus" or the socket's path
};
// msgd cannot be reached; the program keeps trying.
struct DaemonDown {
  std::string reason;
};
struct ContactsLoaded {
  std::vector<ContactData> contacts;
};
// group_list: every group this user is or was in.
struct GroupsLoaded {
  std::vector<GroupData> groups;
};
struct InboxLoaded {
  std::vector<MessageData> unread;
};
struct PresenceLoaded {
  std::vector<std::pair<std::string, bool>> online;
};
struct HistoryLoaded {
  std::string peer;
  std::vector<MessageData> messages;  // oldest first
  bool older = false;                 // a page before what is shown
  std::size_t requested = 0;          // the limit asked for (a full page: there may be more)
};
struct MessageReceived {
  MessageData message;
};
struct DeliveryChanged {
  std::string id;
  std::string peer;
  std::string state;
};
struct RelayChanged {
  bool connected = false;
  std::string relay;
};
struct IdentityChanged {
  std::string peer;
};
// A group was created, renamed, or its members changed; `by` made the change
// (this user, an admin, or a member who left).
struct GroupChanged {
  GroupData group;
  std::string by;
  std::int64_t at_ms = 0;  // when msg-tui heard of it (msgd's event has no time)
};
struct SendFinished {
  std::uint64_t local_id = 0;
  std::string peer;
  std::string text;
  std::optional<std::string> id;  // set on success
  std::string state;
  std::string error;  // on failure
};
struct FingerprintReady {
  std::string peer;
  std::vector<std::string> lines;  // 3 lines of digit groups
  std::string trust;
};
struct Verified {
  std::string peer;
  std::string trust;
};
struct SearchReady {
  std::string peer;
  std::string query;
  std::vector<MessageData> history;
};
struct ExportDone {
  std::string peer;
  std::string path;
  std::size_t bytes = 0;
};
// /file went to msgd: the file message as history shows it.
struct FileQueued {
  MessageData message;
  std::int64_t size = 0;
};
// /save answered: "saved" with the path, or "downloading" (msgd writes it
// there when the download is done).
struct FileSaveStarted {
  std::string name;
  std::string state;
  std::string path;    // "saved": the file written
  std::string folder;  // where it goes
};
// A request failed: what the user asked for and why.
struct RequestFailed {
  std::string what;
};

using Event = std::variant<KeyPressed, Resized, DaemonUp, DaemonDown, ContactsLoaded, GroupsLoaded, InboxLoaded,
                           PresenceLoaded, HistoryLoaded, MessageReceived, DeliveryChanged, RelayChanged,
                           IdentityChanged, GroupChanged, SendFinished, FingerprintReady, Verified, SearchReady,
                           ExportDone, FileQueued, FileSaveStarted, RequestFailed>;

// ---- actions ---------------------------------------------------------------

// status, contacts, groups, inbox and presence (after msgd came up).
struct LoadOverview {};
struct LoadPresence {};
struct LoadHistory {
  std::string peer;
  std::string before;  // "" : the newest page
  std::size_t limit = 0;
};
struct SendText {
  std::uint64_t local_id = 0;
  std::string peer;
  std::string text;
};
struct MarkRead {
  std::string peer;
};
struct ShowFingerprint {
  std::string peer;
};
struct Verify {
  std::string peer;
};
struct Search {
  std::string peer;
  std::string query;
};
struct Export {
  std::string peer;
  std::string path;
};
struct SendFile {
  std::string peer;
  std::string path;  // as typed: relative to msg-tui's working folder
};
struct SaveFile {
  std::string id;
};
struct Ring {};
struct Quit {};

using Action = std::variant<LoadOverview, LoadPresence, LoadHistory, SendText, MarkRead, ShowFingerprint, Verify,
                            Search, Export, SendFile, SaveFile, Ring, Quit>;

}  // namespace sotto::tui
