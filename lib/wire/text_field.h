#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sotto::wire {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates (U+D800..U+DFFF),
// nothing above U+10FFFF, no truncated sequences.
bool is_valid_utf8(std::string_view text);

// Checks a free-text field that people will read in a terminal or a log
// (device names, client and server strings): at most max_bytes bytes of
// UTF-8, with no control characters (C0, DEL, C1: they can move a terminal's
// cursor or forge log lines) and no bidirectional overrides (U+202A..U+202E,
// U+2066..U+2069: they can make text display as something else).
// Returns the problem ("is not valid UTF-8", "is longer than 64 bytes", ...),
// phrased to follow the field's name, or nullopt when the text is fine.
std::optional<std::string> check_display_text(std::string_view text, std::size_t max_bytes);

}  // namespace sotto::wire
