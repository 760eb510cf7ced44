#include "lib/log/event_line.h"

#include <cstdio>

namespace sotto::logging {
namespace {

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '=' || c == '\\') return true;
  }
  return false;
}

void append_value(std::string& out, std::string_view value, std::size_t max_value_bytes) {
  const bool cut = value.size() > max_value_bytes;
  if (cut) value = value.substr(0, max_value_bytes);
  if (!cut && !needs_quotes(value)) {
    out += value;
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
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

std::string format_event_line(std::string_view program, std::string_view event, std::initializer_list<Field> fields,
                              std::size_t max_value_bytes) {
  std::string line(program);
  line += ": event=";
  line += event;
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    append_value(line, value, max_value_bytes);
  }
  return line;
}

void write_line(std::string line) {
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace sotto::logging
