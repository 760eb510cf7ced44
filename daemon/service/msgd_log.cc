#include "daemon/service/msgd_log.h"

#include <cstdio>
#include <string>

namespace sotto::msgd {
namespace {

void write_with_level(std::string_view level, std::string_view event, std::initializer_list<LogField> fields) {
  std::string line = format_log_event(event, fields);
  line += " level=";
  line += level;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

void log_warning(std::string_view event, std::initializer_list<LogField> fields) {
  write_with_level("warning", event, fields);
}
void log_error(std::string_view event, std::initializer_list<LogField> fields) {
  write_with_level("error", event, fields);
}

}  // namespace sotto::msgd
