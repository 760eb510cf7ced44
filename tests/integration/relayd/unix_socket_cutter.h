#pragma once

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

namespace sotto::testing {

// A fault injector, not a fake server: it forwards a Unix socket to a real
// one (Redis), byte for byte, until cut() closes every connection through it
// and refuses new ones; restore() lets them through again. It gives one
// relay a broken link to the bus while the other keeps its own, which a real
// Redis cannot do on demand.
class UnixSocketCutter {
 public:
  UnixSocketCutter(std::filesystem::path listen_at, std::filesystem::path target);
  ~UnixSocketCutter();
  UnixSocketCutter(const UnixSocketCutter&) = delete;
  UnixSocketCutter& operator=(const UnixSocketCutter&) = delete;

  void cut();
  void restore();

 private:
  void accept_loop();
  void pump(int client, int server);

  const std::filesystem::path listen_at_;
  const std::filesystem::path target_;
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cut_{false};
  std::mutex mutex_;
  std::vector<int> open_;  // both ends of every live connection
  std::vector<std::thread> pumps_;
  std::thread acceptor_;
};

}  // namespace sotto::testing
