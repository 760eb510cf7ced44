// file_transfer: the figures of the file-transfer issue, measured against
// running daemons (bench/run-file-bench starts a relay and two users):
// one file alice -> bob on loopback, from send_file to bob's saved file, with
// each phase's time, the MB/s end to end, the peak resident memory of alice's
// msgd, bob's msgd and relayd (VmRSS sampled every 10 ms), and the CPU time
// each process spent (what limits the rate on a machine this small).
// Usage: file_transfer --alice-socket P --bob-socket P --alice-pid N --bob-pid N --relayd-pid N
//                      --file PATH --size-mib N --output DIR
#include <sys/types.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "bench/relay_load/proc_status.h"
#include "lib/api/client.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

void write_random_file(const std::string& path, std::uint64_t bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::mt19937_64 random(42);
  std::string block(4 << 20, '\0');
  for (std::uint64_t done = 0; done < bytes;) {
    for (std::size_t i = 0; i + 8 <= block.size(); i += 8) {
      const std::uint64_t v = random();
      std::memcpy(block.data() + i, &v, 8);
    }
    const auto n = std::min<std::uint64_t>(block.size(), bytes - done);
    out.write(block.data(), static_cast<std::streamsize>(n));
    done += n;
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

// Waits for an event about id on client whose state is one of `states`.
std::string wait_state(sotto::api::Client& client, const std::string& id, std::initializer_list<const char*> states) {
  const auto deadline = Clock::now() + std::chrono::minutes(10);
  while (Clock::now() < deadline) {
    auto event = client.next_event(std::chrono::seconds(1));
    if (!event) continue;
    const json& data = event->data;
    if (!data.contains("id") || data.at("id") != id || !data.contains("state")) continue;
    const std::string state = data.at("state").get<std::string>();
    for (const char* s : states) {
      if (state == s) return state;
    }
  }
  throw std::runtime_error("timed out waiting for the transfer");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"file_transfer: one file alice -> bob through msgd, relayd and msgd"};
  std::string alice_socket, bob_socket, file, output;
  pid_t alice_pid = 0, bob_pid = 0, relayd_pid = 0;
  std::uint64_t size_mib = 1024;
  app.add_option("--alice-socket", alice_socket)->required();
  app.add_option("--bob-socket", bob_socket)->required();
  app.add_option("--alice-pid", alice_pid)->required();
  app.add_option("--bob-pid", bob_pid)->required();
  app.add_option("--relayd-pid", relayd_pid)->required();
  app.add_option("--file", file)->required();
  app.add_option("--size-mib", size_mib)->check(CLI::Range(1, 65536));
  app.add_option("--output", output)->required();
  CLI11_PARSE(app, argc, argv);

  try {
    const std::uint64_t bytes = size_mib << 20;
    write_random_file(file, bytes);
    auto alice = sotto::api::connect_socket(alice_socket, std::chrono::seconds(30));
    auto bob = sotto::api::connect_socket(bob_socket, std::chrono::seconds(30));
    alice->subscribe();
    bob->subscribe();

    const std::map<std::string, pid_t> processes{
        {"alice msgd", alice_pid}, {"bob msgd", bob_pid}, {"relayd", relayd_pid}};
    std::map<std::string, std::uint64_t> peak_kib, start_kib;
    std::map<std::string, double> cpu_before;
    for (const auto& [name, pid] : processes) {
      start_kib[name] = sotto::relay_load::read_vm_rss_kib(pid).value_or(0);
      peak_kib[name] = start_kib[name];
      cpu_before[name] = sotto::relay_load::read_cpu_seconds(pid).value_or(0);
    }
    std::atomic<bool> sampling{true};
    std::thread sampler([&] {
      while (sampling) {
        for (const auto& [name, pid] : processes) {
          peak_kib[name] = std::max(peak_kib[name], sotto::relay_load::read_vm_rss_kib(pid).value_or(0));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });

    const auto start = Clock::now();
    const std::string id = alice->call("send_file", {{"peer", "bob"}, {"path", file}, {"caption", ""}}).at("id");
    wait_state(*alice, id, {"uploading", "failed"});
    const auto uploading = Clock::now();
    if (wait_state(*alice, id, {"uploaded", "failed", "cancelled"}) != "uploaded")
      throw std::runtime_error("upload failed");
    const auto uploaded = Clock::now();
    // bob's file message arrives once alice's msgd sends it; large files wait for save.
    std::string state;
    while (true) {
      auto event = bob->next_event(std::chrono::seconds(30));
      if (!event) throw std::runtime_error("bob never heard of the file");
      if (event->name == "MessageReceived" && event->data.at("id") == id) break;
    }
    const auto announced = Clock::now();
    bob->call("save_file", {{"id", id}, {"output", output}});
    if (wait_state(*bob, id, {"saved", "failed", "cancelled"}) != "saved") throw std::runtime_error("download failed");
    const auto saved = Clock::now();
    sampling = false;
    sampler.join();

    auto seconds = [](Clock::time_point a, Clock::time_point b) {
      return std::chrono::duration<double>(b - a).count();
    };
    const double total = seconds(start, saved);
    const double mb = static_cast<double>(bytes) / 1e6;
    std::printf("file: %llu MiB (%.1f MB)\n", static_cast<unsigned long long>(size_mib), mb);
    std::printf("  preparing (encrypt + SHA-256 pass)  %6.2f s\n", seconds(start, uploading));
    std::printf("  upload                              %6.2f s  %7.1f MB/s\n", seconds(uploading, uploaded),
                mb / seconds(uploading, uploaded));
    std::printf("  file message to bob                 %6.2f s\n", seconds(uploaded, announced));
    std::printf("  download + decrypt + save           %6.2f s  %7.1f MB/s\n", seconds(announced, saved),
                mb / seconds(announced, saved));
    std::printf("  end to end, send_file -> saved      %6.2f s  %7.1f MB/s\n", total, mb / total);
    for (const auto& [name, pid] : processes) {
      const double cpu = sotto::relay_load::read_cpu_seconds(pid).value_or(0) - cpu_before[name];
      std::printf("  %-11s peak RSS %6.1f MiB (%.1f at start)  CPU %.2f s (%.0f%% of the wall time)\n", name.c_str(),
                  static_cast<double>(peak_kib[name]) / 1024, static_cast<double>(start_kib[name]) / 1024, cpu,
                  100 * cpu / total);
    }
  } catch (const std::exception& e) {
    std::cerr << "file_transfer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
