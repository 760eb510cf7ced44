#include "lib/config/host_port.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/config/config_error.h"

namespace sotto::config {
namespace {

using ::testing::HasSubstr;

std::string host_port_error_of(std::string_view text, bool allow_names = true) {
  try {
    parse_host_port(text, allow_names);
  } catch (const ValueSyntaxError& e) {
    return e.what();
  }
  return "no error";
}

TEST(HostPort, ParsesIpv4) {
  const HostPort a = parse_host_port("127.0.0.1:7443", false);
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 7443);
  EXPECT_EQ(a.kind, HostKind::ipv4);
  EXPECT_EQ(to_string(a), "127.0.0.1:7443");
  EXPECT_EQ(parse_host_port("0.0.0.0:1", false).port, 1);
  EXPECT_EQ(parse_host_port("0.0.0.0:65535", false).port, 65535);
}

TEST(HostPort, ParsesBracketedIpv6InCanonicalForm) {
  const HostPort a = parse_host_port("[::1]:7443", false);
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.kind, HostKind::ipv6);
  EXPECT_EQ(to_string(a), "[::1]:7443");
  EXPECT_EQ(parse_host_port("[0:0:0:0:0:0:0:1]:7443", false), a);
  EXPECT_EQ(parse_host_port("[2001:DB8::A]:80", false).host, "2001:db8::a");
}

TEST(HostPort, ParsesNamesOnlyWhenAllowed) {
  const HostPort a = parse_host_port("Relay.Example.org:7443", true);
  EXPECT_EQ(a.host, "relay.example.org");
  EXPECT_EQ(a.kind, HostKind::name);
  EXPECT_THAT(host_port_error_of("relay.example.org:7443", false), HasSubstr("an IP address is needed"));
  EXPECT_THAT(host_port_error_of("localhost:7443", false), HasSubstr("an IP address is needed"));
}

TEST(HostPort, RejectsPortZeroAndAbove65535) {
  EXPECT_THAT(host_port_error_of("127.0.0.1:0"), HasSubstr("must be a number from 1 to 65535"));
  EXPECT_THAT(host_port_error_of("127.0.0.1:65536"), HasSubstr("must be a number from 1 to 65535"));
  EXPECT_THAT(host_port_error_of("127.0.0.1:07443"), HasSubstr("must be a number from 1 to 65535"));
  EXPECT_THAT(host_port_error_of("127.0.0.1:http"), HasSubstr("must be a number from 1 to 65535"));
}

TEST(HostPort, RejectsMissingPortOrHost) {
  EXPECT_THAT(host_port_error_of("127.0.0.1"), HasSubstr("(no port)"));
  EXPECT_THAT(host_port_error_of("127.0.0.1:"), HasSubstr("has no port"));
  EXPECT_THAT(host_port_error_of(":7443"), HasSubstr("(no host)"));
  EXPECT_THAT(host_port_error_of("[::1]"), HasSubstr("expected HOST:PORT"));
  EXPECT_THAT(host_port_error_of(""), HasSubstr("expected HOST:PORT"));
}

TEST(HostPort, RejectsIpv6WithoutBracketsOrWithZone) {
  EXPECT_THAT(host_port_error_of("::1:7443"), HasSubstr("in brackets"));
  EXPECT_THAT(host_port_error_of("[fe80::1%eth0]:7443"), HasSubstr("zone index"));
  EXPECT_THAT(host_port_error_of("[::1:7443"), HasSubstr("without a matching ']'"));
  EXPECT_THAT(host_port_error_of("[1::2::3]:7443"), HasSubstr("is not an IPv6 address"));
  EXPECT_THAT(host_port_error_of("[127.0.0.1]:7443"), HasSubstr("is not an IPv6 address"));
}

TEST(HostPort, RejectsMalformedIpv4RatherThanGuessing) {
  for (const char* text : {"127.1:7443", "01.2.3.4:7443", "256.0.0.1:7443", "1.2.3.4.5:7443"}) {
    EXPECT_THAT(host_port_error_of(text), HasSubstr("is not an IPv4 address")) << text;
  }
}

TEST(HostPort, RejectsInvalidNames) {
  for (const char* text : {"-relay:1", "relay-:1", "re_lay:1", "relay..org:1", "relay.org.:1", "r\xc3\xa9lay:1"}) {
    EXPECT_THAT(host_port_error_of(text), HasSubstr("is not a valid host name")) << text;
  }
  EXPECT_THAT(host_port_error_of(std::string(64, 'a') + ".org:1"), HasSubstr("is not a valid host name"));
  EXPECT_EQ(parse_host_port(std::string(63, 'a') + ".org:1", true).host.size(), 67u);
}

TEST(HostPort, KnowsLoopbackAddresses) {
  EXPECT_TRUE(parse_host_port("127.0.0.1:1", false).is_loopback());
  EXPECT_TRUE(parse_host_port("127.255.0.9:1", false).is_loopback());
  EXPECT_TRUE(parse_host_port("[::1]:1", false).is_loopback());
  EXPECT_TRUE(parse_host_port("[::ffff:127.0.0.1]:1", false).is_loopback());
  EXPECT_FALSE(parse_host_port("0.0.0.0:1", false).is_loopback());
  EXPECT_FALSE(parse_host_port("128.0.0.1:1", false).is_loopback());
  EXPECT_FALSE(parse_host_port("[::]:1", false).is_loopback());
  EXPECT_FALSE(parse_host_port("[::ffff:10.0.0.1]:1", false).is_loopback());
  EXPECT_FALSE(parse_host_port("localhost:1", true).is_loopback());
}

}  // namespace
}  // namespace sotto::config
