#pragma once

#include <string>
#include <string_view>

#include "ctl/exit_codes.h"
#include "lib/api/api_error.h"

namespace sotto::ctl {

class Output;

// Why a command did not succeed, as msgctl reports it: the exit code, a name
// for --json ({"error":{"name":..,"message":..}}) and the human message.
struct Failure {
  ExitCode code;
  std::string name;
  std::string message;
};

// "<message> (<Name>)", exit 1; a Timeout is "msgd did not answer within N s", exit 3.
Failure failure_from_api_error(const api::ApiError& error, double timeout_seconds);
// "msgd is not running (no answer on <target>). Start it with ...", exit 3.
Failure failure_unreachable(std::string_view target);
Failure failure_usage(std::string_view message);
Failure failure_local(std::string_view message);

// Prints "msgctl: <message>" on stderr and, with --json, the error object on stdout.
void report_failure(Output& out, const Failure& failure);

// "10", "1.5": seconds as the user typed them.
std::string format_seconds(double seconds);

}  // namespace sotto::ctl
