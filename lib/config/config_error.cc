#include "lib/config/config_error.h"

#include <cstdio>
#include <ostream>
#include <utility>

#include "lib/config/utf8.h"

namespace sotto::config {

namespace {

std::string compose(const Location& where, const std::string& key_path, const std::string& problem) {
  std::string out = to_string(where);
  out += ": ";
  if (!key_path.empty()) {
    out += key_path;
    out += ": ";
  }
  out += problem;
  return out;
}

// Enough of a value to recognise it in the file; more only makes the message
// harder to read.
constexpr std::size_t kQuotedValueMaxBytes = 40;

}  // namespace

std::string to_string(const Location& where) {
  return where.file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
}

std::ostream& operator<<(std::ostream& out, const Location& where) { return out << to_string(where); }

ConfigError::ConfigError(Location where, std::string key_path, std::string problem)
    : std::runtime_error(compose(where, key_path, problem)),
      where_(std::move(where)),
      key_path_(std::move(key_path)),
      problem_(std::move(problem)) {}

std::string quote_for_message(std::string_view value) {
  std::string out = "'";
  std::size_t i = 0;
  while (i < value.size()) {
    const auto c = decode_utf8(value, i);
    const std::size_t length = c ? c->length : 1;
    if (i + length > kQuotedValueMaxBytes) break;
    const bool plain = c && c->code_point >= 0x20 && c->code_point != 0x7f && c->code_point != '\\' &&
                       c->code_point != '\'' && (c->code_point < 0x80 || c->code_point >= 0xa0);
    if (plain) {
      out.append(value.substr(i, length));
    } else {
      // Controls, quotes and bytes that are not UTF-8 are shown as \xNN so the
      // message stays one printable line of valid UTF-8.
      for (std::size_t k = 0; k < length; ++k) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(value[i + k]));
        out += buf;
      }
    }
    i += length;
  }
  out += "'";
  if (i < value.size()) out += "...";
  return out;
}

std::string join_key_path(std::string_view parent, std::string_view key) {
  const bool plain = !key.empty() && key.size() <= kQuotedValueMaxBytes &&
                     key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
                         std::string_view::npos;
  std::string out(parent);
  if (!out.empty()) out += '.';
  if (plain) {
    out.append(key);
  } else {
    out += quote_for_message(key);
  }
  return out;
}

std::string index_key_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

}  // namespace sotto::config
