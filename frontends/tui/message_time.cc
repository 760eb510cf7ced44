#include "frontends/tui/message_time.h"

#include <ctime>

namespace sotto::tui {
namespace {

bool local_tm(std::int64_t ms, std::tm& out) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  return ::localtime_r(&seconds, &out) != nullptr;
}

std::string format(std::int64_t ms, const char* pattern) {
  std::tm local{};
  if (!local_tm(ms, local)) return "?";
  char buffer[64];
  const std::size_t n = std::strftime(buffer, sizeof buffer, pattern, &local);
  return std::string(buffer, n);
}

}  // namespace

std::string clock_time(std::int64_t ms) { return format(ms, "%H:%M"); }
std::string day_label(std::int64_t ms) { return format(ms, "%A %d %B %Y"); }
std::string date_time(std::int64_t ms) { return format(ms, "%Y-%m-%d %H:%M"); }

std::int64_t local_day(std::int64_t ms) {
  std::tm local{};
  if (!local_tm(ms, local)) return 0;
  return (static_cast<std::int64_t>(local.tm_year) + 1900) * 1000 + local.tm_yday;
}

}  // namespace sotto::tui
