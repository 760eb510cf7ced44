#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "lib/log/event_line.h"

namespace sotto::msgd {

using LogField = logging::Field;

// One line on stderr (the journal, under systemd): "msgd: event=NAME k=v ...".
// A value with spaces, quotes, '=' or control characters is quoted and
// escaped, so a relay's error text cannot forge a second line or field.
// Callers never pass secrets (passwords, tokens, keys, message text).
void log_event(std::string_view event, std::initializer_list<LogField> fields = {});

// The line log_event writes, without the newline (for tests).
std::string format_log_event(std::string_view event, std::initializer_list<LogField> fields);

}  // namespace sotto::msgd
