#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "lib/net/asio.h"
#include "tests/integration/support/relayd_process.h"

namespace sotto::relay_load {

// A loopback port nobody listens on now. relayd's config refuses port 0 for
// metrics.listen, so the tests pick one (another process could take it in
// between; on a test machine that is rare enough).
inline std::uint16_t free_loopback_port() {
  net::asio::io_context io;
  net::tcp::acceptor acceptor(io, net::tcp::endpoint(net::asio::ip::address_v4::loopback(), 0));
  return acceptor.local_endpoint().port();
}

// The relayd configuration the relay_load tests run against: like
// bench/run-relay-load's, the attempt limits out of the way (a run logs in
// many accounts from one address) unless a test sets its own registration
// limit, and metrics on loopback.
inline std::string bench_relayd_yaml(const std::string& register_rate = "1000000", const std::string& per = "1s",
                                     const std::string& burst = "1000000") {
  return "io_threads: 1\n"
         "limits:\n"
         "  idle_timeout: 10m\n"
         "  max_unauthenticated_per_address: 1024\n"
         "rate_limits:\n"
         "  login_per_account:\n    rate: 1000000\n    per: 1s\n    burst: 1000000\n"
         "  login_per_address:\n    rate: 1000000\n    per: 1s\n    burst: 1000000\n"
         "  register_per_address:\n    rate: " +
         register_rate + "\n    per: " + per + "\n    burst: " + burst +
         "\n"
         "metrics:\n"
         "  listen: 127.0.0.1:" +
         std::to_string(free_loopback_port()) + "\n";
}

// The pid of the relayd this test process started (RelaydProcess keeps it to
// itself): the child of this thread whose command line is the relayd binary.
inline pid_t started_relayd_pid() {
  const std::string self = std::to_string(::getpid());
  std::ifstream children("/proc/" + self + "/task/" + self + "/children");
  pid_t pid = 0;
  while (children >> pid) {
    std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
    std::string argv0;
    std::getline(cmdline, argv0, '\0');
    if (argv0 == testing::RelaydProcess::binary().string()) return pid;
  }
  return 0;
}

}  // namespace sotto::relay_load
