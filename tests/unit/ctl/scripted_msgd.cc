#include "tests/unit/ctl/scripted_msgd.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <variant>

#include "lib/api/jsonrpc.h"

namespace sotto::ctl::testing {
namespace {

void send_line(int fd, const std::string& line) {
  const std::string data = line + "\n";
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "msgctl-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

ScriptedMsgd::ScriptedMsgd(std::filesystem::path path, Responder respond)
    : path_(std::move(path)), respond_(std::move(respond)) {
  listener_ = api::UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
  if (::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_.get(), 8) != 0) {
    throw std::runtime_error("cannot listen on " + path_.string() + ": " + std::strerror(errno));
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  wake_read_ = api::UniqueFd(pipe_fds[0]);
  wake_write_ = api::UniqueFd(pipe_fds[1]);
  thread_ = std::thread([this] { serve(); });
}

ScriptedMsgd::~ScriptedMsgd() {
  const char byte = 'x';
  [[maybe_unused]] const ssize_t n = ::write(wake_write_.get(), &byte, 1);
  thread_.join();
  ::unlink(path_.c_str());
}

void ScriptedMsgd::serve() {
  for (;;) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents != 0) return;
    api::UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection.valid()) continue;
    serve_connection(connection.get());
    subscribed_ = false;
  }
}

void ScriptedMsgd::serve_connection(int fd) {
  {
    std::lock_guard lock(mutex_);
    connection_fd_ = fd;
  }
  std::string buffer;
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents != 0) break;
    char chunk[65536];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<std::size_t>(n));
    for (std::size_t newline; (newline = buffer.find('\n')) != std::string::npos;) {
      const std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      auto parsed = api::parse_jsonrpc_request(line);
      auto* request = std::get_if<api::JsonRpcRequest>(&parsed);
      if (request == nullptr) continue;
      const nlohmann::json params = request->params.is_null() ? nlohmann::json::object() : request->params;
      if (request->method == "subscribe") {
        // Recorded only once answered: a test that saw it in requests() may
        // push an event at once, which needs the subscription in place.
        std::lock_guard lock(mutex_);
        send_line(fd, api::encode_result(request->id.value_or(nullptr), nlohmann::json{{"subscribed", true}}));
        subscribed_ = true;
        requests_.push_back({{"method", request->method}, {"params", params}});
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        requests_.push_back({{"method", request->method}, {"params", params}});
      }
      std::string answer;
      try {
        answer = api::encode_result(request->id.value_or(nullptr), respond_(request->method, params));
      } catch (const api::ApiError& e) {
        answer = api::encode_error(request->id.value_or(nullptr), e);
      }
      std::lock_guard lock(mutex_);
      send_line(fd, answer);
    }
  }
  std::lock_guard lock(mutex_);
  connection_fd_ = -1;
}

bool ScriptedMsgd::push_event(const std::string& name, const nlohmann::json& data) {
  std::lock_guard lock(mutex_);
  if (!subscribed_ || connection_fd_ < 0) return false;
  send_line(connection_fd_, api::encode_notification(name, data));
  return true;
}

std::vector<nlohmann::json> ScriptedMsgd::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<std::string> ScriptedMsgd::methods() const {
  std::vector<std::string> names;
  for (const auto& r : requests()) names.push_back(r["method"].get<std::string>());
  return names;
}

bool ScriptedMsgd::wait_for(const std::string& method, int timeout_ms, std::size_t count) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    std::size_t seen = 0;
    for (const auto& m : methods()) seen += m == method ? 1 : 0;
    if (seen >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace sotto::ctl::testing
