// soak_crash_cycles (issue 15): kill -9 at random moments, cycle after
// cycle, of relayd and of each user's msgd, under a steady load of 1:1
// messages and files; then a check that every message a sender's msgd
// accepted is in the recipient's history exactly once, in the sender's order,
// and that every file arrived byte for byte. Prints the counts; exits 1 if
// anything was lost, duplicated, reordered or corrupted.
//
// The suite runs 5 cycles (ctest -L soak); bench/run-soak runs the 50-cycle
// version that docs/operations.md quotes.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "tests/soak/soak_audit.h"
#include "tests/soak/soak_cluster.h"
#include "tests/soak/soak_load.h"

namespace {

using Clock = std::chrono::steady_clock;
using sotto::soak::AuditReport;
using sotto::soak::SendLedger;
using sotto::soak::SoakCluster;

struct SoakOptions {
  int cycles = 50;
  std::size_t users = 3;
  double rate = 20;  // text messages per second per user
  std::uint64_t seed = 0;
  int file_every = 2;  // a file every N cycles; 0: none
  std::uint64_t max_file_mib = 4;
  int min_gap_ms = 500;  // between the end of one restart and the next kill
  int max_gap_ms = 6000;
  int max_down_ms = 1000;  // how long a killed process stays dead
  int drain_timeout_s = 180;
  std::string work_dir;
  bool keep = false;
};

double soak_seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::uint64_t soak_uniform(std::mt19937_64& random, std::uint64_t low, std::uint64_t high) {
  return std::uniform_int_distribution<std::uint64_t>(low, high)(random);
}

// Who dies in one cycle: each msgd alone, relayd alone, or relayd and one
// msgd at once, all equally likely.
struct SoakVictims {
  bool relayd = false;
  bool msgd = false;
  std::size_t user = 0;  // whose msgd, when msgd
};

SoakVictims pick_victims(std::mt19937_64& random, std::size_t users) {
  const std::uint64_t pick = soak_uniform(random, 0, users + 1);
  SoakVictims victims;
  if (pick < users) {
    victims.msgd = true;
    victims.user = pick;
  } else {
    victims.relayd = true;
    victims.msgd = pick == users + 1;
    if (victims.msgd) victims.user = soak_uniform(random, 0, users - 1);
  }
  return victims;
}

// Waits (up to the timeout) until nothing accepted is still on its way; the
// last audit is returned either way. A call can time out while a msgd is
// busy with its backlog: that only means "not yet".
AuditReport soak_drain(const SoakCluster& cluster, const SendLedger& ledger, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    try {
      AuditReport report = sotto::soak::audit_cluster(cluster, ledger, false);
      if (report.settled || Clock::now() >= deadline) return report;
    } catch (const sotto::api::ApiError& e) {
      if (Clock::now() >= deadline) throw;
      std::cout << "drain: audit failed, retrying: " << e.what() << std::endl;
    } catch (const sotto::api::TransportError& e) {
      if (Clock::now() >= deadline) throw;
      std::cout << "drain: audit failed, retrying: " << e.what() << std::endl;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

int soak_run(const SoakOptions& options) {
  std::signal(SIGPIPE, SIG_IGN);
  const auto started = Clock::now();
  std::mt19937_64 random(options.seed);
  const std::filesystem::path dir = options.work_dir.empty()
                                        ? std::filesystem::path("/tmp") / ("soak-" + std::to_string(::getpid()))
                                        : std::filesystem::path(options.work_dir);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "files");

  std::cout << "soak_crash_cycles: " << options.cycles << " cycles, " << options.users << " users, " << options.rate
            << " messages/s per user, "
            << (options.file_every > 0 ? "a file every " + std::to_string(options.file_every) + " cycles"
                                       : std::string("no files"))
            << ", seed " << options.seed << ", work dir " << dir.string() << std::endl;

  SoakCluster cluster(dir, options.users);
  SendLedger ledger;
  bool passed = false;
  try {
    cluster.start();
    sotto::soak::TextLoad load(cluster.load_users(), options.rate, ledger);
    load.start();
    const auto load_started = Clock::now();

    std::map<std::string, int> kills;
    int together = 0;
    std::uint64_t file_number = 0;
    for (int cycle = 1; cycle <= options.cycles; ++cycle) {
      if (options.file_every > 0 && (cycle - 1) % options.file_every == 0) {
        const std::size_t from = soak_uniform(random, 0, cluster.size() - 1);
        const std::size_t to = (from + soak_uniform(random, 1, cluster.size() - 1)) % cluster.size();
        ledger.add(sotto::soak::send_random_file(cluster.load_user(from), cluster.name(to), file_number++,
                                                 dir / "files", options.max_file_mib << 20, random));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(soak_uniform(
          random, static_cast<std::uint64_t>(options.min_gap_ms), static_cast<std::uint64_t>(options.max_gap_ms))));

      const SoakVictims victims = pick_victims(random, cluster.size());
      std::string names;
      if (victims.relayd) {
        cluster.kill_relayd();
        ++kills["relayd"];
        names = "relayd";
      }
      if (victims.msgd) {
        cluster.kill_msgd(victims.user);
        ++kills[cluster.name(victims.user)];
        names += (names.empty() ? "msgd " : " and msgd ") + cluster.name(victims.user);
      }
      if (victims.relayd && victims.msgd) ++together;
      const auto down =
          std::chrono::milliseconds(soak_uniform(random, 0, static_cast<std::uint64_t>(options.max_down_ms)));
      std::this_thread::sleep_for(down);
      if (victims.relayd) cluster.start_relayd();
      if (victims.msgd) cluster.start_msgd(victims.user);
      std::printf("cycle %d/%d at %.1f s: kill -9 %s, down %lld ms\n", cycle, options.cycles,
                  soak_seconds_since(load_started), names.c_str(), static_cast<long long>(down.count()));
      std::fflush(stdout);
    }
    load.stop();
    const double load_seconds = soak_seconds_since(load_started);

    const auto drain_started = Clock::now();
    const AuditReport settling = soak_drain(cluster, ledger, std::chrono::seconds(options.drain_timeout_s));
    const double drain_seconds = soak_seconds_since(drain_started);
    const AuditReport report =
        settling.settled ? sotto::soak::audit_cluster(cluster, ledger, true) : settling;  // now with the bytes

    std::cout << "\nkills:";
    for (const auto& [name, count] : kills) std::cout << " " << name << " " << count << ",";
    std::cout << " (relayd together with a msgd: " << together << ")\n";
    std::printf("load %.1f s, drain %.1f s, total %.1f s\n\n", load_seconds, drain_seconds,
                soak_seconds_since(started));
    sotto::soak::print_audit(std::cout, report);
    passed = report.passed();
    std::cout << (passed ? "PASS: nothing accepted was lost or duplicated, every sender's order held, every file "
                           "arrived intact\n"
                         : "FAIL\n");
  } catch (const std::exception& e) {
    std::cout << "soak_crash_cycles: " << e.what() << std::endl;
    std::cout << "logs: " << cluster.save_logs().string() << std::endl;
    return 2;
  }
  if (!passed || options.keep) {
    std::cout << "logs: " << cluster.save_logs().string() << std::endl;
  }
  if (passed && !options.keep) std::filesystem::remove_all(dir);
  return passed ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  SoakOptions options;
  options.seed = std::random_device{}();
  CLI::App app{
      "Kills relayd and each user's msgd with SIGKILL at random moments under a steady load, "
      "then checks that nothing acknowledged was lost, duplicated or reordered."};
  app.add_option("--cycles", options.cycles, "kill/restart cycles")->check(CLI::Range(1, 100000));
  app.add_option("--users", options.users, "users, each with its own msgd, each sending to all the others")
      ->check(CLI::Range(2, 16));
  app.add_option("--rate", options.rate, "text messages per second per user")->check(CLI::Range(0.1, 1000.0));
  app.add_option("--seed", options.seed, "seed of the kill schedule and the files (default: random, printed)");
  app.add_option("--file-every", options.file_every, "send a file every N cycles (0: no files)")
      ->check(CLI::Range(0, 100000));
  app.add_option("--max-file-mib", options.max_file_mib, "largest file, MiB (below msgd's 10 MiB auto-download)")
      ->check(CLI::Range(0, 9));
  app.add_option("--min-gap-ms", options.min_gap_ms, "shortest wait before a kill")->check(CLI::Range(0, 600000));
  app.add_option("--max-gap-ms", options.max_gap_ms, "longest wait before a kill")->check(CLI::Range(0, 600000));
  app.add_option("--max-down-ms", options.max_down_ms, "longest time a killed process stays dead")
      ->check(CLI::Range(0, 600000));
  app.add_option("--drain-timeout", options.drain_timeout_s, "seconds to wait for everything to arrive at the end")
      ->check(CLI::Range(1, 3600));
  app.add_option("--work-dir", options.work_dir, "where the processes keep their state (default /tmp/soak-PID)");
  app.add_flag("--keep", options.keep, "keep the work dir and the logs even when the run passes");
  CLI11_PARSE(app, argc, argv);
  if (options.min_gap_ms > options.max_gap_ms) {
    std::cerr << "soak_crash_cycles: --min-gap-ms is above --max-gap-ms\n";
    return 2;
  }
  return soak_run(options);
}
