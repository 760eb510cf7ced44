#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sotto::ctl {

// The longest string msgctl passes to msgd, the same bound msgd applies to
// every string parameter (api::kMaxStringParam): a longer argument is a usage
// error here rather than an InvalidParams round trip.
inline constexpr std::size_t kMaxArgumentBytes = 64 * 1024;

bool is_valid_utf8(std::string_view text);

// A C0 control, DEL, or a C1 control (U+0080..U+009F); these make terminal
// output lie (escape sequences) and are never part of a username.
bool has_control_character(std::string_view text);

// Why `value` cannot be a username or peer ("" when it can). msgd validates
// the real rules; this rejects what can only be a mistake or an attack.
std::string name_problem(std::string_view value);

// Group names (issue 12): 1..kMaxGroupNameBytes bytes of printable UTF-8, not
// starting with '@' (which names a group on the command line) or '#' (which
// marks a group conversation in msgd's messages), no leading or trailing space.
// "Printable" here also excludes the characters that reorder text (the
// Unicode Bidi_Control set: U+061C, U+200E, U+200F, U+202A..U+202E,
// U+2066..U+2069) and the line and paragraph separators U+2028/U+2029: a
// group name is shown beside other people's names and must read as itself.
inline constexpr std::size_t kMaxGroupNameBytes = 64;
// Why `value` cannot be a group's name ("" when it can).
std::string group_name_problem(std::string_view value);

// Why `value` cannot name a group ("" when it can): the group's id (32 hex
// digits) or its name, either with or without one leading '@', then one '#'
// ("#<id>", as group messages name their peer).
std::string group_ref_problem(std::string_view value);

// Why `value` cannot be a username (lib/wire/username.h's rules, which
// relayd and msgd apply too); "" when it can. The reason never repeats the
// value's bytes.
std::string username_problem(std::string_view value);

// Why `value` cannot be a conversation: "@GROUP" is checked as a group
// (group_ref_problem), anything else as a peer (name_problem).
std::string conversation_problem(std::string_view value);

// Why `value` cannot be message text ("" when it can).
std::string text_problem(std::string_view value);

// Text from msgd made safe to print on a terminal: control characters become
// visible escapes (\x1b), bidirectional embeddings, overrides and isolates
// (U+202A..U+202E, U+2066..U+2069, which can make "gnp.exe" read as "exe.png")
// become visible escapes too (\u202e), invalid UTF-8 becomes U+FFFD. Newlines
// are kept only when keep_newlines is set.
std::string printable(std::string_view text, bool keep_newlines = false);

// Columns a printable string takes (one per code point: good enough for the
// names and marks msgctl aligns).
std::size_t display_width(std::string_view text);

// Columns a printable string takes on a terminal, closer to wcwidth(3) than
// display_width: East Asian wide characters and most emoji take 2, combining
// marks, variation selectors and joiners 0. For what must fit one line (the
// progress bar), where a column too many makes the terminal wrap.
std::size_t terminal_columns(std::string_view text);

// A printable string cut to at most `columns` terminal columns at a character
// boundary, ending in "…" when something was cut.
std::string fit_columns(std::string_view text, std::size_t columns);

}  // namespace sotto::ctl
