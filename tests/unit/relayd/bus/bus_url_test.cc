#include "relayd/bus/bus_url.h"

#include <gtest/gtest.h>

#include <string>

// Named, so that a unity build can hold these helpers next to another file's.
namespace sotto::relayd::bus_url_test {
namespace {

BusUrl tcp(std::string host, std::uint16_t port, int database = 0) {
  BusUrl url;
  url.kind = BusUrl::Kind::tcp;
  url.host = std::move(host);
  url.port = port;
  url.database = database;
  return url;
}

BusUrl unix_socket(std::string path) {
  BusUrl url;
  url.kind = BusUrl::Kind::unix_socket;
  url.path = std::move(path);
  return url;
}

BusUrl accepted(std::string_view text) {
  const BusUrlResult result = parse_bus_url(text);
  EXPECT_TRUE(result.ok()) << text << ": " << result.error();
  return result.ok() ? result.value() : BusUrl{};
}

std::string refused(std::string_view text) {
  const BusUrlResult result = parse_bus_url(text);
  EXPECT_FALSE(result.ok()) << text;
  return result.error();
}

TEST(BusUrl, AcceptsHostsPortsAndDatabases) {
  EXPECT_EQ(accepted("redis://127.0.0.1:6380"), tcp("127.0.0.1", 6380));
  EXPECT_EQ(accepted("redis://127.0.0.1"), tcp("127.0.0.1", 6379));
  EXPECT_EQ(accepted("redis://Redis.Example.org:1/3"), tcp("redis.example.org", 1, 3));
  EXPECT_EQ(accepted("redis://localhost/0"), tcp("localhost", 6379, 0));
  EXPECT_EQ(accepted("redis://[::1]:65535/15"), tcp("::1", 65535, 15));
  EXPECT_EQ(accepted("redis://[0:0::1]"), tcp("::1", 6379));
}

TEST(BusUrl, AcceptsBothSpellingsOfUnixSockets) {
  EXPECT_EQ(accepted("redis+unix:///run/redis/redis-server.sock"), unix_socket("/run/redis/redis-server.sock"));
  EXPECT_EQ(accepted("unix:///tmp/r.sock"), unix_socket("/tmp/r.sock"));
}

TEST(BusUrl, PrintsACanonicalFormThatParsesBack) {
  for (const std::string_view text :
       {"redis://127.0.0.1:6380", "redis://[::1]:6379/2", "redis://relay-bus.internal:6379", "unix:///run/r.sock"}) {
    const BusUrl url = accepted(text);
    EXPECT_EQ(accepted(to_string(url)), url) << text;
  }
  EXPECT_EQ(to_string(accepted("redis://[::1]/2")), "redis://[::1]:6379/2");
  EXPECT_EQ(to_string(accepted("unix:///run/r.sock")), "redis+unix:///run/r.sock");
}

TEST(BusUrl, RefusesMalformedUrlsWithAReason) {
  EXPECT_NE(refused("").find("empty"), std::string::npos);
  EXPECT_NE(refused("127.0.0.1:6379").find("expected redis://"), std::string::npos);
  EXPECT_NE(refused("REDIS://host").find("unsupported scheme"), std::string::npos);
  EXPECT_NE(refused("rediss://host").find("unsupported scheme"), std::string::npos);
  EXPECT_NE(refused("http://host").find("unsupported scheme"), std::string::npos);
  EXPECT_NE(refused("redis://").find("no host"), std::string::npos);
  EXPECT_NE(refused("redis:///0").find("no host"), std::string::npos);
  EXPECT_NE(refused("redis://host:").find("port"), std::string::npos);
  EXPECT_NE(refused("redis://host:0").find("1 to 65535"), std::string::npos);
  EXPECT_NE(refused("redis://host:65536").find("1 to 65535"), std::string::npos);
  EXPECT_NE(refused("redis://host:+80").find("1 to 65535"), std::string::npos);
  EXPECT_NE(refused("redis://host:0080").find("1 to 65535"), std::string::npos);
  EXPECT_NE(refused("redis://host/").find("database number"), std::string::npos);
  EXPECT_NE(refused("redis://host/-1").find("database"), std::string::npos);
  EXPECT_NE(refused("redis://host/01").find("database"), std::string::npos);
  EXPECT_NE(refused("redis://host/1/2").find("database"), std::string::npos);
  EXPECT_NE(refused("redis://host/99999999999999999999").find("database"), std::string::npos);
  EXPECT_NE(refused("redis://::1:6379").find("brackets"), std::string::npos);
  EXPECT_NE(refused("redis://[::1").find("']'"), std::string::npos);
  EXPECT_NE(refused("redis://[fe80::1%25eth0]:6379").find("'%'"), std::string::npos);
  EXPECT_NE(refused("redis://256.1.1.1").find("IPv4"), std::string::npos);
  EXPECT_NE(refused("redis://-bad-.example").find("host name"), std::string::npos);
  EXPECT_NE(refused("redis://host?db=1").find("query"), std::string::npos);
  EXPECT_NE(refused("redis://host#x").find("fragment"), std::string::npos);
  EXPECT_NE(refused("unix://host/run/r.sock").find("no host"), std::string::npos);
  EXPECT_NE(refused("unix://run/r.sock").find("three slashes"), std::string::npos);
  EXPECT_NE(refused("unix:///").find("directory"), std::string::npos);
  EXPECT_NE(refused("unix:///run/").find("directory"), std::string::npos);
  EXPECT_NE(refused("unix:///run/r.sock?db=2").find("query"), std::string::npos);
}

TEST(BusUrl, RefusesCredentialsWithoutRepeatingThem) {
  for (const std::string_view text : {"redis://:hunter2@127.0.0.1:6379", "redis://user:hunter2@host/0",
                                      "redis://hunter2@host", "unix:///hunter2@/r.sock"}) {
    const std::string error = refused(text);
    EXPECT_NE(error.find("credentials"), std::string::npos) << error;
    EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  }
}

TEST(BusUrl, RefusesOversizedValuesWithoutQuotingThem) {
  const std::string huge = "redis://" + std::string(kMaxBusUrlBytes, 'a');
  const std::string error = refused(huge);
  EXPECT_NE(error.find("longer than 1024 bytes"), std::string::npos) << error;
  EXPECT_LT(error.size(), 100u);
  EXPECT_NE(refused("unix:///" + std::string(kMaxUnixSocketPathBytes, 'a')).find("longer than 107"), std::string::npos);
  EXPECT_EQ(accepted("unix:///" + std::string(kMaxUnixSocketPathBytes - 1, 'a')).path.size(), kMaxUnixSocketPathBytes);
  // A name of 254 characters is longer than DNS allows.
  std::string long_name;
  for (int i = 0; i < 50; ++i) long_name += "abcd.";
  long_name += "abcd";
  EXPECT_NE(refused("redis://" + long_name).find("host name"), std::string::npos);
}

TEST(BusUrl, RefusesHostileBytesWithoutEchoingThem) {
  using namespace std::string_literals;
  for (const std::string& text : {"redis://host\n:6379"s, "redis://ho st"s, "redis://host\0:6379"s,
                                  "redis://h\xc3\xa9st"s, "redis://host\x1b[31m"s, " redis://host"s, "redis://host\r"s,
                                  "redis://host:6379\t"s, "unix:///run/r\x7f.sock"s}) {
    const std::string error = refused(text);
    EXPECT_NE(error.find("at position"), std::string::npos) << error;
    for (const char c : error) {
      EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "error holds byte " << static_cast<int>(c) << ": " << error;
    }
  }
  EXPECT_NE(refused("redis://h%65st").find("percent"), std::string::npos);
}

}  // namespace
}  // namespace sotto::relayd::bus_url_test
