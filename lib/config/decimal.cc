#include "lib/config/decimal.h"

#include <limits>
#include <string>

#include "lib/config/config_error.h"

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

Quantity split_quantity(std::string_view text, std::string_view examples, std::string_view fraction_hint) {
  const std::string shown = quote_for_message(text);
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    throw ValueSyntaxError("expected " + std::string(examples) + " without a sign, got " + shown);
  }
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const Quantity q{text.substr(0, digits), text.substr(digits)};
  if (q.number.empty()) throw ValueSyntaxError("expected " + std::string(examples) + ", got " + shown);
  if (!q.unit.empty() && (q.unit.front() == '.' || q.unit.front() == ',')) {
    throw ValueSyntaxError(shown + " has a fraction; write a whole number of a smaller unit " +
                           std::string(fraction_hint));
  }
  return q;
}

}  // namespace sotto::config
