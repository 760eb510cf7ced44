#pragma once

#include "ctl/command.h"

// The option binders and run functions the command table points at, one
// source file per group of commands.
namespace sotto::ctl {

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
ExitCode run_read(api::Client& client, Context& context);
void add_export_options(CLI::App& app, CommandArgs& args);
ExitCode run_export(api::Client& client, Context& context);

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
