#pragma once

#include <signal.h>

namespace sotto::ctl {

// While one lives, SIGINT and SIGTERM only set a flag (stop_signal_received)
// instead of killing msgctl, so that `watch` ends with exit 0 and `send-file`
// and `save` can say that the transfer goes on. No SA_RESTART: a blocking
// wait returns early. The previous handlers come back when it is destroyed.
class StopOnSignals {
 public:
  StopOnSignals();
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

// Whether SIGINT or SIGTERM arrived since the last StopOnSignals was made.
bool stop_signal_received();

}  // namespace sotto::ctl
