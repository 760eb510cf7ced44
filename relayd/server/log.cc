#include "relayd/server/log.h"

#include <cstdio>
#include <string>

namespace sotto::relayd {

void log_event(std::string_view event, std::string_view fields) {
  std::string line = "relayd: event=";
  line.append(event);
  if (!fields.empty()) {
    line.push_back(' ');
    line.append(fields);
  }
  line.push_back('\n');
  // One write per line so lines from several threads never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace sotto::relayd
