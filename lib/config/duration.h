#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace sotto::config {

// Parses a duration written as a whole number and one unit, with nothing in
// between: "250ms", "10s", "5m", "2h", "30d" (m is minutes, d is 24 hours).
// A bare number is refused (seconds or milliseconds?), as are fractions
// ("1.5h": write 90m), signs, spaces and compound forms ("1h30m").
// Throws ValueSyntaxError with the reason.
std::chrono::milliseconds parse_duration(std::string_view text);

// The inverse, in the largest unit that divides the value exactly:
// 90000ms -> "90s", 7776000000ms -> "90d", 0 -> "0s". Negative values, which
// parse_duration never yields, are written in milliseconds.
std::string format_duration(std::chrono::milliseconds value);

}  // namespace sotto::config
