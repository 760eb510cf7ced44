#pragma once

#include <chrono>
#include <optional>
#include <vector>

namespace sotto::relayd {

// Thin wrappers over sd_notify(3) and sd_listen_fds(3). Every call is a no-op
// when relayd was not started by systemd (NOTIFY_SOCKET / LISTEN_FDS unset).
void notify_ready();
void notify_stopping();
void notify_status(const char* status);
void notify_watchdog();
// Half the WatchdogSec interval systemd asked for, if it asked.
std::optional<std::chrono::microseconds> watchdog_interval();
// Listening sockets passed by socket activation (relayd.socket).
std::vector<int> listen_fds();

}  // namespace sotto::relayd
