#include "bench/relay_load/load_options.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace sotto::relay_load {
namespace {

ParsedCommandLine parse(std::vector<std::string> args) {
  args.insert(args.begin(), "relay_load");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

TEST(LoadOptions, DefaultsToThirtyTwoClientsOfTwoHundredFiftySixByteEnvelopes) {
  const auto parsed = parse({"--port", "7443"});
  ASSERT_TRUE(parsed.options.has_value()) << parsed.message;
  const auto& o = *parsed.options;
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.address.to_string(), "127.0.0.1");
  EXPECT_EQ(o.port, 7443);
  EXPECT_EQ(o.clients, 32u);
  EXPECT_EQ(o.size, 256u);
  EXPECT_EQ(o.window, 64u);
  EXPECT_EQ(o.rate, 0.0);
  EXPECT_EQ(o.threads, 1u);
  EXPECT_EQ(o.idle, 0u);
  EXPECT_FALSE(o.register_users);
  EXPECT_FALSE(o.json);
  EXPECT_GE(o.password.size(), 8u);
}

TEST(LoadOptions, ReadsEveryOption) {
  const auto parsed = parse({"--host",
                             "::1",
                             "--port",
                             "9000",
                             "--clients",
                             "4",
                             "--messages",
                             "10",
                             "--size",
                             "64",
                             "--rate",
                             "500",
                             "--window",
                             "8",
                             "--password",
                             "correct horse",
                             "--user-prefix",
                             "bench",
                             "--register",
                             "--relayd-pid",
                             "1234",
                             "--metrics-port",
                             "9100",
                             "--duration-limit",
                             "30",
                             "--threads",
                             "2",
                             "--json"});
  ASSERT_TRUE(parsed.options.has_value()) << parsed.message;
  const auto& o = *parsed.options;
  EXPECT_TRUE(o.address.is_v6());
  EXPECT_EQ(o.port, 9000);
  EXPECT_EQ(o.clients, 4u);
  EXPECT_EQ(o.messages, 10u);
  EXPECT_EQ(o.size, 64u);
  EXPECT_EQ(o.rate, 500.0);
  EXPECT_EQ(o.window, 8u);
  EXPECT_EQ(o.password, "correct horse");
  EXPECT_EQ(user_name(o, 3), "bench3");
  EXPECT_TRUE(o.register_users);
  EXPECT_EQ(o.relayd_pid, 1234);
  EXPECT_EQ(o.metrics_port, 9100);
  EXPECT_EQ(o.duration_limit, 30.0);
  EXPECT_EQ(o.threads, 2u);
  EXPECT_TRUE(o.json);
}

TEST(LoadOptions, ReadsIdleModeOptions) {
  const auto parsed =
      parse({"--port", "1", "--idle", "10000", "--handshakes", "100", "--source-addresses", "8", "--hold", "5"});
  ASSERT_TRUE(parsed.options.has_value()) << parsed.message;
  EXPECT_EQ(parsed.options->idle, 10000u);
  EXPECT_EQ(parsed.options->handshakes_in_flight, 100u);
  EXPECT_EQ(parsed.options->source_addresses, 8u);
  EXPECT_EQ(parsed.options->hold_seconds, 5.0);
}

TEST(LoadOptions, RefusesAHostThatIsNotThisMachine) {
  for (const char* host : {"10.1.2.3", "192.168.0.1", "localhost", "0.0.0.0"}) {
    const auto parsed = parse({"--port", "7443", "--host", host});
    EXPECT_FALSE(parsed.options.has_value()) << host;
    EXPECT_EQ(parsed.exit_code, 2);
    EXPECT_NE(parsed.message.find("--host"), std::string::npos) << parsed.message;
  }
}

TEST(LoadOptions, RequiresAPort) {
  const auto parsed = parse({});
  EXPECT_FALSE(parsed.options.has_value());
  EXPECT_EQ(parsed.exit_code, 2);
  EXPECT_NE(parsed.message.find("--port"), std::string::npos) << parsed.message;
}

TEST(LoadOptions, ASecondRelayTakesTheOddClients) {
  const auto parsed = parse({"--port", "7443", "--second-port", "7444"});
  ASSERT_TRUE(parsed.options.has_value()) << parsed.message;
  EXPECT_EQ(parsed.options->second_port, std::optional<std::uint16_t>(7444));
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--port", "7443", "--second-port", "7443"},
                                             {"--port", "7443", "--second-port", "0"},
                                             {"--port", "7443", "--second-port", "7444", "--idle", "10"}}) {
    const auto refused = parse(args);
    EXPECT_FALSE(refused.options.has_value()) << args.back();
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_NE(refused.message.find("--second-port"), std::string::npos) << refused.message;
  }
}

TEST(LoadOptions, EveryUsageErrorExitsWithTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--port", "70000"}, {"--port", "7443", "--clients", "1"}, {"--port", "x"}, {"--port", "7443", "--nope"}}) {
    const auto parsed = parse(args);
    EXPECT_FALSE(parsed.options.has_value()) << args[1];
    EXPECT_EQ(parsed.exit_code, 2) << args.back() << ": " << parsed.message;
  }
}

TEST(LoadOptions, HelpExitsWithSuccessAndNamesTheModes) {
  const auto parsed = parse({"--help"});
  EXPECT_FALSE(parsed.options.has_value());
  EXPECT_EQ(parsed.exit_code, 0);
  EXPECT_NE(parsed.message.find("--idle"), std::string::npos);
  EXPECT_NE(parsed.message.find("--rate"), std::string::npos);
}

TEST(LoadOptions, RefusesAnEnvelopeTooSmallForItsTimeStamp) {
  const auto parsed = parse({"--port", "7443", "--size", "15"});
  EXPECT_FALSE(parsed.options.has_value());
  EXPECT_NE(parsed.message.find("--size"), std::string::npos) << parsed.message;
}

TEST(LoadOptions, RefusesAPrefixThatMakesInvalidUserNames) {
  EXPECT_FALSE(parse({"--port", "7443", "--user-prefix", "bad prefix"}).options.has_value());
  EXPECT_FALSE(parse({"--port", "7443", "--user-prefix", "Load"}).options.has_value());
  EXPECT_FALSE(parse({"--port", "7443", "--user-prefix", "-x"}).options.has_value());
}

TEST(LoadOptions, ChecksTheLongestUserNameAgainstTheLimit) {
  const std::string prefix(31, 'a');  // names up to 32 characters are valid
  EXPECT_TRUE(parse({"--port", "7443", "--user-prefix", prefix, "--clients", "10"}).options.has_value());
  const auto parsed = parse({"--port", "7443", "--user-prefix", prefix, "--clients", "11"});
  EXPECT_FALSE(parsed.options.has_value());
  EXPECT_NE(parsed.message.find(prefix + "10"), std::string::npos) << parsed.message;
}

TEST(LoadOptions, RefusesAPasswordTheRelayWouldRefuse) {
  const auto parsed = parse({"--port", "7443", "--password", "short"});
  EXPECT_FALSE(parsed.options.has_value());
  EXPECT_NE(parsed.message.find("--password"), std::string::npos);
  EXPECT_EQ(parsed.message.find("short"), std::string::npos) << "the password must not be echoed";
}

TEST(LoadOptions, TakesThePasswordFromTheEnvironment) {
  ::setenv("RELAY_LOAD_PASSWORD", "from the environment", 1);
  const auto parsed = parse({"--port", "7443"});
  ::unsetenv("RELAY_LOAD_PASSWORD");
  ASSERT_TRUE(parsed.options.has_value()) << parsed.message;
  EXPECT_EQ(parsed.options->password, "from the environment");
}

TEST(LoadOptions, RefusesOneClientBecauseClientsSendToEachOther) {
  EXPECT_FALSE(parse({"--port", "7443", "--clients", "1"}).options.has_value());
}

TEST(LoadOptions, RefusesSourceAddressesWithAnIpv6Host) {
  const auto parsed = parse({"--port", "7443", "--host", "::1", "--idle", "10", "--source-addresses", "4"});
  EXPECT_FALSE(parsed.options.has_value());
  EXPECT_NE(parsed.message.find("--source-addresses"), std::string::npos);
}

TEST(LoadOptions, RefusesAHoldAsLongAsTheDurationLimit) {
  EXPECT_FALSE(parse({"--port", "7443", "--idle", "10", "--hold", "60", "--duration-limit", "60"}).options);
}

TEST(LoadOptions, RefusesARunTooLargeToTrack) {
  const auto parsed = parse({"--port", "7443", "--clients", "10000", "--messages", "10000"});
  EXPECT_FALSE(parsed.options.has_value());
  EXPECT_NE(parsed.message.find("--messages"), std::string::npos) << parsed.message;
}

}  // namespace
}  // namespace sotto::relay_load
