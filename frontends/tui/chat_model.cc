#include "frontends/tui/chat_model.h"

#include <algorithm>
#include <cctype>
#include <type_traits>

#include "frontends/tui/file_label.h"
#include "frontends/tui/message_time.h"
#include "frontends/tui/screen_layout.h"
#include "lib/wire/username.h"

namespace sotto::tui {
namespace {

// Delivery states kept for ids we have not been told yet; msgd answers a
// send long before 256 others change state.
constexpr std::size_t kMaxEarlyStates = 256;
constexpr int kWheelRows = 3;
constexpr std::size_t kMaxSearchResults = 500;

// A group's name comes with each of its messages; the latest one wins (a rename).
void remember_group(Conversation& conv, const MessageData& m) {
  if (!m.group_name.empty() && is_group_peer(conv.peer)) conv.group_name = m.group_name;
}

ShownMessage shown(const MessageData& m) {
  ShownMessage s;
  s.id = m.id;
  s.outgoing = m.outgoing;
  s.sender = m.sender;
  s.sent_at = m.sent_at;
  s.state = m.state;
  s.identity_warning = m.identity_warning;
  s.is_file = m.is_file;
  s.text = DisplayText(shown_text(m));
  return s;
}

bool contains_folded(std::string_view haystack, std::string_view needle) {
  // ASCII case-folding only: usernames and most queries are ASCII, and
  // folding other scripts right needs tables we do not carry.
  auto fold = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [&](char a, char b) { return fold(a) == fold(b); });
  return it != haystack.end();
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// The names in `a` that are not in `b` (member lists are short: a linear search each).
std::vector<std::string> missing_from(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto& name : a) {
    if (std::find(b.begin(), b.end(), name) == b.end()) out.push_back(name);
  }
  return out;
}

void take_group(Conversation& conv, const GroupData& g) {
  if (!g.name.empty()) conv.group_name = g.name;
  conv.members = g.members;
  conv.group_status = g.status;
  conv.group_epoch = g.epoch;
}

std::string first_line(std::string_view text) { return std::string(text.substr(0, text.find('\n'))); }

std::vector<std::string> help_lines(bool file_transfer) {
  std::vector<std::string> lines;
  lines.emplace_back("Type a message and press Enter to send it to the open conversation.");
  lines.emplace_back("");
  lines.emplace_back("Commands (Tab completes commands and usernames):");
  for (const auto& c : command_table()) {
    std::string line = "  " + std::string(c.usage);
    line.resize(std::max<std::size_t>(line.size(), 24), ' ');
    line += c.summary;
    if ((c.name == CommandName::kFile || c.name == CommandName::kSave) && !file_transfer) {
      line += " (not available yet)";
    }
    lines.push_back(std::move(line));
  }
  lines.emplace_back("  //text                start a message with a /");
  lines.emplace_back("");
  lines.emplace_back("Keys:");
  lines.emplace_back("  Enter                 send       Alt-Enter   new line in the message");
  lines.emplace_back("  Up / Down             earlier input lines (history), or lines of the message");
  lines.emplace_back("  Left Right Home End   move       Ctrl-W Ctrl-U Ctrl-K   delete word / to start / to end");
  lines.emplace_back("  PgUp / PgDn, wheel    scroll the conversation");
  lines.emplace_back("  Ctrl-N / Ctrl-P       next / previous conversation");
  lines.emplace_back("  Esc                   close this panel, clear the notice");
  lines.emplace_back("  Ctrl-C, /quit         leave (Ctrl-D on an empty line too)");
  lines.emplace_back("");
  lines.emplace_back("Marks: ● online  ○ offline  (3) unread  ⚠ identity key changed, not verified");
  lines.emplace_back("Sent messages: … queued  ✓ sent to the relay  ✓✓ delivered  ✓✓ read  ✗ failed");
  return lines;
}

}  // namespace

ChatModel::ChatModel(Options options) : options_(std::move(options)) {
  if (!options_.initial_peer.empty()) {
    open_peer_ = options_.initial_peer;
    conversation(open_peer_);
  }
}

const Conversation* ChatModel::open_conversation() const {
  auto it = conversations_.find(open_peer_);
  return it == conversations_.end() ? nullptr : &it->second;
}

bool is_group_peer(std::string_view peer) { return !peer.empty() && peer.front() == '#'; }

bool is_inactive_group(const Conversation& conversation) {
  return is_group_peer(conversation.peer) &&
         (conversation.group_status == "removed" || conversation.group_status == "left");
}

std::string conversation_label(const Conversation& conversation) {
  if (!is_group_peer(conversation.peer)) return conversation.peer;
  if (!conversation.group_name.empty()) return "#" + conversation.group_name;
  return conversation.peer.substr(0, 9);
}

Conversation& ChatModel::conversation(const std::string& peer) {
  auto [it, inserted] = conversations_.try_emplace(peer);
  if (inserted) it->second.peer = peer;
  return it->second;
}

ShownMessage* ChatModel::find_message(const std::string& id) {
  if (id.empty()) return nullptr;
  for (auto& [peer, c] : conversations_) {
    for (auto it = c.messages.rbegin(); it != c.messages.rend(); ++it) {
      if (it->id == id) return &*it;
    }
  }
  return nullptr;
}

std::vector<std::string> ChatModel::peer_names() const {
  std::vector<std::string> names;
  for (const auto& [peer, c] : conversations_) names.push_back(peer);
  return names;
}

// What Tab offers: usernames, and groups as they are shown ("#ops").
std::vector<std::string> ChatModel::completion_names() const {
  std::vector<std::string> names;
  for (const auto& [peer, c] : conversations_) names.push_back(conversation_label(c));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

void ChatModel::say(std::string text, bool error) {
  notice_ = std::move(text);
  notice_error_ = error;
}

std::vector<Action> ChatModel::apply(const Event& event) {
  return std::visit(
      [this](const auto& e) -> std::vector<Action> {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, KeyPressed>) {
          return on_key(e.key, e.now_ms);
        } else if constexpr (std::is_same_v<T, Resized>) {
          width_ = e.width;
          height_ = e.height;
          return scroll_by(0);  // clamp to the new size
        } else if constexpr (std::is_same_v<T, DaemonUp>) {
          return on_daemon_up(e);
        } else if constexpr (std::is_same_v<T, DaemonDown>) {
          daemon_ = DaemonState::kDown;
          daemon_reason_ = e.reason;
          relay_connected_ = false;
          return {};
        } else if constexpr (std::is_same_v<T, ContactsLoaded>) {
          for (const auto& c : e.contacts) {
            Conversation& conv = conversation(c.username);
            conv.trust = c.trust;
            conv.identity_warning = c.identity_changed || c.trust == "untrusted";
          }
          return {};
        } else if constexpr (std::is_same_v<T, GroupsLoaded>) {
          return on_groups(e);
        } else if constexpr (std::is_same_v<T, GroupChanged>) {
          return on_group_changed(e);
        } else if constexpr (std::is_same_v<T, InboxLoaded>) {
          for (auto& [peer, c] : conversations_) c.unread = 0;
          for (const auto& m : e.unread) {
            Conversation& conv = conversation(m.peer);
            remember_group(conv, m);
            if (m.peer != open_peer_) ++conv.unread;
          }
          return {};
        } else if constexpr (std::is_same_v<T, PresenceLoaded>) {
          for (const auto& [peer, online] : e.online) conversation(peer).online = online;
          return {};
        } else if constexpr (std::is_same_v<T, HistoryLoaded>) {
          return on_history(e);
        } else if constexpr (std::is_same_v<T, MessageReceived>) {
          return on_message(e.message);
        } else if constexpr (std::is_same_v<T, DeliveryChanged>) {
          if (ShownMessage* m = find_message(e.id)) {
            m->state = e.state;
          } else if (early_states_.size() < kMaxEarlyStates) {
            early_states_[e.id] = e.state;
          }
          return {};
        } else if constexpr (std::is_same_v<T, RelayChanged>) {
          // Presence comes from the relay: ask again once it is back, not
          // only at the next periodic refresh.
          const bool reconnected = e.connected && !relay_connected_ && daemon_ == DaemonState::kUp;
          relay_connected_ = e.connected;
          if (!e.relay.empty()) relay_ = e.relay;
          if (reconnected) return {LoadPresence{}};
          return {};
        } else if constexpr (std::is_same_v<T, IdentityChanged>) {
          Conversation& conv = conversation(e.peer);
          conv.identity_warning = true;
          conv.trust = "untrusted";
          say(e.peer + "'s identity key changed: compare safety numbers (/fingerprint " + e.peer + ") before /trust " +
                  e.peer,
              true);
          return {};
        } else if constexpr (std::is_same_v<T, SendFinished>) {
          return on_send_finished(e);
        } else if constexpr (std::is_same_v<T, FingerprintReady>) {
          Panel p;
          p.title = "Safety number with " + e.peer;
          p.lines.emplace_back("");
          for (const auto& line : e.lines) p.lines.push_back("    " + line);
          p.lines.emplace_back("");
          p.lines.push_back("Compare it with " + e.peer +
                            " in person or over a channel you already trust (a call, not this messenger); they see "
                            "the same number.");
          p.lines.push_back("If the numbers match: /trust " + e.peer + "   (now: " + e.trust + ")");
          p.lines.emplace_back("Esc closes this panel.");
          panel_ = std::move(p);
          panel_scroll_ = 0;
          return {};
        } else if constexpr (std::is_same_v<T, Verified>) {
          Conversation& conv = conversation(e.peer);
          conv.trust = e.trust;
          conv.identity_warning = false;
          say(e.peer + " is now " + e.trust + ": their current identity key is the one you compared");
          return {};
        } else if constexpr (std::is_same_v<T, SearchReady>) {
          Panel p;
          std::size_t found = 0;
          for (const auto& m : e.history) {
            const std::string text = shown_text(m);
            if (!contains_folded(text, e.query)) continue;
            if (++found > kMaxSearchResults) continue;
            p.lines.push_back(date_time(m.sent_at) + " " + m.sender + ": " + first_line(text));
          }
          p.title = "Search in " + e.peer + " for \"" + e.query + "\": " + std::to_string(found) +
                    (found == 1 ? " message" : " messages") +
                    (found > kMaxSearchResults ? " (the first " + std::to_string(kMaxSearchResults) + " shown)" : "") +
                    " (Esc closes)";
          panel_ = std::move(p);
          panel_scroll_ = 0;
          say("");
          return {};
        } else if constexpr (std::is_same_v<T, FileQueued>) {
          say("sending " + e.message.file_name + " to " + e.message.peer + " (" + std::to_string(e.size) +
              " bytes): msgd encrypts and uploads it");
          return on_message(e.message);
        } else if constexpr (std::is_same_v<T, FileSaveStarted>) {
          if (e.state == "saved") {
            say("saved " + e.name + " as " + e.path);
          } else {
            say("downloading " + e.name + " into " + e.folder + " (msgctl files shows how far it is)");
          }
          return {};
        } else if constexpr (std::is_same_v<T, ExportDone>) {
          say("exported the conversation with " + e.peer + " to " + e.path + " (" + std::to_string(e.bytes) +
              " bytes)");
          return {};
        } else {
          static_assert(std::is_same_v<T, RequestFailed>);
          say(e.what, true);
          return {};
        }
      },
      event);
}

std::vector<Action> ChatModel::on_daemon_up(const DaemonUp& up) {
  // The notices about msgd being away are stale now.
  if (daemon_ == DaemonState::kDown) {
    say(input_.empty() ? "msgd is back" : "msgd is back: Enter sends what you typed");
  }
  daemon_ = DaemonState::kUp;
  daemon_reason_.clear();
  username_ = up.username;
  relay_connected_ = up.relay_connected;
  relay_ = up.relay;
  via_ = up.via;
  std::vector<Action> actions{LoadOverview{}};
  if (!open_peer_.empty()) {
    actions.push_back(LoadHistory{open_peer_, "", options_.history_page});
    actions.push_back(MarkRead{open_peer_});
  }
  return actions;
}

std::vector<Action> ChatModel::on_message(const MessageData& message) {
  Conversation& conv = conversation(message.peer);
  remember_group(conv, message);
  for (const auto& m : conv.messages) {
    if (!message.id.empty() && m.id == message.id) return {};  // already shown
  }
  conv.messages.push_back(shown(message));
  if (message.identity_warning) conv.identity_warning = true;
  std::vector<Action> actions;
  if (message.peer == open_peer_) {
    if (scroll_ > 0) {
      // Keep the rows the user scrolled to where they are.
      scroll_ += message_row_count(conv, conv.messages.size() - 1, geometry_of(*this).conversation_width);
    }
    if (!message.outgoing && daemon_ == DaemonState::kUp) actions.push_back(MarkRead{message.peer});
  } else if (!message.outgoing) {
    ++conv.unread;
  }
  if (!message.outgoing && options_.bell) actions.push_back(Ring{});
  return actions;
}

std::vector<Action> ChatModel::on_groups(const GroupsLoaded& loaded) {
  // Every group shows, a new one with no message yet too.
  for (const auto& g : loaded.groups) {
    Conversation& conv = conversation("#" + g.id);
    if (g.epoch >= conv.group_epoch) take_group(conv, g);
  }
  groups_loaded_ = true;
  return {};
}

std::vector<Action> ChatModel::on_group_changed(const GroupChanged& change) {
  const GroupData& g = change.group;
  Conversation& conv = conversation("#" + g.id);
  const bool known = conv.group_epoch > 0;
  if (known && g.epoch <= conv.group_epoch) return {};  // group_list said so already
  const std::string old_label = conversation_label(conv);
  const std::vector<std::string> old_members = conv.members;
  const std::string old_status = conv.group_status;
  take_group(conv, g);
  if (!groups_loaded_) return {};
  const std::string label = conversation_label(conv);
  const bool by_me = !change.by.empty() && change.by == username_;
  const std::string who = by_me ? "you" : (change.by.empty() ? "someone" : change.by);
  // Who else is in it, besides this user and whoever made the change.
  std::vector<std::string> others;
  for (const auto& member : g.members) {
    if (member != username_ && member != change.by) others.push_back(member);
  }
  std::vector<std::string> notes;
  if (g.status == "left" || g.status == "removed") {
    if (old_status != g.status) {
      notes.push_back(g.status == "left"           ? "you left " + label
                      : by_me || change.by.empty() ? "you were removed from " + label
                                                   : "you were removed from " + label + " by " + change.by);
    }
  } else if (!known || old_status != "member") {
    const std::string with = others.empty() ? "" : " with " + joined(others);
    notes.push_back(by_me ? "you created " + label + with : who + " added you to " + label + with);
  } else {
    if (label != old_label) notes.push_back(who + " renamed " + old_label + " to " + label);
    const std::vector<std::string> gone = missing_from(old_members, g.members);
    const std::vector<std::string> added = missing_from(g.members, old_members);
    if (gone.size() == 1 && gone.front() == change.by) {
      notes.push_back(change.by + " left");
    } else if (!gone.empty()) {
      notes.push_back(who + " removed " + joined(gone));
    }
    if (!added.empty()) notes.push_back(who + " added " + joined(added));
  }
  for (auto& note : notes) add_note(conv, std::move(note), change.at_ms);
  return {};
}

void ChatModel::add_note(Conversation& conv, std::string text, std::int64_t at_ms) {
  ShownMessage note;
  note.note = true;
  note.sent_at = at_ms;
  note.text = DisplayText(text);
  conv.messages.push_back(std::move(note));
  if (conv.peer == open_peer_) {
    if (scroll_ > 0)
      scroll_ += message_row_count(conv, conv.messages.size() - 1, geometry_of(*this).conversation_width);
  } else {
    say(text);  // the group is not open: the status line tells
  }
}

std::vector<Action> ChatModel::on_history(const HistoryLoaded& history) {
  Conversation& conv = conversation(history.peer);
  std::vector<ShownMessage> fresh;
  fresh.reserve(history.messages.size() + conv.messages.size());
  for (const auto& m : history.messages) {
    remember_group(conv, m);
    fresh.push_back(shown(m));
  }
  if (history.older) {
    conv.loading_older = false;
    // Keep what is shown; the page goes before it, without repeats.
    std::vector<ShownMessage> merged;
    for (auto& m : fresh) {
      const bool repeated = std::any_of(conv.messages.begin(), conv.messages.end(),
                                        [&](const ShownMessage& s) { return !m.id.empty() && s.id == m.id; });
      if (!repeated) merged.push_back(std::move(m));
    }
    merged.insert(merged.end(), std::make_move_iterator(conv.messages.begin()),
                  std::make_move_iterator(conv.messages.end()));
    conv.messages = std::move(merged);
  } else {
    // The page replaces what was shown; sends msgd has not answered yet
    // stay, and so do the group's notes (msgd keeps no record of them).
    for (auto& m : conv.messages) {
      if (m.id.empty()) fresh.push_back(std::move(m));
    }
    conv.messages = std::move(fresh);
  }
  for (auto& m : conv.messages) {
    auto early = early_states_.find(m.id);
    if (early != early_states_.end()) {
      m.state = early->second;
      early_states_.erase(early);
    }
  }
  conv.loaded = true;
  conv.more_before = history.requested > 0 && history.messages.size() >= history.requested;
  return scroll_by(0);
}

std::vector<Action> ChatModel::on_send_finished(const SendFinished& done) {
  Conversation& conv = conversation(done.peer);
  auto it = std::find_if(conv.messages.begin(), conv.messages.end(),
                         [&](const ShownMessage& m) { return m.local_id == done.local_id && m.id.empty(); });
  if (done.id) {
    if (it != conv.messages.end()) {
      it->id = *done.id;
      it->state = done.state;
      auto early = early_states_.find(*done.id);
      if (early != early_states_.end()) {
        it->state = early->second;
        early_states_.erase(early);
      }
    }
    return {};
  }
  if (it != conv.messages.end()) conv.messages.erase(it);
  // Nothing typed is lost: the text goes back to the input line, or to the
  // history (Up) when something new is being typed already.
  if (input_.empty()) {
    input_.set_text(done.text);
    say("not sent to " + done.peer + ": " + done.error + " (the text is back in the input line)", true);
  } else {
    history_.add(done.text);
    say("not sent to " + done.peer + ": " + done.error + " (the text is in the history: Up)", true);
  }
  return {};
}

std::vector<Action> ChatModel::on_key(const Key& key, std::int64_t now_ms) {
  switch (key.code) {
    case KeyCode::kChar:
      if (key.ch == '\t' || key.ch == '\n' || key.ch >= 0x20) input_.insert(key.ch);
      return {};
    case KeyCode::kEnter:
      if (pasting_) {
        input_.insert('\n');
        return {};
      }
      return submit(now_ms);
    case KeyCode::kAltEnter:
      input_.insert('\n');
      return {};
    case KeyCode::kBackspace:
      input_.backspace();
      return {};
    case KeyCode::kDelete:
      input_.erase();
      return {};
    case KeyCode::kLeft:
      input_.left();
      return {};
    case KeyCode::kRight:
      input_.right();
      return {};
    case KeyCode::kWordLeft:
      input_.word_left();
      return {};
    case KeyCode::kWordRight:
      input_.word_right();
      return {};
    case KeyCode::kHome:
      input_.home();
      return {};
    case KeyCode::kEnd:
      input_.end();
      return {};
    case KeyCode::kKillToEnd:
      input_.kill_to_end();
      return {};
    case KeyCode::kKillToStart:
      input_.kill_to_start();
      return {};
    case KeyCode::kDeleteWordBefore:
      input_.delete_word_before();
      return {};
    case KeyCode::kUp: {
      if (input_.line_up()) return {};
      std::string older;
      if (history_.older(input_.text(), older)) input_.set_text(older);
      return {};
    }
    case KeyCode::kDown: {
      if (input_.line_down()) return {};
      std::string newer;
      if (history_.newer(newer)) input_.set_text(newer);
      return {};
    }
    case KeyCode::kPageUp:
      return scroll_by(std::max(1, message_rows(*this) - 1));
    case KeyCode::kPageDown:
      return scroll_by(-std::max(1, message_rows(*this) - 1));
    case KeyCode::kWheelUp:
      return scroll_by(kWheelRows);
    case KeyCode::kWheelDown:
      return scroll_by(-kWheelRows);
    case KeyCode::kTab:
      if (pasting_) {
        input_.insert('\t');
      } else {
        complete();
      }
      return {};
    case KeyCode::kEscape:
      panel_.reset();
      panel_scroll_ = 0;
      say("");
      return {};
    case KeyCode::kNextConversation:
      return open_next(1);
    case KeyCode::kPreviousConversation:
      return open_next(-1);
    case KeyCode::kQuit:
      return {Quit{}};
    case KeyCode::kEndOfInput:
      if (input_.empty()) return {Quit{}};
      input_.erase();
      return {};
    case KeyCode::kPasteBegin:
      pasting_ = true;
      return {};
    case KeyCode::kPasteEnd:
      pasting_ = false;
      return {};
  }
  return {};
}

void ChatModel::complete() {
  if (!input_.cursor_at_end()) return;
  const Completion c = complete_input(input_.text(), completion_names());
  if (!c.replacement.empty()) input_.set_text(c.replacement);
  if (!c.candidates.empty()) {
    std::string list;
    for (const auto& candidate : c.candidates) list += (list.empty() ? "" : "  ") + candidate;
    say(list);
  }
}

std::vector<Action> ChatModel::submit(std::int64_t now_ms) {
  const std::string line = input_.text();
  if (line.find_first_not_of(" \t\n") == std::string::npos) return {};
  const InputAction what = interpret_input(line);
  if (const auto* error = std::get_if<CommandError>(&what)) {
    say(error->message, true);
    return {};  // the line stays, to be corrected
  }
  if (const auto* command = std::get_if<ParsedCommand>(&what)) {
    history_.add(line);
    input_.clear();
    say("");  // a notice from before (completions, an error) no longer applies
    return run_command(command->name, command->argument);
  }
  const std::string& text = std::get<PlainText>(what).text;
  if (open_peer_.empty()) {
    say("no conversation is open: /open PEER first (your text stays in the input line)", true);
    return {};
  }
  if (daemon_ != DaemonState::kUp) {
    say("msgd is not running: not sent (your text stays in the input line; Enter again when msgd is back)", true);
    return {};
  }
  if (const Conversation* open = open_conversation(); open != nullptr && is_inactive_group(*open)) {
    say("you are no longer in " + conversation_label(*open) + ": not sent (your text stays in the input line)", true);
    return {};
  }
  history_.add(line);
  input_.clear();
  panel_.reset();
  scroll_ = 0;
  ShownMessage pending;
  pending.local_id = next_local_id_++;
  pending.outgoing = true;
  pending.sender = username_;
  pending.sent_at = now_ms;
  pending.state = "sending";
  pending.text = DisplayText(text);
  conversation(open_peer_).messages.push_back(std::move(pending));
  say("");
  return {SendText{next_local_id_ - 1, open_peer_, text}};
}

std::string ChatModel::peer_argument(const std::string& argument) {
  if (argument.empty()) {
    if (open_peer_.empty()) say("no conversation is open: name the peer", true);
    return open_peer_;
  }
  const auto name = wire::canonical_username(argument);
  if (!name) {
    say(name.error(), true);
    return {};
  }
  return name.value();
}

// /open's argument: a username, or a group as "#ops", "@ops", "#<id>" or
// "@<id>" among the groups msgd listed.
std::string ChatModel::conversation_argument(const std::string& argument) {
  if (argument.empty() || (argument.front() != '#' && argument.front() != '@')) return peer_argument(argument);
  const std::string wanted = argument.substr(1);
  std::vector<std::string> found;
  for (const auto& [peer, c] : conversations_) {
    if (!is_group_peer(peer)) continue;
    if (peer.substr(1) == wanted) return peer;
    if (!c.group_name.empty() && c.group_name == wanted) found.push_back(peer);
  }
  if (found.size() == 1) return found.front();
  if (found.empty()) {
    say("no group named " + wanted + " (Tab lists the conversations)", true);
  } else {
    std::string ids;
    for (const auto& peer : found) ids += " " + peer;
    say("more than one group is named " + wanted + ": /open one of" + ids, true);
  }
  return {};
}

std::vector<Action> ChatModel::run_command(CommandName name, const std::string& argument) {
  const bool up = daemon_ == DaemonState::kUp;
  const std::string not_running = "msgd is not running: try again when it is back";
  switch (name) {
    case CommandName::kOpen: {
      const std::string peer = conversation_argument(argument);
      if (peer.empty()) return {};
      return open(peer);
    }
    case CommandName::kFile:
    case CommandName::kSave: {
      if (!options_.file_transfer) {
        say("file transfer is not available in this msgd (its local API has no file methods)", true);
        return {};
      }
      if (open_peer_.empty()) {
        say(std::string("no conversation is open: /open PEER, then /") + (name == CommandName::kFile ? "file" : "save"),
            true);
        return {};
      }
      if (!up) {
        say(not_running, true);
        return {};
      }
      if (name == CommandName::kFile) {
        say("sending " + argument + " to " + open_peer_ + "…");
        return {SendFile{open_peer_, argument}};
      }
      std::string id = argument;
      if (id.empty()) {
        const Conversation& conv = conversation(open_peer_);
        for (auto it = conv.messages.rbegin(); it != conv.messages.rend(); ++it) {
          if (it->is_file && !it->outgoing && !it->id.empty()) {
            id = it->id;
            break;
          }
        }
        if (id.empty()) {
          say(open_peer_ + " has sent no file in this conversation", true);
          return {};
        }
      }
      return {SaveFile{id}};
    }
    case CommandName::kTrust: {
      const std::string peer = peer_argument(argument);
      if (peer.empty()) return {};
      if (!up) {
        say(not_running, true);
        return {};
      }
      return {Verify{peer}};
    }
    case CommandName::kFingerprint: {
      const std::string peer = peer_argument(argument);
      if (peer.empty()) return {};
      if (!up) {
        say(not_running, true);
        return {};
      }
      return {ShowFingerprint{peer}};
    }
    case CommandName::kSearch:
      if (open_peer_.empty()) {
        say("no conversation is open: /open PEER, then /search", true);
        return {};
      }
      if (!up) {
        say(not_running, true);
        return {};
      }
      say("searching the history with " + open_peer_ + "…");
      return {Search{open_peer_, argument}};
    case CommandName::kExport: {
      if (open_peer_.empty()) {
        say("no conversation is open: /open PEER, then /export", true);
        return {};
      }
      if (!up) {
        say(not_running, true);
        return {};
      }
      return {Export{open_peer_, argument.empty() ? "sotto-" + open_peer_ + ".json" : argument}};
    }
    case CommandName::kHelp:
      panel_ = Panel{"msg-tui help (Esc closes)", help_lines(options_.file_transfer)};
      panel_scroll_ = 0;
      return {};
    case CommandName::kQuit:
      return {Quit{}};
  }
  return {};
}

std::vector<Action> ChatModel::open(const std::string& peer) {
  open_peer_ = peer;
  Conversation& conv = conversation(peer);
  conv.unread = 0;
  panel_.reset();
  scroll_ = 0;
  say("");
  if (daemon_ != DaemonState::kUp) return {};
  return {LoadHistory{peer, "", options_.history_page}, MarkRead{peer}};
}

std::vector<Action> ChatModel::open_next(int step) {
  if (conversations_.empty()) return {};
  const std::vector<std::string> names = peer_names();
  auto it = std::find(names.begin(), names.end(), open_peer_);
  std::ptrdiff_t index = it == names.end() ? (step > 0 ? -1 : 0) : it - names.begin();
  const auto n = static_cast<std::ptrdiff_t>(names.size());
  index = ((index + step) % n + n) % n;
  return open(names[static_cast<std::size_t>(index)]);
}

std::vector<Action> ChatModel::scroll_by(int rows) {
  const int visible = message_rows(*this);
  const int width = geometry_of(*this).conversation_width;
  if (panel_) {
    const int total = panel_row_count(*panel_, width);
    panel_scroll_ = std::clamp(panel_scroll_ - rows, 0, std::max(0, total - visible));
    return {};
  }
  const Conversation* conv = open_conversation();
  if (conv == nullptr) {
    scroll_ = 0;
    return {};
  }
  const int top = std::max(0, conversation_row_count(*conv, width) - visible);
  const int wanted = scroll_ + rows;
  scroll_ = std::clamp(wanted, 0, top);
  // At the top of what is loaded: fetch the page before it.
  if (rows > 0 && wanted >= top && conv->more_before && !conv->loading_older && daemon_ == DaemonState::kUp &&
      !conv->messages.empty() && !conv->messages.front().id.empty()) {
    conversation(open_peer_).loading_older = true;
    return {LoadHistory{open_peer_, conv->messages.front().id, options_.history_page}};
  }
  return {};
}

}  // namespace sotto::tui
