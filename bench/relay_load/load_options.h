#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "lib/net/asio.h"

namespace sotto::relay_load {

// Everything the command line sets. Defaults and bounds are in
// load_options.cc next to the option that sets them.
struct LoadOptions {
  std::string host = "127.0.0.1";
  net::asio::ip::address address;  // host, parsed by check_options
  std::uint16_t port = 0;
  // Two relays sharing a store: odd-numbered clients connect here instead,
  // so that about half the envelopes cross from one relay to the other.
  std::optional<std::uint16_t> second_port;

  // Throughput mode.
  std::uint32_t clients = 32;
  std::uint32_t messages = 1000;  // per client
  std::uint32_t size = 256;       // envelope bytes
  double rate = 0;                // messages/s over all clients; 0 = as fast as the window allows
  std::uint32_t window = 64;      // unacknowledged Sends per client

  // Accounts: PREFIX0 .. PREFIX(n-1), all with one password.
  std::string password;
  std::string user_prefix = "load";
  bool register_users = false;

  // What to read from relayd.
  std::optional<pid_t> relayd_pid;
  std::optional<std::uint16_t> metrics_port;

  // Idle mode (idle > 0).
  std::uint32_t idle = 0;
  std::uint32_t handshakes_in_flight = 200;
  std::uint32_t source_addresses = 1;
  double hold_seconds = 0;

  double duration_limit = 120;  // seconds; the run stops by itself after this
  std::uint32_t threads = 1;
  bool json = false;
};

// The result of reading the command line: either options to run with, or a
// message for the terminal and the exit code to leave with (0 after --help,
// 2 for a usage error).
struct ParsedCommandLine {
  std::optional<LoadOptions> options;
  int exit_code = 0;
  std::string message;
};

ParsedCommandLine parse_command_line(int argc, const char* const* argv);

// Checks what one option alone cannot: the host is a loopback address (and
// fills options.address), the user names are valid, the envelope can hold
// its stamp, the mode's own options make sense. Returns the reason for the
// first problem found, naming the option.
std::optional<std::string> check_options(LoadOptions& options);

// The user name of client i.
std::string user_name(const LoadOptions& options, std::uint32_t index);

}  // namespace sotto::relay_load
