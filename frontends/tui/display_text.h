#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sotto::tui {

// Text from a peer (or from anywhere outside msg-tui) made safe to put on a
// terminal, cut into the clusters the terminal will draw. A peer chooses every
// byte of a message, so nothing of it may reach the terminal as something the
// terminal interprets:
//   - C0 controls (ESC, BEL, BS, CR alone...) and DEL become their visible
//     Control Pictures (ESC shows as U+241B "␛"), so an escape sequence is
//     shown, never executed;
//   - C1 controls (U+0080..U+009F; 0x9B is an 8-bit CSI), bidi embeddings,
//     overrides, isolates and marks (which would reorder what follows them,
//     "Trojan Source"), and code points the locale cannot draw become U+FFFD;
//   - invalid UTF-8 (overlong forms, surrogates, > U+10FFFF, truncation)
//     becomes U+FFFD, one per bad byte;
//   - a zero-width joiner is dropped: terminals disagree on whether an emoji
//     ZWJ sequence takes 2 columns or the sum of its parts, and a width we get
//     wrong shifts every later column; the parts are shown side by side.
// Newlines (LF, CRLF, U+2028, U+2029) are line breaks; a tab is 4 spaces.
// Widths come from wcwidth(3) in the current LC_CTYPE, the same table ncursesw
// draws with, so the columns we count are the columns the terminal uses.
class DisplayText {
 public:
  // One thing the terminal draws: a base character and the zero-width
  // characters (combining marks, variation selectors) that go on it.
  struct Cluster {
    std::uint32_t begin = 0;  // byte range in utf8()
    std::uint32_t end = 0;
    std::uint8_t width = 0;   // 1 or 2 columns; 0 for a line break
    bool line_break = false;  // utf8() holds nothing for it
  };

  DisplayText() = default;
  // Never throws for any bytes.
  explicit DisplayText(std::string_view untrusted);

  const std::string& utf8() const { return utf8_; }
  const std::vector<Cluster>& clusters() const { return clusters_; }
  std::string_view text_of(const Cluster& c) const { return std::string_view(utf8_).substr(c.begin, c.end - c.begin); }
  // The sum of the clusters' widths (line breaks count 0).
  std::size_t width() const;
  bool empty() const { return clusters_.empty(); }

 private:
  void add_base(char32_t cp, int width);
  void add_zero_width(char32_t cp);
  void add_line_break();

  std::string utf8_;  // safe UTF-8: no C0, C1, DEL, bidi control, invalid sequence
  std::vector<Cluster> clusters_;
};

// Safe text for a short label (a username, a status word): the same rules,
// with line breaks shown as spaces.
std::string inert_line(std::string_view untrusted);

// How a code point is classified; exposed for tests.
bool is_bidi_control(char32_t cp);
void append_utf8(std::string& out, char32_t cp);
// Strict UTF-8 to code points; each invalid byte becomes U+FFFD.
std::u32string to_code_points(std::string_view utf8);

}  // namespace sotto::tui
