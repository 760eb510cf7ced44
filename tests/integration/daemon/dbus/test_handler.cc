#include "tests/integration/daemon/dbus/test_handler.h"

#include <stdexcept>

namespace sotto::msgd::dbus_test {

using nlohmann::json;

nlohmann::json TestHandler::status_object() {
  return json{
      {"username", "alice"},     {"logged_in", true}, {"connected", false}, {"relay", "127.0.0.1:7443"},
      {"relay_fingerprint", ""}, {"outbox", 3},       {"unread", 0},        {"identity_fingerprint", "05ab cd"}};
}

std::vector<TestHandler::Call> TestHandler::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

void TestHandler::call(const api::MethodSpec& method, json params, api::Completion done) {
  {
    std::lock_guard lock(mutex_);
    calls_.push_back({std::string(method.name), params});
  }
  const std::string name(method.name);
  if (name == "status") {
    done(status_object());
  } else if (name == "send") {
    auto timer = std::make_shared<net::asio::steady_timer>(io_, send_delay_);
    timer->async_wait([timer, params, done](const boost::system::error_code&) {
      done(json{{"id", "00112233445566778899aabbccddeeff"},
                {"state", "queued"},
                {"peer", params["peer"]},
                {"text", params["text"]}});
    });
  } else if (name == "register") {
    done(params);
  } else if (name == "history") {
    done(json::array({json{{"peer", params["peer"]}, {"limit", params["limit"]}, {"before", params["before"]}}}));
  } else if (name == "online") {
    json out = json::array();
    for (const auto& peer : params["peers"]) out.push_back(json{{"username", peer}, {"online", true}});
    done(out);
  } else if (name == "inbox") {
    done(json::array());
  } else if (name == "fingerprint") {
    done(json{{"peer", params["peer"]},
              {"safety_number", "123456789012"},
              {"grouped", "12345 67890 12"},
              {"lines", "12345 67890\n12"},
              {"trust", "verified"},
              {"note",
               {{"text",
                 "Gr\xC3\xBC\xC3\x9F"
                 "e \xF0\x9F\x94\x92"},
                {"tags", json::array()}}}});
  } else if (name == "verify") {
    if (auto error = api::error_from_id(params["peer"].get<std::string>())) {
      done(api::ApiError(*error, "the test handler fails with " + params["peer"].get<std::string>()));
    } else {
      done(json{{"username", params["peer"]}, {"trust", "verified"}});
    }
  } else if (name == "mark_read") {
    done(json{{"peer", std::string("nul\0inside", 10)}});
  } else if (name == "contacts") {
    throw std::runtime_error("the test handler broke");
  } else if (name == "export") {
    std::lock_guard lock(mutex_);
    never_completed_.push_back(std::move(done));
  } else {
    done(api::ApiError(api::ErrorName::kNotLoggedIn, "register or login first"));
  }
}

}  // namespace sotto::msgd::dbus_test
