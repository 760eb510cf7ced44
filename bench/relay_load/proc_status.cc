#include "bench/relay_load/proc_status.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace sotto::relay_load {

std::optional<std::uint64_t> parse_vm_rss_kib(std::string_view status_text) {
  constexpr std::string_view kKey = "VmRSS:";
  std::size_t pos = 0;
  while (pos < status_text.size()) {
    const std::size_t end = std::min(status_text.find('\n', pos), status_text.size());
    std::string_view line = status_text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.starts_with(kKey)) continue;
    line.remove_prefix(kKey.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    std::uint64_t value = 0;
    const auto [rest, ec] = std::from_chars(line.data(), line.data() + line.size(), value);
    if (ec != std::errc()) return std::nullopt;
    std::string_view unit(rest, static_cast<std::size_t>(line.data() + line.size() - rest));
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    if (unit != "kB") return std::nullopt;
    return value;
  }
  return std::nullopt;
}

std::optional<double> parse_cpu_seconds(std::string_view stat_text, long ticks_per_second) {
  // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so the
  // fields are counted from the last ')'. utime and stime are fields 14 and
  // 15, the 12th and 13th after it.
  const std::size_t close = stat_text.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  std::string_view rest = stat_text.substr(close + 1);
  std::uint64_t ticks[2] = {0, 0};
  int field = 2;
  while (!rest.empty() && field < 15) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    const std::size_t end = std::min(rest.find(' '), rest.size());
    const std::string_view token = rest.substr(0, end);
    rest.remove_prefix(end);
    if (token.empty()) break;
    ++field;
    if (field == 14 || field == 15) {
      const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), ticks[field - 14]);
      if (ec != std::errc() || ptr != token.data() + token.size()) return std::nullopt;
    }
  }
  if (field < 15) return std::nullopt;
  return static_cast<double>(ticks[0] + ticks[1]) / static_cast<double>(ticks_per_second);
}

std::optional<double> read_cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return parse_cpu_seconds(text.str(), ::sysconf(_SC_CLK_TCK));
}

double own_cpu_seconds() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  const auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::optional<std::uint64_t> read_vm_rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return parse_vm_rss_kib(text.str());
}

}  // namespace sotto::relay_load
