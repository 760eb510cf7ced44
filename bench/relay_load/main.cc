// relay_load: a load generator for relayd on this machine (see load_options.cc
// for the options, docs/performance.md for what the figures mean).
#include <iostream>

#include "bench/relay_load/fd_limit.h"
#include "bench/relay_load/idle_run.h"
#include "bench/relay_load/load_options.h"
#include "bench/relay_load/run_report.h"
#include "bench/relay_load/throughput_run.h"

int main(int argc, char** argv) {
  using namespace sotto::relay_load;
  const ParsedCommandLine parsed = parse_command_line(argc, argv);
  if (!parsed.options) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message;
    return parsed.exit_code;
  }
  const LoadOptions& options = *parsed.options;
  try {
    // Every connection is a descriptor; take all the process may have.
    const FdLimit fds = raise_fd_limit();
    if (options.idle == 0 && fds.soft < options.clients + 64u) {
      std::cerr << "relay_load: --clients " << options.clients << " needs more file descriptors than RLIMIT_NOFILE ("
                << fds.soft << ") allows\n";
      return 2;
    }
    Report report;
    std::string failure;
    if (options.idle > 0) {
      const IdleResult result = run_idle(options);
      report = idle_report(options, result);
      failure = result.failure;
    } else {
      const ThroughputResult result = run_throughput(options);
      report = throughput_report(options, result);
      failure = result.failure;
    }
    std::cout << (options.json ? report.to_json() + "\n" : report.to_text());
    return failure.empty() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "relay_load: " << e.what() << '\n';
    return 1;
  }
}
