#include "relayd/auth/address_group.h"

#include <gtest/gtest.h>

#include <string>

namespace sotto::relayd {
namespace {

TEST(SourceGroup, AnIpv4AddressIsItsOwnGroup) {
  EXPECT_EQ(source_group("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(source_group("127.0.0.1"), "127.0.0.1");
  EXPECT_NE(source_group("203.0.113.7"), source_group("203.0.113.8"));
}

TEST(SourceGroup, AnIpv6AddressCountsByItsSlash64Prefix) {
  EXPECT_EQ(source_group("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(source_group("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
  EXPECT_EQ(source_group("2001:0DB8:0001:0002:0000:0000:0000:0abc"), "2001:db8:1:2::/64");
  EXPECT_EQ(source_group("2001:db8:1:3::1"), "2001:db8:1:3::/64");
  EXPECT_EQ(source_group("::1"), "::/64");
}

TEST(SourceGroup, IgnoresBracketsAndZones) {
  EXPECT_EQ(source_group("[2001:db8:1:2::1]"), "2001:db8:1:2::/64");
  EXPECT_EQ(source_group("fe80::1%eth0"), "fe80::/64");
  EXPECT_EQ(source_group("[fe80::2%wlan0]"), "fe80::/64");
}

TEST(SourceGroup, AnIpv4MappedAddressCountsAsTheIpv4Address) {
  EXPECT_EQ(source_group("::ffff:203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(source_group("::ffff:cb00:7107"), "203.0.113.7");
}

TEST(SourceGroup, TextThatIsNoAddressIsReturnedUnchanged) {
  EXPECT_EQ(source_group(""), "");
  EXPECT_EQ(source_group("unix:/run/sotto.sock"), "unix:/run/sotto.sock");
  EXPECT_EQ(source_group("203.0.113.7:7443"), "203.0.113.7:7443");
  EXPECT_EQ(source_group("999.0.0.1"), "999.0.0.1");
  const std::string long_text(500, '1');
  EXPECT_EQ(source_group(long_text), long_text);
}

}  // namespace
}  // namespace sotto::relayd
