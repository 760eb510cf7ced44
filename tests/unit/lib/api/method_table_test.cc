#include "lib/api/method_table.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <set>
#include <string>

#include "lib/api/api_error.h"

namespace sotto::api {
namespace {

using nlohmann::json;

const MethodSpec& method(std::string_view name) {
  const MethodSpec* m = find_method(name);
  if (m == nullptr) throw std::runtime_error("no method " + std::string(name));
  return *m;
}

// The ApiError normalize_params throws, or a failure when it did not throw.
ApiError rejection(std::string_view name, const json& params) {
  try {
    normalize_params(method(name), params);
  } catch (const ApiError& e) {
    return e;
  }
  ADD_FAILURE() << name << " accepted " << params.dump();
  return ApiError(ErrorName::kInternal, "accepted");
}

TEST(MethodTable, NamesAreUniqueAndEveryMethodButSubscribeHasADbusName) {
  std::set<std::string_view> names;
  std::set<std::string_view> dbus_names;
  for (const MethodSpec& m : method_table()) {
    EXPECT_TRUE(names.insert(m.name).second) << "duplicate method " << m.name;
    for (char c : m.name) EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)) || c == '_') << m.name;
    if (m.name == "subscribe") {
      EXPECT_TRUE(m.dbus_name.empty());
    } else {
      ASSERT_FALSE(m.dbus_name.empty()) << m.name;
      EXPECT_TRUE(std::isupper(static_cast<unsigned char>(m.dbus_name.front()))) << m.dbus_name;
      EXPECT_TRUE(dbus_names.insert(m.dbus_name).second) << "duplicate D-Bus name " << m.dbus_name;
    }
    EXPECT_FALSE(m.summary.empty()) << m.name;
    std::set<std::string_view> params;
    for (const ParamSpec& p : m.params) EXPECT_TRUE(params.insert(p.name).second) << m.name << "." << p.name;
    EXPECT_EQ(find_method(m.name), &m);
  }
  EXPECT_TRUE(names.contains("subscribe"));
  EXPECT_TRUE(names.contains("send"));
}

TEST(MethodTable, FindMethodRefusesUnknownAndNearMisses) {
  EXPECT_EQ(find_method(""), nullptr);
  EXPECT_EQ(find_method("Send"), nullptr);  // the D-Bus name is not a JSON-RPC name
  EXPECT_EQ(find_method("send "), nullptr);
  EXPECT_EQ(find_method(std::string_view("send\0x", 6)), nullptr);
  EXPECT_EQ(find_method(std::string(100000, 'a')), nullptr);
}

TEST(MethodTable, EventsAreUniqueAndFound) {
  std::set<std::string_view> names;
  for (const EventSpec& e : event_table()) {
    EXPECT_TRUE(names.insert(e.name).second) << e.name;
    EXPECT_EQ(find_event(e.name), &e);
  }
  for (const char* expected : {"MessageReceived", "DeliveryChanged", "ConnectionChanged", "IdentityChanged"}) {
    EXPECT_NE(find_event(expected), nullptr) << expected;
  }
  EXPECT_EQ(find_event("messagereceived"), nullptr);
}

TEST(MethodTable, SignaturesMatchTheDocumentedDbusTypes) {
  EXPECT_EQ(dbus_signature(ValueType::kString), "s");
  EXPECT_EQ(dbus_signature(ValueType::kInt64), "x");
  EXPECT_EQ(dbus_signature(ValueType::kBool), "b");
  EXPECT_EQ(dbus_signature(ValueType::kStringList), "as");
  EXPECT_EQ(dbus_signature(ResultType::kObject), "a{sv}");
  EXPECT_EQ(dbus_signature(ResultType::kObjectList), "aa{sv}");
}

TEST(NormalizeParams, AcceptsTheRightTypesAndKeepsValues) {
  EXPECT_EQ(normalize_params(method("send"), {{"peer", "bob"}, {"text", "hi"}}),
            json({{"peer", "bob"}, {"text", "hi"}}));
  EXPECT_EQ(normalize_params(method("history"), {{"peer", "bob"}, {"limit", 20}, {"before", "ab"}}),
            json({{"peer", "bob"}, {"limit", 20}, {"before", "ab"}}));
  EXPECT_EQ(normalize_params(method("online"), {{"peers", {"a", "b"}}}), json({{"peers", {"a", "b"}}}));
  EXPECT_EQ(normalize_params(method("history"), {{"peer", "b"}, {"limit", INT64_MAX}})["limit"], INT64_MAX);
  EXPECT_EQ(normalize_params(method("history"), {{"peer", "b"}, {"limit", -1}})["limit"],
            -1);  // range is the service's
}

TEST(NormalizeParams, FillsEveryAbsentOptionalWithItsDefault) {
  EXPECT_EQ(normalize_params(method("register"), {{"username", "a"}, {"password", "p"}}),
            json({{"username", "a"}, {"password", "p"}, {"invite", ""}}));
  EXPECT_EQ(normalize_params(method("history"), {{"peer", "bob"}}),
            json({{"peer", "bob"}, {"limit", 0}, {"before", ""}}));
  EXPECT_EQ(normalize_params(method("online"), json::object()), json({{"peers", json::array()}}));
  // "" stands for the documented default ("json"): D-Bus has no absent arguments either.
  EXPECT_EQ(normalize_params(method("export"), {{"peer", "bob"}}), json({{"peer", "bob"}, {"format", ""}}));
  EXPECT_EQ(normalize_params(method("status"), nullptr), json::object());
  EXPECT_EQ(normalize_params(method("status"), json::object()), json::object());
}

TEST(NormalizeParams, RefusesMissingRequiredNamingIt) {
  const ApiError e = rejection("send", {{"peer", "bob"}});
  EXPECT_EQ(e.name(), ErrorName::kInvalidParams);
  EXPECT_NE(std::string(e.what()).find("'text'"), std::string::npos) << e.what();
  EXPECT_EQ(rejection("login", json::object()).name(), ErrorName::kInvalidParams);
  EXPECT_EQ(rejection("login", nullptr).name(), ErrorName::kInvalidParams);
}

TEST(NormalizeParams, RefusesUnknownMembersNamingThem) {
  const ApiError e = rejection("status", {{"verbose", true}});
  EXPECT_EQ(e.name(), ErrorName::kInvalidParams);
  EXPECT_NE(std::string(e.what()).find("'verbose'"), std::string::npos) << e.what();
  EXPECT_EQ(rejection("send", {{"peer", "b"}, {"text", "t"}, {"Text", "t"}}).name(), ErrorName::kInvalidParams);
}

TEST(NormalizeParams, RefusesWrongTypes) {
  for (const json& bad : {json(1), json(true), json(nullptr), json::array({"a"}), json::object(), json(1.5)}) {
    const ApiError e = rejection("send", {{"peer", bad}, {"text", "t"}});
    EXPECT_EQ(e.name(), ErrorName::kInvalidParams) << bad.dump();
    EXPECT_NE(std::string(e.what()).find("'peer'"), std::string::npos) << e.what();
  }
  for (const json& bad : {json("5"), json(1.5), json(true), json(nullptr), json(UINT64_MAX)}) {
    EXPECT_EQ(rejection("history", {{"peer", "b"}, {"limit", bad}}).name(), ErrorName::kInvalidParams) << bad.dump();
  }
  for (const json& bad : {json("a"), json::array({"a", 1}), json::array({json::array({"a"})}), json::object()}) {
    EXPECT_EQ(rejection("online", {{"peers", bad}}).name(), ErrorName::kInvalidParams) << bad.dump();
  }
}

TEST(NormalizeParams, RefusesParamsThatAreNotAnObject) {
  for (const json& bad : {json::array({"bob", "hi"}), json("bob"), json(1), json(true)}) {
    EXPECT_EQ(rejection("send", bad).name(), ErrorName::kInvalidParams) << bad.dump();
  }
}

TEST(NormalizeParams, RefusesHugeStringsAndLists) {
  const std::string at_limit(kMaxStringParam, 'x');
  EXPECT_NO_THROW(normalize_params(method("send"), {{"peer", "bob"}, {"text", at_limit}}));
  const ApiError e = rejection("send", {{"peer", "bob"}, {"text", at_limit + "x"}});
  EXPECT_EQ(e.name(), ErrorName::kInvalidParams);
  EXPECT_NE(std::string(e.what()).find("'text'"), std::string::npos);
  EXPECT_EQ(rejection("online", {{"peers", json::array({at_limit + "x"})}}).name(), ErrorName::kInvalidParams);
  EXPECT_EQ(rejection("online", {{"peers", json(std::vector<std::string>(1025, "a"))}}).name(),
            ErrorName::kInvalidParams);
  EXPECT_NO_THROW(normalize_params(method("online"), {{"peers", json(std::vector<std::string>(1024, "a"))}}));
}

}  // namespace
}  // namespace sotto::api
