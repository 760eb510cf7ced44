#include "frontends/notify/bus_name_watch.h"

#include <sdbus-c++/Error.h>
#include <sdbus-c++/Message.h>

namespace sotto::notify {

BusNameWatch::BusNameWatch(sdbus::IConnection& bus, const std::string& name, Changed changed)
    : name_(name), changed_(std::move(changed)) {
  const std::string rule =
      "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
      "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='" +
      name_ + "'";
  slot_ = bus.addMatch(rule, [this](sdbus::Message& message) {
    std::string name, old_owner, new_owner;
    try {
      message >> name >> old_owner >> new_owner;
    } catch (const sdbus::Error&) {
      return;  // not the bus daemon's signature: not the bus daemon
    }
    if (name == name_) changed_(old_owner, new_owner);
  });
}

}  // namespace sotto::notify
