#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "bench/relay_load/fd_limit.h"
#include "bench/relay_load/load_options.h"

namespace sotto::relay_load {

// What an idle run measured.
struct IdleResult {
  std::uint32_t requested = 0;      // --idle K
  std::uint32_t authenticated = 0;  // connections that completed TLS, Hello and Resume
  std::uint32_t failed = 0;
  std::uint32_t still_open = 0;  // of the authenticated ones, at the end of --hold
  double open_s = 0;             // first connect to the last connection's Resume answer
  FdLimit fd_limit;

  std::optional<std::uint64_t> rss_before_kib;      // relayd, before opening the K connections
  std::optional<std::uint64_t> rss_after_kib;       // relayd, once all are authenticated
  std::optional<std::uint64_t> rss_after_hold_kib;  // relayd, after --hold seconds (when --hold > 0)
  std::optional<double> rss_per_connection_kib;
  // relayd's CPU seconds (user + system) while the connections were being opened.
  std::optional<double> relayd_open_cpu_s;

  std::map<std::string, std::uint64_t> errors;
  bool timed_out = false;
  std::string failure;  // empty when the run passed
};

// Runs idle mode: one Login, then options.idle connections that Resume with
// its token and stay open, pinging well within the relay's idle timeout.
IdleResult run_idle(const LoadOptions& options);

}  // namespace sotto::relay_load
