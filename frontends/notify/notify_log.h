#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "lib/log/event_line.h"

namespace sotto::notify {

using LogField = logging::Field;

// One line on stderr (the journal, under systemd): "msg-notify: event=NAME
// k=v ...", with " level=warning" on warnings. A value with spaces, quotes,
// '=', '\' or non-printable bytes is quoted and escaped, so text from the
// bus cannot forge a line or a field. Callers never pass message text.
void log_event(std::string_view event, std::initializer_list<LogField> fields = {});
void log_warning(std::string_view event, std::initializer_list<LogField> fields = {});

// The line without level or newline (for tests).
std::string format_log_event(std::string_view event, std::initializer_list<LogField> fields);

}  // namespace sotto::notify
