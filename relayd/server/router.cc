#include "relayd/server/router.h"

#include <algorithm>
#include <functional>

namespace sotto::relayd {

Router::Shard& Router::shard_for(const std::string& username) {
  return shards_[std::hash<std::string>{}(username) % kShards];
}

bool Router::add(const std::string& username, const std::shared_ptr<RelaySession>& session) {
  Shard& s = shard_for(username);
  std::lock_guard lock(s.mutex);
  auto& list = s.sessions[username];
  std::erase_if(list, [](const auto& w) { return w.expired(); });
  list.push_back(session);
  return list.size() == 1;
}

bool Router::remove(const std::string& username, const RelaySession* session) {
  Shard& s = shard_for(username);
  std::lock_guard lock(s.mutex);
  auto it = s.sessions.find(username);
  if (it == s.sessions.end()) return false;
  std::erase_if(it->second, [session](const auto& w) {
    auto p = w.lock();
    return !p || p.get() == session;
  });
  if (!it->second.empty()) return false;
  s.sessions.erase(it);
  return true;
}

std::vector<std::shared_ptr<RelaySession>> Router::sessions_of(const std::string& username) {
  std::vector<std::shared_ptr<RelaySession>> out;
  Shard& s = shard_for(username);
  std::lock_guard lock(s.mutex);
  auto it = s.sessions.find(username);
  if (it == s.sessions.end()) return out;
  for (const auto& w : it->second) {
    if (auto p = w.lock()) out.push_back(std::move(p));
  }
  return out;
}

bool Router::is_online(const std::string& username) { return !sessions_of(username).empty(); }

std::size_t Router::online_users() {
  std::size_t n = 0;
  for (auto& s : shards_) {
    std::lock_guard lock(s.mutex);
    n += s.sessions.size();
  }
  return n;
}

std::vector<std::string> Router::usernames() {
  std::vector<std::string> names;
  for (auto& s : shards_) {
    std::lock_guard lock(s.mutex);
    for (const auto& [name, list] : s.sessions) names.push_back(name);
  }
  return names;
}

}  // namespace sotto::relayd
