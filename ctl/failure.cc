#include "ctl/failure.h"

#include <cmath>
#include <cstdio>

#include "ctl/output.h"
#include "ctl/text_checks.h"

namespace sotto::ctl {

std::string format_seconds(double seconds) {
  char buffer[64];
  if (std::nearbyint(seconds) == seconds && std::fabs(seconds) < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.0f", seconds);
  } else {
    std::snprintf(buffer, sizeof buffer, "%g", seconds);
  }
  return buffer;
}

Failure failure_from_api_error(const api::ApiError& error, double timeout_seconds) {
  if (error.name() == api::ErrorName::kTimeout) {
    return {ExitCode::kUnreachable, std::string(error.id()),
            "msgd did not answer within " + format_seconds(timeout_seconds) + " s"};
  }
  return {ExitCode::kFailure, std::string(error.id()), printable(error.what()) + " (" + std::string(error.id()) + ")"};
}

Failure failure_unreachable(std::string_view target) {
  return {ExitCode::kUnreachable, "Unreachable",
          "msgd is not running (no answer on " + printable(target) +
              "). Start it with `msgd` or `systemctl --user start msgd`."};
}

Failure failure_usage(std::string_view message) { return {ExitCode::kUsage, "Usage", std::string(message)}; }

Failure failure_local(std::string_view message) { return {ExitCode::kFailure, "Failed", std::string(message)}; }

void report_failure(Output& out, const Failure& failure) {
  out.diagnostic(failure.message);
  if (out.json()) out.print_json({{"error", {{"name", failure.name}, {"message", failure.message}}}});
}

}  // namespace sotto::ctl
