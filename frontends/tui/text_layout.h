#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "frontends/tui/display_text.h"

namespace sotto::tui {

// One screen line of a wrapped text: the clusters [first, last) of it.
struct LineSlice {
  std::size_t first = 0;
  std::size_t last = 0;
  int width = 0;  // columns
};

// Wraps text into lines of at most `first_width` columns (the first line) and
// `width` columns (the others): at a space where the line has one (the space
// is not shown), inside a word only when the word is longer than a line. A
// line break always ends a line. Never splits a cluster, so a wide character
// that does not fit moves to the next line whole. Always at least one line
// (an empty text is one empty line). Widths below 2 are taken as 2, the
// widest cluster.
std::vector<LineSlice> wrap_text(const DisplayText& text, int first_width, int width);

// The UTF-8 of one wrapped line.
std::string slice_utf8(const DisplayText& text, const LineSlice& line);

// The text on one line of at most `width` columns: line breaks become spaces;
// when it is too wide it is cut at a cluster boundary and ends in "…".
std::string fit_to_width(const DisplayText& text, int width);
// The same for a string that is not yet made safe.
std::string fit_to_width(std::string_view untrusted, int width);

// Columns taken by a safe single-line string (the output of the functions above).
int columns_of_safe(std::string_view safe_utf8);

}  // namespace sotto::tui
