#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <string>

#include "tests/integration/support/relay_test_client.h"
#include "tests/integration/support/relayd_process.h"

namespace sotto::testing {

// How long the relayd tests wait for an answer or a push that should come.
inline constexpr auto kWait = std::chrono::seconds(5);

// Each test gets a fresh state directory and its own relayd process.
class RelaydTest : public ::testing::Test {
 public:
  using RelayTestClientPtr = std::shared_ptr<RelayTestClient>;

 protected:
  void SetUp() override {
    // A relay that closes a connection must not kill the test with SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
    dir_ = std::filesystem::temp_directory_path() /
           ("sotto-relayd-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (HasFailure() && relayd_) std::cerr << "---- relayd log ----\n" << relayd_->log() << "--------------------\n";
    relayd_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  // Starts relayd with the given extra YAML. Argon2 stays at its real
  // parameters: tests register only a handful of users.
  RelaydProcess& start_relayd(const std::string& yaml = {}) {
    relayd_ = std::make_unique<RelaydProcess>(dir_ / "state", yaml);
    relayd_->start();
    return *relayd_;
  }
  RelaydProcess& relayd() { return *relayd_; }

  std::unique_ptr<RelayTestClient> connect() {
    auto c = std::make_unique<RelayTestClient>(relayd_->port());
    EXPECT_TRUE(c->handshake_ok()) << c->handshake_error();
    return c;
  }
  // A connected, greeted client logged in as a fresh registered user.
  std::unique_ptr<RelayTestClient> connect_as(const std::string& user, std::string* token = nullptr) {
    auto c = connect();
    c->hello();
    const auto reply = c->register_user(user, "correct horse battery", identity_);
    if (reply.body_case() != wire::Frame::kToken) {
      ADD_FAILURE() << "register " << user << " failed: " << reply.error().reason();
    } else if (token != nullptr) {
      *token = reply.token().token();
    }
    return c;
  }
  std::unique_ptr<RelayTestClient> resume_as(const std::string& token) {
    auto c = connect();
    c->hello();
    const auto reply = c->resume(token);
    EXPECT_EQ(reply.body_case(), wire::Frame::kOk) << reply.error().reason();
    return c;
  }

  std::filesystem::path dir_;
  std::unique_ptr<RelaydProcess> relayd_;
  RelayTestClient::Identity identity_;
  static inline int counter_ = 0;
};

}  // namespace sotto::testing
