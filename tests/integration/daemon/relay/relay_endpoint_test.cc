#include "daemon/relay/relay_endpoint.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sotto::msgd {
namespace {

TEST(RelayEndpointTest, ParsesHostAndPort) {
  EXPECT_EQ(parse_relay_endpoint("relay.example.org:8443"), (RelayEndpoint{"relay.example.org", 8443}));
  EXPECT_EQ(parse_relay_endpoint("127.0.0.1:7443"), (RelayEndpoint{"127.0.0.1", 7443}));
  EXPECT_EQ(parse_relay_endpoint("localhost:1"), (RelayEndpoint{"localhost", 1}));
  EXPECT_EQ(parse_relay_endpoint("a-b.c:65535"), (RelayEndpoint{"a-b.c", 65535}));
  EXPECT_EQ(parse_relay_endpoint("relay.example.org.:443"), (RelayEndpoint{"relay.example.org.", 443}));
}

TEST(RelayEndpointTest, DefaultsToPort7443) {
  EXPECT_EQ(parse_relay_endpoint("relay.example.org"), (RelayEndpoint{"relay.example.org", 7443}));
  EXPECT_EQ(parse_relay_endpoint("[::1]"), (RelayEndpoint{"::1", 7443}));
}

TEST(RelayEndpointTest, ParsesBracketedIpv6) {
  EXPECT_EQ(parse_relay_endpoint("[::1]:9000"), (RelayEndpoint{"::1", 9000}));
  EXPECT_EQ(parse_relay_endpoint("[2001:db8::42]:7443"), (RelayEndpoint{"2001:db8::42", 7443}));
  EXPECT_EQ(parse_relay_endpoint("[fe80::1%eth0]:7443"), (RelayEndpoint{"fe80::1%eth0", 7443}));
}

TEST(RelayEndpointTest, ToStringRoundTrips) {
  for (const char* text : {"relay.example.org:7443", "127.0.0.1:1", "[::1]:9000", "[2001:db8::42]:7443"}) {
    EXPECT_EQ(parse_relay_endpoint(text).to_string(), text);
  }
  EXPECT_EQ((RelayEndpoint{"::1", 7443}).to_string(), "[::1]:7443");
  EXPECT_EQ(parse_relay_endpoint("host").to_string(), "host:7443");
}

void expect_refused(const std::string& text, const std::string& problem) {
  try {
    (void)parse_relay_endpoint(text);
    ADD_FAILURE() << "accepted: " << text;
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("relay address"), std::string::npos) << what;
    EXPECT_NE(what.find(problem), std::string::npos) << "for input \"" << text << "\": " << what;
  }
}

TEST(RelayEndpointTest, RefusesBadInputNamingTheProblem) {
  expect_refused("", "empty");
  expect_refused(":7443", "host is empty");
  expect_refused("host:", "port after ':' is empty");
  expect_refused("host:0", "1 to 65535");
  expect_refused("host:65536", "1 to 65535");
  expect_refused("host:99999999999999999999", "1 to 65535");
  expect_refused("host:-1", "1 to 65535");
  expect_refused("host:+1", "1 to 65535");
  expect_refused("host:0x10", "1 to 65535");
  expect_refused("host: 80", "1 to 65535");
  expect_refused("::1", "brackets");
  expect_refused("fe80::1:7443", "brackets");
  expect_refused("[::1", "closing ']'");
  expect_refused("[::1]7443", "after ']'");
  expect_refused("[]:7443", "no IPv6 address");
  expect_refused("[not-an-address]:7443", "not an IPv6 address");
  expect_refused("[127.0.0.1]:7443", "not an IPv6 address");
  expect_refused(std::string("[::1\0junk]:7443", 15), "not an IPv6 address");
  expect_refused("[fe80::1%]:7443", "zone");
  expect_refused("[fe80::1%a b]:7443", "zone");
  expect_refused("host name:7443", "only letters");
  expect_refused("host_name:7443", "only letters");
  expect_refused("-host:7443", "begins or ends with '-'");
  expect_refused("host-:7443", "begins or ends with '-'");
  expect_refused("a..b:7443", "empty label");
  expect_refused(".a:7443", "empty label");
  expect_refused(".", "empty label");
  expect_refused(std::string(64, 'a') + ".org", "longer than 63");
  expect_refused(std::string("ho\0st", 5), "only letters");
  expect_refused("h\xc3\xa9llo.org", "only letters");
  expect_refused("user@host:7443", "only letters");
  expect_refused("https://host:7443", "brackets");
}

TEST(RelayEndpointTest, RefusesOverlongNamesWithoutEchoingThemWhole) {
  std::string name;
  while (name.size() < 300) name += "abcdefghij.";
  name += "org";
  try {
    (void)parse_relay_endpoint(name);
    FAIL() << "accepted a " << name.size() << "-character name";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("longer than 253"), std::string::npos) << what;
    EXPECT_LT(what.size(), 250U) << "the message repeats the whole input";
  }
  EXPECT_THROW((void)parse_relay_endpoint(std::string(1 << 20, 'a')), std::invalid_argument);
  EXPECT_THROW((void)parse_relay_endpoint("[" + std::string(1000, ':') + "]"), std::invalid_argument);
}

TEST(RelayEndpointTest, ErrorMessagesEscapeControlCharacters) {
  try {
    (void)parse_relay_endpoint("evil\nmsgd: event=forged:7443");
    FAIL() << "accepted a newline";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_NE(what.find("\\x0a"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace sotto::msgd
