#include "frontends/notify/notify_log.h"

#include <cstdio>

namespace sotto::notify {
namespace {

// A log line is for a person to read; longer values (a server's error
// message) are cut.
constexpr std::size_t kMaxValueBytes = 256;

bool is_plain(std::string_view value) {
  if (value.empty()) return false;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '"' || c == '=' || c == '\\') return false;
  }
  return true;
}

void append_value(std::string& line, std::string_view value) {
  if (value.size() <= kMaxValueBytes && is_plain(value)) {
    line += value;
    return;
  }
  const bool cut = value.size() > kMaxValueBytes;
  if (cut) value = value.substr(0, kMaxValueBytes);
  static constexpr char kHex[] = "0123456789abcdef";
  line += '"';
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      line += '\\';
      line += c;
    } else if (u < 0x20 || u == 0x7F) {
      line += "\\x";
      line += kHex[u >> 4];
      line += kHex[u & 0xF];
    } else {
      line += c;
    }
  }
  if (cut) line += "...";
  line += '"';
}

void write_line(std::string line) {
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

std::string format_log_event(std::string_view event, std::initializer_list<LogField> fields) {
  std::string line = "msg-notify: event=";
  line += event;
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    append_value(line, value);
  }
  return line;
}

void log_event(std::string_view event, std::initializer_list<LogField> fields) {
  write_line(format_log_event(event, fields));
}

void log_warning(std::string_view event, std::initializer_list<LogField> fields) {
  write_line(format_log_event(event, fields) + " level=warning");
}

}  // namespace sotto::notify
