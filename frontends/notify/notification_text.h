#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "frontends/notify/notification_ports.h"

namespace sotto::notify {

// What a popup says. A peer chooses every byte of a message, so the text is
// treated as hostile: cleaned, cut, and escaped for the server's markup.

// A popup shows a few lines; the whole message is in msgctl and msg-tui.
inline constexpr std::size_t kMaxBodyTextBytes = 1000;
// Usernames are at most 32 characters (lib/wire/username.h); a longer summary
// would only be a hostile one.
inline constexpr std::size_t kMaxSummaryBytes = 64;
// Group names are at most 64 bytes (issue 12); "#" and the name, cut beyond.
inline constexpr std::size_t kMaxGroupLabelBytes = 1 + 64;
// A file name longer than this (Linux allows 255 bytes) is a hostile one.
inline constexpr std::size_t kMaxFileNameBytes = 255;
// The whole summary in privacy mode.
inline constexpr std::string_view kPrivateSummary = "New message";

// The five characters the notification spec's markup (a small XML subset)
// treats specially, as entities: & < > ' ". Everything else is unchanged, so
// "<b>" shows as the text <b>, and "&amp;" as the text &amp;.
std::string escape_markup(std::string_view text);

// Text fit for a popup: control characters other than newline and tab become
// spaces (a terminal escape or a NUL has no business there), bidirectional
// overrides and isolates (U+202A..U+202E, U+2066..U+2069) are dropped (they
// can make one string read as another), bytes that are not UTF-8 become
// U+FFFD, and text longer than max_bytes is cut at a character boundary and
// ends in "…" (the result is then at most max_bytes long).
std::string clean_text(std::string_view text, std::size_t max_bytes);

// A file size as people read it, in powers of 1000 like msgctl: "999 B",
// "2.1 MB", "215 MB"; "" when unknown (negative).
std::string format_file_size(std::int64_t bytes);

struct NotificationText {
  std::string summary;
  std::string body;

  bool operator==(const NotificationText&) const = default;
};

// Summary and body for the latest of `count` unread messages from `sender`.
// Summary: the sender (plain text: the spec allows no markup there). Body:
// the latest text, escaped when the server renders markup (body_markup;
// otherwise the spec says markup shows as typed, so escaping would show
// entities), then "(N new messages)" on a line of its own when count > 1.
// privacy: summary kPrivateSummary and an empty body, whatever was received.
// For a file message (`file` set) the body's first line is "alice sent
// report.pdf (2.1 MB)" (the name cleaned and on one line), and latest_text,
// the caption, follows on the next line when there is one.
// In a group (`group` is its label, "#ops") the summary is "alice in #ops",
// the label cleaned, on one line and cut to kMaxGroupLabelBytes.
NotificationText compose_text(std::string_view sender, std::string_view latest_text, int count, bool privacy,
                              bool body_markup, const std::optional<FileSummary>& file = std::nullopt,
                              std::string_view group = {});

}  // namespace sotto::notify
