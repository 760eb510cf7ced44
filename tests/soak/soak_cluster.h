#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "lib/api/client.h"
#include "tests/integration/support/msgd_process.h"
#include "tests/integration/support/relayd_process.h"
#include "tests/soak/soak_load.h"

namespace sotto::soak {

// A real relayd on a fixed loopback port (so a restarted relayd is found
// where the msgds pinned it) and one real msgd per user, registered, each
// with its own data folder and socket under dir.
class SoakCluster {
 public:
  SoakCluster(std::filesystem::path dir, std::size_t users);

  void start();  // relayd, then every msgd, then every registration

  std::size_t size() const { return users_.size(); }
  const std::string& name(std::size_t i) const { return users_.at(i)->name(); }
  LoadUser load_user(std::size_t i) const;
  std::vector<LoadUser> load_users() const;
  std::unique_ptr<api::Client> client(std::size_t i) const;

  // SIGKILL, then start again and wait for the "ready" line.
  void kill_relayd() { relayd_->kill9(); }
  void start_relayd();
  void kill_msgd(std::size_t i) { users_.at(i)->kill9(); }
  void start_msgd(std::size_t i);

  // Writes every process's output so far to dir/logs/.
  std::filesystem::path save_logs() const;

 private:
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<testing::RelaydProcess> relayd_;
  std::vector<std::unique_ptr<testing::MsgdProcess>> users_;
};

}  // namespace sotto::soak
