#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace sotto::relayd {

class RelaySession;

// Who is online, and on which sessions (a user may have several devices or
// connections). Sharded so that io threads rarely contend on one lock.
// Holds weak pointers: a session's lifetime is its own, and a session that
// ended without unregistering simply drops out.
class Router {
 public:
  // Whether it is the user's first session here (they just came online).
  bool add(const std::string& username, const std::shared_ptr<RelaySession>& session);
  // Whether it was the user's last session here (they just went offline).
  bool remove(const std::string& username, const RelaySession* session);
  std::vector<std::shared_ptr<RelaySession>> sessions_of(const std::string& username);
  bool is_online(const std::string& username);
  std::size_t online_users();
  std::vector<std::string> usernames();  // every user with a session here

 private:
  static constexpr std::size_t kShards = 32;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::vector<std::weak_ptr<RelaySession>>> sessions;
  };
  Shard& shard_for(const std::string& username);
  std::array<Shard, kShards> shards_;
};

}  // namespace sotto::relayd
