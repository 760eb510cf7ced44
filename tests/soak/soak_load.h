#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/soak/soak_ledger.h"

namespace sotto::soak {

// One user as the load sees it: a name and the socket of its msgd, which may
// be dead at any moment.
struct LoadUser {
  std::string name;
  std::filesystem::path socket;
};

// A steady load of 1:1 text messages: one thread per user, each sending to
// the other users in turn at a fixed rate through its msgd's socket, and
// writing every call's outcome to the ledger. A dead msgd does not stop the
// clock: the calls it misses are counted as refused.
class TextLoad {
 public:
  TextLoad(std::vector<LoadUser> users, double messages_per_second, SendLedger& ledger);
  ~TextLoad();
  TextLoad(const TextLoad&) = delete;
  TextLoad& operator=(const TextLoad&) = delete;

  void start();
  void stop();  // returns once every thread has finished its call in flight

 private:
  void send_loop(const std::stop_token& stop, std::size_t index);

  std::vector<LoadUser> users_;
  std::chrono::nanoseconds interval_;
  SendLedger& ledger_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::vector<std::jthread> threads_;
};

// Writes a file of random bytes (size picked by random: chunk edges and
// sizes up to max_bytes) under dir and sends it with send_file.
FileSend send_random_file(const LoadUser& from, const std::string& to, std::uint64_t number,
                          const std::filesystem::path& dir, std::uint64_t max_bytes, std::mt19937_64& random);

}  // namespace sotto::soak
