#include "ctl/command_table.h"

#include <array>

#include "ctl/commands.h"

namespace sotto::ctl {
namespace {

constexpr std::array kCommands = {
    CommandSpec{"", "register", "Create an account on the relay (asks for a password)", add_register_options,
                run_register},
    CommandSpec{"", "login", "Log in to an existing account (asks for a password)", add_login_options, run_login},
    CommandSpec{"", "logout", "Log out and forget the session token", add_no_options, run_logout},
    CommandSpec{"", "status", "Show the account, relay connection, outbox and unread counts", add_no_options,
                run_status},
    CommandSpec{"", "send", "Send a text message (TEXT '-' reads it from stdin)", add_send_options, run_send},
    CommandSpec{"", "send-file", "Send a file to PEER, with a progress bar on a terminal", add_send_file_options,
                run_send_file},
    CommandSpec{"", "history", "Show the conversation with PEER, oldest first", add_history_options, run_history},
    CommandSpec{"", "inbox", "Show unread incoming messages", add_no_options, run_inbox},
    CommandSpec{"", "read", "Mark the messages from PEER as read", add_peer_option, run_read},
    CommandSpec{"", "files", "List sent and received files with their transfer state", add_files_options, run_files},
    CommandSpec{"", "save", "Save a received file (to the download folder unless --output)", add_save_options,
                run_save},
    CommandSpec{"", "cancel", "Stop sending or receiving a file", add_cancel_options, run_cancel},
    CommandSpec{"", "watch", "Print messages and events as they arrive, until Ctrl-C", add_no_options, run_watch},
    CommandSpec{"", "online", "Show which contacts (or PEERs) are online", add_online_options, run_online},
    CommandSpec{"", "contacts", "List contacts with their trust and fingerprint", add_no_options, run_contacts},
    CommandSpec{"", "fingerprint", "Show the safety number to compare with PEER", add_peer_option, run_fingerprint},
    CommandSpec{"", "trust", "Mark PEER's identity key as verified (after comparing safety numbers)", add_peer_option,
                run_trust},
    CommandSpec{"", "export", "Export the conversation with PEER as text or JSON", add_export_options, run_export},
    CommandSpec{"relay", "forget", "Forget the pinned relay certificate (pin the next one seen)", add_no_options,
                run_relay_forget},
};

}  // namespace

std::span<const CommandSpec> command_table() { return kCommands; }

const CommandSpec* find_command(std::string_view group, std::string_view name) {
  for (const CommandSpec& command : kCommands) {
    if (command.group == group && command.name == name) return &command;
  }
  return nullptr;
}

}  // namespace sotto::ctl
