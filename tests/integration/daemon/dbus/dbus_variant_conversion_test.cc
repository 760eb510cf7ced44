#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "lib/api/dbus/variant_conversion.h"

namespace sotto::api {
namespace {

using nlohmann::json;

json round_trip(const json& object) { return to_json(to_variant_map(object)); }

TEST(DbusVariant, ScalarsTakeTheDocumentedSignatures) {
  EXPECT_EQ(to_variant(json("hi")).peekValueType(), "s");
  EXPECT_EQ(to_variant(json(-5)).peekValueType(), "x");
  EXPECT_EQ(to_variant(json(5u)).peekValueType(), "x");
  EXPECT_EQ(to_variant(json(std::numeric_limits<std::uint64_t>::max())).peekValueType(), "t");
  EXPECT_EQ(to_variant(json(true)).peekValueType(), "b");
  EXPECT_EQ(to_variant(json(1.5)).peekValueType(), "d");
  EXPECT_EQ(to_variant(json::object()).peekValueType(), "a{sv}");
  EXPECT_EQ(to_variant(json::array({"a", "b"})).peekValueType(), "as");
  EXPECT_EQ(to_variant(json::array()).peekValueType(), "as");
  EXPECT_EQ(to_variant(json::array({json::object(), json{{"a", 1}}})).peekValueType(), "aa{sv}");
  EXPECT_EQ(to_variant(json::array({1, -2})).peekValueType(), "ax");
  EXPECT_EQ(to_variant(json::array({true, false})).peekValueType(), "ab");
  EXPECT_EQ(to_variant(json::array({1, 2.5})).peekValueType(), "ad");
  EXPECT_EQ(to_variant(json::array({1, "a"})).peekValueType(), "av");
  EXPECT_EQ(to_variant(json::array({json::array({"a"}), json::array()})).peekValueType(), "av");
}

TEST(DbusVariant, ScalarsRoundTrip) {
  const json object{{"s", "text"},
                    {"neg", std::numeric_limits<std::int64_t>::min()},
                    {"max", std::numeric_limits<std::int64_t>::max()},
                    {"big", std::numeric_limits<std::uint64_t>::max()},
                    {"zero", 0},
                    {"t", true},
                    {"f", false},
                    {"d", -0.25}};
  const json back = round_trip(object);
  EXPECT_EQ(back, object);
  EXPECT_TRUE(back["big"].is_number_unsigned());
  EXPECT_EQ(back["big"].get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
}

TEST(DbusVariant, NestedValuesRoundTrip) {
  const json object = json::parse(R"({
    "message": {"id": "00112233445566778899aabbccddeeff", "peer": "bob", "sent_at": 1700000000000,
                "identity_warning": false, "meta": {"deep": {"deeper": [{"x": 1}, {"y": "z"}]}}},
    "peers": ["alice", "bob"],
    "counts": [1, 2, 3],
    "flags": [true, false],
    "ratios": [0.5, 1.25],
    "mixed": [1, "a", true, {"k": "v"}, ["nested", "list"], [1, 2]],
    "list": [{"a": 1}, {"b": [{"c": []}]}]
  })");
  EXPECT_EQ(round_trip(object), object);
}

TEST(DbusVariant, EmptyContainersRoundTrip) {
  EXPECT_TRUE(to_variant_map(json::object()).empty());
  EXPECT_EQ(to_json(VariantMap{}), json::object());
  const json object{{"empty_object", json::object()}, {"empty_list", json::array()}, {"empty_string", ""}};
  EXPECT_EQ(round_trip(object), object);
  EXPECT_EQ(to_json(to_variant_map_list(json::array())), json::array());
  const json lists = json::array({json::object(), json{{"a", json::array()}}});
  EXPECT_EQ(to_json(to_variant_map_list(lists)), lists);
}

TEST(DbusVariant, UnicodeKeysAndValuesRoundTrip) {
  const json object{{"text", "h\xC3\xA9llo \xF0\x9F\x91\x8B \xE6\x97\xA5\xE6\x9C\xAC"},
                    {"\xC3\xBC\x62\x65r", "\xE2\x82\xAC"},
                    {"list", {"\xF0\x9F\x98\x80", "\xEF\xBF\xBD", "\xF4\x8F\xBF\xBD"}}};
  EXPECT_EQ(round_trip(object), object);
}

TEST(DbusVariant, NoncharactersTravelAsReplacementCharacters) {
  // A peer can put U+FFFF in a message; sd-bus would refuse the whole reply.
  EXPECT_EQ(to_dbus_string("a\xEF\xBF\xBF"
                           "b\xEF\xB7\x90"
                           "c\xF4\x8F\xBF\xBE"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c\xEF\xBF\xBD");
  EXPECT_EQ(to_dbus_string("plain \xC3\xA9"), "plain \xC3\xA9");
  EXPECT_EQ(round_trip(json{{"text", "x\xEF\xBF\xBE"}, {"k\xEF\xBF\xBF", {"\xEF\xB7\xAF"}}}),
            (json{{"text", "x\xEF\xBF\xBD"}, {"k\xEF\xBF\xBD", {"\xEF\xBF\xBD"}}}));
  EXPECT_THROW(to_dbus_string(std::string("\0", 1)), std::invalid_argument);
  EXPECT_THROW(to_dbus_string("\xC3"), std::invalid_argument);
}

TEST(DbusVariant, NullMeansAbsent) {
  const json object{{"gone", nullptr}, {"kept", 1}, {"list", {nullptr, "x", nullptr}}, {"inner", {{"n", nullptr}}}};
  EXPECT_EQ(round_trip(object), (json{{"kept", 1}, {"list", {"x"}}, {"inner", json::object()}}));
  EXPECT_THROW(to_variant(json(nullptr)), std::invalid_argument);
}

TEST(DbusVariant, RefusesWhatDbusCannotCarry) {
  // A NUL would be cut off silently by the C string sd-bus takes; invalid
  // UTF-8 is refused by the bus. Neither may pass as something else.
  EXPECT_THROW(to_variant(json(std::string("a\0b", 3))), std::invalid_argument);
  EXPECT_THROW(to_variant_map(json{{std::string("k\0", 2), 1}}), std::invalid_argument);
  for (const std::string bad : {"\xFF", "\xC0\xAF", "\xED\xA0\x80", "\xE2\x82", "\x80", "\xF4\x90\x80\x80", "ok\xC3"}) {
    EXPECT_FALSE(is_dbus_string(bad)) << ::testing::PrintToString(bad);
    EXPECT_THROW(to_variant(json(bad)), std::invalid_argument);
    EXPECT_THROW(to_variant(json::array({"fine", bad})), std::invalid_argument);
    EXPECT_THROW(to_variant_map(json{{bad, 1}}), std::invalid_argument);
  }
}

TEST(DbusVariant, OwnUtf8CheckAgreesWithSdBus) {
  // is_dbus_string decides up front what sd-bus would refuse deep inside a
  // reply; check the two agree on edge cases.
  const std::string cases[] = {"",
                               "plain",
                               "\xC2\x80",
                               "\xDF\xBF",
                               "\xE0\xA0\x80",
                               "\xEF\xBF\xBF",
                               "\xEF\xB7\x90",
                               "\xF0\x90\x80\x80",
                               "\xF4\x8F\xBF\xBF",
                               "\xFF",
                               "\xC0\x80",
                               "\xC1\xBF",
                               "\xE0\x9F\xBF",
                               "\xED\x9F\xBF",
                               "\xED\xA0\x80",
                               "\xED\xBF\xBF",
                               "\xF0\x8F\xBF\xBF",
                               "\xF4\x90\x80\x80",
                               "\xF8\x88\x80\x80\x80",
                               "\xC3",
                               "\xE2\x82",
                               "\x80\x80"};
  for (const auto& s : cases) {
    bool sdbus_accepts = true;
    try {
      sdbus::Variant v(s);
      (void)v;
    } catch (const sdbus::Error&) {
      sdbus_accepts = false;
    }
    EXPECT_EQ(is_dbus_string(s), sdbus_accepts) << ::testing::PrintToString(s);
  }
}

json nested_object(std::size_t depth) {
  json value = "leaf";
  for (std::size_t i = 0; i < depth; ++i) {
    json outer = json::object();
    outer["n"] = std::move(value);
    value = std::move(outer);
  }
  return value;
}

json nested_array(std::size_t depth) {
  json value = 1;
  for (std::size_t i = 0; i < depth; ++i) {
    json outer = json::array();
    outer.push_back(std::move(value));
    outer.push_back("x");
    value = std::move(outer);
  }
  return value;
}

TEST(DbusVariant, DepthIsBoundedBothWays) {
  EXPECT_EQ(round_trip(nested_object(kMaxVariantDepth)), nested_object(kMaxVariantDepth));
  EXPECT_THROW(to_variant_map(nested_object(kMaxVariantDepth + 1)), std::invalid_argument);
  EXPECT_THROW(to_variant_map(nested_object(100000)), std::invalid_argument);
  EXPECT_THROW(to_variant(nested_array(100000)), std::invalid_argument);
  EXPECT_EQ(to_json(to_variant(nested_array(kMaxVariantDepth))), nested_array(kMaxVariantDepth));
  EXPECT_THROW(to_variant(nested_array(kMaxVariantDepth + 1)), std::invalid_argument);

  // A variant built by hand (as a peer on the bus could send) deeper than the limit.
  sdbus::Variant deep(std::string("leaf"));
  for (std::size_t i = 0; i < kMaxVariantDepth + 8; ++i) deep = sdbus::Variant(VariantMap{{"n", deep}});
  EXPECT_THROW(to_json(deep), std::invalid_argument);
  sdbus::Variant deep_list(std::string("leaf"));
  for (std::size_t i = 0; i < kMaxVariantDepth + 8; ++i)
    deep_list = sdbus::Variant(std::vector<sdbus::Variant>{deep_list});
  EXPECT_THROW(to_json(deep_list), std::invalid_argument);
}

TEST(DbusVariant, ForeignSignaturesFromTheBus) {
  EXPECT_EQ(to_json(sdbus::Variant(std::int32_t{-7})), json(-7));
  EXPECT_EQ(to_json(sdbus::Variant(std::uint32_t{7})), json(7));
  EXPECT_EQ(to_json(sdbus::Variant(std::uint8_t{255})), json(255));
  EXPECT_EQ(to_json(sdbus::Variant(std::int16_t{-300})), json(-300));
  EXPECT_EQ(to_json(sdbus::Variant(std::uint16_t{300})), json(300));
  EXPECT_EQ(to_json(sdbus::Variant(sdbus::ObjectPath("/a/b"))), json("/a/b"));
  EXPECT_EQ(to_json(sdbus::Variant(sdbus::Signature("a{sv}"))), json("a{sv}"));
  EXPECT_EQ(to_json(sdbus::Variant(std::vector<std::int32_t>{1, -1})), json::array({1, -1}));
  EXPECT_EQ(to_json(sdbus::Variant(std::vector<std::uint64_t>{1})), json::array({1}));
  // No JSON form here: structs, other dictionaries, arrays of arrays of numbers.
  EXPECT_THROW(to_json(sdbus::Variant(sdbus::Struct<std::int32_t, std::string>(1, "a"))), std::invalid_argument);
  EXPECT_THROW(to_json(sdbus::Variant(std::map<std::string, std::string>{{"a", "b"}})), std::invalid_argument);
  EXPECT_THROW(to_json(sdbus::Variant(std::vector<std::vector<std::int32_t>>{{1}})), std::invalid_argument);
  EXPECT_THROW(to_json(sdbus::Variant(std::vector<std::uint8_t>{1, 2})), std::invalid_argument);
}

TEST(DbusVariant, RefusesWrongShapes) {
  EXPECT_THROW(to_variant_map(json::array()), std::invalid_argument);
  EXPECT_THROW(to_variant_map(json("x")), std::invalid_argument);
  EXPECT_THROW(to_variant_map(json(nullptr)), std::invalid_argument);
  EXPECT_THROW(to_variant_map_list(json::object()), std::invalid_argument);
  EXPECT_THROW(to_variant_map_list(json::array({json::object(), 1})), std::invalid_argument);
  EXPECT_THROW(to_variant(json::binary({1, 2, 3})), std::invalid_argument);
}

TEST(DbusVariant, LargeValuesRoundTrip) {
  json object{{"text", std::string(1 << 20, 'x')}, {"list", json::array()}, {"items", json::array()}};
  for (int i = 0; i < 10000; ++i) object["list"].push_back("item" + std::to_string(i));
  for (int i = 0; i < 1000; ++i) object["items"].push_back(json{{"i", i}});
  EXPECT_EQ(round_trip(object), object);
}

}  // namespace
}  // namespace sotto::api
