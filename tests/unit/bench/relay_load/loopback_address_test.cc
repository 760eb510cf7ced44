#include "bench/relay_load/loopback_address.h"

#include <gtest/gtest.h>

namespace sotto::relay_load {
namespace {

TEST(LoopbackAddress, AcceptsEveryAddressInOneTwentySevenSlashEight) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "127.255.255.254", "127.0.0.0"}) {
    const auto address = parse_loopback_address(host);
    ASSERT_TRUE(address.has_value()) << host;
    EXPECT_EQ(address->to_string(), host);
  }
}

TEST(LoopbackAddress, AcceptsIpv6Loopback) {
  const auto address = parse_loopback_address("::1");
  ASSERT_TRUE(address.has_value());
  EXPECT_TRUE(address->is_v6());
  EXPECT_TRUE(address->is_loopback());
}

TEST(LoopbackAddress, TurnsIpv4MappedLoopbackIntoIpv4) {
  const auto address = parse_loopback_address("::ffff:127.0.0.5");
  ASSERT_TRUE(address.has_value());
  EXPECT_TRUE(address->is_v4());
  EXPECT_EQ(address->to_string(), "127.0.0.5");
}

TEST(LoopbackAddress, RefusesAddressesOfOtherMachines) {
  for (const char* host : {"0.0.0.0", "10.0.0.1", "126.255.255.255", "128.0.0.1", "192.168.1.1", "255.255.255.255",
                           "::", "::2", "fe80::1", "2001:db8::1", "::ffff:10.0.0.1"}) {
    EXPECT_FALSE(parse_loopback_address(host).has_value()) << host;
  }
}

TEST(LoopbackAddress, RefusesHostNamesAndMalformedText) {
  for (const char* host : {"localhost", "", "127.0.0.1:7443", "example.com", "127.0.0", " 127.0.0.1"}) {
    EXPECT_FALSE(parse_loopback_address(host).has_value()) << '"' << host << '"';
  }
}

}  // namespace
}  // namespace sotto::relay_load
