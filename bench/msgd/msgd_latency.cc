// msgd_latency: the figures of the msgd/msgctl issue, measured against
// running daemons (bench/run-msgd-bench starts a relay and two users):
//   1. `msgctl send` wall time, process start to exit, over N runs;
//   2. alice's send -> bob's MessageReceived event, over M messages, one at a
//      time (each waits for its event), through the real relay;
//   3. idle resident memory of a msgd (from /proc/PID/status).
// Usage: msgd_latency --msgctl PATH --alice-socket P --bob-socket P --bob-pid PID [--runs 100] [--messages 1000]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "bench/relay_load/proc_status.h"
#include "lib/api/client.h"

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration;

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1) + 0.5);
  return values.at(std::min(index, values.size() - 1));
}

void report(const char* what, const std::vector<double>& ms) {
  std::printf("%-44s n=%zu  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n", what, ms.size(), percentile(ms, 50),
              percentile(ms, 90), percentile(ms, 99), *std::max_element(ms.begin(), ms.end()));
}

// Runs msgctl once, its output to /dev/null; returns the wall time in ms.
double time_msgctl(const std::string& msgctl, const std::vector<std::string>& args) {
  std::vector<std::string> argv_strings{msgctl};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  const auto start = Clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, msgctl.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot run " + msgctl);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  const double ms = duration<double, std::milli>(Clock::now() - start).count();
  posix_spawn_file_actions_destroy(&actions);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("msgctl send failed");
  return ms;
}

long rss_kib(int pid) { return static_cast<long>(sotto::relay_load::read_vm_rss_kib(pid).value_or(0)); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"msgd latency and memory figures"};
  std::string msgctl, alice_socket, bob_socket;
  int bob_pid = 0;
  int runs = 100;
  int messages = 1000;
  app.add_option("--msgctl", msgctl, "path of msgctl")->required();
  app.add_option("--alice-socket", alice_socket)->required();
  app.add_option("--bob-socket", bob_socket)->required();
  app.add_option("--bob-pid", bob_pid, "bob's msgd, for its idle memory")->required();
  app.add_option("--runs", runs, "msgctl send runs")->check(CLI::Range(1, 100000));
  app.add_option("--messages", messages, "messages for the event latency")->check(CLI::Range(1, 1000000));
  CLI11_PARSE(app, argc, argv);

  try {
    std::printf("msgd idle RSS (bob, before the runs)            %ld KiB\n", rss_kib(bob_pid));

    std::vector<double> wall;
    for (int i = 0; i < runs; ++i) {
      wall.push_back(time_msgctl(msgctl, {"--socket", alice_socket, "send", "bob", "bench " + std::to_string(i)}));
    }
    report("msgctl send, process start to exit", wall);

    auto alice = sotto::api::connect_socket(alice_socket, std::chrono::seconds(10));
    auto bob = sotto::api::connect_socket(bob_socket, std::chrono::seconds(10));
    bob->subscribe();
    // Let the receipts and messages of the msgctl runs settle first.
    while (bob->next_event(std::chrono::milliseconds(500))) {
    }
    std::vector<double> latency;
    for (int i = 0; i < messages; ++i) {
      const std::string text = "latency " + std::to_string(i);
      const auto start = Clock::now();
      alice->call("send", {{"peer", "bob"}, {"text", text}});
      for (;;) {
        auto event = bob->next_event(std::chrono::seconds(10));
        if (!event) throw std::runtime_error("no MessageReceived within 10 s for message " + std::to_string(i));
        if (event->name == "MessageReceived" && event->data.value("text", "") == text) break;
      }
      latency.push_back(duration<double, std::milli>(Clock::now() - start).count());
    }
    report("send -> peer's MessageReceived", latency);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    std::printf("msgd RSS (bob, idle after %d messages)        %ld KiB\n", runs + messages, rss_kib(bob_pid));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "msgd_latency: %s\n", e.what());
    return 1;
  }
  return 0;
}
