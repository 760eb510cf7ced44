#include "relayd/store/postgres_uri.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "lib/store/store_error.h"
#include "relayd/store/postgres_store.h"

namespace sotto::relayd::postgres_uri_test {
namespace {

constexpr const char* kAllTimeouts =
    "connect_timeout=10&keepalives=1&keepalives_idle=10&keepalives_interval=5&keepalives_count=3"
    "&tcp_user_timeout=30000";

TEST(PostgresUri, AddsEveryTimeoutToAUriWithoutAQuery) {
  EXPECT_EQ(with_connection_timeouts("postgresql://relayd@db.example.org/sotto"),
            std::string("postgresql://relayd@db.example.org/sotto?") + kAllTimeouts);
}

TEST(PostgresUri, AppendsToAnExistingQueryAndKeepsItsParameters) {
  EXPECT_EQ(with_connection_timeouts("postgres://relayd@db/sotto?sslmode=verify-full"),
            std::string("postgres://relayd@db/sotto?sslmode=verify-full&") + kAllTimeouts);
  EXPECT_EQ(with_connection_timeouts("postgresql://db/sotto?"), std::string("postgresql://db/sotto?") + kAllTimeouts);
  EXPECT_EQ(with_connection_timeouts("postgresql://db/sotto?sslmode=require&"),
            std::string("postgresql://db/sotto?sslmode=require&") + kAllTimeouts);
}

TEST(PostgresUri, WhatTheOperatorSetIsNeitherRepeatedNorChanged) {
  EXPECT_EQ(with_connection_timeouts("postgresql://db/sotto?connect_timeout=3&keepalives=0"),
            "postgresql://db/sotto?connect_timeout=3&keepalives=0&keepalives_idle=10&keepalives_interval=5"
            "&keepalives_count=3&tcp_user_timeout=30000");
  // A longer key that starts like one of ours is another parameter.
  EXPECT_EQ(with_connection_timeouts("postgresql://db/sotto?keepalives_idle=60&tcp_user_timeout=0"),
            "postgresql://db/sotto?keepalives_idle=60&tcp_user_timeout=0&connect_timeout=10&keepalives=1"
            "&keepalives_interval=5&keepalives_count=3");
}

// A PostgreSQL host that stopped answering (here: a port that completes the
// TCP handshake and then says nothing) makes the store fail with a store
// error after relayd's default connect_timeout (10 s), the URI saying
// nothing about it, instead of waiting forever. The attempt runs on a thread
// of its own so that a regression fails the test rather than hanging it.
TEST(PostgresUri, AServerThatNeverAnswersIsAStoreErrorNotAHang) {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 4), 0);  // never accepted: the kernel completes the handshake, nobody answers
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string uri = "postgresql://relayd@127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/sotto";

  auto outcome = std::make_shared<std::promise<std::string>>();
  auto future = outcome->get_future();
  std::thread([uri, outcome] {
    try {
      PostgresStore store(uri);
      outcome->set_value("connected");
    } catch (const store::StoreError&) {
      outcome->set_value("store error");
    } catch (const std::exception& e) {
      outcome->set_value(std::string("other error: ") + e.what());
    }
  }).detach();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(60)), std::future_status::ready)
      << "still connecting after 60 s: no connect_timeout";
  EXPECT_EQ(future.get(), "store error");
  ::close(listener);
}

}  // namespace
}  // namespace sotto::relayd::postgres_uri_test
