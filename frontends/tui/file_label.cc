#include "frontends/tui/file_label.h"

#include <array>
#include <cmath>
#include <cstdio>

#include "frontends/tui/display_text.h"

namespace sotto::tui {

std::string format_file_size(std::int64_t bytes) {
  if (bytes < 0) return "?";
  if (bytes < 1000) return std::to_string(bytes) + " B";
  constexpr std::array<const char*, 6> kUnits = {"kB", "MB", "GB", "TB", "PB", "EB"};
  const auto rounded = [](double v) { return v < 99.95 ? std::round(v * 10) / 10 : std::round(v); };
  double value = static_cast<double>(bytes) / 1000;
  std::size_t unit = 0;
  while (unit + 1 < kUnits.size() && rounded(value) >= 1000) {
    value /= 1000;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, value < 99.95 ? "%.1f %s" : "%.0f %s", value, kUnits[unit]);
  return buffer;
}

std::string shown_text(const MessageData& message) {
  if (!message.is_file) return message.text;
  std::string name = message.file_name.empty() ? std::string("(no name)") : inert_line(message.file_name);
  if (name.size() > kMaxShownFileNameBytes) {
    std::size_t cut = kMaxShownFileNameBytes;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    name.resize(cut);
    name += "\u2026";  // …
  }
  std::string out = "[file] " + name + " (" + format_file_size(message.file_size) + ")";
  if (!message.text.empty()) out += " \u2014 " + message.text;  // —
  return out;
}

}  // namespace sotto::tui
