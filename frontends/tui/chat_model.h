#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "frontends/tui/chat_events.h"
#include "frontends/tui/command_line.h"
#include "frontends/tui/display_text.h"
#include "frontends/tui/input_line.h"

namespace sotto::tui {

// One message as the conversation pane holds it. The text is kept only in
// its display form: made safe once, when it arrives, and never again.
struct ShownMessage {
  std::string id;  // "" while our send has not been accepted yet
  std::uint64_t local_id = 0;
  bool outgoing = false;
  std::string sender;
  std::int64_t sent_at = 0;
  std::string state;  // "sending" for a pending send; else as the API says
  bool identity_warning = false;
  bool is_file = false;
  // A line about the group (created, renamed, someone added, removed or
  // left), not a message: shown dim with its time and no sender.
  bool note = false;
  DisplayText text;
};

struct Conversation {
  std::string peer;        // msgd's peer: a username, or "#<group id>" for a group
  std::string group_name;  // a group's name as msgd last gave it ("" when unknown)
  // A group's members and this user's standing in it, as group_list and
  // GroupChanged last said (epoch 0: msgd has not said yet).
  std::vector<std::string> members;
  std::string group_status;  // member|removed|left
  std::int64_t group_epoch = 0;
  std::vector<ShownMessage> messages;  // oldest first
  int unread = 0;
  std::optional<bool> online;  // nullopt: not known yet
  bool identity_warning = false;
  std::string trust;
  bool loaded = false;
  bool more_before = false;  // the last page was full: older messages may exist
  bool loading_older = false;
};

// Whether msgd's peer names a group conversation ("#<group id>").
bool is_group_peer(std::string_view peer);
// How a conversation is named on screen: the peer, or "#ops" for a group
// ("#" and its id's first 8 hex digits while its name is unknown).
std::string conversation_label(const Conversation& conversation);
// A group this user was removed from or left: its history stays, nothing can be sent.
bool is_inactive_group(const Conversation& conversation);

// Text shown instead of the conversation (help, a safety number, search
// results) until Escape. Lines are raw and made safe when laid out.
struct Panel {
  std::string title;
  std::vector<std::string> lines;
};

enum class DaemonState { kConnecting, kUp, kDown };

// Everything msg-tui shows, as a function of the events it has seen: keys,
// the terminal's size, and what msgd said. apply() returns what to do next
// (calls to msgd, a bell, quitting); layout_screen() (screen_layout.h) turns
// the state into the rows of each pane. No terminal, no clock, no I/O.
class ChatModel {
 public:
  struct Options {
    bool bell = false;           // ring on an incoming message
    bool file_transfer = false;  // the local API has send_file (not yet)
    std::string initial_peer;    // --peer: open this conversation
    std::size_t history_page = 200;
  };

  explicit ChatModel(Options options);

  std::vector<Action> apply(const Event& event);

  int width() const { return width_; }
  int height() const { return height_; }
  DaemonState daemon_state() const { return daemon_; }
  const std::string& daemon_reason() const { return daemon_reason_; }
  const std::string& username() const { return username_; }
  bool relay_connected() const { return relay_connected_; }
  const std::string& relay() const { return relay_; }
  const std::string& via() const { return via_; }
  const std::map<std::string, Conversation>& conversations() const { return conversations_; }
  const std::string& open_peer() const { return open_peer_; }
  const Conversation* open_conversation() const;
  int scroll() const { return scroll_; }  // rows above the newest
  int panel_scroll() const { return panel_scroll_; }
  const InputLine& input() const { return input_; }
  const std::optional<Panel>& panel() const { return panel_; }
  const std::string& notice() const { return notice_; }
  bool notice_is_error() const { return notice_error_; }
  bool pasting() const { return pasting_; }

 private:
  std::vector<Action> on_key(const Key& key, std::int64_t now_ms);
  std::vector<Action> on_daemon_up(const DaemonUp& up);
  std::vector<Action> on_message(const MessageData& message);
  std::vector<Action> on_history(const HistoryLoaded& history);
  std::vector<Action> on_send_finished(const SendFinished& done);
  std::vector<Action> on_groups(const GroupsLoaded& loaded);
  std::vector<Action> on_group_changed(const GroupChanged& change);
  void add_note(Conversation& conv, std::string text, std::int64_t at_ms);
  std::vector<Action> submit(std::int64_t now_ms);
  std::vector<Action> run_command(CommandName name, const std::string& argument);
  std::vector<Action> open(const std::string& peer);
  std::vector<Action> open_next(int step);
  std::vector<Action> scroll_by(int rows);
  void complete();
  void say(std::string text, bool error = false);
  Conversation& conversation(const std::string& peer);
  ShownMessage* find_message(const std::string& id);
  std::vector<std::string> peer_names() const;
  std::vector<std::string> completion_names() const;
  std::string peer_argument(const std::string& argument);
  std::string conversation_argument(const std::string& argument);

  Options options_;
  int width_ = 80;
  int height_ = 24;
  DaemonState daemon_ = DaemonState::kConnecting;
  std::string daemon_reason_;
  std::string username_;
  bool relay_connected_ = false;
  std::string relay_;
  std::string via_;
  std::map<std::string, Conversation> conversations_;
  std::string open_peer_;
  int scroll_ = 0;
  int panel_scroll_ = 0;
  InputLine input_;
  InputHistory history_;
  std::optional<Panel> panel_;
  std::string notice_;
  bool notice_error_ = false;
  bool pasting_ = false;
  std::uint64_t next_local_id_ = 1;
  // Delivery states that arrived before the send's answer told us the id.
  std::map<std::string, std::string> early_states_;
  // group_list has answered once: a GroupChanged before it is not news (the
  // list may already hold it), so it updates the group without a note.
  bool groups_loaded_ = false;
};

}  // namespace sotto::tui
