#include "relayd/bus/redis_bus.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "relayd/bus/bus_message.h"
#include "tests/support/redis_server.h"

namespace sotto::relayd {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Bounds for things that take milliseconds on an idle machine; generous so
// that four test runs on two cores do not make them flaky.
constexpr auto kEventually = 10s;

// What one node's handlers and log saw, for the test thread to wait on.
class Recorder {
 public:
  DeliveryBus::Handlers handlers() {
    return {[this](std::vector<Wake> wakes) {
              const std::lock_guard lock(mutex_);
              batches_.push_back(std::move(wakes));
              changed_.notify_all();
            },
            [this](bool connected) {
              const std::lock_guard lock(mutex_);
              connections_.push_back(connected);
              changed_.notify_all();
            }};
  }
  RedisBus::LogSink log_sink() {
    return [this](std::string_view event, std::string_view fields) {
      const std::lock_guard lock(mutex_);
      log_.push_back(std::string(event) + " " + std::string(fields));
      changed_.notify_all();
    };
  }

  // Waits until predicate holds (under the lock) or kEventually passes.
  bool wait(const std::function<bool()>& predicate) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kEventually, predicate);
  }
  bool wait_connection(bool connected) {
    return wait([&] { return !connections_.empty() && connections_.back() == connected; });
  }
  std::vector<Wake> wakes() {
    const std::lock_guard lock(mutex_);
    std::vector<Wake> all;
    for (const auto& batch : batches_) all.insert(all.end(), batch.begin(), batch.end());
    return all;
  }
  std::size_t wake_count() {
    const std::lock_guard lock(mutex_);
    std::size_t count = 0;
    for (const auto& batch : batches_) count += batch.size();
    return count;
  }
  std::vector<bool> connections() {
    const std::lock_guard lock(mutex_);
    return connections_;
  }
  std::vector<std::string> log() {
    const std::lock_guard lock(mutex_);
    return log_;
  }
  // Only under wait()'s predicate, which holds the lock.
  std::size_t connection_count_locked() const { return connections_.size(); }
  std::size_t wake_count_locked() const {
    std::size_t count = 0;
    for (const auto& batch : batches_) count += batch.size();
    return count;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::vector<Wake>> batches_;
  std::vector<bool> connections_;
  std::vector<std::string> log_;
};

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

// A plain client, as a confused or compromised one on the same server would be.
class RawClient {
 public:
  explicit RawClient(const testing::RedisServer& server) : context_(redisConnectUnix(server.socket_path().c_str())) {
    if (!context_ || context_->err != 0) throw std::runtime_error("raw client: cannot connect");
  }
  ReplyPtr run(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const std::string& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    return ReplyPtr(static_cast<redisReply*>(
        redisCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
  }
  void publish(const std::string& payload) {
    const ReplyPtr reply = run({"PUBLISH", "sotto:wake", payload});
    ASSERT_TRUE(reply && reply->type == REDIS_REPLY_INTEGER);
  }

 private:
  std::unique_ptr<redisContext, ContextFree> context_;
};

class RedisBusTest : public ::testing::Test {
 protected:
  RedisBus::Options options(std::string node_id, Recorder& recorder) {
    RedisBus::Options o;
    o.url = parse_bus_url(server_.url()).value();
    o.node_id = std::move(node_id);
    o.log_warning = recorder.log_sink();
    return o;
  }
  // Starts a node and waits until it reports the bus up.
  std::unique_ptr<RedisBus> start_node(RedisBus::Options o, Recorder& recorder) {
    auto bus = std::make_unique<RedisBus>(std::move(o));
    bus->start(recorder.handlers());
    EXPECT_TRUE(recorder.wait_connection(true));
    EXPECT_TRUE(bus->connected());
    return bus;
  }

  testing::RedisServer server_;
  Recorder a_events_;
  Recorder b_events_;
};

template <typename F>
std::chrono::milliseconds time_of(F&& f) {
  const Clock::time_point start = Clock::now();
  f();
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

TEST_F(RedisBusTest, DeliversAPublishToTheOtherNodeButNeverBackToItself) {
  auto a = start_node(options("node-a", a_events_), a_events_);
  auto b = start_node(options("node-b", b_events_), b_events_);
  const std::vector<Wake> wakes = {{"bob", 7}, {"carol", 9223372036854775807}};
  ASSERT_TRUE(a->publish(wakes));
  ASSERT_TRUE(b_events_.wait([&] { return b_events_.wake_count_locked() == 2; }));
  EXPECT_EQ(b_events_.wakes(), wakes);
  // B's own publish reaches A, which shows A's subscriber would have seen its
  // own first message too had it not dropped it.
  ASSERT_TRUE(b->publish(std::vector<Wake>{{"dave", 1}}));
  ASSERT_TRUE(a_events_.wait([&] { return a_events_.wake_count_locked() == 1; }));
  EXPECT_EQ(a_events_.wakes(), (std::vector<Wake>{{"dave", 1}}));
  EXPECT_EQ(b_events_.wake_count(), 2u);
  EXPECT_EQ(a_events_.connections(), std::vector<bool>{true});
  EXPECT_TRUE(a_events_.log().empty());
}

TEST_F(RedisBusTest, KeepsTheOrderOfAStreamOfBatches) {
  auto a = start_node(options("node-a", a_events_), a_events_);
  auto b = start_node(options("node-b", b_events_), b_events_);
  std::vector<Wake> sent;
  std::int64_t id = 0;
  for (int batch = 1; batch <= 200; ++batch) {
    std::vector<Wake> wakes;
    for (int i = 0; i < batch % 7 + 1; ++i) wakes.push_back({"user" + std::to_string(batch % 5), ++id});
    ASSERT_TRUE(a->publish(wakes));
    sent.insert(sent.end(), wakes.begin(), wakes.end());
  }
  // A batch larger than one message goes out as several, still in order.
  std::vector<Wake> large;
  for (std::size_t i = 0; i < kMaxWakesPerBusMessage * 2 + 3; ++i) large.push_back({"erin", ++id});
  ASSERT_TRUE(a->publish(large));
  sent.insert(sent.end(), large.begin(), large.end());
  ASSERT_TRUE(b_events_.wait([&] { return b_events_.wake_count_locked() == sent.size(); }));
  EXPECT_EQ(b_events_.wakes(), sent);
}

TEST_F(RedisBusTest, RefusesToPublishInvalidWakes) {
  auto a = start_node(options("node-a", a_events_), a_events_);
  EXPECT_FALSE(a->publish(std::vector<Wake>{{"bob", 1}, {"Bob", 2}}));
  EXPECT_FALSE(a->publish(std::vector<Wake>{{"bob", 0}}));
  EXPECT_TRUE(a->publish(std::vector<Wake>{}));
  EXPECT_TRUE(a->connected());
}

TEST_F(RedisBusTest, SeesAUserOnlineOnAnotherNodeUntilSetOffline) {
  auto a = start_node(options("node-a", a_events_), a_events_);
  auto b = start_node(options("node-b", b_events_), b_events_);
  EXPECT_EQ(b->online_elsewhere("alice"), std::optional<bool>(false));
  ASSERT_TRUE(a->set_online("alice"));
  EXPECT_EQ(b->online_elsewhere("alice"), std::optional<bool>(true));
  // A's own claim is not "elsewhere" for A.
  EXPECT_EQ(a->online_elsewhere("alice"), std::optional<bool>(false));
  ASSERT_TRUE(b->set_online("alice"));
  EXPECT_EQ(a->online_elsewhere("alice"), std::optional<bool>(true));
  ASSERT_TRUE(a->set_offline("alice"));
  EXPECT_EQ(b->online_elsewhere("alice"), std::optional<bool>(false));
  EXPECT_EQ(a->online_elsewhere("alice"), std::optional<bool>(true));
  ASSERT_TRUE(b->set_offline("alice"));
  EXPECT_EQ(a->online_elsewhere("alice"), std::optional<bool>(false));
  // Offline twice is harmless.
  EXPECT_TRUE(b->set_offline("alice"));
}

TEST_F(RedisBusTest, ARefreshClaimsEveryUserInOneCall) {
  auto a = start_node(options("node-a", a_events_), a_events_);
  auto b = start_node(options("node-b", b_events_), b_events_);
  std::vector<std::string> users;
  for (int i = 0; i < 500; ++i) users.push_back("user" + std::to_string(i));
  ASSERT_TRUE(a->refresh_presence(users));
  for (const std::string& user : users) EXPECT_EQ(b->online_elsewhere(user), std::optional<bool>(true)) << user;
  EXPECT_EQ(b->online_elsewhere("user500"), std::optional<bool>(false));
  EXPECT_TRUE(a->refresh_presence({}));
}

TEST_F(RedisBusTest, AClaimExpiresWhenItsNodeStopsRefreshing) {
  RedisBus::Options short_lived = options("node-a", a_events_);
  short_lived.presence_ttl = 2500ms;
  auto a = start_node(short_lived, a_events_);
  auto b = start_node(options("node-b", b_events_), b_events_);
  ASSERT_TRUE(a->set_online("alice"));
  EXPECT_EQ(b->online_elsewhere("alice"), std::optional<bool>(true));
  RawClient raw(server_);
  const ReplyPtr ttl = raw.run({"PTTL", "sotto:presence:alice"});
  ASSERT_TRUE(ttl && ttl->type == REDIS_REPLY_INTEGER);
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, 2500);
  // A "dies" without set_offline: its claim, then the key, go away on their own.
  a->stop();
  const Clock::time_point deadline = Clock::now() + kEventually;
  while (b->online_elsewhere("alice") != std::optional<bool>(false) && Clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(b->online_elsewhere("alice"), std::optional<bool>(false));
  while (Clock::now() < deadline) {
    const ReplyPtr exists = raw.run({"EXISTS", "sotto:presence:alice"});
    ASSERT_TRUE(exists && exists->type == REDIS_REPLY_INTEGER);
    if (exists->integer == 0) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(raw.run({"EXISTS", "sotto:presence:alice"})->integer, 0);
  // B sat idle through all this: its subscriber's PINGs kept it up and
  // subscribed.
  EXPECT_TRUE(b->connected());
  EXPECT_EQ(b_events_.connections(), std::vector<bool>{true});
  ASSERT_TRUE(RawClient(server_).run({"PUBLISH", "sotto:wake", "sotto-wake 1 node-x 1\nbob 1\n"}));
  EXPECT_TRUE(b_events_.wait([&] { return b_events_.wake_count_locked() == 1; }));
}

TEST_F(RedisBusTest, ALongerClaimOfAnotherNodeOutlivesAShorterOne) {
  RedisBus::Options short_lived = options("node-a", a_events_);
  short_lived.presence_ttl = 300ms;
  auto a = start_node(short_lived, a_events_);
  auto b = start_node(options("node-b", b_events_), b_events_);
  Recorder c_events;
  auto c = start_node(options("node-c", c_events), c_events);
  ASSERT_TRUE(b->set_online("alice"));  // 30 s
  ASSERT_TRUE(a->set_online("alice"));  // 300 ms, written last: must not cut B's key short
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(c->online_elsewhere("alice"), std::optional<bool>(true));
  EXPECT_EQ(b->online_elsewhere("alice"), std::optional<bool>(false));
}

TEST_F(RedisBusTest, RefusesUsernamesThatAreNotCanonical) {
  auto a = start_node(options("node-a", a_events_), a_events_);
  EXPECT_FALSE(a->set_online("Alice"));
  EXPECT_FALSE(a->set_online("alice*"));
  EXPECT_FALSE(a->set_offline("a:b"));
  EXPECT_EQ(a->online_elsewhere("*"), std::nullopt);
  EXPECT_FALSE(a->refresh_presence(std::vector<std::string>{"bob", "Bob"}));
  RawClient raw(server_);
  EXPECT_EQ(raw.run({"EXISTS", "sotto:presence:bob"})->integer, 1);
  EXPECT_EQ(raw.run({"EXISTS", "sotto:presence:Bob"})->integer, 0);
}

TEST_F(RedisBusTest, RefusesHostileMessagesAndKeepsDelivering) {
  auto b = start_node(options("node-b", b_events_), b_events_);
  RawClient raw(server_);
  using namespace std::string_literals;
  const std::vector<std::string> hostile = {
      ""s,
      "hello"s,
      "sotto-wake 2 node-x 1\nbob 1\n"s,
      "sotto-wake 1 node-x 1\nBob 1\n"s,
      "sotto-wake 1 node-x 1\nbob 0\n"s,
      "sotto-wake 1 node-x 1\nbob -1\n"s,
      "sotto-wake 1 node-x 1\nbob 9223372036854775808\n"s,
      "sotto-wake 1 node-x 2\nbob 1\n"s,
      "sotto-wake 1 node-x 1\nbob 1\ngarbage"s,
      "sotto-wake 1 node-x 1\nb\0b 1\n"s,
      "sotto-wake 1 node-x 1\n\x1b[2J\x1b]0;owned\x07 1\n"s,
      "sotto-wake 1 node-x 1\nbob 1\n" + std::string(kMaxBusMessageBytes, 'x'),
  };
  for (const std::string& payload : hostile) raw.publish(payload);
  // A well-formed message from a node id the bus has never seen is delivered:
  // the decoder, not the sender, decides.
  raw.publish("sotto-wake 1 node-x 1\nzed 5\n");
  ASSERT_TRUE(b_events_.wait([&] { return b_events_.wake_count_locked() == 1; }));
  EXPECT_EQ(b_events_.wakes(), (std::vector<Wake>{{"zed", 5}}));
  const std::vector<std::string> log = b_events_.log();
  ASSERT_EQ(log.size(), hostile.size());
  for (const std::string& line : log) {
    EXPECT_EQ(line.rfind("bus_message_refused ", 0), 0u) << line;
    EXPECT_EQ(line.find("owned"), std::string::npos) << line;
    for (const char c : line) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << line;
  }
  // A message that claims to come from B itself is dropped like B's own.
  raw.publish("sotto-wake 1 node-b 1\nmallory 1\n");
  raw.publish("sotto-wake 1 node-x 1\nzed 6\n");
  ASSERT_TRUE(b_events_.wait([&] { return b_events_.wake_count_locked() == 2; }));
  EXPECT_EQ(b_events_.wakes(), (std::vector<Wake>{{"zed", 5}, {"zed", 6}}));
  EXPECT_TRUE(b->connected());
  EXPECT_EQ(b_events_.connections(), std::vector<bool>{true});
}

TEST_F(RedisBusTest, ReportsARedisCrashAndRecoversWhenItReturns) {
  auto a = start_node(options("node-a", a_events_), a_events_);
  auto b = start_node(options("node-b", b_events_), b_events_);
  ASSERT_TRUE(a->set_online("alice"));

  server_.kill9();
  // Before or after the bus thread notices, a publish fails fast: the socket
  // is closed, or the bus is known down.
  bool published = true;
  EXPECT_LT(time_of([&] { published = a->publish(std::vector<Wake>{{"bob", 1}}); }), 500ms + 1000ms);
  EXPECT_FALSE(published);
  ASSERT_TRUE(a_events_.wait_connection(false));
  ASSERT_TRUE(b_events_.wait_connection(false));
  EXPECT_FALSE(a->connected());
  EXPECT_FALSE(b->connected());
  EXPECT_LT(time_of([&] { published = b->publish(std::vector<Wake>{{"bob", 2}}); }), 100ms);
  EXPECT_FALSE(published);
  EXPECT_EQ(b->online_elsewhere("alice"), std::nullopt);
  EXPECT_FALSE(a->set_online("alice"));
  EXPECT_FALSE(a->refresh_presence(std::vector<std::string>{"alice"}));
  EXPECT_FALSE(a->set_offline("alice"));

  server_.restart();
  ASSERT_TRUE(a_events_.wait_connection(true));
  ASSERT_TRUE(b_events_.wait_connection(true));
  EXPECT_EQ(a_events_.connections(), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(b_events_.connections(), (std::vector<bool>{true, false, true}));
  ASSERT_TRUE(a->publish(std::vector<Wake>{{"bob", 3}}));
  ASSERT_TRUE(b_events_.wait([&] { return b_events_.wake_count_locked() == 1; }));
  EXPECT_EQ(b_events_.wakes(), (std::vector<Wake>{{"bob", 3}}));
  // The restarted server kept nothing; A's next refresh claims alice again.
  EXPECT_EQ(b->online_elsewhere("alice"), std::optional<bool>(false));
  ASSERT_TRUE(a->refresh_presence(std::vector<std::string>{"alice"}));
  EXPECT_EQ(b->online_elsewhere("alice"), std::optional<bool>(true));
}

TEST_F(RedisBusTest, StopReturnsPromptlyWhileRedisIsDown) {
  auto a = start_node(options("node-a", a_events_), a_events_);
  server_.kill9();
  ASSERT_TRUE(a_events_.wait_connection(false));
  // Let it fail a few reconnects so that it sits in its backoff.
  std::this_thread::sleep_for(300ms);
  EXPECT_LT(time_of([&] { a->stop(); }), 1000ms);
  EXPECT_FALSE(a->connected());
  EXPECT_FALSE(a->publish(std::vector<Wake>{{"bob", 1}}));
  const std::size_t events = a_events_.connections().size();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(a_events_.connections().size(), events) << "a handler ran after stop()";
}

TEST_F(RedisBusTest, StopReturnsPromptlyWhileConnected) {
  auto a = start_node(options("node-a", a_events_), a_events_);
  EXPECT_LT(time_of([&] { a->stop(); }), 1000ms);
  a->stop();  // twice is harmless
}

TEST_F(RedisBusTest, FirstReportSaysTheBusIsDownWhenStartedWithoutRedis) {
  server_.stop();
  RedisBus a(options("node-a", a_events_));
  a.start(a_events_.handlers());
  ASSERT_TRUE(a_events_.wait_connection(false));
  EXPECT_FALSE(a.publish(std::vector<Wake>{{"bob", 1}}));
  // Several retries (100 ms, then 200 ms ...), one log line for the outage.
  std::this_thread::sleep_for(700ms);
  server_.restart();
  ASSERT_TRUE(a_events_.wait_connection(true));
  EXPECT_EQ(a_events_.connections(), (std::vector<bool>{false, true}));
  EXPECT_TRUE(a.publish(std::vector<Wake>{{"bob", 1}}));
  const std::vector<std::string> log = a_events_.log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log.front().rfind("bus_connect_failed ", 0), 0u) << log.front();
}

TEST_F(RedisBusTest, ReconnectsWhenOnlyItsCommandConnectionIsCut) {
  auto a = start_node(options("node-a", a_events_), a_events_);
  auto b = start_node(options("node-b", b_events_), b_events_);
  RawClient raw(server_);
  // Every normal client but the raw one: both nodes' command connections;
  // their subscribers (type pubsub) stay.
  const ReplyPtr killed = raw.run({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"});
  ASSERT_TRUE(killed && killed->type == REDIS_REPLY_INTEGER);
  EXPECT_EQ(killed->integer, 2);
  EXPECT_FALSE(a->publish(std::vector<Wake>{{"bob", 1}}));
  ASSERT_TRUE(a_events_.wait([&] { return a_events_.connection_count_locked() == 3; }));
  EXPECT_EQ(a_events_.connections(), (std::vector<bool>{true, false, true}));
  EXPECT_TRUE(a->connected());
  const std::vector<std::string> log = a_events_.log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.front().rfind("bus_command_failed ", 0), 0u) << log.front();
  ASSERT_TRUE(a->publish(std::vector<Wake>{{"bob", 2}}));
  ASSERT_TRUE(b_events_.wait([&] { return b_events_.wake_count_locked() == 1; }));
  EXPECT_EQ(b_events_.wakes(), (std::vector<Wake>{{"bob", 2}}));
}

TEST_F(RedisBusTest, NoticesARedisThatStopsAnsweringThroughItsPings) {
  auto a = start_node(options("node-a", a_events_), a_events_);
  RawClient raw(server_);
  // The server keeps its sockets open but answers nothing, as behind a
  // network that silently drops everything; only the idle PING notices.
  const ReplyPtr paused = raw.run({"CLIENT", "PAUSE", "3000", "ALL"});
  ASSERT_TRUE(paused && paused->type == REDIS_REPLY_STATUS);
  ASSERT_TRUE(a_events_.wait_connection(false));
  ASSERT_TRUE(a_events_.wait_connection(true));
  EXPECT_EQ(a_events_.connections(), (std::vector<bool>{true, false, true}));
  const std::vector<std::string> log = a_events_.log();
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log.front().find("PING"), std::string::npos) << log.front();
}

TEST_F(RedisBusTest, KeepsDeploymentsWithDifferentPrefixesApart) {
  RedisBus::Options other = options("node-a", a_events_);
  other.prefix = "staging";
  auto a = start_node(other, a_events_);
  auto b = start_node(options("node-b", b_events_), b_events_);
  ASSERT_TRUE(a->set_online("alice"));
  EXPECT_EQ(b->online_elsewhere("alice"), std::optional<bool>(false));
  ASSERT_TRUE(a->publish(std::vector<Wake>{{"bob", 1}}));
  ASSERT_TRUE(b->publish(std::vector<Wake>{{"bob", 2}}));
  // B hears nothing from A; A's own subscriber proves the message went out.
  Recorder c_events;
  RedisBus::Options c_options = options("node-c", c_events);
  c_options.prefix = "staging";
  auto c = start_node(c_options, c_events);
  ASSERT_TRUE(a->publish(std::vector<Wake>{{"bob", 3}}));
  ASSERT_TRUE(c_events.wait([&] { return c_events.wake_count_locked() == 1; }));
  EXPECT_EQ(b_events_.wake_count(), 0u);
}

TEST(RedisBusOptions, RefusesInvalidNodeIdsPrefixesAndDurations) {
  const auto make = [](const std::function<void(RedisBus::Options&)>& change) {
    RedisBus::Options o;
    o.url = parse_bus_url("redis://127.0.0.1").value();
    o.node_id = "node-a";
    change(o);
    RedisBus bus(std::move(o));
  };
  EXPECT_NO_THROW(make([](RedisBus::Options&) {}));
  EXPECT_THROW(make([](RedisBus::Options& o) { o.node_id = ""; }), std::invalid_argument);
  EXPECT_THROW(make([](RedisBus::Options& o) { o.node_id = "Node A"; }), std::invalid_argument);
  EXPECT_THROW(make([](RedisBus::Options& o) { o.prefix = ""; }), std::invalid_argument);
  EXPECT_THROW(make([](RedisBus::Options& o) { o.prefix = "a b"; }), std::invalid_argument);
  EXPECT_THROW(make([](RedisBus::Options& o) { o.timeout = 0ms; }), std::invalid_argument);
  EXPECT_THROW(make([](RedisBus::Options& o) { o.presence_ttl = -1ms; }), std::invalid_argument);
}

TEST(RedisBusOptions, DoesNothingBeforeStart) {
  RedisBus::Options o;
  o.url = parse_bus_url("unix:///nonexistent/redis.sock").value();
  o.node_id = "node-a";
  RedisBus bus(std::move(o));
  EXPECT_FALSE(bus.connected());
  EXPECT_FALSE(bus.publish(std::vector<Wake>{{"bob", 1}}));
  EXPECT_FALSE(bus.set_online("bob"));
  EXPECT_EQ(bus.online_elsewhere("bob"), std::nullopt);
  bus.stop();
}

}  // namespace
}  // namespace sotto::relayd
