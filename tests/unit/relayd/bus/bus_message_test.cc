#include "relayd/bus/bus_message.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

// Named, so that a unity build can hold these helpers next to another file's.
namespace sotto::relayd::bus_message_test {
namespace {

using namespace std::string_literals;

std::string refused(const std::string& bytes) {
  const ParseResult<BusMessage> result = decode_bus_message(bytes);
  EXPECT_FALSE(result.ok()) << bytes;
  return result.error();
}

BusMessage decoded(const std::string& bytes) {
  const ParseResult<BusMessage> result = decode_bus_message(bytes);
  EXPECT_TRUE(result.ok()) << result.error();
  return result.ok() ? result.value() : BusMessage{};
}

constexpr std::int64_t kMaxId = std::numeric_limits<std::int64_t>::max();

TEST(BusMessage, EncodesTheDocumentedExample) {
  const BusMessage message{"relay-2", {{"bob", 17}, {"carol", 4}}};
  EXPECT_EQ(encode_bus_message(message), "sotto-wake 1 relay-2 2\nbob 17\ncarol 4\n");
  EXPECT_EQ(decoded("sotto-wake 1 relay-2 2\nbob 17\ncarol 4\n"), message);
}

TEST(BusMessage, RoundTripsTheLimits) {
  BusMessage message{std::string(kMaxNodeIdChars, 'n'), {}};
  const std::string longest_name(wire::kMaxUsernameChars, 'z');
  for (std::size_t i = 0; i < kMaxWakesPerBusMessage; ++i) {
    message.wakes.push_back(Wake{longest_name, kMaxId - static_cast<std::int64_t>(i)});
  }
  const std::string bytes = encode_bus_message(message);
  EXPECT_LE(bytes.size(), kMaxBusMessageBytes);
  EXPECT_EQ(decoded(bytes), message);
  EXPECT_EQ(decoded("sotto-wake 1 0 1\nabc 1\n"), (BusMessage{"0", {{"abc", 1}}}));
  EXPECT_EQ(decoded("sotto-wake 1 a.b_c-d 1\n1a- 9223372036854775807\n"), (BusMessage{"a.b_c-d", {{"1a-", kMaxId}}}));
}

TEST(BusMessage, EncoderRefusesWhatTheDecoderWould) {
  EXPECT_THROW(encode_bus_message({"", {{"bob", 1}}}), std::invalid_argument);
  EXPECT_THROW(encode_bus_message({"Node", {{"bob", 1}}}), std::invalid_argument);
  EXPECT_THROW(encode_bus_message({"n", {}}), std::invalid_argument);
  EXPECT_THROW(encode_bus_message({"n", {{"Bob", 1}}}), std::invalid_argument);
  EXPECT_THROW(encode_bus_message({"n", {{"bob", 0}}}), std::invalid_argument);
  EXPECT_THROW(encode_bus_message({"n", {{"bob", -5}}}), std::invalid_argument);
  EXPECT_THROW(encode_bus_message({"n", std::vector<Wake>(kMaxWakesPerBusMessage + 1, Wake{"bob", 1})}),
               std::invalid_argument);
}

TEST(BusMessage, RefusesTruncatedMessages) {
  const std::string whole = "sotto-wake 1 relay-2 2\nbob 17\ncarol 4\n";
  for (std::size_t size = 0; size < whole.size(); ++size) refused(whole.substr(0, size));
  EXPECT_NE(refused("sotto-wake 1 relay-2 2\nbob 17\n").find("ends after 1 of 2"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 relay-2 2").find("header"), std::string::npos);
}

TEST(BusMessage, RefusesOversizedMessagesBeforeReadingThem) {
  const std::string huge = "sotto-wake 1 n 1\nbob 1\n" + std::string(kMaxBusMessageBytes, 'x');
  EXPECT_NE(refused(huge).find("longer than 262144 bytes"), std::string::npos);
}

TEST(BusMessage, RefusesOtherVersionsAndHeaders) {
  EXPECT_NE(refused("sotto-wake 2 n 1\nbob 1\n").find("unsupported version"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 01 n 1\nbob 1\n").find("unsupported version"), std::string::npos);
  EXPECT_NE(refused("sotto-wake  1 n 1\nbob 1\n").find("4 fields"), std::string::npos);
  EXPECT_NE(refused("SOTTO-WAKE 1 n 1\nbob 1\n").find("sotto-wake"), std::string::npos);
  EXPECT_NE(refused("sotto-wakes 1 n 1\nbob 1\n").find("sotto-wake"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n\nbob 1\n").find("4 fields"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n 1 x\nbob 1\n").find("4 fields"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n 1 \nbob 1\n").find("4 fields"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n 1\r\nbob 1\r\n").find("wake count"), std::string::npos);
  EXPECT_NE(refused("{\"node\":\"n\"}").find("header"), std::string::npos);
}

TEST(BusMessage, RefusesBadNodeIds) {
  EXPECT_NE(refused("sotto-wake 1  1\nbob 1\n").find("node id is empty"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 Node 1\nbob 1\n").find("node id"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 -n 1\nbob 1\n").find("node id"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n/1 1\nbob 1\n").find("node id"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 " + std::string(kMaxNodeIdChars + 1, 'n') + " 1\nbob 1\n").find("longer"),
            std::string::npos);
}

TEST(BusMessage, RefusesWrongWakeCounts) {
  EXPECT_NE(refused("sotto-wake 1 n 0\n").find("wake count"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n 4097\n").find("wake count"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n 99999999999999999999999\n").find("wake count"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n -1\n").find("wake count"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n 01\nbob 1\n").find("wake count"), std::string::npos);
  // More wakes than the limit, even with a count that claims fewer.
  std::string many = "sotto-wake 1 n 4096\n";
  for (int i = 0; i < 4097; ++i) many += "bob 1\n";
  EXPECT_NE(refused(many).find("after the last wake line"), std::string::npos);
}

TEST(BusMessage, RefusesNonCanonicalAndInvalidUsernames) {
  const auto recipient_error = [](const std::string& name) { return refused("sotto-wake 1 n 1\n" + name + " 1\n"); };
  EXPECT_NE(recipient_error("Bob").find("canonical"), std::string::npos);
  EXPECT_NE(recipient_error("bO").find("shorter"), std::string::npos);
  EXPECT_NE(recipient_error("").find("empty"), std::string::npos);
  EXPECT_NE(recipient_error("ab").find("shorter"), std::string::npos);
  EXPECT_NE(recipient_error(std::string(wire::kMaxUsernameChars + 1, 'a')).find("longer"), std::string::npos);
  EXPECT_NE(recipient_error("_bob").find("start with"), std::string::npos);
  EXPECT_NE(recipient_error("b\xc3\xb6"
                            "b")
                .find("non-ASCII"),
            std::string::npos);
  EXPECT_NE(recipient_error("bo/b").find("'/'"), std::string::npos);
  EXPECT_NE(recipient_error("bob\t").find("control"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n 1\nbob  1\n").find("line 2"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n 1\n bob 1\n").find("line 2"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n 1\nbob\n").find("one space"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n 1\nbob 1 2\n").find("one space"), std::string::npos);
}

TEST(BusMessage, RefusesDeliveryIdsOutsideOneToInt64Max) {
  for (const std::string& id : {"0"s, "-1"s, "+1"s, "01"s, ""s, "1.0"s, "0x10"s, "1e3"s, "9223372036854775808"s,
                                "18446744073709551616"s, "99999999999999999999999999"s, " 1"s}) {
    const std::string error = refused("sotto-wake 1 n 2\nbob 1\ncarol " + id + "\n");
    EXPECT_NE(error.find("line 3: "), std::string::npos) << id << ": " << error;
  }
}

TEST(BusMessage, RefusesTrailingGarbage) {
  EXPECT_NE(refused("sotto-wake 1 n 1\nbob 1\nx").find("1 bytes after"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n 1\nbob 1\n\n").find("after the last wake line"), std::string::npos);
  EXPECT_NE(refused("sotto-wake 1 n 1\nbob 1\ncarol 2\n").find("after the last wake line"), std::string::npos);
}

TEST(BusMessage, RefusesNulBytesAnywhere) {
  const std::string whole = "sotto-wake 1 relay-2 2\nbob 17\ncarol 4\n";
  for (std::size_t i = 0; i <= whole.size(); ++i) {
    std::string bytes = whole;
    bytes.insert(i, 1, '\0');
    refused(bytes);
    if (i < whole.size()) {
      bytes = whole;
      bytes[i] = '\0';
      refused(bytes);
    }
  }
}

TEST(BusMessage, ReasonsNeverRepeatHostileBytes) {
  const std::string error = refused("sotto-wake 1 n 1\n\x1b]0;pwned\x07 1\n");
  EXPECT_EQ(error.find("pwned"), std::string::npos) << error;
  for (const char c : error) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << error;
}

}  // namespace
}  // namespace sotto::relayd::bus_message_test
