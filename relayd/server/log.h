#pragma once

#include <string_view>

namespace sotto::relayd {

// One event a line on stderr (journald adds the time): "relayd: event=NAME k=v ...".
// Callers pass only names, addresses, counts and error texts: never a key,
// password, token or envelope.
void log_event(std::string_view event, std::string_view fields = {});

}  // namespace sotto::relayd
