#include "lib/wire/text_field.h"

#include <cstdint>

namespace sotto::wire {
namespace {

// Decodes the code point starting at text[i], advancing i past it; returns
// false on any malformed sequence (RFC 3629 section 4's syntax).
bool next_code_point(std::string_view text, std::size_t& i, std::uint32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t b0 = byte(i);
  std::size_t length = 0;
  std::uint32_t min = 0;
  if (b0 < 0x80) {
    cp = b0;
    ++i;
    return true;
  } else if ((b0 & 0xe0) == 0xc0) {
    length = 2;
    cp = b0 & 0x1f;
    min = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    length = 3;
    cp = b0 & 0x0f;
    min = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    length = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return false;  // a continuation byte or 0xf8..0xff where a sequence should start
  }
  if (text.size() - i < length) return false;
  for (std::size_t k = 1; k < length; ++k) {
    const std::uint8_t b = byte(i + k);
    if ((b & 0xc0) != 0x80) return false;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
  i += length;
  return true;
}

bool is_control(std::uint32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f); }

bool is_bidi_override(std::uint32_t cp) { return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069); }

}  // namespace

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  std::uint32_t cp = 0;
  while (i < text.size()) {
    if (!next_code_point(text, i, cp)) return false;
  }
  return true;
}

std::optional<std::string> check_display_text(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return "is longer than " + std::to_string(max_bytes) + " bytes (" + std::to_string(text.size()) + ")";
  }
  std::size_t i = 0;
  std::uint32_t cp = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    if (!next_code_point(text, i, cp)) return "is not valid UTF-8 (at byte " + std::to_string(start + 1) + ")";
    if (is_control(cp)) return "contains a control character (at byte " + std::to_string(start + 1) + ")";
    if (is_bidi_override(cp)) {
      return "contains a bidirectional override character (at byte " + std::to_string(start + 1) + ")";
    }
  }
  return std::nullopt;
}

}  // namespace sotto::wire
