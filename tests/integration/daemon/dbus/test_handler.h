#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lib/api/handler.h"
#include "lib/net/asio.h"

namespace sotto::msgd::dbus_test {

// A Handler with canned behaviour, standing in for msgd's service in tests of
// the D-Bus adaptor. Runs on io's thread like the real one.
//   status       answers at once with a fixed status object
//   send         answers after send_delay (an asio timer), echoing peer and text
//   register     echoes its (normalized) params
//   history      one message object per call echoing peer, limit, before
//   online       [{username, online: true}] for each peer
//   inbox        []
//   fingerprint  a nested object with non-ASCII text
//   verify       peer names an error (error_table ids): fails with it; else a contact
//   mark_read    a result D-Bus cannot carry (a NUL in a string)
//   contacts     throws std::runtime_error from call()
//   export       never completes (keeps the completion)
//   others       NotLoggedIn
class TestHandler : public api::Handler {
 public:
  struct Call {
    std::string method;
    nlohmann::json params;
  };

  explicit TestHandler(net::asio::io_context& io, std::chrono::milliseconds send_delay = std::chrono::milliseconds(150))
      : io_(io), send_delay_(send_delay) {}

  void call(const api::MethodSpec& method, nlohmann::json params, api::Completion done) override;

  std::vector<Call> calls() const;
  static nlohmann::json status_object();

 private:
  net::asio::io_context& io_;
  std::chrono::milliseconds send_delay_;
  mutable std::mutex mutex_;
  std::vector<Call> calls_;
  std::vector<api::Completion> never_completed_;
};

}  // namespace sotto::msgd::dbus_test
