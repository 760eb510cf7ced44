#include "relayd/config/relay_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <string>

#include "tests/unit/lib/config/config_error_capture.h"

namespace sotto::relayd {
namespace {

using config::ConfigError;
using config::HostKind;
using config::HostPort;
using config::Location;
using config::testing::capture_config_error;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr hours kDay{24};

ConfigError relay_error(std::string_view text) {
  return capture_config_error([&] { parse_relay_config(text, "relayd.yaml"); });
}

// A file that sets every key to something other than its default.
constexpr std::string_view kEveryKeyChanged = R"(listen:
  - 127.0.0.1:8443
  - "[::]:8443"
state_dir: /srv/relayd
store: postgresql://relayd@db.example.org:5432/sotto
bus: redis://10.0.0.7:6379
cluster:
  pool_size: 16
  poll_interval: 250ms
  presence_ttl: 1m
io_threads: 4
tls:
  certificate: /etc/sotto/relay.crt
  private_key: /etc/sotto/relay.key
limits:
  max_frame_size: 2MiB
  auth_timeout: 5s
  idle_timeout: 2m
  max_unauthenticated: 500
  max_unauthenticated_per_address: 8
  max_connections: 5000
accounts:
  registration: invite
  token_lifetime: 30d
  argon2:
    memory_kib: 65536
    iterations: 3
    parallelism: 2
rate_limits:
  login_per_account: {rate: 3, per: 10s, burst: 2}
  login_per_address: {rate: 100, per: 1h, burst: 50}
  register_per_address: {rate: 1, per: 1d, burst: 1}
queue:
  ttl: 7d
  max_ttl: 14d
  max_envelopes_per_user: 500
  max_bytes_per_user: 10MiB
  max_recipients: 50
blobs:
  dir: /mnt/shared/sotto-blobs
  max_size: 10MiB
  quota_per_user: 100MiB
  ttl: 2d
  upload_window: 90m
commit:
  max_delay: 0ms
  max_batch: 64
presence: nobody
metrics:
  listen: "[::1]:9100"
prekeys:
  low_mark: 0
log:
  level: debug
)";

TEST(RelayConfig, EmptyFileGivesTheBuiltInDefaults) {
  const RelayConfig c = parse_relay_config("", "relayd.yaml");
  EXPECT_EQ(c, RelayConfig{});
  ASSERT_EQ(c.listen.size(), 1u);
  EXPECT_EQ(config::to_string(c.listen[0]), "0.0.0.0:7443");
  EXPECT_EQ(c.state_dir, "/var/lib/relayd");
  EXPECT_TRUE(c.tls.generate_self_signed());
  EXPECT_EQ(c.limits.max_frame_size, 1u << 20);
  EXPECT_EQ(c.limits.auth_timeout, seconds(10));
  EXPECT_EQ(c.accounts.registration, RegistrationMode::open);
  EXPECT_EQ(c.accounts.token_lifetime, 90 * kDay);
  EXPECT_EQ(c.accounts.argon2.memory_kib, 19456u);
  EXPECT_EQ(c.rate_limits.login_per_account, (RateLimitSetting{10, minutes(1), 5}));
  EXPECT_EQ(c.queue.ttl, 30 * kDay);
  EXPECT_EQ(c.blobs.quota_per_user, 1u << 30);
  EXPECT_EQ(c.blobs.ttl, 30 * kDay);
  EXPECT_EQ(c.blobs.upload_window, hours(24));
  EXPECT_EQ(c.commit.max_delay, milliseconds(2));
  EXPECT_EQ(c.presence, PresenceVisibility::everyone);
  EXPECT_FALSE(c.metrics.listen);
  EXPECT_EQ(c.prekeys.low_mark, 20u);
  EXPECT_EQ(c.log.level, LogLevel::info);
}

TEST(RelayConfig, CommentsOnlyFileGivesTheBuiltInDefaults) {
  EXPECT_EQ(parse_relay_config("# nothing here yet\n", "relayd.yaml"), RelayConfig{});
}

TEST(RelayConfig, ExampleFileHoldsExactlyTheBuiltInDefaults) {
  EXPECT_EQ(load_relay_config(SOTTO_EXAMPLE_RELAYD_YAML), RelayConfig{});
}

TEST(RelayConfig, ExampleFileSpellsOutEverySetting) {
  const LoadedRelayConfig loaded = read_relay_config(config::load_document(SOTTO_EXAMPLE_RELAYD_YAML));
  ASSERT_FALSE(loaded.sources.empty());
  for (const config::ValueSource& source : loaded.sources) {
    EXPECT_TRUE(source.where) << source.key_path << " is missing from config/relayd.yaml";
  }
}

TEST(RelayConfig, ReportsWhereEachSettingCameFrom) {
  const LoadedRelayConfig loaded =
      read_relay_config(config::parse_document("limits:\n  auth_timeout: 5s\n", "relayd.yaml"));
  bool saw_auth_timeout = false;
  for (const config::ValueSource& source : loaded.sources) {
    if (source.key_path == "limits.auth_timeout") {
      saw_auth_timeout = true;
      EXPECT_EQ(source.where, (Location{"relayd.yaml", 2, 17}));
    } else {
      EXPECT_FALSE(source.where) << source.key_path;
    }
  }
  EXPECT_TRUE(saw_auth_timeout);
}

TEST(RelayConfig, ReadsAFileThatChangesEverySetting) {
  const RelayConfig c = parse_relay_config(kEveryKeyChanged, "relayd.yaml");
  ASSERT_EQ(c.listen.size(), 2u);
  EXPECT_EQ(c.listen[0], (HostPort{"127.0.0.1", 8443, HostKind::ipv4}));
  EXPECT_EQ(c.listen[1], (HostPort{"::", 8443, HostKind::ipv6}));
  EXPECT_EQ(c.state_dir, "/srv/relayd");
  EXPECT_EQ(c.store, "postgresql://relayd@db.example.org:5432/sotto");
  EXPECT_EQ(c.bus, "redis://10.0.0.7:6379");
  EXPECT_EQ(c.cluster, (ClusterConfig{16, milliseconds(250), minutes(1)}));
  EXPECT_EQ(c.io_threads, 4u);
  EXPECT_EQ(c.tls.certificate, "/etc/sotto/relay.crt");
  EXPECT_EQ(c.tls.private_key, "/etc/sotto/relay.key");
  EXPECT_FALSE(c.tls.generate_self_signed());
  EXPECT_EQ(c.limits.max_frame_size, 2u << 20);
  EXPECT_EQ(c.limits.auth_timeout, seconds(5));
  EXPECT_EQ(c.limits.idle_timeout, minutes(2));
  EXPECT_EQ(c.limits.max_unauthenticated, 500u);
  EXPECT_EQ(c.limits.max_unauthenticated_per_address, 8u);
  EXPECT_EQ(c.limits.max_connections, 5000u);
  EXPECT_EQ(c.accounts.registration, RegistrationMode::invite);
  EXPECT_EQ(c.accounts.token_lifetime, 30 * kDay);
  EXPECT_EQ(c.accounts.argon2, (Argon2Config{65536, 3, 2}));
  EXPECT_EQ(c.rate_limits.login_per_account, (RateLimitSetting{3, seconds(10), 2}));
  EXPECT_EQ(c.rate_limits.login_per_address, (RateLimitSetting{100, hours(1), 50}));
  EXPECT_EQ(c.rate_limits.register_per_address, (RateLimitSetting{1, kDay, 1}));
  EXPECT_EQ(c.queue.ttl, 7 * kDay);
  EXPECT_EQ(c.queue.max_ttl, 14 * kDay);
  EXPECT_EQ(c.queue.max_envelopes_per_user, 500u);
  EXPECT_EQ(c.queue.max_bytes_per_user, 10u << 20);
  EXPECT_EQ(c.queue.max_recipients, 50u);
  EXPECT_EQ(c.blobs.dir, "/mnt/shared/sotto-blobs");
  EXPECT_EQ(c.blobs.max_size, 10u << 20);
  EXPECT_EQ(c.blobs.quota_per_user, 100u << 20);
  EXPECT_EQ(c.blobs.ttl, 2 * kDay);
  EXPECT_EQ(c.blobs.upload_window, minutes(90));
  EXPECT_EQ(c.commit.max_delay, milliseconds(0));
  EXPECT_EQ(c.commit.max_batch, 64u);
  EXPECT_EQ(c.presence, PresenceVisibility::nobody);
  ASSERT_TRUE(c.metrics.listen);
  EXPECT_EQ(config::to_string(*c.metrics.listen), "[::1]:9100");
  EXPECT_EQ(c.prekeys.low_mark, 0u);
  EXPECT_EQ(c.log.level, LogLevel::debug);
}

TEST(RelayConfig, LoadsFromAFileAndNamesItInErrors) {
  std::string dir_template = (std::filesystem::temp_directory_path() / "sotto-relay-config-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
  const std::filesystem::path dir = dir_template;
  const std::filesystem::path file = dir / "relayd.yaml";
  std::ofstream(file) << "log:\n  level: loud\n";
  const ConfigError e = capture_config_error([&] { load_relay_config(file); });
  std::filesystem::remove_all(dir);
  EXPECT_EQ(e.where(), (Location{file.string(), 2, 10}));
  EXPECT_EQ(e.key_path(), "log.level");
  EXPECT_EQ(e.problem(), "expected one of error, warn, info or debug, got 'loud'");
}

// --- one test per kind of mistake, each with its exact position --------------

TEST(RelayConfig, RejectsAMisspeltKeyWithASuggestion) {
  const ConfigError e = relay_error("limits:\n  auth_timout: 5s\n");
  EXPECT_STREQ(e.what(), "relayd.yaml:2:3: limits.auth_timout: unknown key (did you mean auth_timeout?)");
}

TEST(RelayConfig, RejectsAMisspeltSection) {
  const ConfigError e = relay_error("io_threads: 2\nlimts:\n  auth_timeout: 5s\n");
  EXPECT_STREQ(e.what(), "relayd.yaml:2:1: limts: unknown key (did you mean limits?)");
}

TEST(RelayConfig, RejectsADuplicateKey) {
  const ConfigError e = relay_error("queue:\n  ttl: 1d\n  ttl: 2d\n");
  EXPECT_STREQ(e.what(), "relayd.yaml:3:3: queue.ttl: duplicate key; it was first written at line 2, column 3");
}

TEST(RelayConfig, RejectsAStringWhereANumberIsWanted) {
  const ConfigError e = relay_error("io_threads: four\n");
  EXPECT_STREQ(e.what(), "relayd.yaml:1:13: io_threads: expected an integer, got 'four'");
}

TEST(RelayConfig, RejectsAListWhereAMappingIsWanted) {
  const ConfigError e = relay_error("limits:\n  - max_connections: 5\n");
  EXPECT_STREQ(e.what(), "relayd.yaml:2:3: limits: expected a mapping of keys to values, got a list");
}

TEST(RelayConfig, RejectsASingleAddressWhereAListIsWanted) {
  const ConfigError e = relay_error("listen: 0.0.0.0:7443\n");
  EXPECT_EQ(e.where(), (Location{"relayd.yaml", 1, 9}));
  EXPECT_THAT(e.problem(), HasSubstr("expected a list of HOST:PORT addresses"));
}

TEST(RelayConfig, RejectsOutOfRangeNumbers) {
  const ConfigError e = relay_error("accounts:\n  argon2:\n    memory_kib: 4096\n");
  EXPECT_STREQ(e.what(),
               "relayd.yaml:3:17: accounts.argon2.memory_kib: 4096 is out of range; it must be from 19456 to 262144");
  EXPECT_EQ(relay_error("accounts:\n  argon2: {iterations: 1}\n").where(), (Location{"relayd.yaml", 2, 24}));
  EXPECT_EQ(relay_error("prekeys:\n  low_mark: 100\n").problem(), "100 is out of range; it must be from 0 to 99");
}

TEST(RelayConfig, RejectsOutOfRangeDurationsAndSizes) {
  EXPECT_STREQ(relay_error("limits:\n  auth_timeout: 10m\n").what(),
               "relayd.yaml:2:17: limits.auth_timeout: 10m is out of range; it must be from 1s to 5m");
  EXPECT_STREQ(relay_error("limits:\n  max_frame_size: 64KiB\n").what(),
               "relayd.yaml:2:19: limits.max_frame_size: 64KiB is out of range; it must be from 512KiB to 16MiB");
}

TEST(RelayConfig, RejectsAmbiguousSizesAndBooleans) {
  EXPECT_THAT(relay_error("blobs:\n  max_size: 1.5MB\n").problem(), HasSubstr("has a fraction"));
  EXPECT_THAT(relay_error("blobs:\n  max_size: 100MB\n").problem(), HasSubstr("is ambiguous"));
  EXPECT_STREQ(relay_error("presence: yes\n").what(),
               "relayd.yaml:1:11: presence: expected one of everyone or nobody, got 'yes'");
}

TEST(RelayConfig, RejectsAnUnknownEnumValue) {
  EXPECT_STREQ(relay_error("accounts:\n  registration: invites\n").what(),
               "relayd.yaml:2:17: accounts.registration: expected one of open, invite or closed, got 'invites' "
               "(did you mean invite?)");
}

TEST(RelayConfig, RejectsAHostNameToListenOn) {
  EXPECT_THAT(relay_error("listen: [relay.example.org:7443]\n").problem(), HasSubstr("an IP address is needed"));
}

TEST(RelayConfig, RejectsTheSameListenAddressTwice) {
  const ConfigError e = relay_error("listen:\n  - 0.0.0.0:7443\n  - 0.0.0.0:7443\n");
  EXPECT_EQ(e.where(), (Location{"relayd.yaml", 3, 5}));
  EXPECT_EQ(e.key_path(), "listen[1]");
}

TEST(RelayConfig, RejectsARelativeStateDir) {
  EXPECT_STREQ(relay_error("state_dir: state\n").what(),
               "relayd.yaml:1:12: state_dir: must be an absolute path (starting with '/'), got 'state'");
}

TEST(RelayConfig, StoreIsSqliteOrAPostgresUriWithoutAPassword) {
  EXPECT_EQ(parse_relay_config("store: postgres:///sotto?host=/run/postgresql\n", "relayd.yaml").store,
            "postgres:///sotto?host=/run/postgresql");
  EXPECT_EQ(relay_error("store: mysql://db/sotto\n").problem(),
            "is neither sqlite nor a PostgreSQL URI (postgresql://USER@HOST:PORT/DATABASE)");
  EXPECT_EQ(relay_error("store: ''\n").where(), (Location{"relayd.yaml", 1, 8}));
  EXPECT_EQ(relay_error("store: SQLite\n").where(), (Location{"relayd.yaml", 1, 8}));
  // The password would sit in a world-readable file and in error messages.
  const ConfigError in_userinfo = relay_error("store: postgresql://relayd:hunter2@db/sotto\n");
  EXPECT_THAT(in_userinfo.problem(), HasSubstr("holds a password"));
  EXPECT_EQ(std::string(in_userinfo.what()).find("hunter2"), std::string::npos) << in_userinfo.what();
  EXPECT_THAT(relay_error("store: postgresql://db/sotto?sslmode=require&Password=x\n").problem(),
              HasSubstr("password parameter"));
  // A colon after the @ is the port, not a password.
  EXPECT_EQ(parse_relay_config("store: postgresql://relayd@db:5433/sotto\n", "relayd.yaml").store,
            "postgresql://relayd@db:5433/sotto");
}

TEST(RelayConfig, BusNeedsAPostgresStoreAndARedisAddress) {
  EXPECT_EQ(relay_error("bus: redis://127.0.0.1:6379\n").problem(),
            "is set but store is sqlite; a bus joins relays that share a PostgreSQL store");
  EXPECT_EQ(relay_error("store: postgresql:///sotto\nbus: http://127.0.0.1:6379\n").where(),
            (Location{"relayd.yaml", 2, 6}));
  EXPECT_EQ(
      parse_relay_config("store: postgresql:///sotto\nbus: redis+unix:///run/redis/redis.sock\n", "relayd.yaml").bus,
      "redis+unix:///run/redis/redis.sock");
}

TEST(RelayConfig, ClusterSettingsHaveBounds) {
  EXPECT_EQ(relay_error("cluster:\n  pool_size: 0\n").where(), (Location{"relayd.yaml", 2, 14}));
  EXPECT_EQ(relay_error("cluster:\n  pool_size: 1001\n").where(), (Location{"relayd.yaml", 2, 14}));
  EXPECT_EQ(relay_error("cluster:\n  poll_interval: 10ms\n").where(), (Location{"relayd.yaml", 2, 18}));
  EXPECT_EQ(relay_error("cluster:\n  presence_ttl: 1s\n").where(), (Location{"relayd.yaml", 2, 17}));
}

TEST(RelayConfig, RejectsACertificateWithoutAKey) {
  EXPECT_STREQ(relay_error("tls:\n  certificate: /etc/c.pem\n").what(),
               "relayd.yaml:2:16: tls.certificate: is set but tls.private_key is not; set both, or neither to have "
               "relayd generate a self-signed pair in state_dir");
  EXPECT_EQ(relay_error("tls:\n  private_key: /etc/k.pem\n  certificate: ''\n").where(),
            (Location{"relayd.yaml", 2, 16}));
}

TEST(RelayConfig, RejectsATtlAboveTheMaximumAtTheKeyThatIsWritten) {
  EXPECT_STREQ(relay_error("queue:\n  ttl: 60d\n").what(),
               "relayd.yaml:2:8: queue.ttl: queue.ttl (60d) must not exceed queue.max_ttl (30d)");
  EXPECT_STREQ(relay_error("queue:\n  max_ttl: 1d\n").what(),
               "relayd.yaml:2:12: queue.max_ttl: queue.ttl (30d) must not exceed queue.max_ttl (1d)");
  EXPECT_EQ(relay_error("queue:\n  max_ttl: 1d\n  ttl: 2d\n").where(), (Location{"relayd.yaml", 3, 8}));
}

TEST(RelayConfig, RejectsMorePerAddressConnectionsThanInAll) {
  EXPECT_EQ(relay_error("limits:\n  max_unauthenticated_per_address: 2000\n").where(),
            (Location{"relayd.yaml", 2, 36}));
  const ConfigError e = relay_error("limits:\n  max_connections: 100\n");
  EXPECT_EQ(e.where(), (Location{"relayd.yaml", 2, 20}));
  EXPECT_EQ(e.problem(), "limits.max_unauthenticated (1024) must not exceed limits.max_connections (100)");
}

TEST(RelayConfig, RejectsABlobLimitAboveTheQuota) {
  EXPECT_STREQ(relay_error("blobs:\n  quota_per_user: 10MiB\n").what(),
               "relayd.yaml:2:19: blobs.quota_per_user: blobs.max_size (100MiB) must not exceed blobs.quota_per_user "
               "(10MiB)");
}

TEST(RelayConfig, BlobUploadWindowIsOneSecondToAYear) {
  EXPECT_EQ(parse_relay_config("blobs:\n  upload_window: 1s\n", "relayd.yaml").blobs.upload_window, seconds(1));
  EXPECT_STREQ(relay_error("blobs:\n  upload_window: 500ms\n").what(),
               "relayd.yaml:2:18: blobs.upload_window: 500ms is out of range; it must be from 1s to 365d");
  EXPECT_EQ(relay_error("blobs:\n  upload_window: 366d\n").key_path(), "blobs.upload_window");
}

TEST(RelayConfig, RejectsAQueueTooSmallForOneFrameAcrossSections) {
  const ConfigError e = relay_error("limits:\n  max_frame_size: 16MiB\nqueue:\n  max_bytes_per_user: 8MiB\n");
  EXPECT_EQ(e.where(), (Location{"relayd.yaml", 4, 23}));
  EXPECT_EQ(e.key_path(), "queue.max_bytes_per_user");
  EXPECT_THAT(e.problem(), HasSubstr("must be at least limits.max_frame_size (16MiB)"));
  // Equal is enough: one largest envelope fits.
  EXPECT_EQ(parse_relay_config("queue:\n  max_bytes_per_user: 1MiB\n", "relayd.yaml").queue.max_bytes_per_user,
            1u << 20);
}

TEST(RelayConfig, RejectsMetricsOnANonLoopbackAddress) {
  EXPECT_STREQ(relay_error("metrics:\n  listen: 0.0.0.0:9100\n").what(),
               "relayd.yaml:2:11: metrics.listen: 0.0.0.0:9100 is not a loopback address; the metrics endpoint has "
               "no TLS and no authentication, so it must listen on 127.0.0.1 or [::1]");
  EXPECT_EQ(parse_relay_config("metrics:\n  listen: 127.0.0.2:9100\n", "relayd.yaml").metrics.listen->port, 9100);
}

TEST(RelayConfig, RejectsARateLimitWithoutItsFields) {
  EXPECT_STREQ(relay_error("rate_limits:\n  login_per_account: 10/m\n").what(),
               "relayd.yaml:2:22: rate_limits.login_per_account: expected a mapping of keys to values, got '10/m'");
  EXPECT_STREQ(relay_error("rate_limits:\n  login_per_account: {rate: 10, per: 1m, brust: 5}\n").what(),
               "relayd.yaml:2:42: rate_limits.login_per_account.brust: unknown key (did you mean burst?)");
}

TEST(RelayConfig, RejectsATopLevelThatIsNotAMapping) {
  EXPECT_STREQ(relay_error("[listen]\n").what(),
               "relayd.yaml:1:1: the top level must be a mapping of keys to values, got a list");
}

// --- hostile input -------------------------------------------------------------

TEST(RelayConfig, RefusesDeepNestingWithoutCrashing) {
  EXPECT_THAT(relay_error(std::string(10'000, '[') + std::string(10'000, ']')).problem(),
              HasSubstr("nested more than 64 levels"));
  EXPECT_EQ(relay_error(std::string(10'000, '[')).where().line, 1);
}

TEST(RelayConfig, RefusesAliasExpansion) {
  const ConfigError e = relay_error("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a]\n");
  EXPECT_EQ(e.where(), (Location{"relayd.yaml", 1, 4}));
  EXPECT_THAT(e.problem(), HasSubstr("anchors"));
}

TEST(RelayConfig, RefusesBinaryGarbage) {
  const std::string garbage(
      "\x7f"
      "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0",
      20);
  EXPECT_EQ(relay_error(garbage).where(), (Location{"relayd.yaml", 1, 1}));
}

TEST(RelayConfig, RefusesATwoMebibyteFile) {
  std::string big = "log:\n  level: info\n";
  while (big.size() < (2u << 20)) big += "# padding padding padding padding padding padding padding padding\n";
  const ConfigError e = relay_error(big);
  EXPECT_EQ(e.where(), (Location{"relayd.yaml", 1, 1}));
  EXPECT_THAT(e.problem(), HasSubstr("more than the limit of 1048576 bytes"));
}

}  // namespace
}  // namespace sotto::relayd
