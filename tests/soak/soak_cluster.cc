#include "tests/soak/soak_cluster.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <stdexcept>

namespace sotto::soak {
namespace {

// Startup can be slow on a loaded 2-core machine (and under ASan); the
// helpers' 20 s default has been seen to be tight there.
constexpr std::chrono::seconds kSoakStartTimeout{60};

constexpr const char* kSoakPassword = "soak test password";

// Registration is limited per address (5 an hour by default); every soak
// user registers from 127.0.0.1.
constexpr const char* kSoakRelayConfig =
    "rate_limits:\n"
    "  register_per_address:\n"
    "    rate: 1000\n"
    "    per: 1m\n"
    "    burst: 1000\n";

// A loopback port nobody listens on now, for relayd to keep across restarts.
std::uint16_t soak_free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("no free loopback port");
  return ntohs(address.sin_port);
}

std::string soak_user_name(std::size_t i) {
  constexpr std::array<const char*, 8> kNames{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
  return i < kNames.size() ? kNames[i] : "user" + std::to_string(i);
}

}  // namespace

SoakCluster::SoakCluster(std::filesystem::path dir, std::size_t users) : dir_(std::move(dir)) {
  if (users < 2) throw std::invalid_argument("at least two users");
  port_ = soak_free_loopback_port();
  const std::string relay = "127.0.0.1:" + std::to_string(port_);
  relayd_ = std::make_unique<testing::RelaydProcess>(dir_ / "relay", kSoakRelayConfig);
  relayd_->set_listen(relay);
  for (std::size_t i = 0; i < users; ++i) {
    users_.push_back(std::make_unique<testing::MsgdProcess>(soak_user_name(i), dir_ / soak_user_name(i), relay));
  }
}

void SoakCluster::start() {
  start_relayd();
  for (std::size_t i = 0; i < users_.size(); ++i) start_msgd(i);
  for (std::size_t i = 0; i < users_.size(); ++i) {
    client(i)->call("register", {{"username", name(i)}, {"password", kSoakPassword}});
  }
}

void SoakCluster::start_relayd() { relayd_->start(kSoakStartTimeout); }

void SoakCluster::start_msgd(std::size_t i) { users_.at(i)->start(kSoakStartTimeout); }

LoadUser SoakCluster::load_user(std::size_t i) const { return {name(i), users_.at(i)->socket_path()}; }

std::vector<LoadUser> SoakCluster::load_users() const {
  std::vector<LoadUser> out;
  for (std::size_t i = 0; i < users_.size(); ++i) out.push_back(load_user(i));
  return out;
}

std::unique_ptr<api::Client> SoakCluster::client(std::size_t i) const {
  // History pages of 1000 messages take a while on a busy Debug build.
  return users_.at(i)->socket_client(std::chrono::seconds(30));
}

std::filesystem::path SoakCluster::save_logs() const {
  const std::filesystem::path logs = dir_ / "logs";
  std::filesystem::create_directories(logs);
  std::ofstream(logs / "relayd.log") << relayd_->log();
  for (const auto& user : users_) std::ofstream(logs / (user->name() + ".log")) << user->process().output();
  return logs;
}

}  // namespace sotto::soak
