#pragma once

#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sotto::tui {

// The commands of the input line ("/open bob"). A line that does not start
// with '/' is a message; "//text" sends "/text".
enum class CommandName { kOpen, kFile, kSave, kTrust, kFingerprint, kSearch, kExport, kHelp, kQuit };

enum class ArgumentKind {
  kNone,
  kPeer,          // a username (required)
  kOptionalPeer,  // a username; the open conversation when left out
  kText,          // the rest of the line (required)
  kOptionalPath,
};

struct CommandInfo {
  CommandName name;
  std::string_view word;  // "open"
  ArgumentKind argument;
  std::string_view usage;    // "/open PEER"
  std::string_view summary;  // for /help
};

std::span<const CommandInfo> command_table();

struct ParsedCommand {
  CommandName name;
  std::string argument;  // trimmed; "" when absent
};

struct CommandError {
  std::string message;  // names the problem and the usage
};

struct PlainText {
  std::string text;  // to send as it is ("//x" already turned into "/x")
};

using InputAction = std::variant<PlainText, ParsedCommand, CommandError>;

// What a submitted line means.
InputAction interpret_input(std::string_view line);

// Tab completion of the text before the cursor: command words after a
// leading '/', and peers as the argument of a command that takes one.
struct Completion {
  std::string replacement;              // the new text before the cursor ("" : nothing to do)
  std::vector<std::string> candidates;  // more than one match: what they are
};
Completion complete_input(std::string_view before_cursor, const std::vector<std::string>& peers);

}  // namespace sotto::tui
