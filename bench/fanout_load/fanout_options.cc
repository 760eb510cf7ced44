#include "bench/fanout_load/fanout_options.h"

#include <CLI/CLI.hpp>
#include <limits>
#include <sstream>

#include "bench/relay_load/loopback_address.h"
#include "bench/relay_load/message_stamp.h"
#include "lib/wire/limits.h"
#include "lib/wire/username.h"

namespace sotto::fanout_load {

namespace {

// Throw-away accounts on a relay started for the benchmark.
constexpr const char* kDefaultPassword = "fanout-load-bench";

// relayd's own cap on Send.recipients is at most 1000 (lib/wire/limits.h);
// a larger group lets the tool check that the relay refuses it.
constexpr std::uint32_t kMaxMembers = 10'000;
// Every (message, recipient) pair costs a delivery flag and a latency sample
// (9 bytes): 20 million of them are 180 MB.
constexpr std::uint64_t kMaxDeliveriesPerRun = 20'000'000;
constexpr std::uint32_t kMaxWindow = 10'000;
constexpr std::uint32_t kMaxLoginsInFlight = 1'000;
constexpr double kMaxDurationLimit = 3600;  // s

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  FanoutOptions o;
  std::optional<std::uint32_t> pid;
  std::optional<std::uint16_t> metrics_port;

  CLI::App app{
      "fanout_load: measures a relayd's group fan-out on this machine. Member 0 sends group messages (one Send "
      "listing every other member); the others receive and acknowledge them. Reports messages/s, deliveries/s "
      "stored and delivered, send->deliver latency, and with --offline the catch-up rate of members coming back."};
  app.add_option("--host", o.host, "relayd address: 127.0.0.0/8 or ::1 only")->capture_default_str();
  app.add_option("--port", o.port, "relayd's TLS port")->required()->check(CLI::Range(1, 65535));
  app.add_option("--members", o.members, "group size, the sender included (recipients per Send: members - 1)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{2}, kMaxMembers));
  app.add_option("--messages", o.messages, "group messages the sender sends")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{1}, std::uint32_t{10'000'000}));
  app.add_option("--size", o.size, "envelope size in bytes")
      ->capture_default_str()
      ->check(CLI::Range(static_cast<std::uint32_t>(relay_load::kEnvelopeStampBytes),
                         static_cast<std::uint32_t>(wire::kMaxEnvelopeBytes)));
  app.add_option("--window", o.window, "most unacknowledged Sends in flight")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{1}, kMaxWindow));
  app.add_option("--offline", o.offline,
                 "receiving members offline while sending, back (Resume) once every Send is acknowledged")
      ->capture_default_str();
  app.add_option("--password", o.password,
                 "password of every bench account (default: a fixed bench password; also $FANOUT_LOAD_PASSWORD)")
      ->envname("FANOUT_LOAD_PASSWORD");
  app.add_option("--user-prefix", o.user_prefix, "accounts are PREFIX0 .. PREFIX(members-1)")->capture_default_str();
  app.add_flag("--register", o.register_users, "register the accounts first (an existing one is logged in instead)");
  app.add_option("--logins", o.logins_in_flight, "log-ins in flight at once (each costs the relay an Argon2id run)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{1}, kMaxLoginsInFlight));
  app.add_option("--relayd-pid", pid, "relayd's process id, to read its CPU time from /proc");
  app.add_option("--metrics-port", metrics_port, "relayd's Prometheus port on 127.0.0.1, for commit batch sizes")
      ->check(CLI::Range(1, 65535));
  app.add_option("--duration-limit", o.duration_limit, "hard stop after this many seconds")
      ->capture_default_str()
      ->check(CLI::Range(1.0, kMaxDurationLimit));
  app.add_flag("--json", o.json, "print one JSON object instead of aligned lines");

  ParsedCommandLine out;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream text;
    out.exit_code = app.exit(e, text, text) == 0 ? 0 : 2;
    out.message = text.str();
    return out;
  }
  if (pid) {
    if (*pid == 0 || *pid > static_cast<std::uint32_t>(std::numeric_limits<pid_t>::max())) {
      out.exit_code = 2;
      out.message = "--relayd-pid: not a process id\n";
      return out;
    }
    o.relayd_pid = static_cast<pid_t>(*pid);
  }
  o.metrics_port = metrics_port;
  if (o.password.empty()) o.password = kDefaultPassword;
  if (auto problem = check_options(o)) {
    out.exit_code = 2;
    out.message = *problem + "\n";
    return out;
  }
  out.options = std::move(o);
  return out;
}

std::string member_name(const FanoutOptions& options, std::uint32_t index) {
  return options.user_prefix + std::to_string(index);
}

std::optional<std::string> check_options(FanoutOptions& o) {
  const auto address = relay_load::parse_loopback_address(o.host);
  if (!address)
    return "--host: " + o.host +
           " is not a loopback address (127.0.0.0/8 or ::1); this tool only loads a relay on this machine";
  o.address = *address;
  if (o.port == 0) return std::string("--port: required");
  if (o.password.size() < wire::kMinPasswordBytes || o.password.size() > wire::kMaxPasswordBytes) {
    return "--password: must be " + std::to_string(wire::kMinPasswordBytes) + ".." +
           std::to_string(wire::kMaxPasswordBytes) + " bytes";
  }
  if (o.size < relay_load::kEnvelopeStampBytes || o.size > wire::kMaxEnvelopeBytes) {
    return "--size: must be " + std::to_string(relay_load::kEnvelopeStampBytes) + ".." +
           std::to_string(wire::kMaxEnvelopeBytes) + " bytes";
  }
  if (o.members < 2) return std::string("--members: at least 2 (a sender and a recipient)");
  if (o.offline > o.members - 1) return std::string("--offline: at most members - 1 (the sender stays online)");
  if (static_cast<std::uint64_t>(o.members - 1) * o.messages > kMaxDeliveriesPerRun) {
    return "--messages: (members - 1) x messages must be at most " + std::to_string(kMaxDeliveriesPerRun) +
           " (every delivery is tracked)";
  }
  for (const std::uint32_t i : {0u, o.members - 1}) {
    const std::string name = member_name(o, i);
    const auto canonical = wire::canonical_username(name);
    if (!canonical.ok()) return "--user-prefix: " + name + " is not a valid user name: " + canonical.error();
    if (canonical.value() != name) return "--user-prefix: use lower case (" + canonical.value() + ")";
  }
  return std::nullopt;
}

}  // namespace sotto::fanout_load
