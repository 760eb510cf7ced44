#pragma once

#include <string>
#include <vector>

#include "frontends/notify/notification_ports.h"

namespace sotto::notify {

// Starts reply_command (e.g. a terminal running msg-tui) for the "reply"
// action: looked up in PATH, in a session of its own, with default signal
// handling and mask (msg-notify's own are not its business), and not waited
// for; msg-notify reaps it when it exits (SIGCHLD), so no zombie is left.
// A program that cannot be started is logged, never fatal.
class ProcessLauncher final : public CommandLauncher {
 public:
  // Installs the SIGCHLD handler that reaps finished children.
  ProcessLauncher();
  void launch(const std::vector<std::string>& argv) override;
};

}  // namespace sotto::notify
