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
    CommandSpec{"", "send", "Send a text message to PEER or @GROUP (TEXT '-' reads it from stdin)", add_send_options,
                run_send},
    CommandSpec{"", "send-file", "Send a file to PEER (or @GROUP), with a progress bar on a terminal",
                add_send_file_options, run_send_file},
    CommandSpec{"", "history", "Show the conversation with PEER or @GROUP, oldest first", add_history_options,
                run_history},
    CommandSpec{"", "inbox", "Show unread incoming messages", add_no_options, run_inbox},
    CommandSpec{"", "read", "Mark the messages from PEER (or in @GROUP) as read", add_conversation_option, run_read},
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
    CommandSpec{"", "export", "Export the conversation with PEER or @GROUP as text or JSON", add_export_options,
                run_export},
    CommandSpec{"", "broadcast", "Send one text to every contact (or every one online), each copy for one contact",
                add_broadcast_options, run_broadcast},
    CommandSpec{"group", "create", "Create a group with you as its admin, and add USERs", add_group_create_options,
                run_group_create},
    CommandSpec{"group", "add", "Add users to a group (admins only)", add_group_members_options, run_group_add},
    CommandSpec{"group", "remove", "Remove users from a group (admins only)", add_group_members_options,
                run_group_remove},
    CommandSpec{"group", "leave", "Leave a group (its history stays)", add_group_options, run_group_leave},
    CommandSpec{"group", "list", "List your groups with their size, your role and status", add_no_options,
                run_group_list},
    CommandSpec{"group", "members", "List a group's members with their role and trust", add_group_options,
                run_group_members},
    CommandSpec{"group", "rename", "Rename a group for every member (admins only)", add_group_rename_options,
                run_group_rename},
    CommandSpec{"relay", "forget", "Forget the pinned relay certificate (pin the next one seen)", add_no_options,
                run_relay_forget},
};

struct CommandGroup {
  std::string_view name;
  std::string_view summary;
};

constexpr std::array kGroups = {
    CommandGroup{"relay", "Relay commands (see 'msgctl relay --help')"},
    CommandGroup{"group", "Group chats: create, add, remove, leave, list, members, rename (see 'msgctl group --help')"},
};

}  // namespace

std::span<const CommandSpec> command_table() { return kCommands; }

std::string_view command_group_summary(std::string_view group) {
  for (const CommandGroup& g : kGroups) {
    if (g.name == group) return g.summary;
  }
  return "";
}

const CommandSpec* find_command(std::string_view group, std::string_view name) {
  for (const CommandSpec& command : kCommands) {
    if (command.group == group && command.name == name) return &command;
  }
  return nullptr;
}

}  // namespace sotto::ctl
