#include "ctl/parser.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "ctl/command_table.h"
#include "ctl/text_checks.h"
#include "lib/version/version.h"
#include "lib/wire/username.h"

namespace sotto::ctl {

namespace options {

void add_name(CLI::App& app, const std::string& name, std::string& target, const std::string& description) {
  app.add_option(name, target, description)
      ->required()
      ->type_name("")
      ->check(CLI::Validator([](std::string& value) { return name_problem(value); }, "", "name"));
}

std::string seconds_problem(const std::string& value) {
  if (value.empty()) return "must be a number of seconds";
  char* end = nullptr;
  errno = 0;
  const double seconds = std::strtod(value.c_str(), &end);
  if (end == value.c_str() || *end != '\0' || errno == ERANGE) return "'" + printable(value) + "' is not a number";
  if (!std::isfinite(seconds) || seconds <= 0 || seconds > 86400)
    return "must be more than 0 and at most 86400 seconds";
  return "";
}

std::string id_problem(const std::string& value) {
  const bool ok = value.size() == 32 && std::all_of(value.begin(), value.end(), [](char c) {
                    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                  });
  return ok ? "" : "must be an id of 32 hex digits";
}

std::string path_problem(const std::string& value) {
  if (value.empty()) return "is empty";
  if (!is_valid_utf8(value)) return "is not valid UTF-8 (msgd's API takes UTF-8 paths; rename the file)";
  if (value.find('\0') != std::string::npos) return "contains a NUL byte";
  return "";
}

std::string caption_problem(const std::string& value) { return value.empty() ? "" : text_problem(value); }

void add_group(CLI::App& app, std::string& target) {
  app.add_option("GROUP", target, "The group: its name or id, with or without a leading '@' (@ops)")
      ->required()
      ->type_name("")
      ->check(CLI::Validator([](std::string& value) { return group_ref_problem(value); }, "", "group"));
}

std::string members_problem(const std::vector<std::string>& members) {
  if (members.size() > kMaxMembersPerCall) {
    return "at most " + std::to_string(kMaxMembersPerCall) + " users at a time (" + std::to_string(members.size()) +
           " given)";
  }
  std::set<std::string> seen;
  for (const std::string& member : members) {
    if (const std::string problem = username_problem(member); !problem.empty()) {
      return "USER '" + printable(member) + "': " + problem;
    }
    // Canonical names, so "Bob" and "bob" are the same user twice.
    if (!seen.insert(wire::canonical_username(member).value()).second) {
      return "USER '" + printable(member) + "' is given twice";
    }
  }
  return "";
}

}  // namespace options

namespace {

constexpr const char* kDescription =
    "msgctl: the command line of Sotto, an end-to-end encrypted messenger. It talks to your msgd.";

void add_global_options(CLI::App& app, GlobalOptions& global) {
  app.add_flag("--json", global.json, "Print results (and errors) as JSON on stdout");
  auto* socket =
      app.add_option("--socket", global.socket, "Talk to msgd over this Unix socket")
          ->type_name("PATH")
          ->check(CLI::Validator([](std::string& value) { return value.empty() ? "is empty" : ""; }, "", "path"));
  auto* bus = app.add_flag("--bus", global.bus, "Talk to msgd over the D-Bus session bus");
  socket->excludes(bus);
  app.add_option("--timeout", global.timeout_seconds, "Seconds to wait for msgd's answer to each call (default 10)")
      ->type_name("SECONDS")
      ->check(CLI::Validator(options::seconds_problem, "", "seconds"));
}

std::vector<std::string> reversed_arguments(const std::vector<std::string>& argv) {
  std::vector<std::string> args;
  if (argv.size() > 1) args.assign(argv.rbegin(), argv.rend() - 1);
  return args;
}

// What the validators already guarantee, checked once more in one place so the
// promise of parse_command_line does not depend on CLI11's rules for when
// validators run.
std::string invocation_problem(const Invocation& invocation) {
  const CommandArgs& a = invocation.args;
  if (!a.user.empty() && !name_problem(a.user).empty()) return "'" + printable(a.user) + "' " + name_problem(a.user);
  if (!a.peer.empty() && !conversation_problem(a.peer).empty()) {
    return "'" + printable(a.peer) + "' " + conversation_problem(a.peer);
  }
  if (!a.group.empty() && !group_ref_problem(a.group).empty()) return "GROUP " + group_ref_problem(a.group);
  if (!a.group_name.empty() && !group_name_problem(a.group_name).empty()) {
    return "NAME " + group_name_problem(a.group_name);
  }
  if (const std::string problem = options::members_problem(a.members); !problem.empty()) return problem;
  for (const std::string& peer : a.peers) {
    if (!name_problem(peer).empty()) return "PEER " + name_problem(peer);
  }
  if (!a.invite.empty() && !name_problem(a.invite).empty()) return "--invite " + name_problem(a.invite);
  if (!a.text.empty() && a.text != "-" && !text_problem(a.text).empty()) return "TEXT " + text_problem(a.text);
  if (!a.file.empty() && !options::path_problem(a.file).empty()) return "FILE " + options::path_problem(a.file);
  if (!options::caption_problem(a.caption).empty()) return "--caption " + options::caption_problem(a.caption);
  if (!a.id.empty() && !options::id_problem(a.id).empty()) return "ID " + options::id_problem(a.id);
  const std::string_view name = invocation.command->name;
  if (invocation.command->group == "group") {
    if (name != "create" && name != "list" && a.group.empty()) return "GROUP is required";
    if ((name == "create" || name == "rename") && a.group_name.empty()) return "NAME is required";
    if ((name == "add" || name == "remove") && a.members.empty()) return "at least one USER is required";
  }
  if (name == "send-file" && a.file.empty()) return "FILE is required";
  if ((name == "save" || name == "cancel") && a.id.empty()) return "ID is required";
  if (name == "save" && !a.output_file.empty() && !options::path_problem(a.output_file).empty()) {
    return "--output " + options::path_problem(a.output_file);
  }
  return "";
}

std::string with_newline(std::string text) {
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

// Why the word after a group's name ("group frobnicate") names none of the
// group's commands, or that there is none; "" when it names one.
std::string group_command_problem(const std::vector<std::string>& argv, std::size_t group_at, std::string_view group) {
  for (std::size_t i = group_at + 1; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--socket" || arg == "--timeout") {
      ++i;
      continue;
    }
    if (arg == "--") break;
    if (arg.empty() || arg[0] == '-') continue;
    if (find_command(group, arg) != nullptr) return "";
    return "unknown command '" + std::string(group) + " " + printable(arg) + "'";
  }
  std::string names;
  for (const CommandSpec& command : command_table()) {
    if (command.group == group) names += (names.empty() ? "" : ", ") + std::string(command.name);
  }
  return "'" + std::string(group) + "' needs a command: " + names;
}

// Why the word in the place of a command names none ("sendd", "group
// frobnicate"), or "" when the command word is fine or absent. CLI11 would
// only say that a sub-command is required.
std::string command_word_problem(const std::vector<std::string>& argv) {
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--socket" || arg == "--timeout") {
      ++i;
      continue;
    }
    if (arg == "--") return "";
    if (arg.empty() || arg[0] == '-') continue;
    for (const CommandSpec& command : command_table()) {
      if (arg == (command.group.empty() ? command.name : command.group)) {
        return command.group.empty() ? "" : group_command_problem(argv, i, command.group);
      }
    }
    return "unknown command '" + printable(arg) + "'";
  }
  return "";
}

}  // namespace

ParseResult parse_command_line(const std::vector<std::string>& argv) {
  const bool json = std::find(argv.begin(), argv.end(), "--json") != argv.end();
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (argv[i].size() > kMaxArgumentBytes) {
      return ParseFailure{"argument " + std::to_string(i) + " is too long (" + std::to_string(argv[i].size()) +
                              " bytes; at most " + std::to_string(kMaxArgumentBytes) + ")",
                          json};
    }
  }
  try {
    Invocation invocation;
    CLI::App app(kDescription, "msgctl");
    // Global options may come before or after the sub-command.
    app.fallthrough();
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("msgctl (Sotto) ") + sotto::kVersion);
    add_global_options(app, invocation.global);
    app.footer("Run 'msgctl COMMAND --help' for the options of a command; 'man msgctl' for the details.");

    std::map<std::string_view, CLI::App*> groups;
    std::vector<std::pair<CLI::App*, const CommandSpec*>> leaves;
    for (const CommandSpec& spec : command_table()) {
      CLI::App* parent = &app;
      if (!spec.group.empty()) {
        auto [it, added] = groups.try_emplace(spec.group, nullptr);
        if (added) {
          it->second = app.add_subcommand(std::string(spec.group), std::string(command_group_summary(spec.group)));
          it->second->require_subcommand(1);
        }
        parent = it->second;
      }
      CLI::App* sub = parent->add_subcommand(std::string(spec.name), std::string(spec.summary));
      spec.add_options(*sub, invocation.args);
      leaves.emplace_back(sub, &spec);
    }

    std::vector<std::string> args = reversed_arguments(argv);
    try {
      app.parse(args);
    } catch (const CLI::CallForHelp&) {
      return InfoRequest{with_newline(app.help())};
    } catch (const CLI::CallForAllHelp&) {
      return InfoRequest{with_newline(app.help("", CLI::AppFormatMode::All))};
    } catch (const CLI::CallForVersion& e) {
      return InfoRequest{std::string(e.what()) + "\n"};
    } catch (const CLI::ParseError& e) {
      if (const std::string problem = command_word_problem(argv); !problem.empty()) {
        return ParseFailure{problem, json};
      }
      return ParseFailure{printable(e.what()), json};
    }
    for (const auto& [sub, spec] : leaves) {
      if (sub->parsed()) invocation.command = spec;
    }
    if (invocation.command == nullptr) return ParseFailure{"a command is required", json};
    if (const std::string problem = invocation_problem(invocation); !problem.empty()) {
      return ParseFailure{problem, json};
    }
    return invocation;
  } catch (const std::exception& e) {
    return ParseFailure{std::string("cannot parse the command line: ") + printable(e.what()), json};
  }
}

}  // namespace sotto::ctl
