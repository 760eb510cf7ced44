// The socket client against a scripted fake msgd: a raw listening socket and
// a thread that reads and writes exactly the bytes each test wants.

#include "lib/api/socket_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/lib/api/socket_test_support.h"

namespace sotto::api {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing::LineRead;
using testing::ReadStatus;

class FakeDaemon {
 public:
  using Script = std::function<void(int fd, std::string& buffer)>;

  explicit FakeDaemon(Script script) : path_(dir_ / "msgd.sock"), listener_(testing::raw_listen(path_)) {
    thread_ = std::thread([this, script = std::move(script)] {
      const UniqueFd peer = testing::raw_accept(listener_.get());
      std::string buffer;
      if (peer.valid()) script(peer.get(), buffer);
    });
  }
  ~FakeDaemon() { thread_.join(); }

  const std::filesystem::path& path() const { return path_; }

  // The next request, parsed; a failure when none came.
  static json next_request(int fd, std::string& buffer) {
    const LineRead r = testing::read_line(fd, buffer, std::chrono::seconds(5));
    if (r.status != ReadStatus::kLine) {
      ADD_FAILURE() << "no request";
      return json::object();
    }
    return json::parse(r.line);
  }
  static void say(int fd, const std::string& line) { testing::send_all(fd, line + "\n"); }

 private:
  testing::TempDir dir_;
  std::filesystem::path path_;
  UniqueFd listener_;
  std::thread thread_;
};

std::string result_line(const json& id, const json& result) {
  return json({{"jsonrpc", "2.0"}, {"id", id}, {"result", result}}).dump();
}

TEST(SocketClient, MissingSocketIsATransportErrorNamingThePath) {
  testing::TempDir dir;
  const auto path = dir / "absent.sock";
  try {
    connect_socket(path, milliseconds(1000));
    FAIL() << "connected to nothing";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("is msgd running"), std::string::npos) << e.what();
  }
}

TEST(SocketClient, SocketWithoutListenerIsATransportError) {
  testing::TempDir dir;
  const auto path = dir / "stale.sock";
  testing::make_stale_socket(path);
  try {
    connect_socket(path, milliseconds(1000));
    FAIL() << "connected to a stale socket";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("nothing is listening"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}

TEST(SocketClient, OverlongPathIsATransportError) {
  EXPECT_THROW(connect_socket("/tmp/" + std::string(200, 'x'), milliseconds(100)), TransportError);
  EXPECT_THROW(connect_socket("", milliseconds(100)), TransportError);
}

TEST(SocketClient, CallsCarryIncreasingIdsAndEventsAreKept) {
  FakeDaemon daemon([](int fd, std::string& buffer) {
    for (int i = 1; i <= 3; ++i) {
      const json request = FakeDaemon::next_request(fd, buffer);
      EXPECT_EQ(request["jsonrpc"], "2.0");
      EXPECT_EQ(request["id"], i);
      EXPECT_EQ(request["method"], i == 2 ? "send" : "status");
      if (i == 2) {
        EXPECT_EQ(request["params"], json({{"peer", "bob"}, {"text", "hi"}}));
        FakeDaemon::say(fd, R"({"jsonrpc":"2.0","method":"DeliveryChanged","params":{"n":1}})");
        FakeDaemon::say(fd, R"({"jsonrpc":"2.0","method":"MessageReceived","params":{"n":2}})");
      }
      FakeDaemon::say(fd, result_line(i, {{"call", i}}));
    }
    testing::wait_for_eof(fd, std::chrono::seconds(5));
  });
  auto client = connect_socket(daemon.path(), milliseconds(5000));
  EXPECT_EQ(client->call("status"), json({{"call", 1}}));
  EXPECT_EQ(client->call("send", {{"peer", "bob"}, {"text", "hi"}}), json({{"call", 2}}));
  EXPECT_EQ(client->call("status"), json({{"call", 3}}));
  const auto first = client->next_event(milliseconds(0));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->name, "DeliveryChanged");
  EXPECT_EQ(first->data, json({{"n", 1}}));
  const auto second = client->next_event(milliseconds(0));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->name, "MessageReceived");
  EXPECT_FALSE(client->next_event(milliseconds(50)).has_value());
}

TEST(SocketClient, SubscribeCallsSubscribeAndEventsArriveLater) {
  FakeDaemon daemon([](int fd, std::string& buffer) {
    const json request = FakeDaemon::next_request(fd, buffer);
    EXPECT_EQ(request["method"], "subscribe");
    FakeDaemon::say(fd, result_line(request["id"], {{"subscribed", true}}));
    std::this_thread::sleep_for(milliseconds(100));
    FakeDaemon::say(fd, R"({"jsonrpc":"2.0","method":"ConnectionChanged","params":{"connected":false}})");
    testing::wait_for_eof(fd, std::chrono::seconds(5));
  });
  auto client = connect_socket(daemon.path(), milliseconds(5000));
  client->subscribe();
  const auto event = client->next_event(milliseconds(5000));
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->name, "ConnectionChanged");
  EXPECT_EQ(event->data, json({{"connected", false}}));
}

TEST(SocketClient, DaemonErrorsBecomeApiErrors) {
  FakeDaemon daemon([](int fd, std::string& buffer) {
    const json request = FakeDaemon::next_request(fd, buffer);
    FakeDaemon::say(
        fd, json({{"jsonrpc", "2.0"},
                  {"id", request["id"]},
                  {"error", {{"code", -32001}, {"message", "log in first"}, {"data", {{"name", "NotLoggedIn"}}}}}})
                .dump());
    testing::wait_for_eof(fd, std::chrono::seconds(5));
  });
  auto client = connect_socket(daemon.path(), milliseconds(5000));
  try {
    client->call("inbox");
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.name(), ErrorName::kNotLoggedIn);
    EXPECT_STREQ(e.what(), "log in first");
  }
}

TEST(SocketClient, ATimedOutCallsLateAnswerIsSkipped) {
  FakeDaemon daemon([](int fd, std::string& buffer) {
    const json first = FakeDaemon::next_request(fd, buffer);
    std::this_thread::sleep_for(milliseconds(400));  // the client gave up at 200 ms
    FakeDaemon::say(fd, result_line(first["id"], "late"));
    const json second = FakeDaemon::next_request(fd, buffer);
    EXPECT_EQ(second["id"], 2);
    FakeDaemon::say(fd, result_line(second["id"], "on time"));
    testing::wait_for_eof(fd, std::chrono::seconds(5));
  });
  auto client = connect_socket(daemon.path(), milliseconds(200));
  const auto started = std::chrono::steady_clock::now();
  try {
    client->call("status");
    FAIL() << "no timeout";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.name(), ErrorName::kTimeout);
  }
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, milliseconds(195));
  EXPECT_LT(waited, milliseconds(1000));
  std::this_thread::sleep_for(milliseconds(300));  // the late answer is now in the socket
  EXPECT_EQ(client->call("status"), "on time");
}

TEST(SocketClient, ADaemonThatNeverAcceptsTimesOut) {
  testing::TempDir dir;
  const auto path = dir / "msgd.sock";
  const UniqueFd listener = testing::raw_listen(path);  // the backlog takes the connection; nobody reads
  auto client = connect_socket(path, milliseconds(300));
  const auto started = std::chrono::steady_clock::now();
  try {
    client->call("status");
    FAIL() << "no timeout";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.name(), ErrorName::kTimeout);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(1500));
}

TEST(SocketClient, ADaemonWithAFullBacklogIsATransportErrorAfterTheTimeout) {
  testing::TempDir dir;
  const auto path = dir / "msgd.sock";
  const UniqueFd listener = testing::raw_listen(path, /*backlog=*/0);
  std::vector<UniqueFd> queued;
  const sockaddr_un address = testing::unix_address(path);
  for (int i = 0; i < 16; ++i) {  // fill the backlog: a non-blocking connect then fails with EAGAIN
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      ASSERT_EQ(errno, EAGAIN);
      break;
    }
    queued.push_back(std::move(fd));
  }
  const auto started = std::chrono::steady_clock::now();
  try {
    connect_socket(path, milliseconds(300));
    FAIL() << "connected past a full backlog";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("did not accept the connection within 300 ms"), std::string::npos) << e.what();
  }
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, milliseconds(250));
  EXPECT_LT(waited, milliseconds(1500));
}

TEST(SocketClient, DaemonGoingAwayIsATransportError) {
  FakeDaemon daemon([](int fd, std::string& buffer) { FakeDaemon::next_request(fd, buffer); });
  auto client = connect_socket(daemon.path(), milliseconds(5000));
  EXPECT_THROW(client->call("status"), TransportError);
  EXPECT_THROW(client->call("status"), TransportError);
  EXPECT_THROW(client->next_event(milliseconds(10)), TransportError);
}

TEST(SocketClient, MalformedDaemonLineIsATransportError) {
  FakeDaemon daemon([](int fd, std::string& buffer) {
    FakeDaemon::next_request(fd, buffer);
    FakeDaemon::say(fd, "this is not json");
    testing::wait_for_eof(fd, std::chrono::seconds(5));
  });
  auto client = connect_socket(daemon.path(), milliseconds(5000));
  EXPECT_THROW(client->call("status"), TransportError);
}

TEST(SocketClient, TakesLongLinesUpToTheLimit) {
  const std::string big(15 * 1024 * 1024, 'a');
  FakeDaemon daemon([&big](int fd, std::string& buffer) {
    const json request = FakeDaemon::next_request(fd, buffer);
    FakeDaemon::say(fd, result_line(request["id"], {{"content", big}}));
    testing::wait_for_eof(fd, std::chrono::seconds(30));
  });
  // What is tested is the size, not the speed: 15 MiB of JSON takes 3.5 s
  // under ASan alone and took 11.7 s once on a loaded machine, past the
  // 10 s this call used to allow.
  auto client = connect_socket(daemon.path(), milliseconds(30000));
  EXPECT_EQ(client->call("export", {{"peer", "bob"}})["content"].get_ref<const std::string&>().size(), big.size());
}

TEST(SocketClient, RefusesALineOverTheLimit) {
  FakeDaemon daemon([](int fd, std::string& buffer) {
    FakeDaemon::next_request(fd, buffer);
    const std::string endless(kMaxDaemonLine + 1024 * 1024, 'a');
    testing::send_all(fd, endless);  // stops when the client hangs up
  });
  auto client = connect_socket(daemon.path(), milliseconds(10000));
  try {
    client->call("status");
    FAIL() << "took an endless line";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("longer than"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sotto::api
