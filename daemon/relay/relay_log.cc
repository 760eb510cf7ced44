#include "daemon/relay/relay_log.h"

#include "lib/log/event_line.h"

namespace sotto::msgd {

namespace {
// A log line is for a person to read: longer values are cut.
constexpr std::size_t kMaxValueBytes = 512;
}  // namespace

std::string format_log_event(std::string_view event, std::initializer_list<LogField> fields) {
  return logging::format_event_line("msgd", event, fields, kMaxValueBytes);
}

void log_event(std::string_view event, std::initializer_list<LogField> fields) {
  logging::write_line(format_log_event(event, fields));
}

}  // namespace sotto::msgd
