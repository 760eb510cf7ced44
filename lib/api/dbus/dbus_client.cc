// api::connect_dbus: a blocking client of msgd on the session bus, generic over
// the method table (no per-method code: the table says the D-Bus name and the
// type of every argument).

#include <poll.h>
#include <sdbus-c++/sdbus-c++.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "lib/api/client.h"
#include "lib/api/dbus/dbus_names.h"
#include "lib/api/dbus/variant_conversion.h"
#include "lib/api/method_table.h"

namespace sotto::api {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kNotRunning = "msgd is not running on the session bus";

void append_param(sdbus::MethodCall& call, const ParamSpec& spec, const json& value) {
  auto checked = [&](const std::string& s) {
    try {
      return to_dbus_string(s);
    } catch (const std::invalid_argument&) {
      throw ApiError(ErrorName::kInvalidParams,
                     "parameter '" + std::string(spec.name) + "' must be UTF-8 text without NUL bytes");
    }
  };
  switch (spec.type) {
    case ValueType::kString:
      call << checked(value.get_ref<const std::string&>());
      return;
    case ValueType::kInt64:
      call << value.get<std::int64_t>();
      return;
    case ValueType::kBool:
      call << value.get<bool>();
      return;
    case ValueType::kStringList: {
      std::vector<std::string> items;
      for (const auto& item : value) items.push_back(checked(item.get_ref<const std::string&>()));
      call << items;
      return;
    }
  }
}

// What a D-Bus error means to a caller of the API. msgd's own errors carry
// their name; the bus's errors mean msgd is not there (TransportError) or did
// not answer in time (kTimeout).
[[noreturn]] void throw_mapped(const sdbus::Error& e, Clock::duration elapsed, std::chrono::milliseconds timeout) {
  const std::string& name = e.getName();
  if (auto api_name = error_from_dbus_name(name)) throw ApiError(*api_name, e.getMessage());
  if (name.starts_with("org.sotto.Messenger1.Error.")) {
    throw ApiError(ErrorName::kInternal, "msgd answered an unknown error " + name + ": " + e.getMessage());
  }
  // sd-bus reports its own call timeout as Timeout; the bus daemon sends
  // NoReply both on its timeout and when msgd left without answering, so
  // the time taken tells the two apart.
  const bool waited_full_timeout = elapsed >= timeout * 9 / 10;
  if (name == "org.freedesktop.DBus.Error.Timeout" ||
      (name == "org.freedesktop.DBus.Error.NoReply" && waited_full_timeout)) {
    throw ApiError(ErrorName::kTimeout, "msgd did not answer within " + std::to_string(timeout.count()) + " ms");
  }
  if (name == "org.freedesktop.DBus.Error.ServiceUnknown" || name == "org.freedesktop.DBus.Error.NameHasNoOwner" ||
      name == "org.freedesktop.DBus.Error.NoReply" || name == "org.freedesktop.DBus.Error.Disconnected" ||
      name == "org.freedesktop.DBus.Error.NoServer" || name == "org.freedesktop.DBus.Error.Spawn.ChildExited" ||
      name.starts_with("org.freedesktop.DBus.Error.Spawn.") || name.starts_with("System.Error.")) {
    throw TransportError(std::string(kNotRunning) + " (" + name + ": " + e.getMessage() + ")");
  }
  if (name == "org.freedesktop.DBus.Error.UnknownMethod" || name == "org.freedesktop.DBus.Error.UnknownObject" ||
      name == "org.freedesktop.DBus.Error.UnknownInterface") {
    throw ApiError(ErrorName::kUnknownMethod, "msgd does not serve this method: " + e.getMessage());
  }
  if (name == "org.freedesktop.DBus.Error.InvalidArgs") throw ApiError(ErrorName::kInvalidParams, e.getMessage());
  if (name == "org.freedesktop.DBus.Error.AccessDenied") {
    throw TransportError("the session bus refused the call to msgd: " + e.getMessage());
  }
  throw ApiError(ErrorName::kInternal, name + ": " + e.getMessage());
}

class DbusClient final : public Client {
 public:
  DbusClient(std::unique_ptr<sdbus::IConnection> connection, std::chrono::milliseconds timeout)
      : connection_(std::move(connection)),
        // A proxy on a connection we own: created from a reference, sdbus-c++
        // starts no event loop thread; next_event() drives the connection.
        proxy_(sdbus::createProxy(*connection_, std::string(kDbusBusName), std::string(kDbusObjectPath))),
        timeout_(std::max(timeout, std::chrono::milliseconds(1))) {}

  json call(std::string_view method, const json& params) override {
    const MethodSpec* spec = find_method(method);
    if (spec == nullptr) throw ApiError(ErrorName::kUnknownMethod, "unknown method '" + std::string(method) + "'");
    if (spec->dbus_name.empty()) {
      // subscribe is a socket method; on D-Bus it means listening to the signals.
      if (spec->name == "subscribe") {
        normalize_params(*spec, params);
        subscribe();
        return json{{"subscribed", true}};
      }
      throw ApiError(ErrorName::kUnknownMethod, "method '" + std::string(method) + "' is not served on D-Bus");
    }
    const json normalized = normalize_params(*spec, params);
    auto message = proxy_->createMethodCall(std::string(kDbusInterface), std::string(spec->dbus_name));
    for (const auto& p : spec->params) append_param(message, p, normalized.at(std::string(p.name)));

    sdbus::MethodReply reply = send(message);
    try {
      if (spec->result == ResultType::kObject) {
        VariantMap result;
        reply >> result;
        return to_json(result);
      }
      std::vector<VariantMap> result;
      reply >> result;
      return to_json(result);
    } catch (const std::exception& e) {  // sdbus::Error (wrong signature) or std::invalid_argument
      throw ApiError(ErrorName::kInternal, "msgd's reply to " + std::string(spec->dbus_name) + " is not the declared " +
                                               std::string(dbus_signature(spec->result)) + ": " + e.what());
    }
  }

  void subscribe() override {
    if (!matches_.empty()) return;
    const std::string base = "type='signal',sender='" + std::string(kDbusBusName) + "',path='" +
                             std::string(kDbusObjectPath) + "',interface='" + std::string(kDbusInterface) + "'";
    try {
      for (const auto& event : event_table()) {
        matches_.push_back(connection_->addMatch(base + ",member='" + std::string(event.name) + "'",
                                                 [this](sdbus::Message& m) { on_event(m); }));
      }
      matches_.push_back(connection_->addMatch(
          "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
          "member='NameOwnerChanged',arg0='" +
              std::string(kDbusBusName) + "'",
          [this](sdbus::Message& m) { on_owner_changed(m); }));
    } catch (const sdbus::Error& e) {
      matches_.clear();
      throw TransportError("cannot listen on the session bus: " + e.getMessage());
    }
    // The matches are in place before this returns, so no later event is
    // missed; the ping says whether anyone will send one (and activates msgd).
    auto ping = proxy_->createMethodCall("org.freedesktop.DBus.Peer", "Ping");
    try {
      send(ping);
    } catch (...) {
      matches_.clear();
      throw;
    }
  }

  std::optional<EventMessage> next_event(std::chrono::milliseconds timeout) override {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      dispatch_pending();
      if (!events_.empty()) {
        EventMessage event = std::move(events_.front());
        events_.pop_front();
        return event;
      }
      if (msgd_left_) throw TransportError("msgd left the session bus");
      const auto now = Clock::now();
      if (now >= deadline) return std::nullopt;
      wait_for_bus(deadline - now);
    }
  }

 private:
  sdbus::MethodReply send(const sdbus::MethodCall& message) {
    const auto start = Clock::now();
    try {
      return proxy_->callMethod(message, std::chrono::duration_cast<std::chrono::microseconds>(timeout_));
    } catch (const sdbus::Error& e) {
      throw_mapped(e, Clock::now() - start, timeout_);
    }
  }

  void dispatch_pending() {
    try {
      while (connection_->processPendingRequest()) {
      }
    } catch (const sdbus::Error& e) {
      throw TransportError("the session bus connection broke: " + e.getMessage());
    }
  }

  void wait_for_bus(Clock::duration left) {
    sdbus::IConnection::PollData poll_data{};
    try {
      poll_data = connection_->getEventLoopPollData();
    } catch (const sdbus::Error& e) {
      throw TransportError("the session bus connection broke: " + e.getMessage());
    }
    if (auto bus_timeout = poll_data.getRelativeTimeout()) left = std::min<Clock::duration>(left, *bus_timeout);
    // Round up: a wait rounded down to 0 ms would spin until the deadline.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    pollfd fd{poll_data.fd, poll_data.events, 0};
    if (::poll(&fd, 1, static_cast<int>(std::min<long long>(ms, INT32_MAX))) < 0 && errno != EINTR) {
      throw TransportError("poll on the session bus failed");
    }
  }

  void on_event(sdbus::Message& message) {
    const std::string name = message.getMemberName();
    if (find_event(name) == nullptr) return;
    try {
      VariantMap data;
      message >> data;
      events_.push_back(EventMessage{name, to_json(data)});
    } catch (const std::exception&) {
      // A signal with our name but not our a{sv} argument is not one of msgd's.
    }
  }

  void on_owner_changed(sdbus::Message& message) {
    try {
      std::string name, old_owner, new_owner;
      message >> name >> old_owner >> new_owner;
      if (name == kDbusBusName) msgd_left_ = new_owner.empty();
    } catch (const sdbus::Error&) {
    }
  }

  // Declared first, destroyed last: the proxy and the match slots refer to it.
  std::unique_ptr<sdbus::IConnection> connection_;
  std::unique_ptr<sdbus::IProxy> proxy_;
  std::chrono::milliseconds timeout_;
  std::vector<sdbus::Slot> matches_;
  std::deque<EventMessage> events_;
  bool msgd_left_ = false;
};

}  // namespace

std::unique_ptr<Client> connect_dbus(std::chrono::milliseconds call_timeout) {
  std::unique_ptr<sdbus::IConnection> connection;
  try {
    connection = sdbus::createSessionBusConnection();
  } catch (const sdbus::Error& e) {
    throw TransportError("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS): " + e.getMessage());
  }
  return std::make_unique<DbusClient>(std::move(connection), call_timeout);
}

}  // namespace sotto::api
