#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "lib/net/asio.h"

namespace sotto::fanout_load {

// Everything the command line sets. Defaults and bounds are in
// fanout_options.cc next to the option that sets them.
struct FanoutOptions {
  std::string host = "127.0.0.1";
  net::asio::ip::address address;  // host, parsed by check_options
  std::uint16_t port = 0;

  // The group: member 0 sends, members 1 .. members-1 receive every message.
  std::uint32_t members = 100;
  std::uint32_t messages = 200;  // group messages the sender sends
  std::uint32_t size = 256;      // envelope bytes
  std::uint32_t window = 8;      // unacknowledged Sends in flight
  // Receiving members that are offline while the messages are sent and come
  // back (Resume) once all are acknowledged: the catch-up scenario.
  std::uint32_t offline = 0;

  // Accounts: PREFIX0 .. PREFIX(members-1), all with one password.
  std::string password;
  std::string user_prefix = "fan";
  bool register_users = false;
  std::uint32_t logins_in_flight = 16;

  std::optional<pid_t> relayd_pid;
  std::optional<std::uint16_t> metrics_port;

  double duration_limit = 300;  // seconds; the run stops by itself after this
  bool json = false;
};

struct ParsedCommandLine {
  std::optional<FanoutOptions> options;
  int exit_code = 0;  // 0 after --help, 2 for a usage error
  std::string message;
};

ParsedCommandLine parse_command_line(int argc, const char* const* argv);

// What one option alone cannot check; the reason names the option.
std::optional<std::string> check_options(FanoutOptions& options);

std::string member_name(const FanoutOptions& options, std::uint32_t index);

}  // namespace sotto::fanout_load
