// msgd's socket server with real Unix sockets in a temp dir, a real
// io_context on its own thread, and a small Handler that answers some methods
// at once and others after a timer (as msgd does after relay round trips).

#include "daemon/socket/socket_server.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "lib/api/client.h"
#include "lib/api/jsonrpc.h"
#include "tests/unit/lib/api/socket_test_support.h"

namespace sotto::msgd {
namespace {

namespace asio = net::asio;
namespace testing = api::testing;
using api::ErrorName;
using api::UniqueFd;
using nlohmann::json;
using std::chrono::milliseconds;
using testing::ReadStatus;

api::Outcome failure(ErrorName name, const std::string& message) {
  return api::Outcome(std::in_place_type<api::ApiError>, name, message);
}

// status: answers at once. send: text "slow:N" answers after N ms; text
// "events" publishes three DeliveryChanged events, then answers after 100 ms.
// login: BadCredentials. logout: throws. inbox: drops its completion.
class TestHandler : public api::Handler {
 public:
  explicit TestHandler(asio::io_context& io) : io_(io) {}

  void call(const api::MethodSpec& method, json params, api::Completion done) override {
    ++calls;
    if (method.name == "status") {
      done(json{{"username", "alice"}, {"logged_in", true}});
    } else if (method.name == "send") {
      const std::string text = params["text"];
      int delay_ms = 0;
      if (text.starts_with("slow:")) delay_ms = std::stoi(text.substr(5));
      if (text == "events") {
        for (int n = 1; n <= 3; ++n) events->publish("DeliveryChanged", {{"n", n}});
        delay_ms = 100;
      }
      most_outstanding = std::max(most_outstanding, ++outstanding);
      auto timer = std::make_shared<asio::steady_timer>(io_, milliseconds(delay_ms));
      timer->async_wait([this, timer, done, text](const boost::system::error_code&) {
        --outstanding;
        done(json{{"id", text}, {"state", "queued"}});
      });
    } else if (method.name == "login") {
      done(failure(ErrorName::kBadCredentials, "wrong password"));
    } else if (method.name == "logout") {
      throw std::runtime_error("disk on fire");
    } else if (method.name == "inbox") {
      // Drops done: the server must still answer.
    } else {
      done(failure(ErrorName::kInternal, "not in the test handler"));
    }
  }

  api::EventSink* events = nullptr;
  // Touched on the io thread only; tests read them after run_on_io or after the io thread ended.
  int calls = 0;
  int outstanding = 0;  // sends not yet answered
  int most_outstanding = 0;

 private:
  asio::io_context& io_;
};

class SocketServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    handler_.events = &server_;
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    run_on_io([this] { server_.stop(); });
    work_.reset();
    io_.stop();
    thread_.join();
  }

  template <typename F>
  auto run_on_io(F f) -> decltype(f()) {
    using Result = decltype(f());
    std::promise<Result> promise;
    asio::post(io_, [&] {
      try {
        if constexpr (std::is_void_v<Result>) {
          f();
          promise.set_value();
        } else {
          promise.set_value(f());
        }
      } catch (...) {
        promise.set_exception(std::current_exception());
      }
    });
    return promise.get_future().get();
  }

  std::size_t connections() {
    return run_on_io([this] { return server_.connection_count(); });
  }

  // Polls until the server holds want connections (closing is asynchronous).
  bool wait_for_connections(std::size_t want, milliseconds limit = milliseconds(5000)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (connections() == want) return true;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return connections() == want;
  }

  std::unique_ptr<api::Client> client(milliseconds timeout = milliseconds(5000)) {
    return api::connect_socket(path_, timeout);
  }

  // Sends raw bytes and returns the next line parsed; fails the test if none.
  static json exchange(int fd, const std::string& bytes, std::string& buffer) {
    EXPECT_TRUE(testing::send_all(fd, bytes));
    const testing::LineRead r = testing::read_line(fd, buffer, milliseconds(5000));
    if (r.status != ReadStatus::kLine) {
      ADD_FAILURE() << "no answer to " << bytes.substr(0, 100);
      return json::object();
    }
    return json::parse(r.line);
  }
  static json exchange(int fd, const std::string& bytes) {
    std::string buffer;
    return exchange(fd, bytes, buffer);
  }

  testing::TempDir dir_;
  std::filesystem::path path_ = dir_ / "run" / "sotto" / "msgd.sock";
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{asio::make_work_guard(io_)};
  TestHandler handler_{io_};
  SocketServer server_{io_, path_, handler_};
  std::thread thread_;
};

ErrorName error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const api::ApiError& e) {
    return e.name();
  }
  ADD_FAILURE() << "no ApiError";
  return ErrorName::kInternal;
}

TEST_F(SocketServerTest, AnswersCallsThroughTheClient) {
  auto c = client();
  EXPECT_EQ(c->call("status"), json({{"username", "alice"}, {"logged_in", true}}));
  EXPECT_EQ(c->call("send", {{"peer", "bob"}, {"text", "hi"}}), json({{"id", "hi"}, {"state", "queued"}}));
  EXPECT_EQ(c->call("status"), json({{"username", "alice"}, {"logged_in", true}}));
}

TEST_F(SocketServerTest, ValidatesBeforeTheHandlerSeesAnything) {
  auto c = client();
  EXPECT_EQ(error_of([&] { c->call("nope"); }), ErrorName::kUnknownMethod);
  EXPECT_EQ(error_of([&] { c->call("send", {{"peer", 1}, {"text", "x"}}); }), ErrorName::kInvalidParams);
  EXPECT_EQ(error_of([&] { c->call("send", {{"peer", "bob"}}); }), ErrorName::kInvalidParams);
  EXPECT_EQ(error_of([&] { c->call("status", {{"extra", true}}); }), ErrorName::kInvalidParams);
  EXPECT_EQ(run_on_io([this] { return handler_.calls; }), 0);
}

TEST_F(SocketServerTest, HandlerErrorsExceptionsAndDroppedCallsAreAnswered) {
  auto c = client();
  try {
    c->call("login", {{"username", "alice"}, {"password", "pw"}});
    FAIL();
  } catch (const api::ApiError& e) {
    EXPECT_EQ(e.name(), ErrorName::kBadCredentials);
    EXPECT_STREQ(e.what(), "wrong password");
  }
  try {
    c->call("logout");
    FAIL();
  } catch (const api::ApiError& e) {
    EXPECT_EQ(e.name(), ErrorName::kInternal);
    EXPECT_NE(std::string(e.what()).find("disk on fire"), std::string::npos);
  }
  EXPECT_EQ(error_of([&] { c->call("inbox"); }), ErrorName::kInternal);
  EXPECT_EQ(c->call("status")["username"], "alice");  // the connection survived all three
}

TEST_F(SocketServerTest, MalformedLinesGetTheirJsonRpcErrors) {
  const UniqueFd fd = testing::raw_connect(path_);
  std::string buffer;
  json r = exchange(fd.get(), "not json\n", buffer);
  EXPECT_EQ(r["error"]["code"], -32700);
  EXPECT_EQ(r["error"]["data"]["name"], "ParseError");
  EXPECT_TRUE(r["id"].is_null());
  r = exchange(fd.get(),
               R"([{"jsonrpc":"2.0","id":1,"method":"status"}])"
               "\n",
               buffer);
  EXPECT_EQ(r["error"]["code"], -32600);
  r = exchange(fd.get(),
               R"({"jsonrpc":"2.0","id":2,"method":"send","params":{"peer":true,"text":"x"}})"
               "\n",
               buffer);
  EXPECT_EQ(r["id"], 2);
  EXPECT_EQ(r["error"]["data"]["name"], "InvalidParams");
  r = exchange(fd.get(),
               R"({"jsonrpc":"2.0","id":3,"method":"status","params":[]})"
               "\n",
               buffer);
  EXPECT_EQ(r["error"]["data"]["name"], "InvalidParams");
  r = exchange(fd.get(),
               R"({"jsonrpc":"2.0","id":4,"method":"Status"})"
               "\n",
               buffer);
  EXPECT_EQ(r["error"]["code"], -32601);
  r = exchange(fd.get(), "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"s\xff\"}\n", buffer);
  EXPECT_EQ(r["error"]["code"], -32700);
  r = exchange(fd.get(), std::string(100000, '[') + "\n", buffer);
  EXPECT_EQ(r["error"]["code"], -32600);
  // Empty lines and notifications get no answer: the next line is id 6's.
  r = exchange(fd.get(),
               "\n\r\n  \n"
               R"({"jsonrpc":"2.0","method":"status"})"
               "\n"
               R"({"jsonrpc":"2.0","method":"nope"})"
               "\n"
               R"({"jsonrpc":"2.0","id":6,"method":"status"})"
               "\r\n",
               buffer);
  EXPECT_EQ(r["id"], 6);
  EXPECT_EQ(r["result"]["username"], "alice");
  EXPECT_EQ(run_on_io([this] { return handler_.calls; }), 2);  // the notification ran too
}

TEST_F(SocketServerTest, ALastRequestWithoutNewlineIsAnsweredBeforeClosing) {
  const UniqueFd fd = testing::raw_connect(path_);
  ASSERT_TRUE(testing::send_all(fd.get(),
                                R"({"jsonrpc":"2.0","id":1,"method":"send","params":{"peer":"b","text":"slow:100"}})"));
  ::shutdown(fd.get(), SHUT_WR);
  std::string buffer;
  const testing::LineRead r = testing::read_line(fd.get(), buffer, milliseconds(5000));
  ASSERT_EQ(r.status, ReadStatus::kLine);
  EXPECT_EQ(json::parse(r.line)["result"]["id"], "slow:100");
  EXPECT_EQ(testing::read_line(fd.get(), buffer, milliseconds(5000)).status, ReadStatus::kEof);
}

TEST_F(SocketServerTest, SlowCallsAnswerOutOfOrderByTheirIds) {
  const UniqueFd fd = testing::raw_connect(path_);
  ASSERT_TRUE(testing::send_all(
      fd.get(), R"({"jsonrpc":"2.0","id":"slow","method":"send","params":{"peer":"b","text":"slow:300"}})"
                "\n"
                R"({"jsonrpc":"2.0","id":"fast","method":"status"})"
                "\n"));
  std::string buffer;
  const auto first = testing::read_line(fd.get(), buffer, milliseconds(5000));
  const auto second = testing::read_line(fd.get(), buffer, milliseconds(5000));
  ASSERT_EQ(first.status, ReadStatus::kLine);
  ASSERT_EQ(second.status, ReadStatus::kLine);
  EXPECT_EQ(json::parse(first.line)["id"], "fast");
  EXPECT_EQ(json::parse(second.line)["id"], "slow");
  EXPECT_EQ(json::parse(second.line)["result"]["id"], "slow:300");
}

TEST_F(SocketServerTest, ACompletionAfterTheClientLeftIsDropped) {
  {
    const UniqueFd fd = testing::raw_connect(path_);
    ASSERT_TRUE(testing::send_all(fd.get(),
                                  R"({"jsonrpc":"2.0","id":1,"method":"send","params":{"peer":"b","text":"slow:200"}})"
                                  "\n"));
    std::this_thread::sleep_for(milliseconds(50));
  }
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(client()->call("status")["username"], "alice");
  EXPECT_TRUE(wait_for_connections(0));
}

TEST_F(SocketServerTest, ALineOverOneMebibyteIsRefusedAndTheConnectionClosed) {
  const UniqueFd fd = testing::raw_connect(path_);
  std::thread writer([&fd] {
    const std::string huge(10 * 1024 * 1024, 'a');
    testing::send_all(fd.get(), huge);  // fails once the server hangs up: that is the point
  });
  std::string buffer;
  const testing::LineRead r = testing::read_line(fd.get(), buffer, milliseconds(10000));
  writer.join();
  ASSERT_EQ(r.status, ReadStatus::kLine);
  const json error = json::parse(r.line);
  EXPECT_EQ(error["error"]["code"], -32600);
  EXPECT_EQ(error["error"]["message"], "line exceeds 1 MiB");
  EXPECT_TRUE(error["id"].is_null());
  EXPECT_EQ(testing::read_line(fd.get(), buffer, milliseconds(5000)).status, ReadStatus::kEof);
  EXPECT_EQ(client()->call("status")["username"], "alice");
}

TEST_F(SocketServerTest, AThousandDroppedConnectionsLeaveTheServerServing) {
  for (int i = 0; i < 1000; ++i) {
    const UniqueFd fd = testing::raw_connect(path_);
    if (i % 3 == 1) testing::send_all(fd.get(), R"({"jsonrpc":"2.0","id":1,"meth)");
    if (i % 3 == 2)
      testing::send_all(fd.get(), R"({"jsonrpc":"2.0","id":1,"method":"status"})"
                                  "\n");
  }
  EXPECT_EQ(client()->call("status")["username"], "alice");
  EXPECT_TRUE(wait_for_connections(0));
}

TEST_F(SocketServerTest, ConnectionsOverTheLimitAreToldAndClosed) {
  std::vector<UniqueFd> held;
  for (int i = 0; i < 256; ++i) held.push_back(testing::raw_connect(path_));
  ASSERT_TRUE(wait_for_connections(256));
  {
    const UniqueFd extra = testing::raw_connect(path_);
    std::string buffer;
    const testing::LineRead r = testing::read_line(extra.get(), buffer, milliseconds(5000));
    ASSERT_EQ(r.status, ReadStatus::kLine);
    EXPECT_EQ(json::parse(r.line)["error"]["data"]["name"], "RateLimited");
    EXPECT_EQ(testing::read_line(extra.get(), buffer, milliseconds(5000)).status, ReadStatus::kEof);
  }
  held.pop_back();
  ASSERT_TRUE(wait_for_connections(255));
  EXPECT_EQ(client()->call("status")["username"], "alice");
}

TEST_F(SocketServerTest, SubscribersGetEventsInOrderWhileACallIsInFlight) {
  auto subscriber = client();
  subscriber->subscribe();
  const UniqueFd bystander = testing::raw_connect(path_);  // never subscribed
  EXPECT_EQ(subscriber->call("send", {{"peer", "bob"}, {"text", "events"}})["id"], "events");
  for (int n = 1; n <= 3; ++n) {
    const auto event = subscriber->next_event(milliseconds(0));  // queued during the call
    ASSERT_TRUE(event.has_value()) << n;
    EXPECT_EQ(event->name, "DeliveryChanged");
    EXPECT_EQ(event->data, json({{"n", n}}));
  }
  run_on_io([this] {
    for (int n = 0; n < 100; ++n) server_.publish("MessageReceived", {{"seq", n}, {"text", "hi\nthere"}});
  });
  for (int n = 0; n < 100; ++n) {
    const auto event = subscriber->next_event(milliseconds(5000));
    ASSERT_TRUE(event.has_value()) << n;
    EXPECT_EQ(event->name, "MessageReceived");
    EXPECT_EQ(event->data["seq"], n);
    EXPECT_EQ(event->data["text"], "hi\nthere");
  }
  EXPECT_FALSE(subscriber->next_event(milliseconds(50)).has_value());
  EXPECT_EQ(testing::read_line(bystander.get(), milliseconds(200)).status, ReadStatus::kTimeout);
}

TEST_F(SocketServerTest, ASubscriberThatDoesNotReadIsDropped) {
  const UniqueFd slow = testing::raw_connect(path_);
  EXPECT_EQ(exchange(slow.get(), R"({"jsonrpc":"2.0","id":1,"method":"subscribe"})"
                                 "\n")["result"],
            json({{"subscribed", true}}));
  auto reader = client();
  reader->subscribe();
  constexpr int kEvents = 2048;
  std::atomic<int> received = 0;
  std::thread reading([&] {
    try {
      for (; received < kEvents; ++received) {
        const auto event = reader->next_event(milliseconds(5000));
        if (!event || event->data["seq"] != received.load()) return;  // lost or out of order
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "the reading subscriber was dropped: " << e.what();
    }
  });
  // 16 MiB of events: more than the socket buffers plus the 8 MiB queue of the
  // one that never reads. The publisher stays at most 64 events (512 KiB)
  // ahead of the reader, so only the one that never reads falls behind.
  const std::string text(8 * 1024, 'x');
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int n = 0; n < kEvents; ++n) {
    while (n - received.load() > 64 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(1));
    }
    run_on_io([&] { server_.publish("MessageReceived", {{"seq", n}, {"text", text}}); });
  }
  reading.join();
  EXPECT_EQ(received, kEvents);          // the reader got everything, in order
  EXPECT_TRUE(wait_for_connections(1));  // only the reading subscriber is left
  EXPECT_TRUE(testing::wait_for_eof(slow.get(), milliseconds(5000)));
}

TEST_F(SocketServerTest, SocketIsPrivate) {
  struct stat st {};
  ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat(path_.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat(path_.parent_path().parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);  // missing parents are made private too
}

TEST_F(SocketServerTest, ASecondServerOnALivePathIsRefused) {
  TestHandler other_handler(io_);
  asio::io_context other_io;
  SocketServer second(other_io, path_, other_handler);
  try {
    second.start();
    FAIL() << "two servers on one path";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("another msgd is serving"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path_.string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(client()->call("status")["username"], "alice");  // the first is untouched
}

TEST_F(SocketServerTest, StopRemovesTheSocket) {
  run_on_io([this] { server_.stop(); });
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(path_)));
  EXPECT_THROW(client(), api::TransportError);
}

TEST_F(SocketServerTest, TheClientTimesOutOnADaemonThatNeverAnswers) {
  const auto mute = dir_ / "mute.sock";
  const UniqueFd listener = testing::raw_listen(mute);
  auto c = api::connect_socket(mute, milliseconds(300));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of([&] { c->call("status"); }), ErrorName::kTimeout);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, milliseconds(290));
  EXPECT_LT(waited, milliseconds(1500));
}

// A child that becomes nobody and tries the socket; its exit status says what happened.
int run_as_nobody(const std::filesystem::path& path, bool expect_refused_at_connect) {
  const sockaddr_un address = testing::unix_address(path);
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls from here: the parent has threads.
    if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
        ::setresuid(65534, 65534, 65534) != 0) {
      ::_exit(10);
    }
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      ::_exit(errno == EACCES && expect_refused_at_connect ? 0 : 11);
    }
    if (expect_refused_at_connect) ::_exit(12);
    static const char kRequest[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}\n";
    [[maybe_unused]] const ssize_t sent = ::send(fd, kRequest, sizeof kRequest - 1, MSG_NOSIGNAL);
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) ::_exit(13);  // no answer and no close
    char byte;
    const ssize_t n = ::recv(fd, &byte, 1, 0);
    ::_exit(n == 0 || (n < 0 && errno == ECONNRESET) ? 0 : 14);  // closed, never answered
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

TEST_F(SocketServerTest, AnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to fork a child that becomes another user (nobody)";
  EXPECT_EQ(run_as_nobody(path_, /*expect_refused_at_connect=*/true), 0) << "the 0700 directory let nobody in";
  // Open the way so the child reaches the socket: SO_PEERCRED must refuse it.
  for (auto p = path_.parent_path(); p != dir_.path().parent_path(); p = p.parent_path()) {
    ASSERT_EQ(::chmod(p.c_str(), 0755), 0) << p;
  }
  ASSERT_EQ(::chmod(path_.c_str(), 0666), 0);
  EXPECT_EQ(run_as_nobody(path_, /*expect_refused_at_connect=*/false), 0) << "nobody was served";
  EXPECT_EQ(client()->call("status")["username"], "alice");
}

// ---- starting, without the fixture's running server -------------------------

class SocketStartTest : public ::testing::Test {
 protected:
  std::string start_error(const std::filesystem::path& path) {
    SocketServer server(io_, path, handler_);
    try {
      server.start();
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }

  testing::TempDir dir_;
  asio::io_context io_;
  TestHandler handler_{io_};
};

TEST_F(SocketStartTest, AStaleSocketIsReplaced) {
  const auto path = dir_ / "msgd.sock";
  testing::make_stale_socket(path);
  SocketServer server(io_, path, handler_);
  server.start();
  std::thread runner([this] { io_.run_for(std::chrono::seconds(3)); });
  {
    auto c = api::connect_socket(path, milliseconds(2000));
    EXPECT_EQ(c->call("status")["username"], "alice");
  }
  asio::post(io_, [&] {
    server.stop();
    io_.stop();
  });
  runner.join();
}

TEST_F(SocketStartTest, SomethingThatIsNotASocketIsLeftAlone) {
  const auto path = dir_ / "msgd.sock";
  std::ofstream(path) << "precious";
  const std::string error = start_error(path);
  EXPECT_NE(error.find("not a socket"), std::string::npos) << error;
  std::ifstream in(path);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST_F(SocketStartTest, AnOpenDirectoryIsRefused) {
  const auto open_dir = dir_ / "open";
  std::filesystem::create_directory(open_dir);
  ASSERT_EQ(::chmod(open_dir.c_str(), 0777), 0);
  const std::string error = start_error(open_dir / "msgd.sock");
  EXPECT_NE(error.find("writable by group or others"), std::string::npos) << error;
  ASSERT_EQ(::chmod(open_dir.c_str(), 0720), 0);
  EXPECT_NE(start_error(open_dir / "msgd.sock").find("writable"), std::string::npos);
  ASSERT_EQ(::chmod(open_dir.c_str(), 0755), 0);  // readable is fine: nobody can swap the socket
  EXPECT_EQ(start_error(open_dir / "msgd.sock"), "");
}

TEST_F(SocketStartTest, ADirectoryOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory to another user";
  const auto theirs = dir_ / "theirs";
  std::filesystem::create_directory(theirs);
  ASSERT_EQ(::chmod(theirs.c_str(), 0700), 0);
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  const std::string error = start_error(theirs / "msgd.sock");
  EXPECT_NE(error.find("belongs to uid 65534"), std::string::npos) << error;
}

TEST_F(SocketStartTest, AParentThatIsAFileIsRefused) {
  std::ofstream(dir_ / "file") << "x";
  EXPECT_NE(start_error(dir_ / "file" / "msgd.sock"), "");
}

TEST_F(SocketStartTest, AnOverlongPathIsRefused) {
  const auto deep = dir_ / std::string(120, 'd');
  EXPECT_NE(start_error(deep / "msgd.sock"), "");
}

TEST_F(SocketStartTest, ReadingPausesAtTheCallsInFlightLimit) {
  const auto path = dir_ / "msgd.sock";
  SocketLimits limits;
  limits.max_calls_in_flight = 2;
  SocketServer server(io_, path, handler_, limits);
  server.start();
  std::thread runner([this] { io_.run_for(std::chrono::seconds(10)); });
  {
    const UniqueFd fd = testing::raw_connect(path);
    std::string requests;
    for (int i = 0; i < 6; ++i) {
      requests += R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                  R"(,"method":"send","params":{"peer":"b","text":"slow:50"}})"
                  "\n";
    }
    ASSERT_TRUE(testing::send_all(fd.get(), requests));
    std::string buffer;
    std::set<int> answered;
    for (int i = 0; i < 6; ++i) {
      const testing::LineRead r = testing::read_line(fd.get(), buffer, milliseconds(5000));
      ASSERT_EQ(r.status, ReadStatus::kLine) << i;
      answered.insert(json::parse(r.line)["id"].get<int>());
    }
    EXPECT_EQ(answered.size(), 6u);  // paused reading resumed every time
  }
  asio::post(io_, [&] {
    server.stop();
    io_.stop();
  });
  runner.join();
  EXPECT_EQ(handler_.most_outstanding, 2);
}

}  // namespace
}  // namespace sotto::msgd
