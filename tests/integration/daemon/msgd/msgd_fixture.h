#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "lib/api/client.h"
#include "tests/integration/support/dbus_session.h"
#include "tests/integration/support/msgd_process.h"
#include "tests/integration/support/relayd_process.h"

namespace sotto::testing {

using nlohmann::json;

inline constexpr const char* kPassword = "correct horse battery";

// A free loopback port: relayd restarts on the same one, so msgds that pinned
// "127.0.0.1:PORT" find it again.
inline std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Polls until check() holds or the timeout passes.
inline bool eventually(const std::function<bool()>& check,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return check();
}

// A real relayd on a fixed loopback port and real msgd processes, one per
// user, each with its own data dir, socket and (when asked) session bus.
class MsgdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    // Short: Unix socket paths are limited to 107 bytes.
    dir_ = std::filesystem::path("/tmp") / ("sm-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    port_ = free_port();
  }

  void TearDown() override {
    if (HasFailure()) {
      if (relayd_) std::cerr << "---- relayd log ----\n" << relayd_->log();
      for (auto& [name, user] : users_) std::cerr << "---- msgd " << name << " ----\n" << user->process().output();
    }
    users_.clear();
    buses_.clear();
    relayd_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::string relay_address() const { return "127.0.0.1:" + std::to_string(port_); }

  RelaydProcess& start_relayd(const std::string& state = "relay", std::string yaml = {}) {
    relayd_ = std::make_unique<RelaydProcess>(dir_ / state, std::move(yaml));
    relayd_->set_listen(relay_address());
    relayd_->start();
    return *relayd_;
  }
  RelaydProcess& relayd() { return *relayd_; }

  // Creates and starts a user's msgd (not yet registered).
  MsgdProcess& add_user(const std::string& name, bool with_bus = false, std::vector<std::string> args = {}) {
    auto user = std::make_unique<MsgdProcess>(name, dir_ / name, relay_address());
    if (with_bus) {
      std::filesystem::create_directories(dir_ / (name + "-bus"));
      buses_[name] = std::make_unique<DbusSession>(dir_ / (name + "-bus"));
      user->set_dbus_address(buses_[name]->address());
    }
    user->add_arguments(std::move(args));
    user->start();
    auto& ref = *user;
    users_[name] = std::move(user);
    return ref;
  }
  MsgdProcess& user(const std::string& name) { return *users_.at(name); }

  json call(const std::string& name, const std::string& method, const json& params = json::object()) {
    return user(name).socket_client()->call(method, params);
  }
  // add_user + register over the socket.
  MsgdProcess& registered_user(const std::string& name, bool with_bus = false) {
    auto& u = add_user(name, with_bus);
    call(name, "register", {{"username", name}, {"password", kPassword}});
    return u;
  }

  // The conversation as (sender, text) pairs, oldest first.
  std::vector<std::pair<std::string, std::string>> conversation(const std::string& name, const std::string& peer) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& m : call(name, "history", {{"peer", peer}, {"limit", 1000}})) {
      out.emplace_back(m.at("sender").get<std::string>(), m.at("text").get<std::string>());
    }
    return out;
  }

  std::string message_state(const std::string& name, const std::string& id) {
    return call(name, "get_message", {{"id", id}}).at("state").get<std::string>();
  }

  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<RelaydProcess> relayd_;
  std::map<std::string, std::unique_ptr<DbusSession>> buses_;
  std::map<std::string, std::unique_ptr<MsgdProcess>> users_;
  static inline std::atomic<int> counter_{0};
};

}  // namespace sotto::testing
