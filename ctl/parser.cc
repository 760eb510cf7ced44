#include "ctl/parser.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>

#include "ctl/command_table.h"
#include "ctl/text_checks.h"
#include "lib/version/version.h"

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
  for (const std::string* name : {&a.user, &a.peer}) {
    if (!name->empty() && !name_problem(*name).empty()) return "'" + printable(*name) + "' " + name_problem(*name);
  }
  for (const std::string& peer : a.peers) {
    if (!name_problem(peer).empty()) return "PEER " + name_problem(peer);
  }
  if (!a.invite.empty() && !name_problem(a.invite).empty()) return "--invite " + name_problem(a.invite);
  if (!a.text.empty() && a.text != "-" && !text_problem(a.text).empty()) return "TEXT " + text_problem(a.text);
  if (!a.file.empty() && !options::path_problem(a.file).empty()) return "FILE " + options::path_problem(a.file);
  if (!options::caption_problem(a.caption).empty()) return "--caption " + options::caption_problem(a.caption);
  if (!a.id.empty() && !options::id_problem(a.id).empty()) return "ID " + options::id_problem(a.id);
  const std::string_view name = invocation.command->name;
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

// The first word that is in the place of a command but names none ("sendd"),
// or "" when the command word is fine or absent. CLI11 would only say that a
// sub-command is required.
std::string unknown_command(const std::vector<std::string>& argv) {
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--socket" || arg == "--timeout") {
      ++i;
      continue;
    }
    if (arg == "--") return "";
    if (arg.empty() || arg[0] == '-') continue;
    for (const CommandSpec& command : command_table()) {
      if (arg == (command.group.empty() ? command.name : command.group)) return "";
    }
    return arg;
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
          it->second = app.add_subcommand(std::string(spec.group), "Relay commands (see 'msgctl relay --help')");
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
      if (const std::string unknown = unknown_command(argv); !unknown.empty()) {
        return ParseFailure{"unknown command '" + printable(unknown) + "'", json};
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
