// DbusService (msgd's adaptor) and api::connect_dbus (the frontends' client)
// against each other on a real private dbus-daemon.

#include <gtest/gtest.h>
#include <sdbus-c++/sdbus-c++.h>
#include <stdlib.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "daemon/dbus/dbus_service.h"
#include "lib/api/client.h"
#include "lib/api/dbus/dbus_names.h"
#include "lib/api/method_table.h"
#include "tests/integration/daemon/dbus/test_handler.h"
#include "tests/integration/support/dbus_session.h"

namespace sotto::msgd {
namespace {

namespace asio = net::asio;
namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class MsgdDbus : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "sotto-dbus-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    bus_ = std::make_unique<sotto::testing::DbusSession>(dir_);
    bus_->export_to_environment();
  }

  void TearDown() override {
    stop_msgd();
    bus_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // msgd's side: the service on its own io thread, like msgd's main loop.
  void start_msgd() {
    handler_ = std::make_unique<dbus_test::TestHandler>(io_);
    service_ = std::make_unique<DbusService>(io_, sdbus::createSessionBusConnection(), *handler_);
    service_->on_disconnected([this](const std::string&) { disconnected_ = true; });
    service_->start();
    work_.emplace(io_.get_executor());
    io_thread_ = std::thread([this] { io_.run(); });
  }

  void stop_msgd() {
    if (!io_thread_.joinable()) return;
    on_io([this] { service_.reset(); });
    work_.reset();
    io_.stop();
    io_thread_.join();
    handler_.reset();
  }

  // Runs f on the io thread and waits for it.
  template <typename F>
  void on_io(F f) {
    std::promise<void> done;
    asio::post(io_, [&] {
      try {
        f();
        done.set_value();
      } catch (...) {
        done.set_exception(std::current_exception());
      }
    });
    done.get_future().get();
  }

  void publish(const std::string& event, const json& data) {
    on_io([&] { service_->publish(event, data); });
  }

  fs::path dir_;
  std::unique_ptr<sotto::testing::DbusSession> bus_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread io_thread_;
  std::unique_ptr<dbus_test::TestHandler> handler_;
  std::unique_ptr<DbusService> service_;
  std::atomic<bool> disconnected_ = false;
};

template <typename F>
api::ErrorName api_error_of(F f) {
  try {
    f();
  } catch (const api::ApiError& e) {
    return e.name();
  }
  ADD_FAILURE() << "no ApiError";
  return api::ErrorName::kInternal;
}

TEST_F(MsgdDbus, StatusAnswersWithTheHandlersObject) {
  start_msgd();
  auto client = api::connect_dbus(milliseconds(5000));
  EXPECT_EQ(client->call("status"), dbus_test::TestHandler::status_object());
  ASSERT_EQ(handler_->calls().size(), 1u);
  EXPECT_EQ(handler_->calls()[0].method, "status");
  EXPECT_EQ(handler_->calls()[0].params, json::object());
}

TEST_F(MsgdDbus, SendIsAnsweredWhenTheHandlerCompletesLater) {
  start_msgd();
  auto client = api::connect_dbus(milliseconds(5000));
  const auto start = Clock::now();
  const json result = client->call("send", {{"peer", "bob"}, {"text", "hi"}});
  EXPECT_GE(Clock::now() - start, milliseconds(140));
  EXPECT_EQ(result,
            (json{{"id", "00112233445566778899aabbccddeeff"}, {"state", "queued"}, {"peer", "bob"}, {"text", "hi"}}));
  EXPECT_EQ(handler_->calls().at(0).params, (json{{"peer", "bob"}, {"text", "hi"}}));
}

TEST_F(MsgdDbus, ASlowCallDoesNotHoldUpOthers) {
  start_msgd();
  auto slow = std::async(std::launch::async, [] {
    auto client = api::connect_dbus(milliseconds(5000));
    return client->call("send", {{"peer", "bob"}, {"text", "slow"}});
  });
  // Wait until the slow call reached the handler, then a fast one must pass it.
  const auto deadline = Clock::now() + milliseconds(3000);
  while (handler_->calls().empty() && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(5));
  ASSERT_EQ(handler_->calls().size(), 1u);
  auto client = api::connect_dbus(milliseconds(5000));
  EXPECT_EQ(client->call("status")["username"], "alice");
  EXPECT_EQ(slow.wait_for(milliseconds(0)), std::future_status::timeout) << "status waited for send";
  EXPECT_EQ(slow.get()["text"], "slow");
}

TEST_F(MsgdDbus, ArgumentsTravelInTableOrderWithDefaults) {
  start_msgd();
  auto client = api::connect_dbus(milliseconds(5000));
  EXPECT_EQ(client->call("register", {{"username", "alice"}, {"password", "pw"}}),
            (json{{"username", "alice"}, {"password", "pw"}, {"invite", ""}}));
  EXPECT_EQ(client->call("history", {{"peer", "bob"}, {"limit", 7}, {"before", "ff"}}),
            json::array({json{{"peer", "bob"}, {"limit", 7}, {"before", "ff"}}}));
  EXPECT_EQ(client->call("history", {{"peer", "bob"}}),
            json::array({json{{"peer", "bob"}, {"limit", 0}, {"before", ""}}}));
  EXPECT_EQ(client->call("online", {{"peers", {"bob", "carol"}}}),
            json::array({json{{"username", "bob"}, {"online", true}}, json{{"username", "carol"}, {"online", true}}}));
  EXPECT_EQ(client->call("online"), json::array());
  EXPECT_EQ(client->call("inbox"), json::array());
}

TEST_F(MsgdDbus, UnicodeTravelsBothWays) {
  start_msgd();
  auto client = api::connect_dbus(milliseconds(5000));
  const std::string text = "h\xC3\xA9llo \xF0\x9F\x91\x8B \xE6\x97\xA5\xE6\x9C\xAC";
  EXPECT_EQ(client->call("send", {{"peer",
                                   "b\xC3\xB6"
                                   "b"},
                                  {"text", text}})["text"],
            text);
  const json fp = client->call("fingerprint", {{"peer", "bob"}});
  EXPECT_EQ(fp["note"], (json{{"text",
                               "Gr\xC3\xBC\xC3\x9F"
                               "e \xF0\x9F\x94\x92"},
                              {"tags", json::array()}}));
  EXPECT_EQ(fp["lines"], "12345 67890\n12");
}

TEST_F(MsgdDbus, EveryErrorArrivesUnderItsOwnName) {
  start_msgd();
  auto client = api::connect_dbus(milliseconds(5000));
  for (const auto& error : api::error_table()) {
    SCOPED_TRACE(std::string(error.id));
    try {
      client->call("verify", {{"peer", std::string(error.id)}});
      ADD_FAILURE() << "no error";
    } catch (const api::ApiError& e) {
      EXPECT_EQ(e.name(), error.name);
      EXPECT_EQ(std::string(e.what()), "the test handler fails with " + std::string(error.id));
    }
  }
  EXPECT_EQ(client->call("verify", {{"peer", "bob"}})["trust"], "verified");
  EXPECT_EQ(api_error_of([&] { client->call("logout"); }), api::ErrorName::kNotLoggedIn);
}

TEST_F(MsgdDbus, InvalidParamsAreRefusedBeforeTheBus) {
  start_msgd();
  auto client = api::connect_dbus(milliseconds(5000));
  EXPECT_EQ(api_error_of([&] { client->call("send", {{"peer", "bob"}}); }), api::ErrorName::kInvalidParams);
  EXPECT_EQ(api_error_of([&] {
              client->call("send", {{"peer", "bob"}, {"text", 5}});
            }),
            api::ErrorName::kInvalidParams);
  EXPECT_EQ(api_error_of([&] {
              client->call("send", {{"peer", "bob"}, {"text", "x"}, {"extra", 1}});
            }),
            api::ErrorName::kInvalidParams);
  EXPECT_EQ(api_error_of([&] { client->call("status", json::array()); }), api::ErrorName::kInvalidParams);
  EXPECT_EQ(api_error_of([&] {
              client->call("send", {{"peer", "bob"}, {"text", std::string(70000, 'x')}});
            }),
            api::ErrorName::kInvalidParams);
  EXPECT_EQ(api_error_of([&] {
              client->call("send", {{"peer", "bob"}, {"text", std::string("a\0b", 3)}});
            }),
            api::ErrorName::kInvalidParams);
  EXPECT_EQ(api_error_of([&] {
              client->call("send", {{"peer", "bob"}, {"text", "\xFF"}});
            }),
            api::ErrorName::kInvalidParams);
  EXPECT_EQ(api_error_of([&] { client->call("no_such_method"); }), api::ErrorName::kUnknownMethod);
  EXPECT_TRUE(handler_->calls().empty()) << "an invalid call reached msgd";
}

TEST_F(MsgdDbus, HandlerFailuresBecomeInternal) {
  start_msgd();
  auto client = api::connect_dbus(milliseconds(5000));
  EXPECT_EQ(api_error_of([&] { client->call("mark_read", {{"peer", "bob"}}); }), api::ErrorName::kInternal);
  EXPECT_EQ(api_error_of([&] { client->call("contacts"); }), api::ErrorName::kInternal);
  EXPECT_EQ(client->call("status")["username"], "alice") << "msgd still serves";
}

TEST_F(MsgdDbus, ServiceCheckedParamsToo) {
  // A raw D-Bus caller bypasses the client's checks; msgd applies the same limits.
  start_msgd();
  auto connection = sdbus::createSessionBusConnection();
  auto proxy = sdbus::createProxy(*connection, std::string(api::kDbusBusName), std::string(api::kDbusObjectPath));
  std::map<std::string, sdbus::Variant> result;
  try {
    proxy->callMethod("Send")
        .onInterface(std::string(api::kDbusInterface))
        .withArguments(std::string("bob"), std::string(api::kMaxStringParam + 1, 'x'))
        .storeResultsTo(result);
    ADD_FAILURE() << "no error";
  } catch (const sdbus::Error& e) {
    EXPECT_EQ(e.getName(), "org.sotto.Messenger1.Error.InvalidParams");
  }
  try {
    proxy->callMethod("Send")
        .onInterface(std::string(api::kDbusInterface))
        .withArguments(std::string("bob"))
        .storeResultsTo(result);
    ADD_FAILURE() << "no error";
  } catch (const sdbus::Error& e) {
    EXPECT_EQ(e.getName(), "org.freedesktop.DBus.Error.InvalidArgs");
  }
  EXPECT_TRUE(handler_->calls().empty());
}

TEST_F(MsgdDbus, SignalsArriveInOrder) {
  start_msgd();
  auto client = api::connect_dbus(milliseconds(5000));
  client->subscribe();
  const json message{{"id", "ab"},
                     {"peer", "bob"},
                     {"direction", "in"},
                     {"text", "hi \xF0\x9F\x91\x8B"},
                     {"sent_at", 1700000000000},
                     {"identity_warning", false}};
  publish("MessageReceived", message);
  publish("DeliveryChanged", {{"id", "ab"}, {"peer", "bob"}, {"state", "delivered"}});
  publish("ConnectionChanged", {{"connected", false}, {"relay", "127.0.0.1:7443"}, {"reason", "closed"}});
  publish("IdentityChanged", {{"peer", "bob"}, {"fingerprint", "05 ab"}});
  const std::array<std::string, 4> names{"MessageReceived", "DeliveryChanged", "ConnectionChanged", "IdentityChanged"};
  for (const auto& name : names) {
    auto event = client->next_event(milliseconds(3000));
    ASSERT_TRUE(event.has_value()) << name;
    EXPECT_EQ(event->name, name);
    if (name == "MessageReceived") {
      EXPECT_EQ(event->data, message);
    }
  }
  const auto start = Clock::now();
  EXPECT_FALSE(client->next_event(milliseconds(200)).has_value());
  EXPECT_GE(Clock::now() - start, milliseconds(190));
  EXPECT_LT(Clock::now() - start, milliseconds(1500));
}

TEST_F(MsgdDbus, EventsDuringACallAreKept) {
  start_msgd();
  auto client = api::connect_dbus(milliseconds(5000));
  EXPECT_EQ(client->call("subscribe"), (json{{"subscribed", true}}));
  publish("DeliveryChanged", {{"id", "1"}, {"peer", "bob"}, {"state", "sent"}});
  EXPECT_EQ(client->call("send", {{"peer", "bob"}, {"text", "x"}})["state"], "queued");
  publish("DeliveryChanged", {{"id", "2"}, {"peer", "bob"}, {"state", "sent"}});
  auto first = client->next_event(milliseconds(3000));
  auto second = client->next_event(milliseconds(3000));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->data["id"], "1");
  EXPECT_EQ(second->data["id"], "2");
}

TEST_F(MsgdDbus, ForgedSignalsFromOthersAreIgnored) {
  start_msgd();
  auto client = api::connect_dbus(milliseconds(5000));
  client->subscribe();
  // Another bus client emits a signal that looks like msgd's.
  auto forger = sdbus::createSessionBusConnection();
  auto object = sdbus::createObject(*forger, std::string(api::kDbusObjectPath));
  object->registerSignal("MessageReceived")
      .onInterface(std::string(api::kDbusInterface))
      .withParameters<std::map<std::string, sdbus::Variant>>("data");
  object->finishRegistration();
  object->emitSignal("MessageReceived")
      .onInterface(std::string(api::kDbusInterface))
      .withArguments(std::map<std::string, sdbus::Variant>{{"text", sdbus::Variant(std::string("forged"))}});
  publish("IdentityChanged", {{"peer", "bob"}, {"fingerprint", "05"}});
  auto event = client->next_event(milliseconds(3000));
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->name, "IdentityChanged");
  EXPECT_FALSE(client->next_event(milliseconds(200)).has_value());
}

TEST_F(MsgdDbus, PublishRefusesUnknownEventsAndNonObjects) {
  start_msgd();
  EXPECT_THROW(publish("NoSuchEvent", json::object()), std::invalid_argument);
  EXPECT_THROW(publish("MessageReceived", json::array()), std::invalid_argument);
}

TEST_F(MsgdDbus, SecondMsgdOnTheSameBusFailsClearly) {
  start_msgd();
  dbus_test::TestHandler handler(io_);
  asio::io_context other_io;
  DbusService second(other_io, sdbus::createSessionBusConnection(), handler);
  try {
    second.start();
    FAIL() << "a second msgd claimed the name";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "another msgd already owns org.sotto.Messenger1 on this session bus");
  }
  auto client = api::connect_dbus(milliseconds(5000));
  EXPECT_EQ(client->call("status")["username"], "alice") << "the first msgd still serves";
}

TEST_F(MsgdDbus, TheNameIsFreeAgainAfterStop) {
  start_msgd();
  stop_msgd();
  asio::io_context io;
  dbus_test::TestHandler handler(io);
  DbusService again(io, sdbus::createSessionBusConnection(), handler);
  EXPECT_NO_THROW(again.start());
}

std::string run(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe.get())) out.append(buf, n);
  return out;
}

TEST_F(MsgdDbus, IntrospectionListsEveryMethodAndSignal) {
  start_msgd();
  const std::string out =
      run("gdbus introspect --session --dest org.sotto.Messenger1 --object-path /org/sotto/Messenger1 2>&1");
  ASSERT_NE(out.find("interface org.sotto.Messenger1"), std::string::npos) << out;
  for (const auto& method : api::method_table()) {
    if (method.dbus_name.empty()) continue;
    EXPECT_NE(out.find(std::string(method.dbus_name) + "("), std::string::npos) << method.dbus_name << "\n" << out;
  }
  for (const auto& event : api::event_table()) {
    EXPECT_NE(out.find(std::string(event.name) + "(a{sv} data)"), std::string::npos) << event.name << "\n" << out;
  }
  EXPECT_NE(out.find("Send(in  s peer,"), std::string::npos) << out;
}

TEST_F(MsgdDbus, NoMsgdMeansTransportErrorQuickly) {
  auto client = api::connect_dbus(milliseconds(5000));
  const auto start = Clock::now();
  try {
    client->call("status");
    FAIL() << "a call without msgd succeeded";
  } catch (const api::TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("msgd is not running on the session bus"), std::string::npos) << e.what();
  }
  EXPECT_THROW(client->subscribe(), api::TransportError);
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
}

TEST_F(MsgdDbus, NoSessionBusMeansTransportError) {
  ::setenv("DBUS_SESSION_BUS_ADDRESS", ("unix:path=" + (dir_ / "nothing-here").string()).c_str(), 1);
  EXPECT_THROW(
      {
        auto client = api::connect_dbus(milliseconds(1000));
        client->call("status");
      },
      api::TransportError);
}

TEST_F(MsgdDbus, AHandlerThatNeverAnswersTimesOut) {
  start_msgd();
  auto client = api::connect_dbus(milliseconds(500));
  const auto start = Clock::now();
  EXPECT_EQ(api_error_of([&] { client->call("export", {{"peer", "bob"}}); }), api::ErrorName::kTimeout);
  EXPECT_GE(Clock::now() - start, milliseconds(450));
  EXPECT_LT(Clock::now() - start, milliseconds(1500));
  EXPECT_EQ(client->call("status")["username"], "alice") << "the client works after a timeout";
}

TEST_F(MsgdDbus, MsgdLeavingEndsTheEventStream) {
  start_msgd();
  auto client = api::connect_dbus(milliseconds(5000));
  client->subscribe();
  publish("ConnectionChanged", {{"connected", true}, {"relay", "r"}, {"reason", ""}});
  on_io([this] { service_->stop(); });
  auto event = client->next_event(milliseconds(3000));
  ASSERT_TRUE(event.has_value()) << "events sent before leaving still arrive";
  EXPECT_EQ(event->name, "ConnectionChanged");
  EXPECT_THROW(client->next_event(milliseconds(3000)), api::TransportError);
  EXPECT_THROW(client->call("status"), api::TransportError);
}

TEST_F(MsgdDbus, MsgdLearnsWhenTheBusGoesAway) {
  start_msgd();
  bus_->kill();
  const auto deadline = Clock::now() + milliseconds(3000);
  while (!disconnected_ && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_TRUE(disconnected_);
}

}  // namespace
}  // namespace sotto::msgd
