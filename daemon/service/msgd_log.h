#pragma once

#include <initializer_list>
#include <string_view>

#include "daemon/relay/relay_log.h"

namespace sotto::msgd {

// msgd logs one event a line (daemon/relay/relay_log.h: log_event); these mark
// the line's level for the journal reader. Callers never pass keys,
// passwords, tokens or message text.
void log_warning(std::string_view event, std::initializer_list<LogField> fields = {});
void log_error(std::string_view event, std::initializer_list<LogField> fields = {});

}  // namespace sotto::msgd
