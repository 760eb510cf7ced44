#include "daemon/socket/socket_log.h"

#include <unistd.h>

#include <string>

namespace sotto::msgd {

void log_socket_event(std::string_view event, std::string_view fields) {
  std::string line = "msgd: event=";
  line += event;
  if (!fields.empty()) {
    line += ' ';
    line += fields;
  }
  line += '\n';
  // One write(2) per line, so lines from other threads never interleave.
  std::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
    if (n <= 0) return;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace sotto::msgd
