#pragma once

#include "ctl/command.h"

// The option binders and run functions the command table points at, one
// source file per group of commands.
namespace sotto::ctl {

// Shared by the commands: the text of `send ... -` and `broadcast -` from
// stdin (at most 64 KiB, one final newline dropped); UsageError otherwise.
std::string read_stdin_text(std::istream& in);
// Whether a PEER argument names a group ("@ops"), not a person.
inline bool is_group_reference(std::string_view peer) { return !peer.empty() && peer.front() == '@'; }

// commands_account.cc
void add_register_options(CLI::App& app, CommandArgs& args);
ExitCode run_register(api::Client& client, Context& context);
void add_login_options(CLI::App& app, CommandArgs& args);
ExitCode run_login(api::Client& client, Context& context);
void add_no_options(CLI::App& app, CommandArgs& args);
ExitCode run_logout(api::Client& client, Context& context);
ExitCode run_status(api::Client& client, Context& context);

// commands_messages.cc
void add_send_options(CLI::App& app, CommandArgs& args);
ExitCode run_send(api::Client& client, Context& context);
void add_history_options(CLI::App& app, CommandArgs& args);
ExitCode run_history(api::Client& client, Context& context);
ExitCode run_inbox(api::Client& client, Context& context);
void add_peer_option(CLI::App& app, CommandArgs& args);
void add_conversation_option(CLI::App& app, CommandArgs& args);
ExitCode run_read(api::Client& client, Context& context);
void add_export_options(CLI::App& app, CommandArgs& args);
ExitCode run_export(api::Client& client, Context& context);

// commands_groups.cc
void add_broadcast_options(CLI::App& app, CommandArgs& args);
ExitCode run_broadcast(api::Client& client, Context& context);
void add_group_create_options(CLI::App& app, CommandArgs& args);
ExitCode run_group_create(api::Client& client, Context& context);
void add_group_members_options(CLI::App& app, CommandArgs& args);
ExitCode run_group_add(api::Client& client, Context& context);
ExitCode run_group_remove(api::Client& client, Context& context);
void add_group_options(CLI::App& app, CommandArgs& args);
ExitCode run_group_leave(api::Client& client, Context& context);
ExitCode run_group_list(api::Client& client, Context& context);
ExitCode run_group_members(api::Client& client, Context& context);
void add_group_rename_options(CLI::App& app, CommandArgs& args);
ExitCode run_group_rename(api::Client& client, Context& context);

// commands_contacts.cc
void add_online_options(CLI::App& app, CommandArgs& args);
ExitCode run_online(api::Client& client, Context& context);
ExitCode run_contacts(api::Client& client, Context& context);
ExitCode run_fingerprint(api::Client& client, Context& context);
ExitCode run_trust(api::Client& client, Context& context);
ExitCode run_relay_forget(api::Client& client, Context& context);

// commands_files.cc
void add_send_file_options(CLI::App& app, CommandArgs& args);
ExitCode run_send_file(api::Client& client, Context& context);
void add_files_options(CLI::App& app, CommandArgs& args);
ExitCode run_files(api::Client& client, Context& context);
void add_save_options(CLI::App& app, CommandArgs& args);
ExitCode run_save(api::Client& client, Context& context);
void add_cancel_options(CLI::App& app, CommandArgs& args);
ExitCode run_cancel(api::Client& client, Context& context);

// command_watch.cc
ExitCode run_watch(api::Client& client, Context& context);

}  // namespace sotto::ctl
