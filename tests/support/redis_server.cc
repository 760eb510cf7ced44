#include "tests/support/redis_server.h"

#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sotto::testing {

namespace {

using Clock = std::chrono::steady_clock;

// Generous: a loaded CI machine (four builds on two cores) starts a server in
// tens of milliseconds, but not always.
constexpr std::chrono::seconds kStartTimeout{15};
constexpr std::chrono::seconds kStopTimeout{5};

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

bool answers_ping(const std::filesystem::path& socket) {
  const timeval timeout{1, 0};
  const std::unique_ptr<redisContext, ContextFree> context(redisConnectUnixWithTimeout(socket.c_str(), timeout));
  if (!context || context->err != 0) return false;
  const std::unique_ptr<redisReply, ReplyFree> reply(static_cast<redisReply*>(redisCommand(context.get(), "PING")));
  return reply && reply->type == REDIS_REPLY_STATUS && std::string(reply->str, reply->len) == "PONG";
}

std::string read_log(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  // The end says why it stopped; the whole log can be long.
  return all.size() > 2000 ? "..." + all.substr(all.size() - 2000) : all;
}

}  // namespace

RedisServer::RedisServer() : socket_(dir_ / "redis.sock"), log_(dir_ / "redis.log") {
  if (::access(kBinary, X_OK) != 0) {
    throw std::runtime_error(std::string(kBinary) +
                             " is missing: the RedisBus tests need a real Redis server (apt-get install "
                             "redis-server, as scripts/setup-deps does)");
  }
  start();
}

RedisServer::~RedisServer() { stop(); }

std::string RedisServer::url() const { return "redis+unix://" + socket_.string(); }

void RedisServer::start() {
  std::vector<std::string> args = {kBinary,
                                   "--port",
                                   "0",
                                   "--unixsocket",
                                   socket_.string(),
                                   "--unixsocketperm",
                                   "700",
                                   "--dir",
                                   dir_.path().string(),
                                   "--logfile",
                                   log_.string(),
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "no",
                                   "--daemonize",
                                   "no"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork for redis-server failed");
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::execv(kBinary, argv.data());
    ::_exit(127);
  }
  pid_ = pid;

  const Clock::time_point deadline = Clock::now() + kStartTimeout;
  while (!answers_ping(socket_)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("redis-server exited at start (status " + std::to_string(status) + "); its log:\n" +
                               read_log(log_));
    }
    if (Clock::now() > deadline) {
      reap(SIGKILL);
      throw std::runtime_error("redis-server did not answer PING within 15 s; its log:\n" + read_log(log_));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void RedisServer::reap(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  const Clock::time_point deadline = Clock::now() + kStopTimeout;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline && signal != SIGKILL) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
}

void RedisServer::kill9() { reap(SIGKILL); }

void RedisServer::restart() {
  stop();
  start();
}

void RedisServer::stop() { reap(SIGTERM); }

}  // namespace sotto::testing
