#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sotto::logging {

using Field = std::pair<std::string_view, std::string_view>;

// The line format every Sotto program logs in (stderr; the journal adds the
// time): "PROGRAM: event=NAME key=value ...". A value that is empty, too
// long, or holds spaces, quotes, '=', '\' or bytes outside printable ASCII is
// quoted, with '"' and '\' escaped and control bytes written as \xNN, so text
// that came from a peer cannot forge a second line or field. A value longer
// than max_value_bytes is cut and ends in "...".
// Callers never pass secrets: keys, passwords, tokens, message text.
std::string format_event_line(std::string_view program, std::string_view event, std::initializer_list<Field> fields,
                              std::size_t max_value_bytes);

// Writes line and a newline to stderr in one write, then flushes, so lines
// from several threads never interleave.
void write_line(std::string line);

}  // namespace sotto::logging
