#pragma once

#include <string>
#include <string_view>

namespace sotto::wire {

// The outcome of canonicalising a username: either the canonical name or the
// reason it was refused. Reasons name the problem and its position but never
// repeat hostile bytes (they end up in logs and on terminals).
class UsernameResult {
 public:
  static UsernameResult accepted(std::string canonical);
  static UsernameResult rejected(std::string reason);

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  // The canonical name. Throws std::logic_error when the name was refused.
  const std::string& value() const;
  // Why the name was refused ("username contains a space at position 4");
  // empty when it was accepted.
  const std::string& error() const { return error_; }

 private:
  UsernameResult(bool ok, std::string text);

  bool ok_;
  std::string value_;
  std::string error_;
};

// The one spelling of a username that the relay stores and compares: ASCII
// upper case is lowered, then the name must be kMinUsernameChars..
// kMaxUsernameChars characters of [a-z0-9_.-] and start with a letter or a
// digit (so it is never mistaken for a command-line option or a hidden file).
// Anything else is refused: empty, too short or long, non-ASCII (no Unicode
// look-alikes), control characters, NUL, spaces, '/', other punctuation.
// relayd, msgd and msgctl all use this, so a name means the same everywhere.
UsernameResult canonical_username(std::string_view input);

}  // namespace sotto::wire
