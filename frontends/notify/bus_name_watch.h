#pragma once

#include <sdbus-c++/IConnection.h>
#include <sdbus-c++/TypeTraits.h>

#include <functional>
#include <string>

namespace sotto::notify {

// Follows who owns a well-known name on the bus (the bus daemon's
// NameOwnerChanged signal), so msg-notify learns at once when msgd or the
// notification server leaves, restarts or arrives, instead of waiting for
// its next retry.
class BusNameWatch {
 public:
  // old_owner or new_owner is "" when the name had or has no owner.
  using Changed = std::function<void(const std::string& old_owner, const std::string& new_owner)>;

  // Throws sdbus::Error when the bus refuses the match rule.
  BusNameWatch(sdbus::IConnection& bus, const std::string& name, Changed changed);

 private:
  std::string name_;
  Changed changed_;
  sdbus::Slot slot_;  // last: removing the match before the handler's state goes
};

}  // namespace sotto::notify
