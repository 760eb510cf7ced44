#include "lib/api/size_text.h"

#include <array>
#include <cmath>
#include <cstdio>

namespace sotto::api {

std::string size_text(std::int64_t bytes) {
  if (bytes < 0) return "?";
  if (bytes < 1000) return std::to_string(bytes) + " B";
  constexpr std::array<const char*, 6> kUnits = {"kB", "MB", "GB", "TB", "PB", "EB"};
  // What a value shows as once printed with the precision used below.
  const auto shown = [](double v) { return v < 99.95 ? std::round(v * 10) / 10 : std::round(v); };
  double value = static_cast<double>(bytes) / 1000;
  std::size_t unit = 0;
  while (unit + 1 < kUnits.size() && shown(value) >= 1000) {
    value /= 1000;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, value < 99.95 ? "%.1f %s" : "%.0f %s", value, kUnits[unit]);
  return buffer;
}

}  // namespace sotto::api
