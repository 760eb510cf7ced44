// fanout_load: group fan-out load on a relayd on this machine (see
// fanout_options.cc for the options, docs/performance.md "Group fan-out" for
// what the figures mean).
#include <iostream>

#include "bench/fanout_load/fanout_options.h"
#include "bench/fanout_load/fanout_run.h"
#include "bench/relay_load/fd_limit.h"

int main(int argc, char** argv) {
  using sotto::fanout_load::fanout_report;
  using sotto::fanout_load::parse_command_line;
  using sotto::fanout_load::run_fanout;
  const auto parsed = parse_command_line(argc, argv);
  if (!parsed.options) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message;
    return parsed.exit_code;
  }
  const auto& options = *parsed.options;
  try {
    const auto fds = sotto::relay_load::raise_fd_limit();
    if (fds.soft < options.members + 64u) {
      std::cerr << "fanout_load: --members " << options.members << " needs more file descriptors than RLIMIT_NOFILE ("
                << fds.soft << ") allows\n";
      return 2;
    }
    const auto result = run_fanout(options);
    const auto report = fanout_report(options, result);
    std::cout << (options.json ? report.to_json() + "\n" : report.to_text());
    return result.failure.empty() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "fanout_load: " << e.what() << '\n';
    return 1;
  }
}
