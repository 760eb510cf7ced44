#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/exit_codes.h"
#include "lib/api/client.h"

namespace CLI {
class App;
}

namespace sotto::ctl {

class Output;

// The command line or the command's input is wrong (exit 2). Thrown by a
// command's run function for what only shows at run time (stdin, the terminal).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A local step failed (exit 1), e.g. the export file exists.
class LocalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct GlobalOptions {
  bool json = false;
  std::optional<std::string> socket;  // --socket PATH
  bool bus = false;                   // --bus
  double timeout_seconds = 10;
};

// The options and arguments of every command in one place: each command's
// add_options binds the members it uses, so the table stays plain data.
struct CommandArgs {
  std::string user;
  std::string invite;
  bool password_stdin = false;
  std::string peer;
  std::string text;
  bool wait = false;
  double wait_timeout_seconds = 30;
  std::int64_t limit = 0;
  std::string before;
  std::vector<std::string> peers;
  std::string format;
  std::string output_file;
  bool force = false;
  std::string file;                  // send-file FILE, as typed
  std::string caption;               // send-file --caption
  std::string id;                    // save, cancel: a file's id
  std::string group;                 // group add/remove/leave/rename/members: a group's name or id, "@" optional
  std::string group_name;            // group create NAME, group rename GROUP NAME
  std::vector<std::string> members;  // group create/add/remove: usernames
  bool online_only = false;          // broadcast --online
};

// What a command needs besides the client: where to print, where to read,
// and how to ask for a password. Tests fill it with string streams.
struct Context {
  const GlobalOptions& global;
  const CommandArgs& args;
  Output& out;
  std::istream& in;
  bool stdin_is_terminal = false;
  // Asks on the terminal without echo; nullopt when there is no terminal.
  std::function<std::optional<std::string>(std::string_view prompt)> prompt_password;
  // Set by SIGINT/SIGTERM while `watch` runs; read by long-running commands.
  std::function<bool()> stop_requested = [] { return false; };
  // Drops the connection to msgd so that the next call connects afresh
  // (watch, after msgd went away).
  std::function<void()> reconnect = [] {};
  // Whether stdout is a terminal (send-file and save draw a progress bar
  // there), and its width in columns now (it may change while a bar is drawn).
  bool stdout_is_terminal = false;
  std::function<std::size_t()> terminal_columns = [] { return std::size_t{80}; };
};

struct CommandSpec {
  std::string_view group;  // "" for top-level commands, "relay" for `relay forget`, "group" for `group add`
  std::string_view name;
  std::string_view summary;
  void (*add_options)(CLI::App& app, CommandArgs& args);
  // Returns the exit code; throws api::ApiError, api::TransportError,
  // UsageError or LocalError, which the caller maps to an exit code.
  ExitCode (*run)(api::Client& client, Context& context);
};

}  // namespace sotto::ctl
