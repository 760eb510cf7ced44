#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sotto::config {

// One decoded UTF-8 character: its code point and how many bytes it took.
struct Utf8Char {
  char32_t code_point = 0;
  std::size_t length = 0;
};

// Decodes the character starting at text[offset]. Returns nullopt for anything
// RFC 3629 calls ill-formed: a stray continuation byte, a truncated sequence,
// an overlong form, a UTF-16 surrogate (U+D800..U+DFFF) or a value above
// U+10FFFF.
std::optional<Utf8Char> decode_utf8(std::string_view text, std::size_t offset);

// The first byte offset at which text stops being something a configuration
// file may hold, or nullopt if all of it is fine. Allowed: well-formed UTF-8
// of printable characters, which is YAML 1.2's printable set (§5.1) less NEL
// (U+0085), a line break that editors would count differently from us: TAB,
// LF, CR, U+0020..U+007E, and U+00A0 and above except the non-characters
// U+FFFE and U+FFFF. Everything else (NUL, other C0/C1 controls, DEL) has no
// business in a configuration file and is a sign of a binary or UTF-16 file.
std::optional<std::size_t> find_unprintable(std::string_view text);

}  // namespace sotto::config
