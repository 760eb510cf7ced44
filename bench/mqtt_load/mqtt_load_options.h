#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sotto::mqtt_load {

// Everything the command line sets. Defaults and bounds are in
// mqtt_load_options.cc next to the option that sets them; the load options
// mean what relay_load's options of the same name mean.
struct MqttLoadOptions {
  std::string host = "127.0.0.1";  // after check_options: the address in canonical form
  std::uint16_t port = 0;
  std::string cafile;  // the CA that signed the broker's certificate (PEM)

  std::uint32_t clients = 32;
  std::uint32_t messages = 1000;  // per client
  std::uint32_t size = 256;       // payload bytes
  double rate = 0;                // messages/s over all clients; 0 = as fast as the window allows
  std::uint32_t window = 64;      // PUBLISHes awaiting their PUBACK, per client

  std::optional<pid_t> broker_pid;
  double duration_limit = 120;  // seconds; the run stops by itself after this
  std::uint32_t threads = 1;    // poll loops the clients are spread over
  bool json = false;
};

// Either options to run with, or a message for the terminal and the exit code
// to leave with (0 after --help, 2 for a usage error).
struct ParsedCommandLine {
  std::optional<MqttLoadOptions> options;
  int exit_code = 0;
  std::string message;
};

ParsedCommandLine parse_command_line(int argc, const char* const* argv);

// Checks what one option alone cannot: the host is a loopback address (and
// rewrites it in canonical form), the CA file is readable, the run's size is
// bounded. Returns the reason for the first problem found, naming the option.
std::optional<std::string> check_options(MqttLoadOptions& options);

}  // namespace sotto::mqtt_load
