#include "frontends/tui/command_line.h"

#include <algorithm>
#include <array>

namespace sotto::tui {
namespace {

constexpr std::array<CommandInfo, 9> kCommands{{
    {CommandName::kOpen, "open", ArgumentKind::kPeer, "/open PEER", "open the conversation with PEER"},
    {CommandName::kFile, "file", ArgumentKind::kText, "/file PATH", "send a file to the open conversation"},
    {CommandName::kSave, "save", ArgumentKind::kOptionalPath, "/save [ID]",
     "save a received file (the newest in the open conversation) to the download folder"},
    {CommandName::kTrust, "trust", ArgumentKind::kOptionalPeer, "/trust [PEER]",
     "mark PEER's identity as verified (after comparing safety numbers)"},
    {CommandName::kFingerprint, "fingerprint", ArgumentKind::kOptionalPeer, "/fingerprint [PEER]",
     "show the safety number to compare with PEER"},
    {CommandName::kSearch, "search", ArgumentKind::kText, "/search TEXT",
     "find TEXT in the open conversation's history"},
    {CommandName::kExport, "export", ArgumentKind::kOptionalPath, "/export [FILE]",
     "write the open conversation as JSON to FILE (default sotto-PEER.json)"},
    {CommandName::kHelp, "help", ArgumentKind::kNone, "/help", "keys and commands"},
    {CommandName::kQuit, "quit", ArgumentKind::kNone, "/quit", "leave msg-tui (Ctrl-C too)"},
}};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

const CommandInfo* find_command(std::string_view word) {
  for (const auto& c : kCommands) {
    if (c.word == word) return &c;
  }
  return nullptr;
}

std::string common_prefix(const std::vector<std::string>& words) {
  if (words.empty()) return {};
  std::string prefix = words.front();
  for (const auto& w : words) {
    std::size_t n = 0;
    while (n < prefix.size() && n < w.size() && prefix[n] == w[n]) ++n;
    prefix.resize(n);
  }
  return prefix;
}

Completion complete_from(std::string_view typed, std::string_view head, const std::vector<std::string>& choices) {
  std::vector<std::string> matches;
  for (const auto& c : choices) {
    if (c.starts_with(typed)) matches.push_back(c);
  }
  std::sort(matches.begin(), matches.end());
  matches.erase(std::unique(matches.begin(), matches.end()), matches.end());
  Completion out;
  if (matches.empty()) return out;
  if (matches.size() == 1) {
    out.replacement = std::string(head) + matches.front() + " ";
    return out;
  }
  out.replacement = std::string(head) + common_prefix(matches);
  out.candidates = std::move(matches);
  return out;
}

}  // namespace

std::span<const CommandInfo> command_table() { return kCommands; }

InputAction interpret_input(std::string_view line) {
  if (line.starts_with("//")) return PlainText{std::string(line.substr(1))};
  if (!line.starts_with("/")) return PlainText{std::string(line)};
  const std::string_view rest = line.substr(1);
  const auto space = rest.find_first_of(" \t");
  const std::string_view word = rest.substr(0, space);
  const std::string_view argument = space == std::string_view::npos ? std::string_view{} : trim(rest.substr(space));
  const CommandInfo* info = find_command(word);
  if (info == nullptr) {
    return CommandError{"unknown command /" + std::string(word).substr(0, 32) +
                        " (/help lists them; start a message with // to send a leading /)"};
  }
  const bool required = info->argument == ArgumentKind::kPeer || info->argument == ArgumentKind::kText;
  if (required && argument.empty()) return CommandError{"usage: " + std::string(info->usage)};
  if (info->argument == ArgumentKind::kNone && !argument.empty()) {
    return CommandError{"/" + std::string(info->word) + " takes no argument"};
  }
  if ((info->argument == ArgumentKind::kPeer || info->argument == ArgumentKind::kOptionalPeer) &&
      argument.find_first_of(" \t") != std::string_view::npos) {
    return CommandError{"usage: " + std::string(info->usage) + " (one username)"};
  }
  return ParsedCommand{info->name, std::string(argument)};
}

Completion complete_input(std::string_view before_cursor, const std::vector<std::string>& peers) {
  if (!before_cursor.starts_with("/") || before_cursor.starts_with("//")) return {};
  const std::string_view rest = before_cursor.substr(1);
  const auto space = rest.find(' ');
  if (space == std::string_view::npos) {
    std::vector<std::string> words;
    for (const auto& c : kCommands) words.emplace_back(c.word);
    return complete_from(rest, "/", words);
  }
  const CommandInfo* info = find_command(rest.substr(0, space));
  if (info == nullptr || (info->argument != ArgumentKind::kPeer && info->argument != ArgumentKind::kOptionalPeer)) {
    return {};
  }
  const std::string_view typed = rest.substr(space + 1);
  if (typed.find(' ') != std::string_view::npos) return {};
  return complete_from(typed, before_cursor.substr(0, before_cursor.size() - typed.size()), peers);
}

}  // namespace sotto::tui
