#include "frontends/tui/display_text.h"

#include <cwchar>

namespace sotto::tui {
namespace {

constexpr char32_t kReplacement = 0xFFFD;
// U+25CC DOTTED CIRCLE: Unicode's base for showing a mark that has nothing to
// combine with (a message may start with one).
constexpr char32_t kDottedCircle = 0x25CC;
constexpr char32_t kZeroWidthJoiner = 0x200D;
constexpr int kTabColumns = 4;

struct Decoded {
  char32_t cp;
  std::size_t length;  // bytes consumed; 1 for an invalid byte
};

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF. Anything else is one U+FFFD per bad byte.
Decoded decode(std::string_view s, std::size_t at) {
  const auto b0 = static_cast<unsigned char>(s[at]);
  if (b0 < 0x80) return {b0, 1};
  std::size_t length = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return {kReplacement, 1};
  }
  if (at + length > s.size()) return {kReplacement, 1};
  for (std::size_t i = 1; i < length; ++i) {
    const auto b = static_cast<unsigned char>(s[at + i]);
    if ((b & 0xC0) != 0x80) return {kReplacement, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {kReplacement, 1};
  return {cp, length};
}

int columns_of(char32_t cp) { return ::wcwidth(static_cast<wchar_t>(cp)); }

}  // namespace

bool is_bidi_control(char32_t cp) {
  return cp == 0x061C ||                    // ARABIC LETTER MARK
         cp == 0x200E || cp == 0x200F ||    // LRM, RLM
         (cp >= 0x202A && cp <= 0x202E) ||  // embeddings, pop, overrides
         (cp >= 0x2066 && cp <= 0x2069);    // isolates
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::u32string to_code_points(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  for (std::size_t at = 0; at < utf8.size();) {
    const Decoded d = decode(utf8, at);
    out.push_back(d.cp);
    at += d.length;
  }
  return out;
}

DisplayText::DisplayText(std::string_view untrusted) {
  utf8_.reserve(untrusted.size());
  clusters_.reserve(untrusted.size());
  std::size_t at = 0;
  while (at < untrusted.size()) {
    const Decoded d = decode(untrusted, at);
    at += d.length;
    const char32_t cp = d.cp;
    if (cp == '\n' || cp == 0x2028 || cp == 0x2029) {
      add_line_break();
    } else if (cp == '\r' && at < untrusted.size() && untrusted[at] == '\n') {
      // CRLF is one line break; the LF that follows makes it.
    } else if (cp == '\t') {
      for (int i = 0; i < kTabColumns; ++i) add_base(' ', 1);
    } else if (cp < 0x20) {
      add_base(0x2400 + cp, 1);  // Control Pictures: U+241B for ESC
    } else if (cp == 0x7F) {
      add_base(0x2421, 1);  // SYMBOL FOR DELETE
    } else if ((cp >= 0x80 && cp <= 0x9F) || is_bidi_control(cp)) {
      add_base(kReplacement, 1);
    } else if (cp == kZeroWidthJoiner) {
      // Dropped: see the class comment.
    } else {
      const int w = columns_of(cp);
      if (w < 0) {
        add_base(kReplacement, 1);
      } else if (w == 0) {
        add_zero_width(cp);
      } else {
        add_base(cp, w > 2 ? 2 : w);
      }
    }
  }
  // Reserved for the worst case (one cluster a byte); most text needs less.
  clusters_.shrink_to_fit();
}

void DisplayText::add_base(char32_t cp, int width) {
  Cluster c;
  c.begin = static_cast<std::uint32_t>(utf8_.size());
  append_utf8(utf8_, cp);
  c.end = static_cast<std::uint32_t>(utf8_.size());
  c.width = static_cast<std::uint8_t>(width);
  clusters_.push_back(c);
}

void DisplayText::add_zero_width(char32_t cp) {
  if (clusters_.empty() || clusters_.back().line_break) add_base(kDottedCircle, 1);
  // Appended to the byte range of the last cluster, which always ends at the
  // end of utf8_.
  append_utf8(utf8_, cp);
  clusters_.back().end = static_cast<std::uint32_t>(utf8_.size());
}

void DisplayText::add_line_break() {
  Cluster c;
  c.begin = c.end = static_cast<std::uint32_t>(utf8_.size());
  c.line_break = true;
  clusters_.push_back(c);
}

std::size_t DisplayText::width() const {
  std::size_t total = 0;
  for (const Cluster& c : clusters_) total += c.width;
  return total;
}

std::string inert_line(std::string_view untrusted) {
  const DisplayText text(untrusted);
  std::string out;
  out.reserve(text.utf8().size());
  for (const auto& c : text.clusters()) {
    if (c.line_break) {
      out.push_back(' ');
    } else {
      out.append(text.text_of(c));
    }
  }
  return out;
}

}  // namespace sotto::tui
