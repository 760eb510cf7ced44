#pragma once

#include <cstdint>
#include <string>

namespace sotto::tui {

// Times of messages (milliseconds since the epoch, the sender's clock, as the
// API gives them) in the local time zone (TZ, localtime_r).
std::string clock_time(std::int64_t ms);  // "14:05"
// A number that changes exactly when the local date does (for day separators).
std::int64_t local_day(std::int64_t ms);
std::string day_label(std::int64_t ms);  // "Tuesday 24 November 2026"
std::string date_time(std::int64_t ms);  // "2026-11-24 14:05"

}  // namespace sotto::tui
