#include "bench/mqtt_load/mqtt_load_options.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <limits>
#include <sstream>

#include "bench/relay_load/loopback_address.h"
#include "bench/relay_load/message_stamp.h"
#include "lib/wire/limits.h"

namespace sotto::mqtt_load {

namespace {

// The same bounds as relay_load's (bench/relay_load/load_options.cc), for the
// same reasons: one run's work and memory stay finite, and every message is
// tracked (a delivery flag, an acknowledgement flag, a latency sample: 10
// bytes) until it is delivered.
constexpr std::uint32_t kMaxClients = 10'000;
constexpr std::uint32_t kMaxMessages = 10'000'000;
constexpr double kMaxRate = 10'000'000;  // messages/s
constexpr std::uint64_t kMaxMessagesPerRun = 20'000'000;
constexpr double kMaxDurationLimit = 3600;  // s
constexpr std::uint32_t kMaxThreads = 64;
// MQTT packet identifiers are 16 bits and libmosquitto sends at most 65535
// QoS 1 messages unacknowledged (MOSQ_OPT_SEND_MAXIMUM); a window beyond
// that would be cut by the library, not by this tool.
constexpr std::uint32_t kMaxWindow = 10'000;
// Payloads up to relayd's envelope limit, so that the two tools cover the
// same range of message sizes.
constexpr std::uint32_t kMaxSize = static_cast<std::uint32_t>(wire::kMaxEnvelopeBytes);
constexpr std::uint32_t kMinSize = static_cast<std::uint32_t>(relay_load::kEnvelopeStampBytes);

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  MqttLoadOptions o;
  std::optional<std::uint32_t> pid;

  CLI::App app{
      "mqtt_load: measures an MQTT broker on this machine the way relay_load measures relayd. N clients, each "
      "subscribed with QoS 1 to its own topic, each publish M messages with QoS 1 to random others over TLS 1.3, and "
      "report PUBACKed msgs/s and publish->delivery latency."};
  app.add_option("--host", o.host, "broker address: 127.0.0.0/8 or ::1 only")->capture_default_str();
  app.add_option("--port", o.port, "broker's TLS port")->required()->check(CLI::Range(1, 65535));
  app.add_option("--cafile", o.cafile, "PEM file of the CA that signed the broker's certificate")->required();
  app.add_option("--clients", o.clients, "number of clients (connections, one topic each)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{2}, kMaxClients));
  app.add_option("--messages", o.messages, "messages each client publishes")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{1}, kMaxMessages));
  app.add_option("--size", o.size, "payload size in bytes")
      ->capture_default_str()
      ->check(CLI::Range(kMinSize, kMaxSize));
  app.add_option("--rate", o.rate, "target messages/s over all clients, open loop; 0 = as fast as possible")
      ->capture_default_str()
      ->check(CLI::Range(0.0, kMaxRate));
  app.add_option("--window", o.window, "most PUBLISHes awaiting their PUBACK per client")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{1}, kMaxWindow));
  app.add_option("--broker-pid", pid, "the broker's process id, to read its CPU time and VmRSS from /proc");
  app.add_option("--duration-limit", o.duration_limit, "hard stop after this many seconds")
      ->capture_default_str()
      ->check(CLI::Range(1.0, kMaxDurationLimit));
  app.add_option("--threads", o.threads, "poll loops (threads) the clients are spread over")
      ->capture_default_str()
      ->check(CLI::Range(std::uint32_t{1}, kMaxThreads));
  app.add_flag("--json", o.json, "print one JSON object instead of aligned lines");

  ParsedCommandLine out;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream text;
    // CLI11 exits with its own codes (105 for a value out of range); this
    // tool promises 0 for --help and 2 for any usage error.
    out.exit_code = app.exit(e, text, text) == 0 ? 0 : 2;
    out.message = text.str();
    return out;
  }
  if (pid) {
    if (*pid == 0 || *pid > static_cast<std::uint32_t>(std::numeric_limits<pid_t>::max())) {
      out.exit_code = 2;
      out.message = "--broker-pid: not a process id\n";
      return out;
    }
    o.broker_pid = static_cast<pid_t>(*pid);
  }
  if (auto problem = check_options(o)) {
    out.exit_code = 2;
    out.message = *problem + "\n";
    return out;
  }
  out.options = std::move(o);
  return out;
}

std::optional<std::string> check_options(MqttLoadOptions& o) {
  const auto address = relay_load::parse_loopback_address(o.host);
  if (!address) {
    return "--host: " + o.host +
           " is not a loopback address (127.0.0.0/8 or ::1); this tool only loads a broker on this machine";
  }
  // libmosquitto resolves the host itself: hand it the literal we checked.
  o.host = address->to_string();
  if (o.port == 0) return std::string("--port: required");
  if (o.cafile.empty() || !std::ifstream(o.cafile)) return "--cafile: cannot read " + o.cafile;
  if (o.clients < 2) return std::string("--clients: at least 2 (each client publishes to the others)");
  if (o.size < kMinSize || o.size > kMaxSize) {
    return "--size: must be " + std::to_string(kMinSize) + ".." + std::to_string(kMaxSize) +
           " bytes (the payload carries a " + std::to_string(kMinSize) + "-byte time stamp)";
  }
  if (static_cast<std::uint64_t>(o.clients) * o.messages > kMaxMessagesPerRun) {
    return "--messages: clients x messages must be at most " + std::to_string(kMaxMessagesPerRun) +
           " (every message is tracked until it is delivered)";
  }
  if (o.window == 0) return std::string("--window: at least 1");
  if (o.threads == 0) return std::string("--threads: at least 1");
  return std::nullopt;
}

}  // namespace sotto::mqtt_load
