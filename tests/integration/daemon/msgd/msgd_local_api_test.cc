// msgd's local API under hostile input, and its D-Bus face, on a real msgd.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "lib/api/method_table.h"
#include "tests/integration/daemon/msgd/msgd_fixture.h"

namespace sotto::testing {
namespace {

class MsgdLocalApiTest : public MsgdTest {};

// A raw connection: writes bytes, reads one answer line (or EOF).
class RawConnection {
 public:
  explicit RawConnection(const std::filesystem::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  void write(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return;  // the daemon may close on us mid-way (oversized line)
      done += static_cast<std::size_t>(n);
    }
  }
  std::string read_line() {
    std::string line;
    char c;
    while (::recv(fd_, &c, 1, 0) == 1) {
      if (c == '\n') return line;
      line.push_back(c);
    }
    return line;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

std::string error_name_of(const std::string& line) {
  const json reply = json::parse(line);
  return reply.at("error").at("data").at("name");
}

TEST_F(MsgdLocalApiTest, HostileJsonRpcGetsErrorsAndTheDaemonStaysUp) {
  start_relayd();
  auto& alice = add_user("alice");
  {
    RawConnection c(alice.socket_path());
    ASSERT_TRUE(c.connected());
    c.write("this is not json\n");
    EXPECT_EQ(error_name_of(c.read_line()), "ParseError");
    c.write(R"({"jsonrpc":"2.0","id":1,"method":"send","params":{"peer":7,"text":"x"}})"
            "\n");
    EXPECT_EQ(error_name_of(c.read_line()), "InvalidParams");
    c.write(R"({"jsonrpc":"2.0","id":2,"method":"rm -rf","params":{}})"
            "\n");
    EXPECT_EQ(error_name_of(c.read_line()), "UnknownMethod");
    c.write(R"([{"jsonrpc":"2.0","id":3,"method":"status"}])"
            "\n");
    EXPECT_EQ(error_name_of(c.read_line()), "InvalidRequest");
    c.write(R"({"jsonrpc":"2.0","id":4,"method":"status"})"
            "\n");
    EXPECT_EQ(json::parse(c.read_line()).at("result").at("username"), "");
  }
  {
    RawConnection c(alice.socket_path());
    c.write(std::string(10 * 1024 * 1024, 'x') + "\n");
    const std::string line = c.read_line();
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(error_name_of(line), "InvalidRequest");
  }
  for (int i = 0; i < 1000; ++i) {
    RawConnection c(alice.socket_path());
    if (i % 2 == 0) c.write("{\"jsonrpc\":\"2.0\",");  // half a request, then gone
  }
  EXPECT_EQ(call("alice", "status").at("username"), "");
  EXPECT_TRUE(alice.running());
}

TEST_F(MsgdLocalApiTest, SocketAndDataDirAreOwnerOnly) {
  start_relayd();
  auto& alice = registered_user("alice");
  namespace fs = std::filesystem;
  EXPECT_EQ(fs::status(alice.socket_path()).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(alice.socket_path().parent_path()).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(alice.data_dir()).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(alice.data_dir() / "state.db").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(MsgdLocalApiTest, IntrospectionShowsTheWholeInterface) {
  start_relayd();
  auto& alice = add_user("alice", /*with_bus=*/true);
  const auto result = run_program({"/usr/bin/gdbus", "introspect", "--session", "--dest", "org.sotto.Messenger1",
                                   "--object-path", "/org/sotto/Messenger1"},
                                  {}, {{"DBUS_SESSION_BUS_ADDRESS", alice.dbus_address()}});
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.out.find("interface org.sotto.Messenger1"), std::string::npos) << result.out;
  for (const auto& method : api::method_table()) {
    if (method.dbus_name.empty()) continue;
    EXPECT_NE(result.out.find(std::string(method.dbus_name) + "("), std::string::npos) << method.dbus_name;
  }
  for (const auto& event : api::event_table()) {
    EXPECT_NE(result.out.find(std::string(event.name) + "("), std::string::npos) << event.name;
  }
}

TEST_F(MsgdLocalApiTest, SecondMsgdOnTheSameBusRefusesClearly) {
  start_relayd();
  auto& alice = add_user("alice", /*with_bus=*/true);
  ChildProcess second;
  second.spawn({MsgdProcess::msgd_binary().string(), "--data-dir", (dir_ / "second" / "data").string(), "--socket",
                (dir_ / "second" / "msgd.sock").string(), "--relay", relay_address()},
               {{"DBUS_SESSION_BUS_ADDRESS", alice.dbus_address()}});
  ASSERT_TRUE(second.wait_for_output("org.sotto.Messenger1", std::chrono::seconds(15))) << second.output();
  const auto status = second.terminate_within(std::chrono::seconds(10));
  ASSERT_TRUE(status.has_value()) << "the second msgd should exit by itself";
  EXPECT_NE(*status, 0);
  EXPECT_NE(second.output().find("another msgd"), std::string::npos) << second.output();
}

TEST_F(MsgdLocalApiTest, SecondMsgdOnTheSameSocketRefuses) {
  start_relayd();
  auto& alice = add_user("alice");
  ChildProcess second;
  second.spawn({MsgdProcess::msgd_binary().string(), "--no-dbus", "--data-dir", (dir_ / "second-data").string(),
                "--socket", alice.socket_path().string(), "--relay", relay_address()});
  ASSERT_TRUE(second.wait_for_output("another msgd", std::chrono::seconds(15))) << second.output();
  EXPECT_EQ(call("alice", "status").at("username"), "") << "the first one still serves its socket";
}

TEST_F(MsgdLocalApiTest, BadConfigFileIsRefusedWithItsPosition) {
  const auto config = dir_ / "msgd.yaml";
  std::ofstream(config) << "relay: 127.0.0.1:7443\ntrust_new_identities: sometimes\n";
  const auto result = run_program({MsgdProcess::msgd_binary().string(), "--config", config.string(), "--no-dbus",
                                   "--data-dir", (dir_ / "d").string(), "--socket", (dir_ / "s.sock").string()});
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("msgd.yaml:2:"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "d" / "state.db")) << "nothing was created";
}

}  // namespace
}  // namespace sotto::testing
