#include "ctl/text_checks.h"

#include <cstdint>
#include <cstdio>

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

}  // namespace sotto::ctl
