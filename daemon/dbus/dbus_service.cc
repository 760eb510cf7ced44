#include "daemon/dbus/dbus_service.h"

#include <sdbus-c++/sdbus-c++.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "lib/api/dbus/dbus_names.h"
#include "lib/api/dbus/variant_conversion.h"
#include "lib/api/method_table.h"
#include "messenger1_adaptor.h"  // generated from lib/api/org.sotto.Messenger1.xml

namespace sotto::msgd {
namespace {

using api::VariantMap;
using nlohmann::json;
using ObjectResult = sdbus::Result<VariantMap>;
using ListResult = sdbus::Result<std::vector<VariantMap>>;

// The table's type of each C++ argument type the generated adaptor passes.
template <typename T>
constexpr api::ValueType value_type_of();
template <>
constexpr api::ValueType value_type_of<std::string>() {
  return api::ValueType::kString;
}
template <>
constexpr api::ValueType value_type_of<std::int64_t>() {
  return api::ValueType::kInt64;
}
template <>
constexpr api::ValueType value_type_of<bool>() {
  return api::ValueType::kBool;
}
template <>
constexpr api::ValueType value_type_of<std::vector<std::string>>() {
  return api::ValueType::kStringList;
}

const api::MethodSpec* find_by_dbus_name(std::string_view dbus_name) {
  for (const auto& m : api::method_table()) {
    if (m.dbus_name == dbus_name) return &m;
  }
  return nullptr;
}

sdbus::Error to_dbus_error(const api::ApiError& e) { return sdbus::Error(api::dbus_error_name(e.name()), e.what()); }

// The calls waiting for their handler. The Results (each holds its method
// call message) stay here, not in the completions, because sdbus-c++ messages
// must not outlive their connection: stop() drops them all, and a completion
// called after that finds nothing to answer.
struct PendingCalls {
  explicit PendingCalls(DbusEventLoop& l) : loop(&l) {}
  DbusEventLoop* loop;
  std::uint64_t next_id = 0;
  std::map<std::uint64_t, ObjectResult> objects;
  std::map<std::uint64_t, ListResult> lists;

  template <typename Result>
  std::map<std::uint64_t, Result>& of() {
    if constexpr (std::is_same_v<Result, ObjectResult>) {
      return objects;
    } else {
      return lists;
    }
  }
};

template <typename Result>
void answer(const Result& reply, const api::Outcome& outcome) {
  try {
    try {
      if (const auto* error = std::get_if<api::ApiError>(&outcome)) {
        reply.returnError(to_dbus_error(*error));
      } else if constexpr (std::is_same_v<Result, ObjectResult>) {
        reply.returnResults(api::to_variant_map(std::get<json>(outcome)));
      } else {
        reply.returnResults(api::to_variant_map_list(std::get<json>(outcome)));
      }
    } catch (const std::invalid_argument& e) {
      reply.returnError(to_dbus_error(api::ApiError(
          api::ErrorName::kInternal, std::string("msgd produced a result D-Bus cannot carry: ") + e.what())));
    }
  } catch (const sdbus::Error&) {
    // The bus connection broke; the event loop reports that.
  }
}

template <typename Result>
void complete(const std::weak_ptr<PendingCalls>& pending, std::uint64_t id, const api::Outcome& outcome) {
  auto calls = pending.lock();
  if (!calls) return;
  auto& results = calls->of<Result>();
  auto it = results.find(id);
  if (it == results.end()) return;  // answered already: done is called once
  const Result reply = std::move(it->second);
  results.erase(it);
  answer(reply, outcome);
  calls->loop->wake();
}

}  // namespace

class DbusService::Adaptor final : public sdbus::AdaptorInterfaces<org::sotto::Messenger1_adaptor> {
 public:
  Adaptor(sdbus::IConnection& connection, api::Handler& handler, DbusEventLoop& loop)
      : AdaptorInterfaces(connection, std::string(api::kDbusObjectPath)),
        handler_(handler),
        pending_(std::make_shared<PendingCalls>(loop)) {
    registerAdaptor();
  }
  ~Adaptor() {
    unregisterAdaptor();
    pending_.reset();  // drops unanswered calls while the connection is still there
  }
  Adaptor(const Adaptor&) = delete;
  Adaptor& operator=(const Adaptor&) = delete;

  void emit(std::string_view event, const VariantMap& data) {
    getObject().emitSignal(std::string(event)).onInterface(std::string(api::kDbusInterface)).withArguments(data);
  }

 private:
  // One line per method of the XML; the compiler insists every one is here
  // (they are pure virtual), and dispatch() checks each against the table.
  void Register(ObjectResult&& r, std::string username, std::string password, std::string invite) override {
    dispatch("Register", std::move(r), username, password, invite);
  }
  void Login(ObjectResult&& r, std::string username, std::string password) override {
    dispatch("Login", std::move(r), username, password);
  }
  void Logout(ObjectResult&& r) override { dispatch("Logout", std::move(r)); }
  void Status(ObjectResult&& r) override { dispatch("Status", std::move(r)); }
  void Send(ObjectResult&& r, std::string peer, std::string text) override {
    dispatch("Send", std::move(r), peer, text);
  }
  void GetMessage(ObjectResult&& r, std::string id) override { dispatch("GetMessage", std::move(r), id); }
  void History(ListResult&& r, std::string peer, std::int64_t limit, std::string before) override {
    dispatch("History", std::move(r), peer, limit, before);
  }
  void Inbox(ListResult&& r) override { dispatch("Inbox", std::move(r)); }
  void MarkRead(ObjectResult&& r, std::string peer) override { dispatch("MarkRead", std::move(r), peer); }
  void Contacts(ListResult&& r) override { dispatch("Contacts", std::move(r)); }
  void Online(ListResult&& r, std::vector<std::string> peers) override { dispatch("Online", std::move(r), peers); }
  void Fingerprint(ObjectResult&& r, std::string peer) override { dispatch("Fingerprint", std::move(r), peer); }
  void Verify(ObjectResult&& r, std::string peer) override { dispatch("Verify", std::move(r), peer); }
  void Export(ObjectResult&& r, std::string peer, std::string format) override {
    dispatch("Export", std::move(r), peer, format);
  }
  void RelayForget(ObjectResult&& r) override { dispatch("RelayForget", std::move(r)); }
  void SendFile(ObjectResult&& r, std::string peer, std::string path, std::string caption) override {
    dispatch("SendFile", std::move(r), peer, path, caption);
  }
  void ListFiles(ListResult&& r, std::string peer) override { dispatch("ListFiles", std::move(r), peer); }
  void SaveFile(ObjectResult&& r, std::string id, std::string output) override {
    dispatch("SaveFile", std::move(r), id, output);
  }
  void CancelTransfer(ObjectResult&& r, std::string id) override { dispatch("CancelTransfer", std::move(r), id); }
  void GroupCreate(ObjectResult&& r, std::string name, std::vector<std::string> members) override {
    dispatch("GroupCreate", std::move(r), name, members);
  }
  void GroupAdd(ObjectResult&& r, std::string group, std::vector<std::string> members) override {
    dispatch("GroupAdd", std::move(r), group, members);
  }
  void GroupRemove(ObjectResult&& r, std::string group, std::vector<std::string> members) override {
    dispatch("GroupRemove", std::move(r), group, members);
  }
  void GroupLeave(ObjectResult&& r, std::string group) override { dispatch("GroupLeave", std::move(r), group); }
  void GroupRename(ObjectResult&& r, std::string group, std::string name) override {
    dispatch("GroupRename", std::move(r), group, name);
  }
  void GroupList(ListResult&& r) override { dispatch("GroupList", std::move(r)); }
  void GroupMembers(ListResult&& r, std::string group) override { dispatch("GroupMembers", std::move(r), group); }
  void GroupSend(ObjectResult&& r, std::string group, std::string text) override {
    dispatch("GroupSend", std::move(r), group, text);
  }
  void Broadcast(ObjectResult&& r, std::string text, bool online_only) override {
    dispatch("Broadcast", std::move(r), text, online_only);
  }

  // Names the typed D-Bus arguments by the table (same order), normalizes
  // them like the socket does, and hands them to the handler.
  template <typename Result, typename... Args>
  void dispatch(std::string_view dbus_name, Result&& result, const Args&... args) {
    const api::MethodSpec* spec = find_by_dbus_name(dbus_name);
    const bool result_matches =
        spec != nullptr && (std::is_same_v<Result, ObjectResult> ? spec->result == api::ResultType::kObject
                                                                 : spec->result == api::ResultType::kObjectList);
    if (!result_matches || spec->params.size() != sizeof...(Args)) {
      answer(result, api::Outcome(api::ApiError(
                         api::ErrorName::kInternal,
                         "msgd's D-Bus interface and method table disagree on " + std::string(dbus_name))));
      return;
    }
    json params = json::object();
    std::size_t i = 0;
    bool types_match = true;
    auto add = [&](const auto& value) {
      const api::ParamSpec& p = spec->params[i++];
      types_match = types_match && p.type == value_type_of<std::decay_t<decltype(value)>>();
      params[std::string(p.name)] = value;
    };
    (add(args), ...);
    (void)add;  // methods without arguments
    if (!types_match) {
      answer(result, api::Outcome(api::ApiError(
                         api::ErrorName::kInternal,
                         "msgd's D-Bus interface and method table disagree on " + std::string(dbus_name))));
      return;
    }
    try {
      params = api::normalize_params(*spec, params);  // the size limits the socket also applies
    } catch (const api::ApiError& e) {
      answer(result, api::Outcome(e));
      return;
    }
    const std::uint64_t id = pending_->next_id++;
    pending_->of<Result>().emplace(id, std::move(result));
    try {
      handler_.call(*spec, std::move(params),
                    [pending = std::weak_ptr<PendingCalls>(pending_), id](api::Outcome outcome) {
                      complete<Result>(pending, id, outcome);
                    });
    } catch (const api::ApiError& e) {
      complete<Result>(pending_, id, api::Outcome(e));
    } catch (const std::exception& e) {
      complete<Result>(pending_, id, api::Outcome(api::ApiError(api::ErrorName::kInternal, e.what())));
    }
  }

  api::Handler& handler_;
  std::shared_ptr<PendingCalls> pending_;
};

DbusService::DbusService(net::asio::io_context& io, std::unique_ptr<sdbus::IConnection> connection,
                         api::Handler& handler)
    : connection_(std::move(connection)), handler_(handler), loop_(io, *connection_, [this](const std::string& reason) {
        if (on_disconnected_) on_disconnected_(reason);
      }) {}

DbusService::~DbusService() { stop(); }

void DbusService::start() {
  if (adaptor_) return;
  adaptor_ = std::make_unique<Adaptor>(*connection_, handler_, loop_);

  // RequestName by hand for its flags: DO_NOT_QUEUE (4), so a second msgd
  // fails now instead of waiting in line to become the owner later.
  constexpr std::uint32_t kDoNotQueue = 4;
  constexpr std::uint32_t kPrimaryOwner = 1, kExists = 3, kAlreadyOwner = 4;
  std::uint32_t answer = 0;
  try {
    auto bus = sdbus::createProxy(*connection_, "org.freedesktop.DBus", "/org/freedesktop/DBus");
    bus->callMethod("RequestName")
        .onInterface("org.freedesktop.DBus")
        .withArguments(std::string(api::kDbusBusName), kDoNotQueue)
        .storeResultsTo(answer);
  } catch (const sdbus::Error& e) {
    adaptor_.reset();
    throw std::runtime_error("cannot own " + std::string(api::kDbusBusName) + " on the session bus: " + e.getMessage());
  }
  if (answer == kExists) {
    adaptor_.reset();
    throw std::runtime_error("another msgd already owns " + std::string(api::kDbusBusName) + " on this session bus");
  }
  if (answer != kPrimaryOwner && answer != kAlreadyOwner) {
    adaptor_.reset();
    throw std::runtime_error("cannot own " + std::string(api::kDbusBusName) +
                             " on the session bus (RequestName answered " + std::to_string(answer) + ")");
  }
  owns_name_ = true;
  loop_.start();
}

void DbusService::stop() {
  adaptor_.reset();
  if (owns_name_) {
    owns_name_ = false;
    try {
      connection_->releaseName(std::string(api::kDbusBusName));
    } catch (const sdbus::Error&) {
      // The connection is gone, and the name with it.
    }
  }
  loop_.stop();
}

void DbusService::publish(std::string_view event, const nlohmann::json& data) {
  if (api::find_event(event) == nullptr) throw std::invalid_argument("unknown event '" + std::string(event) + "'");
  VariantMap map = api::to_variant_map(data);
  if (!adaptor_) return;  // not on the bus (yet): nobody can be listening
  try {
    adaptor_->emit(event, map);
  } catch (const sdbus::Error&) {
    // The bus connection broke; the event loop reports that.
  }
  loop_.wake();
}

void DbusService::on_disconnected(std::function<void(const std::string& reason)> callback) {
  on_disconnected_ = std::move(callback);
}

std::string DbusService::unique_name() const { return connection_->getUniqueName(); }

}  // namespace sotto::msgd
