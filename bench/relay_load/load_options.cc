#include "bench/relay_load/load_options.h"

#include <CLI/CLI.hpp>
#include <sstream>

#include "bench/relay_load/loopback_address.h"
#include "bench/relay_load/message_stamp.h"
#include "lib/wire/limits.h"
#include "lib/wire/username.h"

namespace sotto::relay_load {

namespace {

// The password every bench account gets unless --password says otherwise.
// These are throw-away accounts on a relay started for the benchmark.
constexpr const char* kDefaultPassword = "relay-load-bench";

// Upper bounds that keep one run's work and memory finite. 10,000 clients and
// 10 million messages per client are far beyond what one machine's loopback
// can exercise in the default time limit; the latency samples of the largest
// run (8 bytes each) stay in memory.
constexpr std::uint32_t kMaxClients = 10'000;
constexpr std::uint32_t kMaxMessages = 10'000'000;
constexpr double kMaxRate = 10'000'000;  // messages/s
constexpr std::uint32_t kMaxWindow = 10'000;
// Messages of one run: each costs a delivery flag (1 byte), an acknowledgement
// flag (1 byte) and a latency sample (8 bytes), so 20 million is 200 MB.
constexpr std::uint64_t kMaxMessagesPerRun = 20'000'000;
// relayd's default connection cap is 20,000 (ListenerOptions::max_connections);
// idle mode may go up to five times that against a relay configured for it.
constexpr std::uint32_t kMaxIdle = 100'000;
constexpr std::uint32_t kMaxHandshakesInFlight = 5'000;
// 127.0.0.0/8 minus the network and broadcast-looking ends.
constexpr std::uint32_t kMaxSourceAddresses = 250;
constexpr double kMaxDurationLimit = 3600;  // s
constexpr std::uint32_t kMaxThreads = 64;

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  LoadOptions o;
  std::optional<std::uint32_t> pid;
  std::optional<std::uint16_t> metrics_port;

  CLI::App app{
      "relay_load: measures a relayd on this machine. Throughput mode (default): N clients each send M envelopes to "
      "random others and report durable msgs/s and send->deliver latency. Idle mode (--idle K): K authenticated idle "
      "connections and relayd's memory per connection."};
  app.add_option("--host", o.host, "relayd address: 127.0.0.0/8 or ::1 only")->capture_default_str();
  app.add_option("--port", o.port, "relayd's TLS port")->required()->check(CLI::Range(1, 65535));
  app.add_option("--second-port", o.second_port,
                 "throughput: a second relayd sharing the first one's store; odd-numbered clients connect to it")
      ->check(CLI::Range(1, 65535));
  app.add_option("--clients", o.clients, "throughput: number of clients (connections, one user each)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{2}, kMaxClients));
  app.add_option("--messages", o.messages, "throughput: envelopes each client sends")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{1}, kMaxMessages));
  app.add_option("--size", o.size, "throughput: envelope size in bytes")
      ->capture_default_str()
      ->check(CLI::Range(static_cast<std::uint32_t>(kEnvelopeStampBytes),
                         static_cast<std::uint32_t>(wire::kMaxEnvelopeBytes)));
  app.add_option("--rate", o.rate, "throughput: target messages/s over all clients, open loop; 0 = as fast as possible")
      ->capture_default_str()
      ->check(CLI::Range(0.0, kMaxRate));
  app.add_option("--window", o.window, "throughput: most unacknowledged Sends per client")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{1}, kMaxWindow));
  app.add_option("--password", o.password,
                 "password of every bench account (default: a fixed bench password; also $RELAY_LOAD_PASSWORD)")
      ->envname("RELAY_LOAD_PASSWORD");
  app.add_option("--user-prefix", o.user_prefix, "accounts are PREFIX0 .. PREFIX(N-1)")->capture_default_str();
  app.add_flag("--register", o.register_users, "register the accounts first (an existing one is logged in instead)");
  app.add_option("--relayd-pid", pid, "relayd's process id, to read its VmRSS from /proc");
  app.add_option("--metrics-port", metrics_port, "relayd's Prometheus port on 127.0.0.1, for commit batch sizes")
      ->check(CLI::Range(1, 65535));
  app.add_option("--idle", o.idle, "idle mode: open K authenticated idle connections")
      ->check(CLI::Range(std::uint32_t{1}, kMaxIdle));
  app.add_option("--handshakes", o.handshakes_in_flight, "idle: connection set-ups in flight at once")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{1}, kMaxHandshakesInFlight));
  app.add_option("--source-addresses", o.source_addresses,
                 "idle: spread connections over this many source addresses 127.0.0.1, 127.0.0.2, ... (IPv4 only)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{1}, kMaxSourceAddresses));
  app.add_option("--hold", o.hold_seconds, "idle: seconds to keep the connections open after measuring")
      ->capture_default_str()
      ->check(CLI::Range(0.0, kMaxDurationLimit));
  app.add_option("--duration-limit", o.duration_limit, "hard stop after this many seconds")
      ->capture_default_str()
      ->check(CLI::Range(1.0, kMaxDurationLimit));
  app.add_option("--threads", o.threads, "io threads (clients are spread over them)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{1}, kMaxThreads));
  app.add_flag("--json", o.json, "print one JSON object instead of aligned lines");

  ParsedCommandLine out;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream text;
    // CLI11's own codes (105 for a value out of range, ...) are not the 2 that
    // --help promises for every usage error; --help itself stays 0.
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

std::string user_name(const LoadOptions& options, std::uint32_t index) {
  return options.user_prefix + std::to_string(index);
}

std::optional<std::string> check_options(LoadOptions& o) {
  const auto address = parse_loopback_address(o.host);
  if (!address)
    return "--host: " + o.host +
           " is not a loopback address (127.0.0.0/8 or ::1); this tool only loads a relay on this machine";
  o.address = *address;
  if (o.port == 0) return std::string("--port: required");
  if (o.password.size() < wire::kMinPasswordBytes || o.password.size() > wire::kMaxPasswordBytes) {
    return "--password: must be " + std::to_string(wire::kMinPasswordBytes) + ".." +
           std::to_string(wire::kMaxPasswordBytes) + " bytes";
  }
  if (o.size < kEnvelopeStampBytes || o.size > wire::kMaxEnvelopeBytes) {
    return "--size: must be " + std::to_string(kEnvelopeStampBytes) + ".." + std::to_string(wire::kMaxEnvelopeBytes) +
           " bytes (the envelope carries a " + std::to_string(kEnvelopeStampBytes) + "-byte time stamp)";
  }
  if (o.idle == 0 && static_cast<std::uint64_t>(o.clients) * o.messages > kMaxMessagesPerRun) {
    return "--messages: clients x messages must be at most " + std::to_string(kMaxMessagesPerRun) +
           " (every message is tracked until it is delivered)";
  }
  if (o.clients < 2 && o.idle == 0) return std::string("--clients: at least 2 (each client sends to the others)");
  if (o.window == 0) return std::string("--window: at least 1");
  if (o.threads == 0) return std::string("--threads: at least 1");
  // Both ends of the range of names must be valid: the prefix, the longest
  // index, and the shortest.
  const std::uint32_t count = o.idle > 0 ? 1 : o.clients;
  for (const std::uint32_t i : {0u, count - 1}) {
    const std::string name = user_name(o, i);
    const auto canonical = wire::canonical_username(name);
    if (!canonical.ok()) return "--user-prefix: " + name + " is not a valid user name: " + canonical.error();
    if (canonical.value() != name) return "--user-prefix: use lower case (" + canonical.value() + ")";
  }
  if (o.source_addresses > 1 && !o.address.is_v4()) {
    return std::string("--source-addresses: only with an IPv4 --host");
  }
  if (o.second_port && o.idle > 0) return std::string("--second-port: only in throughput mode");
  if (o.second_port && *o.second_port == o.port) return std::string("--second-port: must differ from --port");
  if (o.hold_seconds >= o.duration_limit) return std::string("--hold: must be shorter than --duration-limit");
  return std::nullopt;
}

}  // namespace sotto::relay_load
