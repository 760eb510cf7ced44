#pragma once

#include <cstdint>
#include <string>

#include "frontends/tui/chat_events.h"

namespace sotto::tui {

// A file size as people read it, in powers of 1000 like msgctl and
// msg-notify: "999 B", "2.1 MB", "215 MB"; "?" when unknown (negative).
std::string format_file_size(std::int64_t bytes);

// The longest file name shown, in bytes (Linux allows 255): a longer one is
// cut with "…" rather than fill the conversation.
inline constexpr std::size_t kMaxShownFileNameBytes = 255;

// What the conversation shows for a message: its text, or for a file
// "[file] report.pdf (2.1 MB)" and " — caption" when there is one. The name
// is the sender's choice: its line breaks become spaces here (it stays one
// line), and DisplayText makes the rest inert like any text.
std::string shown_text(const MessageData& message);

}  // namespace sotto::tui
