#include "ctl/text_checks.h"

#include <cstdint>
#include <cstdio>
#include <initializer_list>

#include "lib/wire/username.h"

namespace sotto::ctl {
namespace {

// Length of the UTF-8 sequence starting at text[i], or 0 when it is invalid
// (overlong, surrogate, beyond U+10FFFF, truncated). *code_point gets its value.
std::size_t utf8_sequence(std::string_view text, std::size_t i, char32_t* code_point) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t lead = byte(i);
  std::size_t length = 0;
  char32_t value = 0;
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    value = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    value = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(i + k) & 0x3F);
  }
  if ((length == 3 && value < 0x800) || (length == 4 && (value < 0x10000 || value > 0x10FFFF))) return 0;
  if (value >= 0xD800 && value <= 0xDFFF) return 0;
  *code_point = value;
  return length;
}

bool is_control(char32_t c) { return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F); }

bool is_bidi_control(char32_t c) { return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069); }

// Unicode's Bidi_Control property: the embeddings, overrides and isolates
// above plus the marks (ALM, LRM, RLM), which reorder text too.
bool is_bidi_control_or_mark(char32_t c) { return is_bidi_control(c) || c == 0x061C || c == 0x200E || c == 0x200F; }

// The space separators (Unicode Zs) a name could start or end with unseen.
bool is_space(char32_t c) {
  return c == ' ' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

bool is_hex_id(std::string_view value) {
  if (value.size() != 32) return false;
  for (const char c : value) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

struct CodeRange {
  char32_t first, last;
};

bool in_ranges(char32_t c, std::initializer_list<CodeRange> ranges) {
  for (const CodeRange& r : ranges) {
    if (c >= r.first && c <= r.last) return true;
  }
  return false;
}

// The common zero-width and double-width blocks of Unicode's East Asian Width
// and emoji data (UAX #11): not every code point wcwidth(3) knows, but the
// ones names are made of. Anything else takes one column.
int code_point_columns(char32_t c) {
  if (in_ranges(c, {{0x0300, 0x036F},
                    {0x0483, 0x0489},
                    {0x0591, 0x05BD},
                    {0x0610, 0x061A},
                    {0x064B, 0x065F},
                    {0x1AB0, 0x1AFF},
                    {0x1DC0, 0x1DFF},
                    {0x200B, 0x200F},
                    {0x2060, 0x2064},
                    {0x20D0, 0x20FF},
                    {0xFE00, 0xFE0F},
                    {0xFE20, 0xFE2F},
                    {0xE0100, 0xE01EF}})) {
    return 0;
  }
  if (in_ranges(c, {{0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},   {0x2614, 0x2615},
                    {0x26A1, 0x26A1},   {0x2705, 0x2705},   {0x274C, 0x274C},   {0x2E80, 0x303E},   {0x3041, 0x33FF},
                    {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},
                    {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},
                    {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
                    {0x30000, 0x3FFFD}})) {
    return 2;
  }
  return 1;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = 0;
    const std::size_t n = utf8_sequence(text, i, &c);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool has_control_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = 0;
    const std::size_t n = utf8_sequence(text, i, &c);
    if (n == 0) {
      ++i;
      continue;
    }
    if (is_control(c)) return true;
    i += n;
  }
  return false;
}

std::string name_problem(std::string_view value) {
  if (value.empty()) return "must not be empty";
  if (value.size() > kMaxArgumentBytes) return "is too long";
  if (!is_valid_utf8(value)) return "is not valid UTF-8";
  if (has_control_character(value)) return "contains a control character";
  return "";
}

std::string group_name_problem(std::string_view value) {
  if (value.empty()) return "must not be empty";
  if (value.size() > kMaxGroupNameBytes) {
    return "is too long (" + std::to_string(value.size()) + " bytes; at most " + std::to_string(kMaxGroupNameBytes) +
           ")";
  }
  if (!is_valid_utf8(value)) return "is not valid UTF-8";
  if (value.front() == '@' || value.front() == '#') return "must not start with '@' or '#'";
  char32_t first = 0, last = 0;
  for (std::size_t i = 0; i < value.size();) {
    char32_t c = 0;
    const std::size_t n = utf8_sequence(value, i, &c);
    if (is_control(c) || c == 0x2028 || c == 0x2029) return "contains a control character";
    if (is_bidi_control_or_mark(c)) return "contains a character that changes the direction of text";
    if (i == 0) first = c;
    last = c;
    i += n;
  }
  if (is_space(first) || is_space(last)) return "must not start or end with a space";
  return "";
}

std::string group_ref_problem(std::string_view value) {
  std::string_view name = value;
  // As msgd reads it: one '@', then one '#' (the form messages name a group by).
  if (!name.empty() && name.front() == '@') name.remove_prefix(1);
  if (!name.empty() && name.front() == '#') name.remove_prefix(1);
  if (name.empty()) return "must name a group (its name or id, e.g. @ops)";
  if (is_hex_id(name)) return "";
  if (const std::string problem = group_name_problem(name); !problem.empty()) return "is not a group name: " + problem;
  return "";
}

std::string username_problem(std::string_view value) {
  if (value.size() > kMaxArgumentBytes) return "is too long";
  const wire::UsernameResult name = wire::canonical_username(value);
  return name ? "" : name.error();
}

std::string conversation_problem(std::string_view value) {
  if (!value.empty() && value.front() == '@') return group_ref_problem(value);
  return name_problem(value);
}

std::string text_problem(std::string_view value) {
  if (value.empty()) return "must not be empty";
  if (value.size() > kMaxArgumentBytes) {
    return "is too long (" + std::to_string(value.size()) + " bytes; at most " + std::to_string(kMaxArgumentBytes) +
           ")";
  }
  if (!is_valid_utf8(value)) return "is not valid UTF-8";
  if (value.find('\0') != std::string_view::npos) return "contains a NUL byte";
  return "";
}

std::string printable(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = 0;
    const std::size_t n = utf8_sequence(text, i, &c);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (c == '\n' && keep_newlines) {
      out += '\n';
    } else if (c == '\t') {
      out += ' ';
    } else if (is_control(c)) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02x", static_cast<unsigned>(c));
      out += escape;
    } else if (is_bidi_control(c)) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
      out += escape;
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (const char ch : text) {
    if ((static_cast<std::uint8_t>(ch) & 0xC0) != 0x80) ++width;
  }
  return width;
}

std::size_t terminal_columns(std::string_view text) {
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = 0;
    const std::size_t n = utf8_sequence(text, i, &c);
    columns += n == 0 ? 1 : static_cast<std::size_t>(code_point_columns(c));
    i += n == 0 ? 1 : n;
  }
  return columns;
}

std::string fit_columns(std::string_view text, std::size_t columns) {
  if (terminal_columns(text) <= columns) return std::string(text);
  if (columns == 0) return "";
  std::string out;
  std::size_t used = 0;
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = 0;
    std::size_t n = utf8_sequence(text, i, &c);
    const std::size_t width = n == 0 ? 1 : static_cast<std::size_t>(code_point_columns(c));
    if (n == 0) n = 1;
    if (used + width > columns - 1) break;  // one column stays for the ellipsis
    out.append(text.substr(i, n));
    used += width;
    i += n;
  }
  return out + "\xE2\x80\xA6";  // …
}

}  // namespace sotto::ctl
