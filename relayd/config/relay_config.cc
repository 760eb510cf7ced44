#include "relayd/config/relay_config.h"

#include <string>

#include "lib/config/byte_size.h"
#include "lib/config/duration.h"
#include "lib/wire/limits.h"
#include "relayd/auth/password_hasher.h"
#include "relayd/bus/bus_url.h"
#include "relayd/config/store_url.h"

namespace sotto::relayd {

namespace {

using config::MappingReader;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::uint64_t kKiB = std::uint64_t{1} << 10;
constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
constexpr std::uint64_t kTiB = std::uint64_t{1} << 40;
constexpr hours kDay{24};
constexpr hours kYear{24 * 365};

// Bounds. Each keeps a typo (an extra zero, a wrong unit) from turning into a
// relay that cannot work or can be knocked over; none is a tuning opinion.

// One address per interface family is typical; 16 covers any real host.
constexpr std::size_t kMaxListenAddresses = 16;
// More event-loop threads than this only adds contention on any host we target.
constexpr std::uint32_t kMaxIoThreads = 1024;
// The wire protocol's own bounds (lib/wire/limits.h): below 512 KiB the
// largest legal Send (1000 recipients and a 256 KiB envelope) or a full blob
// chunk would not fit; above 16 MiB every connection could pin that much.
constexpr std::uint64_t kMinFrameSize = wire::kMinMaxFrameBytes;
constexpr std::uint64_t kMaxFrameSize = wire::kMaxMaxFrameBytes;
// Linux's default fs.nr_open (1048576) caps descriptors per process.
constexpr std::uint32_t kMaxConnections = 1'000'000;
// Argon2's upper bounds (kMaxArgon2MemoryKib, kMaxArgon2Iterations,
// kMaxArgon2Parallelism) are the password hasher's own, from
// relayd/auth/password_hasher.h: a config the hasher would refuse must fail
// check-config, not every login.
constexpr std::uint32_t kMaxRateCount = 1'000'000;
constexpr std::uint32_t kMaxEnvelopesPerUser = 10'000'000;
// The validator refuses larger Sends whatever the config says (lib/wire/limits.h).
constexpr std::uint32_t kMaxRecipients = static_cast<std::uint32_t>(wire::kMaxRecipientsPerSend);
// Group commit trades SendAck latency for throughput; past 1 s the latency is
// visible to users and the batch is long full anyway.
constexpr milliseconds kMaxCommitDelay = seconds(1);
constexpr std::uint32_t kMaxCommitBatch = 100'000;
// PostgreSQL's own default max_connections is 100 for every client together.
constexpr std::uint32_t kMaxPoolSize = 1000;
// msgd uploads 100 one-time prekeys (DESIGN.md); a low mark at or above that
// would ask for more forever. 0 means never ask.
constexpr std::uint32_t kMaxPrekeyLowMark = 99;

const config::PathRule kStateDirRule{.allow_empty = false, .require_absolute = true};
// Optional absolute paths: the TLS pair, the blob folder.
const config::PathRule kTlsFileRule{.allow_empty = true, .require_absolute = true};

// For a check between two settings: blame the first of them that is written in
// the file (the other one then holds its default), so the position points at
// something the operator wrote.
std::string_view blame(const MappingReader& m, std::string_view first, std::string_view second) {
  return m.contains(first) || !m.contains(second) ? first : second;
}

std::optional<std::string> bus_url_problem(std::string_view url) {
  if (url.empty()) return std::nullopt;
  const BusUrlResult parsed = parse_bus_url(url);
  if (parsed.ok()) return std::nullopt;
  return parsed.error();
}

void read_rate_limit(MappingReader& m, std::string_view key, RateLimitSetting& limit) {
  m.mapping(key, [&](MappingReader& r) {
    limit.rate = r.integer<std::uint32_t>("rate", limit.rate, 1, kMaxRateCount);
    limit.per = r.duration("per", limit.per, seconds(1), kDay);
    limit.burst = r.integer<std::uint32_t>("burst", limit.burst, 1, kMaxRateCount);
  });
}

void read_settings(MappingReader& top, RelayConfig& c) {
  c.listen = top.host_port_list("listen", c.listen, /*allow_names=*/false, 1, kMaxListenAddresses);
  c.state_dir = top.path("state_dir", c.state_dir, kStateDirRule);
  c.store = top.string("store", c.store, config::StringRule{.allow_empty = false});
  if (const auto problem = store_url_problem(c.store)) top.fail("store", *problem);
  c.bus = top.string("bus", c.bus);
  if (const auto problem = bus_url_problem(c.bus)) top.fail("bus", *problem);
  if (!c.bus.empty() && store_kind(c.store) == StoreKind::sqlite) {
    top.fail("bus", "is set but store is sqlite; a bus joins relays that share a PostgreSQL store");
  }
  top.mapping("cluster", [&](MappingReader& m) {
    ClusterConfig& k = c.cluster;
    k.pool_size = m.integer<std::uint32_t>("pool_size", k.pool_size, 1, kMaxPoolSize);
    k.poll_interval = m.duration("poll_interval", k.poll_interval, milliseconds(50), minutes(1));
    k.presence_ttl = m.duration("presence_ttl", k.presence_ttl, seconds(3), hours(1));
  });
  c.io_threads = top.integer<std::uint32_t>("io_threads", c.io_threads, 0, kMaxIoThreads);
  c.reuse_port = top.boolean("reuse_port", c.reuse_port);

  top.mapping("tls", [&](MappingReader& m) {
    c.tls.certificate = m.path("certificate", c.tls.certificate, kTlsFileRule);
    c.tls.private_key = m.path("private_key", c.tls.private_key, kTlsFileRule);
    if (c.tls.certificate.empty() != c.tls.private_key.empty()) {
      const bool has_certificate = !c.tls.certificate.empty();
      m.fail(has_certificate ? "certificate" : "private_key",
             std::string("is set but tls.") + (has_certificate ? "private_key" : "certificate") +
                 " is not; set both, or neither to have relayd generate a self-signed pair in state_dir");
    }
  });

  top.mapping("limits", [&](MappingReader& m) {
    LimitsConfig& l = c.limits;
    l.max_frame_size = m.byte_size("max_frame_size", l.max_frame_size, kMinFrameSize, kMaxFrameSize);
    l.auth_timeout = m.duration("auth_timeout", l.auth_timeout, seconds(1), minutes(5));
    l.idle_timeout = m.duration("idle_timeout", l.idle_timeout, seconds(10), hours(1));
    l.max_unauthenticated = m.integer<std::uint32_t>("max_unauthenticated", l.max_unauthenticated, 1, kMaxConnections);
    l.max_unauthenticated_per_address = m.integer<std::uint32_t>("max_unauthenticated_per_address",
                                                                 l.max_unauthenticated_per_address, 1, kMaxConnections);
    l.max_connections = m.integer<std::uint32_t>("max_connections", l.max_connections, 1, kMaxConnections);
    if (l.max_unauthenticated_per_address > l.max_unauthenticated) {
      m.fail(blame(m, "max_unauthenticated_per_address", "max_unauthenticated"),
             "limits.max_unauthenticated_per_address (" + std::to_string(l.max_unauthenticated_per_address) +
                 ") must not exceed limits.max_unauthenticated (" + std::to_string(l.max_unauthenticated) + ")");
    }
    if (l.max_unauthenticated > l.max_connections) {
      m.fail(blame(m, "max_unauthenticated", "max_connections"),
             "limits.max_unauthenticated (" + std::to_string(l.max_unauthenticated) +
                 ") must not exceed limits.max_connections (" + std::to_string(l.max_connections) + ")");
    }
  });

  top.mapping("accounts", [&](MappingReader& m) {
    AccountsConfig& a = c.accounts;
    a.registration = m.one_of<RegistrationMode>(
        "registration", a.registration,
        {{"open", RegistrationMode::open}, {"invite", RegistrationMode::invite}, {"closed", RegistrationMode::closed}});
    a.token_lifetime = m.duration("token_lifetime", a.token_lifetime, hours(1), kYear);
    m.mapping("argon2", [&](MappingReader& g) {
      // The minimums are the defaults: OWASP's floor, never to be weakened.
      const Argon2Config floor;
      a.argon2.memory_kib =
          g.integer<std::uint32_t>("memory_kib", a.argon2.memory_kib, floor.memory_kib, kMaxArgon2MemoryKib);
      a.argon2.iterations =
          g.integer<std::uint32_t>("iterations", a.argon2.iterations, floor.iterations, kMaxArgon2Iterations);
      a.argon2.parallelism =
          g.integer<std::uint32_t>("parallelism", a.argon2.parallelism, floor.parallelism, kMaxArgon2Parallelism);
    });
  });

  top.mapping("rate_limits", [&](MappingReader& m) {
    read_rate_limit(m, "login_per_account", c.rate_limits.login_per_account);
    read_rate_limit(m, "login_per_address", c.rate_limits.login_per_address);
    read_rate_limit(m, "register_per_address", c.rate_limits.register_per_address);
  });

  top.mapping("queue", [&](MappingReader& m) {
    QueueConfig& q = c.queue;
    q.ttl = m.duration("ttl", q.ttl, minutes(1), kYear);
    q.max_ttl = m.duration("max_ttl", q.max_ttl, minutes(1), kYear);
    q.max_envelopes_per_user =
        m.integer<std::uint32_t>("max_envelopes_per_user", q.max_envelopes_per_user, 1, kMaxEnvelopesPerUser);
    q.max_bytes_per_user = m.byte_size("max_bytes_per_user", q.max_bytes_per_user, kMiB, kTiB);
    q.max_recipients = m.integer<std::uint32_t>("max_recipients", q.max_recipients, 1, kMaxRecipients);
    if (q.ttl > q.max_ttl) {
      m.fail(blame(m, "ttl", "max_ttl"), "queue.ttl (" + config::format_duration(q.ttl) +
                                             ") must not exceed queue.max_ttl (" + config::format_duration(q.max_ttl) +
                                             ")");
    }
  });

  top.mapping("blobs", [&](MappingReader& m) {
    BlobsConfig& b = c.blobs;
    b.dir = m.path("dir", b.dir, kTlsFileRule);
    b.max_size = m.byte_size("max_size", b.max_size, 64 * kKiB, kTiB);
    b.quota_per_user = m.byte_size("quota_per_user", b.quota_per_user, kMiB, 16 * kTiB);
    b.ttl = m.duration("ttl", b.ttl, hours(1), kYear);
    // Down to 1s so tests can watch an upload expire; a real relay wants
    // hours (a window shorter than one chunk's upload time breaks uploads).
    b.upload_window = m.duration("upload_window", b.upload_window, seconds(1), kYear);
    if (b.max_size > b.quota_per_user) {
      m.fail(blame(m, "max_size", "quota_per_user"), "blobs.max_size (" + config::format_byte_size(b.max_size) +
                                                         ") must not exceed blobs.quota_per_user (" +
                                                         config::format_byte_size(b.quota_per_user) + ")");
    }
  });

  top.mapping("commit", [&](MappingReader& m) {
    c.commit.max_delay = m.duration("max_delay", c.commit.max_delay, milliseconds(0), kMaxCommitDelay);
    c.commit.max_batch = m.integer<std::uint32_t>("max_batch", c.commit.max_batch, 1, kMaxCommitBatch);
  });

  c.presence = top.one_of<PresenceVisibility>(
      "presence", c.presence, {{"everyone", PresenceVisibility::everyone}, {"nobody", PresenceVisibility::nobody}});

  top.mapping("metrics", [&](MappingReader& m) {
    c.metrics.listen = m.optional_host_port("listen", /*allow_names=*/false);
    if (c.metrics.listen && !c.metrics.listen->is_loopback()) {
      m.fail("listen", config::to_string(*c.metrics.listen) +
                           " is not a loopback address; the metrics endpoint has no TLS and no authentication, so "
                           "it must listen on 127.0.0.1 or [::1]");
    }
  });

  top.mapping("prekeys", [&](MappingReader& m) {
    c.prekeys.low_mark = m.integer<std::uint32_t>("low_mark", c.prekeys.low_mark, 0, kMaxPrekeyLowMark);
  });

  top.mapping("log", [&](MappingReader& m) {
    c.log.level = m.one_of<LogLevel>(
        "level", c.log.level,
        {{"error", LogLevel::error}, {"warn", LogLevel::warn}, {"info", LogLevel::info}, {"debug", LogLevel::debug}});
  });

  // Checks across sections.
  if (c.queue.max_bytes_per_user < c.limits.max_frame_size) {
    top.fail(blame(top, "queue.max_bytes_per_user", "limits.max_frame_size"),
             "queue.max_bytes_per_user (" + config::format_byte_size(c.queue.max_bytes_per_user) +
                 ") must be at least limits.max_frame_size (" + config::format_byte_size(c.limits.max_frame_size) +
                 "), or one largest envelope could never be queued");
  }
}

}  // namespace

LoadedRelayConfig read_relay_config(const config::Document& document) {
  LoadedRelayConfig loaded;
  loaded.sources = config::read_mapping(document, [&](MappingReader& top) { read_settings(top, loaded.config); });
  return loaded;
}

RelayConfig load_relay_config(const std::filesystem::path& path) {
  return read_relay_config(config::load_document(path)).config;
}

RelayConfig parse_relay_config(std::string_view text, std::string_view name) {
  return read_relay_config(config::parse_document(text, name)).config;
}

}  // namespace sotto::relayd
