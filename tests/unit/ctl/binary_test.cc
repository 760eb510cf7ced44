// The real msgctl binary: exit codes, speed of failure, and `watch` riding
// out a msgd restart, against real sockets.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lib/api/unique_fd.h"
#include "tests/unit/ctl/scripted_msgd.h"

namespace sotto::ctl {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using testing::ScriptedMsgd;
using testing::TempDir;

// msgctl running as a child process with stdin from /dev/null and its stdout
// and stderr on pipes.
class Msgctl {
 public:
  explicit Msgctl(const std::vector<std::string>& args) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      const int null = open("/dev/null", O_RDONLY);
      dup2(null, 0);
      dup2(out[1], 1);
      dup2(err[1], 2);
      setsid();  // no controlling terminal: the password prompt must not find one
      std::vector<char*> argv;
      std::vector<std::string> copy = args;
      copy.insert(copy.begin(), MSGCTL_PATH);
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(MSGCTL_PATH, argv.data());
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    out_ = api::UniqueFd(out[0]);
    err_ = api::UniqueFd(err[0]);
  }
  ~Msgctl() {
    if (!exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Waits for exit, collecting output; nullopt if it did not exit in time.
  std::optional<int> wait(std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      drain(50);
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        drain(0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
    }
    return std::nullopt;
  }

  // Waits until stdout (or stderr) holds `text`.
  bool wait_for_out(const std::string& text, std::chrono::milliseconds limit) {
    return wait_for(out_text_, text, limit);
  }
  bool wait_for_err(const std::string& text, std::chrono::milliseconds limit) {
    return wait_for(err_text_, text, limit);
  }

  void signal(int number) { kill(pid_, number); }
  const std::string& out() const { return out_text_; }
  const std::string& err() const { return err_text_; }

 private:
  bool wait_for(const std::string& buffer, const std::string& text, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (buffer.find(text) == std::string::npos) {
      if (Clock::now() >= deadline) return false;
      drain(50);
    }
    return true;
  }

  void drain(int timeout_ms) {
    pollfd fds[2] = {{out_.get(), POLLIN, 0}, {err_.get(), POLLIN, 0}};
    if (poll(fds, 2, timeout_ms) <= 0) return;
    char chunk[4096];
    if (fds[0].revents != 0) {
      const ssize_t n = read(out_.get(), chunk, sizeof chunk);
      if (n > 0) out_text_.append(chunk, static_cast<std::size_t>(n));
    }
    if (fds[1].revents != 0) {
      const ssize_t n = read(err_.get(), chunk, sizeof chunk);
      if (n > 0) err_text_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  pid_t pid_ = -1;
  bool exited_ = false;
  api::UniqueFd out_, err_;
  std::string out_text_, err_text_;
};

TEST(CtlBinary, NoSocketExitsThreeQuicklyWithHelp) {
  const auto start = Clock::now();
  Msgctl msgctl({"--socket", "/nonexistent/msgd.sock", "status"});
  EXPECT_EQ(msgctl.wait(std::chrono::seconds(5)), 3);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(msgctl.err(),
            "msgctl: msgd is not running (no answer on /nonexistent/msgd.sock). Start it with `msgd` or "
            "`systemctl --user start msgd`.\n");
  EXPECT_TRUE(msgctl.out().empty());
}

TEST(CtlBinary, ASocketThatNeverAnswersCostsOneTimeout) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "mute.sock";
  api::UniqueFd listener(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(listener.get(), 4), 0);
  std::atomic<bool> done{false};
  std::thread acceptor([&] {
    std::vector<api::UniqueFd> held;  // accepted and never answered
    while (!done) {
      pollfd p{listener.get(), POLLIN, 0};
      if (poll(&p, 1, 50) > 0) held.emplace_back(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    }
  });

  const auto start = Clock::now();
  Msgctl msgctl({"--socket", path.string(), "--timeout", "1", "status"});
  const std::optional<int> code = msgctl.wait(std::chrono::seconds(10));
  const auto took = Clock::now() - start;
  done = true;
  acceptor.join();
  EXPECT_EQ(code, 3);
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::milliseconds(2500));
  EXPECT_EQ(msgctl.err(), "msgctl: msgd did not answer within 1 s\n");
}

TEST(CtlBinary, HelpAndVersionExitZero) {
  Msgctl help({"--help"});
  EXPECT_EQ(help.wait(std::chrono::seconds(5)), 0);
  EXPECT_NE(help.out().find("fingerprint"), std::string::npos);
  Msgctl command_help({"send", "--help"});
  EXPECT_EQ(command_help.wait(std::chrono::seconds(5)), 0);
  EXPECT_NE(command_help.out().find("--wait"), std::string::npos);
  Msgctl version({"--version"});
  EXPECT_EQ(version.wait(std::chrono::seconds(5)), 0);
  EXPECT_EQ(version.out().rfind("msgctl ", 0), 0u);
}

TEST(CtlBinary, UnknownCommandExitsTwo) {
  Msgctl msgctl({"sendd", "bob", "hi"});
  EXPECT_EQ(msgctl.wait(std::chrono::seconds(5)), 2);
  EXPECT_NE(msgctl.err().find("msgctl: "), std::string::npos);
  EXPECT_TRUE(msgctl.out().empty());
}

TEST(CtlBinary, LoginWithoutATerminalNeedsPasswordStdin) {
  TempDir dir;
  ScriptedMsgd msgd(dir.path() / "msgd.sock", [](const std::string&, const json&) { return json::object(); });
  Msgctl msgctl({"--socket", (dir.path() / "msgd.sock").string(), "login", "alice"});
  EXPECT_EQ(msgctl.wait(std::chrono::seconds(5)), 2);
  EXPECT_NE(msgctl.err().find("--password-stdin"), std::string::npos) << msgctl.err();
  EXPECT_TRUE(msgd.requests().empty());
}

TEST(CtlBinary, WatchPrintsEventsReconnectsAndStopsOnSigint) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "msgd.sock";
  const auto status = [](const std::string&, const json&) { return json{{"username", "alice"}}; };
  std::optional<ScriptedMsgd> msgd;
  msgd.emplace(path, status);
  Msgctl watch({"--socket", path.string(), "--json", "watch"});
  ASSERT_TRUE(msgd->wait_for("subscribe", 5000));
  const json data = {{"id", "ab"}, {"peer", "bob"}, {"state", "delivered"}};
  ASSERT_TRUE(msgd->push_event("DeliveryChanged", data));
  ASSERT_TRUE(watch.wait_for_out("\n", std::chrono::seconds(5)));
  EXPECT_EQ(json::parse(watch.out()), (json{{"event", "DeliveryChanged"}, {"data", data}}));

  msgd.reset();  // msgd goes away
  ASSERT_TRUE(watch.wait_for_err("msgd went away", std::chrono::seconds(5))) << watch.err();
  msgd.emplace(path, status);
  ASSERT_TRUE(msgd->wait_for("subscribe", 10000)) << watch.err();
  ASSERT_TRUE(watch.wait_for_err("reconnected", std::chrono::seconds(5))) << watch.err();
  ASSERT_TRUE(msgd->push_event("ConnectionChanged", {{"connected", true}, {"relay", "r:7443"}, {"reason", ""}}));
  ASSERT_TRUE(watch.wait_for_out("ConnectionChanged", std::chrono::seconds(5)));

  watch.signal(SIGINT);
  EXPECT_EQ(watch.wait(std::chrono::seconds(5)), 0);
}

TEST(CtlBinary, WatchHumanLinesAndSigterm) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "msgd.sock";
  ScriptedMsgd msgd(path, [](const std::string&, const json&) { return json{{"username", "alice"}}; });
  Msgctl watch({"--socket", path.string(), "watch"});
  ASSERT_TRUE(msgd.wait_for("subscribe", 5000));
  ASSERT_TRUE(msgd.push_event("MessageReceived", {{"sender", "bob"}, {"text", "hi"}, {"received_at", 0}}));
  ASSERT_TRUE(watch.wait_for_out("bob: hi\n", std::chrono::seconds(5))) << watch.out();
  EXPECT_EQ(watch.out().front(), '[');
  watch.signal(SIGTERM);
  EXPECT_EQ(watch.wait(std::chrono::seconds(5)), 0);
}

// msgctl with stdout on a pseudo-terminal `columns` wide: what it wrote there
// and its exit status.
std::pair<std::string, int> run_on_terminal(const std::vector<std::string>& args, unsigned short columns) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) throw std::runtime_error("no pty");
  winsize size{};
  size.ws_row = 24;
  size.ws_col = columns;
  ioctl(master, TIOCSWINSZ, &size);
  const std::string slave_name = ptsname(master);
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    const int slave = open(slave_name.c_str(), O_RDWR);
    const int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(slave, 1);
    dup2(null, 2);
    std::vector<std::string> copy = args;
    copy.insert(copy.begin(), MSGCTL_PATH);
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(MSGCTL_PATH, argv.data());
    _exit(127);
  }
  std::string output;
  char chunk[4096];
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) {
      if (waitpid(pid, nullptr, WNOHANG) == 0) continue;
      break;
    }
    const ssize_t n = read(master, chunk, sizeof chunk);
    if (n <= 0) break;  // EIO: the child closed the terminal
    output.append(chunk, static_cast<std::size_t>(n));
  }
  int status = 0;
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  close(master);
  return {output, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)};
}

const std::string kFileId = "0123456789abcdef0123456789abcdef";

TEST(CtlBinary, SendFileDrawsItsBarOnlyOnATerminal) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "msgd.sock";
  const std::filesystem::path file = dir.path() / "report.pdf";
  std::ofstream(file) << "data";
  // Set once the server exists; its thread reads it only after msgctl (started
  // later) has called, an order TSan cannot see through the socket: atomic.
  std::atomic<ScriptedMsgd*> msgd_ptr{nullptr};
  ScriptedMsgd msgd(path, [&](const std::string& method, const json&) -> json {
    if (method != "send_file") return json::array();
    for (const char* state : {"preparing", "uploading", "uploaded"}) {
      msgd_ptr.load()->push_event("TransferProgress",
                                  {{"id", kFileId},
                                   {"peer", "bob"},
                                   {"direction", "out"},
                                   {"name", "report.pdf"},
                                   {"state", state},
                                   {"bytes", std::string(state) == "uploaded" ? 2'100'000 : 1'050'000},
                                   {"size", 2'100'000}});
    }
    return {{"id", kFileId}, {"peer", "bob"}, {"name", "report.pdf"}, {"size", 2'100'000}, {"state", "preparing"}};
  });
  msgd_ptr = &msgd;
  const auto [output, code] = run_on_terminal({"--socket", path.string(), "send-file", "bob", file.string()}, 60);
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("\rreport.pdf  [==="), std::string::npos) << output;
  EXPECT_NE(output.find("file " + kFileId + " to bob (report.pdf): 2.1 MB uploaded"), std::string::npos) << output;
  // Each redraw fits the 60 columns the terminal has (ASCII here: a byte a
  // column); the last line is ordinary text, which may wrap.
  std::size_t from = 0;
  for (std::size_t at; (at = output.find_first_of("\r\n", from)) != std::string::npos; from = at + 1) {
    const std::string segment = output.substr(from, at - from);
    if (segment.rfind("file ", 0) != 0) {
      EXPECT_LT(segment.size(), 60u) << segment;
    }
  }

  Msgctl piped({"--socket", path.string(), "send-file", "bob", file.string()});
  EXPECT_EQ(piped.wait(std::chrono::seconds(5)), 0);
  EXPECT_EQ(piped.out().find('\r'), std::string::npos) << piped.out();
  EXPECT_NE(piped.out().find("uploaded"), std::string::npos) << piped.out();
}

TEST(CtlBinary, CtrlCWhileSendingAFileLeavesTheTransferToMsgd) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "msgd.sock";
  const std::filesystem::path file = dir.path() / "big.iso";
  std::ofstream(file) << "data";
  const json started = {{"id", kFileId}, {"peer", "bob"}, {"name", "big.iso"}, {"size", 4}, {"state", "preparing"}};
  // Set once the server exists; its thread reads it only after msgctl (started
  // later) has called, an order TSan cannot see through the socket: atomic.
  std::atomic<ScriptedMsgd*> msgd_ptr{nullptr};
  ScriptedMsgd msgd(path, [&](const std::string& method, const json&) -> json {
    if (method != "send_file") return json::array({started});
    msgd_ptr.load()->push_event("TransferProgress", started);
    return started;
  });
  msgd_ptr = &msgd;
  // With --json the progress line shows that msgctl follows the transfer.
  Msgctl msgctl({"--socket", path.string(), "--json", "send-file", "bob", file.string()});
  ASSERT_TRUE(msgctl.wait_for_out(R"({"event":"progress")", std::chrono::seconds(5))) << msgctl.err();
  msgctl.signal(SIGINT);
  EXPECT_EQ(msgctl.wait(std::chrono::seconds(5)), 130);
  EXPECT_NE(msgctl.out().find(R"("name":"Interrupted")"), std::string::npos) << msgctl.out();
  EXPECT_NE(msgctl.err().find("the transfer goes on in msgd"), std::string::npos) << msgctl.err();
  EXPECT_NE(msgctl.err().find("`msgctl cancel " + kFileId + "` stops it"), std::string::npos) << msgctl.err();
  EXPECT_EQ(msgd.methods(), (std::vector<std::string>{"subscribe", "send_file"})) << "msgctl cancels nothing itself";
}

}  // namespace
}  // namespace sotto::ctl
