#include "lib/config/decimal.h"

#include <limits>

namespace sotto::config {

DecimalResult parse_decimal(std::string_view text) {
  if (text.empty()) return {DecimalStatus::not_digits, 0};
  for (const char c : text) {
    if (c < '0' || c > '9') return {DecimalStatus::not_digits, 0};
  }
  if (text.size() > 1 && text.front() == '0') return {DecimalStatus::leading_zero, 0};
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t value = 0;
  for (const char c : text) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (kMax - digit) / 10) return {DecimalStatus::too_large, 0};
    value = value * 10 + digit;
  }
  return {DecimalStatus::ok, value};
}

}  // namespace sotto::config
