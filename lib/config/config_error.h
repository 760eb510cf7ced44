#pragma once

#include <cstddef>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sotto::config {

// A place in a configuration file. line and column are 1-based; column counts
// bytes from the start of the line (what yaml-cpp reports and what `vim` and
// `grep -b` show), so a multi-byte UTF-8 character before the spot counts as
// several columns.
struct Location {
  std::string file;
  int line = 1;
  int column = 1;

  bool operator==(const Location&) const = default;
};

// "FILE:LINE:COLUMN", the prefix every ConfigError message starts with.
std::string to_string(const Location& where);
std::ostream& operator<<(std::ostream& out, const Location& where);

// The one exception type lib/config throws. what() is
// "FILE:LINE:COLUMN: KEY.PATH: problem" (the key path is left out when the
// problem is not about one key, e.g. a YAML syntax error), so a program can
// print it as it is and an editor can jump to the spot.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(Location where, std::string key_path, std::string problem);

  const Location& where() const noexcept { return where_; }
  // Dotted path of the key the problem is about ("limits.auth_timeout",
  // "listen[1]"), or empty.
  const std::string& key_path() const noexcept { return key_path_; }
  // The message without the location and key path.
  const std::string& problem() const noexcept { return problem_; }

 private:
  Location where_;
  std::string key_path_;
  std::string problem_;
};

// Why the text of one value does not parse (a bad duration, byte size,
// host:port ...). The parsers in this folder throw it without knowing where the
// text came from; MappingReader turns it into a ConfigError at the value.
class ValueSyntaxError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Quotes a value taken from a configuration file for an error message:
// single-quoted, control and non-ASCII-printable bytes escaped as \xNN, and cut
// after 40 bytes so that a huge or binary value cannot flood a log line.
std::string quote_for_message(std::string_view value);

// Key paths as they appear in messages: join_key_path("limits", "auth_timeout")
// is "limits.auth_timeout", index_key_path("listen", 1) is "listen[1]". A key
// that is not plain letters, digits, '_' and '-' is quoted with
// quote_for_message, so a hostile key cannot inject text into a log line.
std::string join_key_path(std::string_view parent, std::string_view key);
std::string index_key_path(std::string_view parent, std::size_t index);

}  // namespace sotto::config
