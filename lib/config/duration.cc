#include "lib/config/duration.h"

#include <array>
#include <cstdint>
#include <limits>

#include "lib/config/config_error.h"
#include "lib/config/decimal.h"

namespace sotto::config {

namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t milliseconds;
};

// Largest first, so format_duration picks the coarsest exact unit.
constexpr std::array<Unit, 5> kUnits{{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

constexpr std::string_view kExamples = "a duration such as 250ms, 10s, 5m, 2h or 30d";

}  // namespace

std::chrono::milliseconds parse_duration(std::string_view text) {
  const std::string shown = quote_for_message(text);
  const auto [number, suffix] = split_quantity(text, kExamples, "(90m, not 1.5h)");
  if (suffix.empty()) {
    throw ValueSyntaxError(shown + " has no unit; add one of ms, s, m, h, d (e.g. " + std::string(number) + "s)");
  }
  const Unit* unit = nullptr;
  for (const Unit& u : kUnits) {
    if (u.suffix == suffix) unit = &u;
  }
  if (unit == nullptr) {
    throw ValueSyntaxError("unknown unit " + quote_for_message(suffix) + " in " + shown +
                           "; write a whole number followed by ms, s, m, h or d with no space");
  }
  const DecimalResult parsed = parse_decimal(number);
  if (parsed.status == DecimalStatus::leading_zero) {
    throw ValueSyntaxError(shown + " has a leading zero; write the number without it");
  }
  const auto limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / unit->milliseconds);
  if (parsed.status != DecimalStatus::ok || parsed.value > limit) {
    throw ValueSyntaxError(shown + " is too long a duration");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(parsed.value) * unit->milliseconds);
}

std::string format_duration(std::chrono::milliseconds value) {
  const std::int64_t ms = value.count();
  if (ms == 0) return "0s";
  if (ms < 0) return std::to_string(ms) + "ms";
  for (const Unit& u : kUnits) {
    if (ms % u.milliseconds == 0) return std::to_string(ms / u.milliseconds) + std::string(u.suffix);
  }
  return std::to_string(ms) + "ms";  // not reached: every value divides by 1 ms
}

}  // namespace sotto::config
