#include "frontends/notify/notify_log.h"

#include "lib/log/event_line.h"

namespace sotto::notify {

namespace {
// A log line is for a person to read: longer values are cut.
constexpr std::size_t kMaxValueBytes = 256;
}  // namespace

std::string format_log_event(std::string_view event, std::initializer_list<LogField> fields) {
  return logging::format_event_line("msg-notify", event, fields, kMaxValueBytes);
}

void log_event(std::string_view event, std::initializer_list<LogField> fields) {
  logging::write_line(format_log_event(event, fields));
}

void log_warning(std::string_view event, std::initializer_list<LogField> fields) {
  logging::write_line(format_log_event(event, fields) + " level=warning");
}

}  // namespace sotto::notify
