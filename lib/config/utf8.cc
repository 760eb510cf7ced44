#include "lib/config/utf8.h"

namespace sotto::config {

std::optional<Utf8Char> decode_utf8(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) return std::nullopt;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[offset + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return Utf8Char{lead, 1};

  std::size_t length = 0;
  char32_t cp = 0;
  char32_t smallest = 0;  // below this the encoding is overlong
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    cp = lead & 0x1fu;
    smallest = 0x80;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    cp = lead & 0x0fu;
    smallest = 0x800;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    cp = lead & 0x07u;
    smallest = 0x10000;
  } else {
    return std::nullopt;  // 0x80..0xc1 and 0xf5..0xff never start a character
  }
  if (text.size() - offset < length) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    const unsigned char b = byte(i);
    if ((b & 0xc0u) != 0x80u) return std::nullopt;
    cp = (cp << 6) | (b & 0x3fu);
  }
  if (cp < smallest || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
  return Utf8Char{cp, length};
}

std::optional<std::size_t> find_unprintable(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = decode_utf8(text, i);
    if (!c) return i;
    const char32_t cp = c->code_point;
    const bool printable = cp == '\t' || cp == '\n' || cp == '\r' || (cp >= 0x20 && cp <= 0x7e) ||
                           (cp >= 0xa0 && cp != 0xfffe && cp != 0xffff);
    if (!printable) return i;
    i += c->length;
  }
  return std::nullopt;
}

}  // namespace sotto::config
