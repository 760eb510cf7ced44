// mqtt_load: a load generator for an MQTT broker on this machine, the
// counterpart of relay_load (see mqtt_load_options.cc for the options,
// docs/performance.md for the side-by-side figures).
#include <iostream>

#include "bench/mqtt_load/mqtt_load_options.h"
#include "bench/mqtt_load/mqtt_report.h"
#include "bench/mqtt_load/mqtt_run.h"
#include "bench/relay_load/fd_limit.h"

int main(int argc, char** argv) {
  using namespace sotto::mqtt_load;
  const ParsedCommandLine parsed = parse_command_line(argc, argv);
  if (!parsed.options) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message;
    return parsed.exit_code;
  }
  const MqttLoadOptions& options = *parsed.options;
  try {
    // Every connection is a descriptor; take all the process may have.
    const auto fds = sotto::relay_load::raise_fd_limit();
    if (fds.soft < options.clients + 64u) {
      std::cerr << "mqtt_load: --clients " << options.clients << " needs more file descriptors than RLIMIT_NOFILE ("
                << fds.soft << ") allows\n";
      return 2;
    }
    const MqttResult result = run_mqtt_load(options);
    const auto report = mqtt_report(options, result);
    std::cout << (options.json ? report.to_json() + "\n" : report.to_text());
    return result.failure.empty() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "mqtt_load: " << e.what() << '\n';
    return 1;
  }
}
