// Splits arbitrary bytes at NUL into msgctl's argv and parses them. Every
// input must come back as a command, help/version text or a usage error,
// without throwing, and what comes back must keep the parser's promises: a
// command from the table whose names and text passed the checks, bounded
// numbers, and error messages that are safe to print on a terminal.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/command_table.h"
#include "ctl/parser.h"
#include "ctl/text_checks.h"

namespace {

using namespace sotto::ctl;  // NOLINT: a fuzz target, not a header

void check(bool condition) {
  if (!condition) std::abort();
}

bool is_hex_id(const std::string& s) {
  return s.size() == 32 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

void check_invocation(const Invocation& i) {
  check(i.command != nullptr);
  check(find_command(i.command->group, i.command->name) == i.command);
  check(std::isfinite(i.global.timeout_seconds) && i.global.timeout_seconds > 0 && i.global.timeout_seconds <= 86400);
  check(!(i.global.socket && i.global.bus));
  check(!i.global.socket || !i.global.socket->empty());
  const CommandArgs& a = i.args;
  const std::string_view name = i.command->name;
  const bool takes_peer = name == "send" || name == "send-file" || name == "history" || name == "read" ||
                          name == "fingerprint" || name == "trust" || name == "export";
  if (takes_peer) check(conversation_problem(a.peer).empty());
  if (name == "fingerprint" || name == "trust") check(a.peer.front() != '@');
  if (i.command->group == "group") {
    if (name != "create" && name != "list") check(group_ref_problem(a.group).empty() && !a.group.empty());
    if (name == "create" || name == "rename") check(group_name_problem(a.group_name).empty());
    if (name == "add" || name == "remove") check(!a.members.empty());
  }
  check(a.members.size() <= options::kMaxMembersPerCall);
  for (const std::string& member : a.members) check(username_problem(member).empty());
  if (name == "broadcast") check(a.text == "-" || text_problem(a.text).empty());
  if (name == "register" || name == "login") check(name_problem(a.user).empty());
  if (!a.invite.empty()) check(name_problem(a.invite).empty());
  for (const std::string& peer : a.peers) check(name_problem(peer).empty());
  if (name == "send") check(a.text == "-" || text_problem(a.text).empty());
  check(std::isfinite(a.wait_timeout_seconds) && a.wait_timeout_seconds > 0 && a.wait_timeout_seconds <= 86400);
  check(a.limit >= 0 && a.limit <= 1000);
  check(a.before.empty() || is_hex_id(a.before));
  if (name == "export") check(a.format == "txt" || a.format == "json");
  check(!a.force || !a.output_file.empty());
  if (name == "files") check(a.peer.empty() || name_problem(a.peer).empty());
  if (name == "send-file") check(!a.file.empty() && options::path_problem(a.file).empty());
  check(options::caption_problem(a.caption).empty());
  if (name == "save" || name == "cancel") check(is_hex_id(a.id));
  if (name == "save")
    check(a.output_file != "-" && (a.output_file.empty() || options::path_problem(a.output_file).empty()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> argv = {"msgctl"};
  std::size_t start = 0;
  for (std::size_t i = 0; i <= bytes.size(); ++i) {
    if (i == bytes.size() || bytes[i] == '\0') {
      if (i > start || i < bytes.size()) argv.emplace_back(bytes.substr(start, i - start));
      start = i + 1;
    }
  }
  const bool oversized =
      std::any_of(argv.begin() + 1, argv.end(), [](const std::string& a) { return a.size() > kMaxArgumentBytes; });

  ParseResult result;
  try {
    result = parse_command_line(argv);
  } catch (...) {
    std::abort();  // the parser promises never to throw
  }
  if (const auto* invocation = std::get_if<Invocation>(&result)) {
    check(!oversized);
    check_invocation(*invocation);
  } else if (const auto* info = std::get_if<InfoRequest>(&result)) {
    check(!oversized);
    check(!info->text.empty());
  } else {
    const auto& failure = std::get<ParseFailure>(result);
    check(!failure.message.empty());
    check(is_valid_utf8(failure.message) && !has_control_character(failure.message));
    check(failure.json == (std::find(argv.begin(), argv.end(), "--json") != argv.end()));
  }
  return 0;
}
