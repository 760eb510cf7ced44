#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "lib/config/document.h"
#include "lib/config/host_port.h"
#include "lib/config/mapping_reader.h"

namespace sotto::relayd {

// Every relayd setting with its default. The member initialisers below are
// the only place defaults are written; config/relayd.yaml documents them and a
// test checks that it matches. Durations are std::chrono; sizes are bytes.

struct TlsConfig {
  // PEM files. Both empty: relayd generates a self-signed pair in state_dir on
  // first start and reuses it (`relayd cert-fingerprint` prints it for pinning).
  // One set without the other is an error.
  std::filesystem::path certificate;
  std::filesystem::path private_key;

  bool generate_self_signed() const { return certificate.empty(); }
  bool operator==(const TlsConfig&) const = default;
};

struct LimitsConfig {
  // Largest frame accepted from a client (the 4-byte length prefix excluded);
  // larger gets an Error frame and the connection closes (DESIGN.md).
  std::uint64_t max_frame_size = std::uint64_t{1} << 20;
  // A connection must finish TLS and Register/Login/Resume within this.
  std::chrono::milliseconds auth_timeout = std::chrono::seconds(10);
  // An authenticated connection with no frame for this long is closed;
  // clients ping well within it.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(90);
  // Connections not yet authenticated, in all and from one IP address.
  std::uint32_t max_unauthenticated = 1024;
  std::uint32_t max_unauthenticated_per_address = 32;
  // All connections; beyond it new ones are closed at once.
  std::uint32_t max_connections = 20000;

  bool operator==(const LimitsConfig&) const = default;
};

enum class RegistrationMode { open, invite, closed };

// Argon2id cost for password hashes. The minimums are OWASP's Password
// Storage Cheat Sheet recommendation (m=19 MiB, t=2, p=1).
struct Argon2Config {
  std::uint32_t memory_kib = 19456;
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;

  bool operator==(const Argon2Config&) const = default;
};

struct AccountsConfig {
  RegistrationMode registration = RegistrationMode::open;
  // A login token is valid this long after it was issued.
  std::chrono::milliseconds token_lifetime = std::chrono::hours(24 * 90);
  Argon2Config argon2;

  bool operator==(const AccountsConfig&) const = default;
};

// A token bucket: it holds up to `burst` attempts and refills at `rate`
// attempts per `per`. So {rate 10, per 1m, burst 5} allows 5 attempts back to
// back, then one every 6 seconds.
struct RateLimitSetting {
  std::uint32_t rate = 1;
  std::chrono::milliseconds per = std::chrono::minutes(1);
  std::uint32_t burst = 1;

  bool operator==(const RateLimitSetting&) const = default;
};

struct RateLimitsConfig {
  // Logins against one username, from anywhere: slows password guessing.
  RateLimitSetting login_per_account{10, std::chrono::minutes(1), 5};
  // Logins from one IP address, for any usernames: slows spraying one password
  // over many accounts. Looser than per account, since NAT puts many users
  // behind one address.
  RateLimitSetting login_per_address{30, std::chrono::minutes(1), 10};
  // Registrations from one IP address: slows mass account creation.
  RateLimitSetting register_per_address{5, std::chrono::hours(1), 5};

  bool operator==(const RateLimitsConfig&) const = default;
};

struct QueueConfig {
  // How long an undelivered envelope waits when the sender asks for no TTL,
  // and the most a sender may ask for.
  std::chrono::milliseconds ttl = std::chrono::hours(24 * 30);
  std::chrono::milliseconds max_ttl = std::chrono::hours(24 * 30);
  // A recipient's offline queue; a Send beyond either is refused up front.
  std::uint32_t max_envelopes_per_user = 10000;
  std::uint64_t max_bytes_per_user = std::uint64_t{100} << 20;
  // Recipients in one Send (a group message fans out to each).
  std::uint32_t max_recipients = 1000;

  bool operator==(const QueueConfig&) const = default;
};

struct BlobsConfig {
  // Where the encrypted blob files are; empty: state_dir/blobs. Relays that
  // share a PostgreSQL store must share this folder too (a network file
  // system), or a file uploaded through one is missing on the others.
  std::filesystem::path dir;
  // One encrypted file, the sum of one user's stored blobs, and how long a
  // finished blob is kept (from its BlobEnd).
  std::uint64_t max_size = std::uint64_t{100} << 20;
  std::uint64_t quota_per_user = std::uint64_t{1} << 30;
  std::chrono::milliseconds ttl = std::chrono::hours(24 * 30);
  // An unfinished upload is deleted this long after its last BlobBegin or
  // BlobChunk, so an abandoned one stops holding quota and disk long before
  // the TTL. A day lets a client that lost its connection come back and resume.
  std::chrono::milliseconds upload_window = std::chrono::hours(24);

  bool operator==(const BlobsConfig&) const = default;
};

// Group commit: envelopes arriving within max_delay share one SQLite
// transaction (one fsync), up to max_batch of them. Higher delay, more
// throughput, slower SendAck.
struct CommitConfig {
  std::chrono::milliseconds max_delay = std::chrono::milliseconds(2);
  std::uint32_t max_batch = 512;

  bool operator==(const CommitConfig&) const = default;
};

// Who may see whether a user is online.
enum class PresenceVisibility { everyone, nobody };

struct MetricsConfig {
  // Where to serve metrics over plain HTTP; nullopt is off. Loopback only: the
  // endpoint has no TLS and no authentication.
  std::optional<config::HostPort> listen;

  bool operator==(const MetricsConfig&) const = default;
};

struct PrekeysConfig {
  // When a user's one-time prekeys on the relay fall below this, relayd asks
  // their msgd to upload more (msgd uploads 100; DESIGN.md).
  std::uint32_t low_mark = 20;

  bool operator==(const PrekeysConfig&) const = default;
};

enum class LogLevel { error, warn, info, debug };

struct LogConfig {
  LogLevel level = LogLevel::info;

  bool operator==(const LogConfig&) const = default;
};

// Several relays sharing one PostgreSQL store (docs/operations.md "Several
// relays"). Ignored by a relay on SQLite.
struct ClusterConfig {
  // Connections this relay keeps open to PostgreSQL.
  std::uint32_t pool_size = 8;
  // How often the relay reads the store for its connected users' queues while
  // it has no bus, or the bus is down: the longest a message then waits
  // before it is pushed to a user connected to another relay.
  std::chrono::milliseconds poll_interval = std::chrono::seconds(1);
  // How long this relay's word that a user is online lasts on the bus unless
  // renewed (it renews every third of it): how long a relay that died still
  // counts its users as online.
  std::chrono::milliseconds presence_ttl = std::chrono::seconds(30);

  bool operator==(const ClusterConfig&) const = default;
};

struct RelayConfig {
  // TCP addresses to accept clients on (IP literals; 0.0.0.0 / [::] is all).
  std::vector<config::HostPort> listen{config::HostPort{"0.0.0.0", 7443, config::HostKind::ipv4}};
  // Database, generated TLS pair, blobs. systemd's StateDirectory=relayd.
  std::filesystem::path state_dir = "/var/lib/relayd";
  // Where accounts, tokens, prekeys, queued envelopes and blob metadata live:
  // "sqlite" (relay.db in state_dir) or a PostgreSQL URI (store_url.h).
  std::string store = "sqlite";
  // Redis, which tells the relays sharing a store that something arrived for
  // a user connected to one of them: redis://HOST:PORT or redis+unix:///PATH.
  // Empty: none (relays on PostgreSQL then find new envelopes by polling).
  std::string bus;
  ClusterConfig cluster;
  // Threads running the network event loop; 0 means one per CPU core.
  std::uint32_t io_threads = 0;
  // One listening socket per io thread with SO_REUSEPORT, so the kernel
  // spreads new connections over the threads, instead of one socket whose
  // accepting thread hands connections round robin. See docs/performance.md.
  bool reuse_port = false;
  TlsConfig tls;
  LimitsConfig limits;
  AccountsConfig accounts;
  RateLimitsConfig rate_limits;
  QueueConfig queue;
  BlobsConfig blobs;
  CommitConfig commit;
  PresenceVisibility presence = PresenceVisibility::everyone;
  MetricsConfig metrics;
  PrekeysConfig prekeys;
  LogConfig log;

  bool operator==(const RelayConfig&) const = default;
};

// A RelayConfig and where each of its values came from (file position, or
// default), for `relayd check-config`.
struct LoadedRelayConfig {
  RelayConfig config;
  std::vector<config::ValueSource> sources;
};

// Reads relayd.yaml. Every error is a config::ConfigError whose message starts
// FILE:LINE:COLUMN and names the key; an empty file gives all defaults.
RelayConfig load_relay_config(const std::filesystem::path& path);
RelayConfig parse_relay_config(std::string_view text, std::string_view name);
LoadedRelayConfig read_relay_config(const config::Document& document);

}  // namespace sotto::relayd
