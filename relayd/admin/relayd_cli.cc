#include "relayd/admin/relayd_cli.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "lib/config/config_error.h"
#include "lib/crypto/bytes.h"
#include "lib/crypto/random.h"
#include "lib/net/tls_context.h"
#include "lib/version/version.h"
#include "lib/wire/username.h"
#include "relayd/admin/admin_commands.h"
#include "relayd/admin/store_choice.h"
#include "relayd/admin/tls_files.h"
#include "relayd/auth/invite_code.h"
#include "relayd/auth/password_hasher.h"
#include "relayd/bus/bus_url.h"
#include "relayd/bus/redis_bus.h"
#include "relayd/config/relay_config.h"
#include "relayd/config/store_url.h"
#include "relayd/server/log.h"
#include "relayd/server/relay_server.h"
#include "relayd/store/blob_files.h"
#include "relayd/store/postgres_schema.h"
#include "relayd/store/sqlite_store.h"
#include "relayd/store/store_dump.h"

namespace sotto::relayd {

namespace {

constexpr const char* kDefaultConfig = "/etc/sotto/relayd.yaml";

struct GlobalOptions {
  std::string config;
  bool config_given = false;
  std::string listen;
  std::string state_dir;
  std::string store;  // --store: overrides the file's
};

// A usage or configuration problem: exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

RelayConfig load_config(const GlobalOptions& g) {
  const std::filesystem::path path = g.config.empty() ? kDefaultConfig : g.config;
  // The default file is optional (built-in defaults apply); a named one is not.
  RelayConfig config = !g.config_given && !std::filesystem::exists(path) ? RelayConfig{} : load_relay_config(path);
  if (!g.store.empty()) {
    if (const auto problem = store_url_problem(g.store)) throw UsageError("--store: " + *problem);
    config.store = g.store;
    if (!config.bus.empty() && store_kind(config.store) == StoreKind::sqlite) {
      throw UsageError("--store: sqlite, but the file sets a bus, which joins relays sharing a PostgreSQL store");
    }
  }
  return config;
}

std::unique_ptr<Store> open_configured_store(const RelayConfig& config, const StatePaths& paths) {
  return open_store(config.store, config.cluster, paths.database());
}

// HOST:PORT for --listen. Unlike the config file, port 0 is allowed here:
// "any free port", which tests and the demo use; the chosen port is logged.
net::tcp::endpoint parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw UsageError("--listen: expected HOST:PORT, got \"" + text + "\"");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto address = net::asio::ip::make_address(host, ec);
  if (ec) throw UsageError("--listen: \"" + host + "\" is not an IP address");
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    throw UsageError("--listen: the port must be a number from 0 to 65535");
  }
  return {address, static_cast<unsigned short>(port)};
}

StatePaths state_paths(const RelayConfig& config, const GlobalOptions& g) {
  return StatePaths{g.state_dir.empty() ? config.state_dir : std::filesystem::path(g.state_dir), config.blobs.dir};
}

// The state directory holds the TLS key and the database: 0700, like
// systemd's StateDirectory= with UMask=0077.
void prepare_state_dir(const StatePaths& paths) {
  std::filesystem::create_directories(paths.state_dir);
  std::filesystem::create_directories(paths.tls_dir());
  ::chmod(paths.state_dir.c_str(), 0700);
  ::chmod(paths.tls_dir().c_str(), 0700);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Programs that hold keys must not leave them in core dumps.
void disable_core_dumps() {
  rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

// Ten thousand connections need ten thousand descriptors.
void raise_fd_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
}

RateLimit to_limiter(const RateLimitSetting& s) { return RateLimit{s.rate, s.per, s.burst}; }

ServerSettings to_settings(const RelayConfig& c) {
  ServerSettings s;
  s.max_frame_size = static_cast<std::uint32_t>(c.limits.max_frame_size);
  s.auth_timeout = c.limits.auth_timeout;
  s.idle_timeout = c.limits.idle_timeout;
  s.token_lifetime = c.accounts.token_lifetime;
  s.queue_ttl = c.queue.ttl;
  s.queue_max_ttl = c.queue.max_ttl;
  s.blob_ttl = c.blobs.ttl;
  s.blob_upload_window = c.blobs.upload_window;
  s.queue_max_envelopes = c.queue.max_envelopes_per_user;
  s.queue_max_bytes = c.queue.max_bytes_per_user;
  s.blob_max_size = c.blobs.max_size;
  s.blob_quota = c.blobs.quota_per_user;
  s.max_recipients = c.queue.max_recipients;
  s.prekey_low_mark = c.prekeys.low_mark;
  s.registration = c.accounts.registration == RegistrationMode::open     ? RegistrationPolicy::kOpen
                   : c.accounts.registration == RegistrationMode::invite ? RegistrationPolicy::kInvite
                                                                         : RegistrationPolicy::kClosed;
  s.presence = c.presence == PresenceVisibility::everyone ? PresencePolicy::kEveryone : PresencePolicy::kNobody;
  s.argon2_memory_kib = c.accounts.argon2.memory_kib;
  s.argon2_iterations = c.accounts.argon2.iterations;
  s.argon2_parallelism = c.accounts.argon2.parallelism;
  return s;
}

int serve(const GlobalOptions& g) {
  disable_core_dumps();
  tune_allocator();  // before any thread starts: see relayd/server/memory_return.h
  // OpenSSL writes to sockets with write(2), not send(MSG_NOSIGNAL): a peer
  // that vanishes mid-write must cost an EPIPE, not the whole relay.
  ::signal(SIGPIPE, SIG_IGN);
  const RelayConfig config = load_config(g);
  const StatePaths paths = state_paths(config, g);
  ListenerOptions options;
  if (!g.listen.empty()) {
    options.endpoints.push_back(parse_listen(g.listen));
  } else {
    for (const auto& hp : config.listen) {
      options.endpoints.emplace_back(net::asio::ip::make_address(hp.host), hp.port);
    }
  }
  if (config.metrics.listen) {
    options.metrics =
        net::tcp::endpoint(net::asio::ip::make_address(config.metrics.listen->host), config.metrics.listen->port);
  }
  options.io_threads = config.io_threads;
  options.reuse_port = config.reuse_port;
  options.max_connections = config.limits.max_connections;
  options.max_unauthenticated = config.limits.max_unauthenticated;
  options.max_unauthenticated_per_address = config.limits.max_unauthenticated_per_address;
  options.commit_max_batch = config.commit.max_batch;
  options.commit_max_delay = std::chrono::duration_cast<std::chrono::microseconds>(config.commit.max_delay);
  set_log_threshold(config.log.level == LogLevel::error  ? LogThreshold::kError
                    : config.log.level == LogLevel::warn ? LogThreshold::kWarn
                    : config.log.level == LogLevel::info ? LogThreshold::kInfo
                                                         : LogThreshold::kDebug);
  options.login_per_account = to_limiter(config.rate_limits.login_per_account);
  options.login_per_address = to_limiter(config.rate_limits.login_per_address);
  options.register_per_address = to_limiter(config.rate_limits.register_per_address);

  raise_fd_limit();
  prepare_state_dir(paths);
  std::optional<std::filesystem::path> credentials;
  if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY"); dir != nullptr && *dir != '\0') credentials = dir;
  const TlsFiles files = resolve_tls_files(config.tls, paths, credentials);
  if (files.generate_if_missing &&
      net::ensure_self_signed_certificate(files.certificate, files.private_key, "sotto-relay")) {
    log_event("certificate_generated", "fingerprint=" + net::certificate_fingerprint(files.certificate));
  }
  if (files.key_from_credential) {
    if (!std::filesystem::exists(files.certificate)) {
      throw std::runtime_error(std::string("the TLS key comes from the credential ") + kTlsKeyCredential +
                               ", but there is no certificate at " + files.certificate.string() +
                               " (nor a credential " + kTlsCertificateCredential + ")");
    }
    log_event("tls_key_from_credential",
              std::string("credential=") + kTlsKeyCredential + " certificate=" + files.certificate.string());
  }
  auto tls = net::make_server_context(files.certificate, files.private_key);
  const bool shared = store_kind(config.store) == StoreKind::postgres;
  const auto store = open_configured_store(config, paths);
  log_event("store", "kind=" + std::string(shared ? "postgresql" : "sqlite") +
                         (shared ? "" : " file=" + paths.database().string()));
  BlobFiles blobs(paths.blob_dir());
  options.shared_store = shared;
  options.poll_interval = config.cluster.poll_interval;
  options.presence_ttl = config.cluster.presence_ttl;
  std::unique_ptr<RedisBus> bus;
  if (!config.bus.empty()) {
    const auto url = parse_bus_url(config.bus);
    if (!url.ok()) throw UsageError("bus: " + url.error());
    RedisBus::Options bus_options;
    bus_options.url = url.value();
    // A new name at every start: a node's own wakes come back to it from
    // Redis and are told apart by it, and a restarted node's old presence
    // claims simply expire.
    bus_options.node_id = "relayd-" + crypto::to_hex(crypto::random_bytes(8));
    bus_options.presence_ttl = config.cluster.presence_ttl;
    bus_options.log_warning = [](std::string_view event, std::string_view fields) { log_warning(event, fields); };
    bus = std::make_unique<RedisBus>(std::move(bus_options));
    log_event("bus", "url=" + to_string(url.value()));
  } else if (shared) {
    log_event("bus", "none action=poll_store interval_ms=" + std::to_string(config.cluster.poll_interval.count()));
  }
  RelayServer server(to_settings(config), options, std::move(tls), *store, blobs, bus.get());
  server.listen();
  server.run();
  return kExitOk;
}

int migrate(const GlobalOptions& g) {
  const RelayConfig config = load_config(g);
  const StatePaths paths = state_paths(config, g);
  if (store_kind(config.store) == StoreKind::postgres) {
    const int version = postgres_migrate(config.store);
    std::cout << "postgresql schema at version " << version << "\n";
    return kExitOk;
  }
  prepare_state_dir(paths);
  SqliteStore store(paths.database());  // opening applies the migrations
  std::cout << "sqlite schema of " << paths.database().string() << " is current\n";
  return kExitOk;
}

// Writes every record of the configured store to a new file (0600, never
// over an existing one). Meant for a stopped relay: records a running one
// commits after the snapshot are not in the file.
int export_store(const GlobalOptions& g, const std::string& file) {
  const RelayConfig config = load_config(g);
  const StatePaths paths = state_paths(config, g);
  const auto store = open_configured_store(config, paths);
  DumpFile out(file);
  const std::uint64_t records = write_dump(*store, out.stream());
  out.commit();
  std::cout << "exported " << records << " records from " << describe_store(config.store, paths.database()) << " to "
            << file << "\n";
  return kExitOk;
}

int import_store(const GlobalOptions& g, const std::string& file) {
  const RelayConfig config = load_config(g);
  const StatePaths paths = state_paths(config, g);
  if (store_kind(config.store) == StoreKind::sqlite) prepare_state_dir(paths);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + file);
  const auto store = open_configured_store(config, paths);
  const ImportCounts n = read_dump(in, *store);
  std::cout << "imported into " << describe_store(config.store, paths.database()) << ": users=" << n.users
            << " tokens=" << n.tokens << " invites=" << n.invites << " signed_prekeys=" << n.signed_prekeys
            << " one_time_prekeys=" << n.one_time_prekeys << " deliveries=" << n.deliveries << " blobs=" << n.blobs
            << "\n";
  if (n.blobs > 0) {
    std::cout << "copy the blob files too: every file of the old relay's blob folder into " << paths.blob_dir().string()
              << "\n";
  }
  return kExitOk;
}

// check-config takes its file as FILE or as --config FILE (the form every
// other command uses); exactly one of them.
struct CheckConfigArgs {
  std::string positional;  // FILE
  bool positional_given = false;
  std::string option;  // check-config --config FILE
  bool option_given = false;
};

int check_config(const CheckConfigArgs& args, const GlobalOptions& g) {
  // "relayd --config FILE check-config" names the file before the command.
  const int given = int{args.positional_given} + int{args.option_given} + int{g.config_given};
  if (given == 0) throw UsageError("check-config: no file to check; give it as FILE or as --config FILE");
  if (given > 1) {
    throw UsageError("check-config: the file is given more than once; give it either as FILE or as --config FILE");
  }
  const std::string& file = args.positional_given ? args.positional : args.option_given ? args.option : g.config;
  load_relay_config(file);
  std::cout << file << ": ok\n";
  return kExitOk;
}

int cert_fingerprint(const GlobalOptions& g) {
  const RelayConfig config = load_config(g);
  const StatePaths paths = state_paths(config, g);
  const std::filesystem::path cert =
      config.tls.generate_self_signed() ? paths.default_certificate() : config.tls.certificate;
  if (!std::filesystem::exists(cert)) {
    std::cerr << "relayd: no certificate at " << cert.string() << " (start relayd once to generate it)\n";
    return kExitFailure;
  }
  std::cout << net::certificate_fingerprint(cert) << "\n";
  return kExitOk;
}

std::string canonical_or_throw(const std::string& name) {
  const auto u = wire::canonical_username(name);
  // The reason names the problem; the raw input is not echoed to the terminal.
  if (!u.ok()) throw UsageError("invalid username: " + u.error());
  return u.value();
}

std::string read_password(bool from_stdin) {
  std::string password;
  if (from_stdin) {
    std::getline(std::cin, password);
  } else {
    // getpass() reads from the terminal without echo.
    const char* p = ::getpass("Password: ");
    if (p != nullptr) password = p;
  }
  if (password.size() < 8) throw UsageError("the password must be at least 8 bytes");
  return password;
}

int user_command(const GlobalOptions& g, const std::string& action, const std::string& name, bool password_stdin) {
  const RelayConfig config = load_config(g);
  const StatePaths paths = state_paths(config, g);
  prepare_state_dir(paths);
  const auto opened = open_configured_store(config, paths);
  Store& store = *opened;
  if (action == "list") {
    for (const auto& u : store.list_users()) {
      const auto tokens = store.list_tokens(u.username, now_ms());
      std::cout << u.username << "\tdevices=" << tokens.size()
                << "\tidentity=" << (u.identity.signing_key.empty() ? "none" : "set") << "\n";
    }
    return kExitOk;
  }
  const std::string user = canonical_or_throw(name);
  if (action == "add") {
    std::string password = read_password(password_stdin);
    UserRecord record;
    record.username = user;
    const auto& a = config.accounts.argon2;
    record.password_hash = hash_password(password, Argon2Params{a.memory_kib, a.iterations, a.parallelism});
    OPENSSL_cleanse(password.data(), password.size());
    record.created_at_ms = now_ms();
    if (!store.create_user(record)) {
      std::cerr << "relayd: user " << user << " already exists\n";
      return kExitFailure;
    }
    std::cout << "added " << user << " (the identity key is set on the first login)\n";
    return kExitOk;
  }
  if (action == "remove") {
    const auto removed = store.remove_user(user);
    if (!removed) {
      std::cerr << "relayd: no user " << user << "\n";
      return kExitFailure;
    }
    BlobFiles blobs(paths.blob_dir());
    for (const auto& id : removed->blob_ids) blobs.remove(id);
    std::cout << "removed " << user << "\n";
    return kExitOk;
  }
  if (action == "passwd") {
    if (!store.find_user(user)) {
      std::cerr << "relayd: no user " << user << "\n";
      return kExitFailure;
    }
    std::string password = read_password(password_stdin);
    const auto& a = config.accounts.argon2;
    const std::string hash = hash_password(password, Argon2Params{a.memory_kib, a.iterations, a.parallelism});
    OPENSSL_cleanse(password.data(), password.size());
    // The new hash and the end of every session in one transaction: nobody
    // keeps a device logged in with what the old password let them in with.
    const auto revoked = store.change_password(user, hash);
    if (!revoked) {
      std::cerr << "relayd: no user " << user << "\n";
      return kExitFailure;
    }
    std::cout << "changed the password of " << user << " and revoked " << *revoked << " token(s)\n";
    return kExitOk;
  }
  // revoke (revoke-tokens)
  if (!store.find_user(user)) {
    std::cerr << "relayd: no user " << user << "\n";
    return kExitFailure;
  }
  std::cout << "revoked " << store.revoke_user_tokens(user) << " token(s) of " << user << "\n";
  return kExitOk;
}

int invite_create(const GlobalOptions& g, int valid_days) {
  const RelayConfig config = load_config(g);
  const StatePaths paths = state_paths(config, g);
  prepare_state_dir(paths);
  const auto store = open_configured_store(config, paths);
  const InviteCode code = generate_invite_code();
  store->add_invite(code.hash, now_ms() + std::int64_t{valid_days} * 24 * 3600 * 1000);
  std::cout << code.text << "\n";
  return kExitOk;
}

}  // namespace

int relayd_main(int argc, char** argv) {
  CLI::App app{"relayd: the Sotto relay server. It stores and forwards end-to-end encrypted envelopes it cannot read."};
  app.set_version_flag("--version", std::string("relayd (Sotto) ") + sotto::kVersion);
  // --config and --state-dir may follow a sub-command ("relayd user list --config F").
  app.fallthrough();
  GlobalOptions g;
  auto* config_opt =
      app.add_option("--config", g.config, std::string("configuration file (default ") + kDefaultConfig + ")");
  app.add_option("--listen", g.listen, "HOST:PORT to listen on, overriding the file (port 0: any free port)");
  app.add_option("--state-dir", g.state_dir, "state directory, overriding the file");
  app.add_option("--store", g.store, "sqlite or a PostgreSQL URI (postgresql://...), overriding the file's store");

  CheckConfigArgs check_args;
  auto* check = app.add_subcommand(
      "check-config", "validate a configuration file, given as FILE or --config FILE; exit 2 if it is invalid");
  auto* check_file_opt = check->add_option("FILE", check_args.positional, "the file to check");
  auto* check_config_opt =
      check->add_option("--config", check_args.option, "the file to check (the same as FILE; give one of them)");
  auto* fingerprint =
      app.add_subcommand("cert-fingerprint", "print the TLS certificate's sha256 fingerprint for pinning");

  auto* user = app.add_subcommand("user", "manage accounts");
  user->require_subcommand(1);
  user->fallthrough();
  std::string user_name;
  bool password_stdin = false;
  user->add_subcommand("list", "list accounts");
  auto* add = user->add_subcommand("add", "create an account (its identity key is set on first login)");
  add->add_option("USER", user_name)->required();
  add->add_flag("--password-stdin", password_stdin, "read the password from standard input");
  auto* remove = user->add_subcommand("remove", "delete an account and everything queued for it");
  remove->add_option("USER", user_name)->required();
  auto* passwd = user->add_subcommand("passwd", "set a new password and log every device of the account out");
  passwd->add_option("USER", user_name)->required();
  passwd->add_flag("--password-stdin", password_stdin, "read the new password from standard input");
  auto* revoke = user->add_subcommand(
      "revoke", "log every device of an account out (a running relay closes their connections within a second)");
  revoke->alias("revoke-tokens");
  revoke->add_option("USER", user_name)->required();

  auto* invite = app.add_subcommand("invite", "manage invite codes");
  invite->require_subcommand(1);
  invite->fallthrough();
  int valid_days = 7;
  auto* create = invite->add_subcommand("create", "print a new single-use invite code");
  create->add_option("--valid-days", valid_days, "days the code stays valid")->check(CLI::Range(1, 365));

  auto* migrate_cmd = app.add_subcommand(
      "migrate", "create or upgrade the store's schema (PostgreSQL: safe to run from several relays at once)");
  std::string dump_file;
  auto* export_cmd = app.add_subcommand(
      "export-store", "write every account, token, prekey, queued envelope and blob record to a new FILE (0600)");
  export_cmd->add_option("FILE", dump_file, "the dump to write; must not exist")->required();
  auto* import_cmd = app.add_subcommand(
      "import-store", "load a dump from export-store into this relay's store, which must be empty; all or nothing");
  import_cmd->add_option("FILE", dump_file, "the dump to read")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  g.config_given = config_opt->count() > 0;
  check_args.positional_given = check_file_opt->count() > 0;
  check_args.option_given = check_config_opt->count() > 0;

  try {
    if (check->parsed()) return check_config(check_args, g);
    if (fingerprint->parsed()) return cert_fingerprint(g);
    if (user->parsed()) {
      for (auto* sub : user->get_subcommands()) {
        return user_command(g, sub->get_name(), user_name, password_stdin);
      }
    }
    if (invite->parsed()) return invite_create(g, valid_days);
    if (migrate_cmd->parsed()) return migrate(g);
    if (export_cmd->parsed()) return export_store(g, dump_file);
    if (import_cmd->parsed()) return import_store(g, dump_file);
    return serve(g);
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << "relayd: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "relayd: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace sotto::relayd
