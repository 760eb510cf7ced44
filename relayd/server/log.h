#pragma once

#include <string_view>

namespace sotto::relayd {

// One event a line on stderr (journald adds the time):
// "relayd: event=NAME k=v ..." (warnings and errors add "level=...").
// Callers pass only names, addresses, counts and error texts: never a key,
// password, token or envelope.
enum class LogThreshold { kError, kWarn, kInfo, kDebug };
void set_log_threshold(LogThreshold threshold);

void log_event(std::string_view event, std::string_view fields = {});    // info
void log_warning(std::string_view event, std::string_view fields = {});  // warn
void log_error(std::string_view event, std::string_view fields = {});    // error

}  // namespace sotto::relayd
