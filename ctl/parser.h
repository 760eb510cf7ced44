#pragma once

#include <string>
#include <variant>
#include <vector>

#include "ctl/command.h"

namespace sotto::ctl {

// A command to run with its options.
struct Invocation {
  const CommandSpec* command = nullptr;
  GlobalOptions global;
  CommandArgs args;
};

// --help or --version: print `text` on stdout and exit 0.
struct InfoRequest {
  std::string text;
};

// The command line is wrong: print `message` and exit 2.
struct ParseFailure {
  std::string message;
  bool json = false;  // --json was among the arguments: report the error as JSON too
};

using ParseResult = std::variant<Invocation, InfoRequest, ParseFailure>;

// Parses argv (argv[0] is the program name) without printing or exiting, so
// tests and the fuzzer can call it; never throws. Every name and text in a
// returned Invocation has passed the checks of ctl/text_checks.h.
ParseResult parse_command_line(const std::vector<std::string>& argv);

// Shared by the commands' option binders.
namespace options {
// Adds a required positional NAME that must pass name_problem().
void add_name(CLI::App& app, const std::string& name, std::string& target, const std::string& description);
// A validator for a number of seconds: finite, > 0, at most a day.
std::string seconds_problem(const std::string& value);
// Why `value` is not a message or file id (32 hex digits); "" when it is.
std::string id_problem(const std::string& value);
// Why `value` cannot be a path msgctl hands to msgd: empty, or not UTF-8
// (the API's strings are UTF-8, on D-Bus and in JSON alike); "" when it can.
std::string path_problem(const std::string& value);
// Why `value` cannot be a caption: "" is no caption; else as text_problem.
std::string caption_problem(const std::string& value);
// Adds a required positional GROUP that must pass group_ref_problem().
void add_group(CLI::App& app, std::string& target);
// The most users one group create, add or remove takes (issue 12): a longer
// list is more likely a mistake (an unquoted glob, a pasted file) than a group.
inline constexpr std::size_t kMaxMembersPerCall = 1000;
// Why a list of users cannot go to a group method: too many, a name that is
// no username (lib/wire/username.h), or one name twice; "" when it can.
std::string members_problem(const std::vector<std::string>& members);
}  // namespace options

}  // namespace sotto::ctl
