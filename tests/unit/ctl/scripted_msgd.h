#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "lib/api/api_error.h"
#include "lib/api/unique_fd.h"

namespace sotto::ctl::testing {

// A real JSON-RPC server on a real Unix socket that answers msgctl as a test
// scripts it: the answer for each method comes from `respond` (throw
// api::ApiError to answer with an error). It records every request, and can
// push event notifications to subscribed connections. One connection at a
// time, which is all msgctl opens.
class ScriptedMsgd {
 public:
  using Responder = std::function<nlohmann::json(const std::string& method, const nlohmann::json& params)>;

  ScriptedMsgd(std::filesystem::path path, Responder respond);
  ~ScriptedMsgd();
  ScriptedMsgd(const ScriptedMsgd&) = delete;
  ScriptedMsgd& operator=(const ScriptedMsgd&) = delete;

  // Every request seen so far: {"method":..,"params":..}.
  std::vector<nlohmann::json> requests() const;
  // Methods seen so far, in order.
  std::vector<std::string> methods() const;
  // Sends an event to the connection once it has subscribed; false if none has.
  bool push_event(const std::string& name, const nlohmann::json& data);
  bool subscribed() const { return subscribed_; }
  // Waits until a request for `method` arrived (up to `timeout_ms`).
  bool wait_for(const std::string& method, int timeout_ms, std::size_t count = 1) const;

 private:
  void serve();
  void serve_connection(int fd);

  std::filesystem::path path_;
  Responder respond_;
  api::UniqueFd listener_;
  api::UniqueFd wake_read_, wake_write_;
  std::atomic<bool> subscribed_{false};
  std::atomic<int> connection_fd_{-1};
  mutable std::mutex mutex_;
  std::vector<nlohmann::json> requests_;
  std::thread thread_;
};

// A unique temporary folder for one test, removed afterwards.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sotto::ctl::testing
