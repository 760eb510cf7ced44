#include "daemon/relay/relay_log.h"

#include <cstdio>

namespace sotto::msgd {

namespace {

// Values longer than this are cut: a log line is for a person to read.
constexpr std::size_t kMaxValueChars = 512;

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

void append_value(std::string& out, std::string_view value) {
  const bool cut = value.size() > kMaxValueChars;
  if (cut) value = value.substr(0, kMaxValueChars);
  if (!needs_quotes(value) && !cut) {
    out += value;
    return;
  }
  out += '"';
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  if (cut) out += "...";
  out += '"';
}

}  // namespace

std::string format_log_event(std::string_view event, std::initializer_list<LogField> fields) {
  std::string line = "msgd: event=";
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
  std::string line = format_log_event(event, fields);
  line += '\n';
  // One write per line, so lines from elsewhere in msgd never interleave with it.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace sotto::msgd
