#include "bench/mqtt_load/proc_io.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace sotto::mqtt_load {

std::optional<std::uint64_t> parse_storage_write_bytes(std::string_view io_text) {
  // Lines "key: value"; "cancelled_write_bytes:" must not match, so the key
  // is matched at the start of a line.
  constexpr std::string_view kKey = "write_bytes: ";
  std::size_t pos = 0;
  while (pos < io_text.size()) {
    const std::size_t end = std::min(io_text.find('\n', pos), io_text.size());
    std::string_view line = io_text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.starts_with(kKey)) continue;
    line.remove_prefix(kKey.size());
    std::uint64_t value = 0;
    const auto [rest, ec] = std::from_chars(line.data(), line.data() + line.size(), value);
    if (ec != std::errc() || rest != line.data() + line.size()) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> read_storage_write_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/io");
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return parse_storage_write_bytes(text.str());
}

}  // namespace sotto::mqtt_load
