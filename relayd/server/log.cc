#include "relayd/server/log.h"

#include <atomic>
#include <cstdio>
#include <string>

namespace sotto::relayd {

namespace {
std::atomic<LogThreshold> g_threshold{LogThreshold::kInfo};

void write_line(LogThreshold level, std::string_view tag, std::string_view event, std::string_view fields) {
  if (level > g_threshold.load(std::memory_order_relaxed)) return;
  std::string line = "relayd: event=";
  line.append(event);
  if (!tag.empty()) {
    line.append(" level=");
    line.append(tag);
  }
  if (!fields.empty()) {
    line.push_back(' ');
    line.append(fields);
  }
  line.push_back('\n');
  // One write per line so lines from several threads never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}
}  // namespace

void set_log_threshold(LogThreshold threshold) { g_threshold.store(threshold, std::memory_order_relaxed); }

void log_event(std::string_view event, std::string_view fields) { write_line(LogThreshold::kInfo, {}, event, fields); }
void log_warning(std::string_view event, std::string_view fields) {
  write_line(LogThreshold::kWarn, "warn", event, fields);
}
void log_error(std::string_view event, std::string_view fields) {
  write_line(LogThreshold::kError, "error", event, fields);
}

}  // namespace sotto::relayd
