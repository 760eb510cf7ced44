#include "lib/wire/username.h"

#include <stdexcept>
#include <utility>

#include "lib/wire/limits.h"

namespace sotto::wire {
namespace {

bool is_allowed(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'; }

std::string hex_byte(unsigned char c) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("0x") + kDigits[c >> 4] + kDigits[c & 0xf];
}

// Names the character refused at (1-based) position; printable ASCII is safe
// to quote, anything else is described.
std::string describe_refused(unsigned char c, std::size_t position) {
  const std::string at = " at position " + std::to_string(position);
  if (c == 0) return "username contains a NUL byte" + at;
  if (c < 0x20 || c == 0x7f) return "username contains a control character (" + hex_byte(c) + ")" + at;
  if (c >= 0x80) return "username contains a non-ASCII byte" + at + " (only a-z, 0-9, '_', '.' and '-' are allowed)";
  if (c == ' ') return "username contains a space" + at;
  return std::string("username contains the character '") + static_cast<char>(c) + "'" + at +
         " (only a-z, 0-9, '_', '.' and '-' are allowed)";
}

}  // namespace

UsernameResult::UsernameResult(bool ok, std::string text) : ok_(ok) {
  if (ok) {
    value_ = std::move(text);
  } else {
    error_ = std::move(text);
  }
}

UsernameResult UsernameResult::accepted(std::string canonical) { return {true, std::move(canonical)}; }

UsernameResult UsernameResult::rejected(std::string reason) { return {false, std::move(reason)}; }

const std::string& UsernameResult::value() const {
  if (!ok_) throw std::logic_error("UsernameResult::value() on a refused username");
  return value_;
}

UsernameResult canonical_username(std::string_view input) {
  if (input.empty()) return UsernameResult::rejected("username is empty");
  // Checked before the characters so a huge input is refused without a scan.
  if (input.size() > kMaxUsernameChars) {
    return UsernameResult::rejected("username is longer than " + std::to_string(kMaxUsernameChars) + " characters (" +
                                    std::to_string(input.size()) + " bytes)");
  }
  std::string name(input);
  for (std::size_t i = 0; i < name.size(); ++i) {
    char& c = name[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!is_allowed(c)) return UsernameResult::rejected(describe_refused(static_cast<unsigned char>(c), i + 1));
  }
  if (name.size() < kMinUsernameChars) {
    return UsernameResult::rejected("username is shorter than " + std::to_string(kMinUsernameChars) + " characters");
  }
  const char first = name.front();
  if (first == '_' || first == '.' || first == '-') {
    return UsernameResult::rejected("username must start with a letter or a digit");
  }
  return UsernameResult::accepted(std::move(name));
}

}  // namespace sotto::wire
