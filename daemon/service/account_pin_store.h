#pragma once

#include <optional>
#include <string>

#include "daemon/relay/pin_check.h"
#include "daemon/store/account_store.h"

namespace sotto::msgd {

// The relay certificate pins live in state.db with the account.
class AccountPinStore : public PinStore {
 public:
  explicit AccountPinStore(AccountStore& accounts) : accounts_(accounts) {}
  std::optional<std::string> load_pin(const std::string& relay) override { return accounts_.relay_pin(relay); }
  void save_pin(const std::string& relay, const std::string& fingerprint) override {
    accounts_.set_relay_pin(relay, fingerprint);
  }

 private:
  AccountStore& accounts_;
};

}  // namespace sotto::msgd
