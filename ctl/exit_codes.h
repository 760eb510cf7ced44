#pragma once

namespace sotto::ctl {

// msgctl's exit status (DESIGN.md "Local API"); scripts depend on these numbers.
enum class ExitCode : int {
  kOk = 0,
  kFailure = 1,       // msgd answered with an error, or a local step (writing a file) failed
  kUsage = 2,         // the command line or its input is wrong
  kUnreachable = 3,   // msgd is not running or did not answer in time
  kNotDelivered = 4,  // send --wait, send-file --wait: the message was not delivered in time
  // Ctrl-C (SIGINT) or SIGTERM while send-file or save followed a transfer,
  // which goes on in msgd; 128 + SIGINT, what a shell reports for Ctrl-C.
  kInterrupted = 130,
};

constexpr int to_int(ExitCode code) { return static_cast<int>(code); }

}  // namespace sotto::ctl
