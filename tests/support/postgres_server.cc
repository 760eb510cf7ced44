#include "tests/support/postgres_server.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

extern char** environ;

namespace sotto::testing {
namespace {

namespace fs = std::filesystem;

// Debian's PostgreSQL 15 (package postgresql-15, pulled in by `postgresql`
// in scripts/setup-deps). SOTTO_PG_BINDIR points elsewhere if needed.
fs::path bin_dir() {
  const char* override_dir = std::getenv("SOTTO_PG_BINDIR");
  return override_dir != nullptr ? fs::path(override_dir) : fs::path("/usr/lib/postgresql/15/bin");
}

// The account the server runs as when the tests run as root (PostgreSQL
// refuses to run as root); the Debian package creates it.
constexpr const char* kServerUser = "postgres";

bool running_as_root() { return ::geteuid() == 0; }

// Where clusters live: /dev/shm (tmpfs) when there is one, else /tmp;
// SOTTO_PG_TEST_DIR overrides. The server runs with fsync on either way, so
// every code path is the durable one; on tmpfs an fsync just costs nothing,
// where on this project's CI disks it costs ~20 ms and a commit-heavy suite
// would spend most of its time waiting for them. What the tests check (a
// kill -9 loses nothing committed) is WAL replay, which the page cache
// survives anyway; only a power cut would tell tmpfs and a disk apart.
fs::path clusters_root() {
  if (const char* dir = std::getenv("SOTTO_PG_TEST_DIR")) return dir;
  if (::access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  return "/tmp";
}

std::string read_tail(const fs::path& path, std::size_t max_bytes = 2000) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

// Runs argv (no shell), stdout and stderr appended to `log`; returns the exit status.
int spawn_and_wait(const std::vector<std::string>& argv, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "cannot run " + argv[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<std::string> as_server_user(std::vector<std::string> argv) {
  if (!running_as_root()) return argv;
  std::vector<std::string> wrapped{"runuser", "-u", kServerUser, "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

void give_to_server_user(const fs::path& path) {
  if (!running_as_root()) return;
  const int rc = spawn_and_wait({"chown", "-R", std::string(kServerUser) + ":", path.string()}, "/dev/null");
  if (rc != 0) throw std::runtime_error("cannot chown " + path.string() + " to the " + kServerUser + " account");
}

// initdb takes about a second; a copy of a cluster made once per machine
// (per PostgreSQL build) takes a tenth of that, and every test process
// starts its own server. The template is built under a lock and renamed into
// place whole, so a crash mid-way leaves no half cluster behind.
fs::path cluster_template() {
  const fs::path root = clusters_root();
  const std::string tag = "sotto-pg15-template-uid" + std::to_string(::geteuid());
  const fs::path ready = root / tag;
  const fs::path lock_path = root / (tag + ".lock");
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) throw std::system_error(errno, std::generic_category(), "open " + lock_path.string());
  const std::unique_ptr<int, void (*)(int*)> closer(new int(lock_fd), [](int* fd) {
    ::close(*fd);
    delete fd;
  });
  if (::flock(lock_fd, LOCK_EX) != 0) throw std::system_error(errno, std::generic_category(), "flock");
  if (fs::exists(ready / "data" / "PG_VERSION")) return ready / "data";

  std::string pattern = (root / (tag + ".building-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed under " + root.string());
  const fs::path building = pattern;
  fs::permissions(building, fs::perms::owner_all);
  give_to_server_user(building);
  const fs::path log = building / "initdb.log";
  // --no-sync skips only initdb's flush of the new files: a copy is made
  // from them later, and the server itself runs with fsync on.
  const int rc = spawn_and_wait(
      as_server_user({(bin_dir() / "initdb").string(), "-D", (building / "data").string(), "-U", "postgres", "-A",
                      "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"}),
      log);
  if (rc != 0) {
    const std::string tail = read_tail(log);
    std::error_code ignored;
    fs::remove_all(building, ignored);
    throw std::runtime_error("initdb failed (exit " + std::to_string(rc) + "):\n" + tail);
  }
  std::error_code ignored;
  fs::remove_all(ready, ignored);
  fs::rename(building, ready);
  return ready / "data";
}

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Running, or a zombie nobody has reaped yet (the postmaster's parent is
// init once pg_ctl has exited): either way no longer serving.
bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return false;
  std::string line;
  std::getline(stat, line);
  const auto close_paren = line.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= line.size()) return false;
  const char state = line[close_paren + 2];
  return state != 'Z' && state != 'X';
}

std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return children;
  while (const dirent* entry = ::readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat("/proc/" + name + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream rest(line.substr(close_paren + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) children.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  ::closedir(proc);
  return children;
}

}  // namespace

PostgresServer::PostgresServer() : PostgresServer(Mode::owned) {}

PostgresServer::PostgresServer(Mode mode) {
  if (!fs::exists(bin_dir() / "initdb") || !fs::exists(bin_dir() / "pg_ctl")) {
    throw std::runtime_error("PostgreSQL server binaries not found in " + bin_dir().string() +
                             " (initdb, pg_ctl): install the postgresql package (scripts/setup-deps) "
                             "or set SOTTO_PG_BINDIR");
  }
  // A short path: the socket's path must fit in sun_path (108 bytes).
  std::string pattern = (clusters_root() / "sotto-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed under " + pattern);
  folder_ = pattern;
  data_ = folder_ / "data";
  // Any number works as the socket's name in a private folder; a random
  // one keeps the shared-memory keys (derived from it) of parallel servers apart.
  std::random_device random;
  port_ = 20000 + static_cast<int>(random() % 40000);

  const fs::path source = cluster_template();
  if (spawn_and_wait({"cp", "-a", source.string(), data_.string()}, folder_ / "commands.log") != 0)
    throw std::runtime_error("cannot copy the cluster template: " + read_tail(folder_ / "commands.log"));
  give_to_server_user(folder_);

  if (mode == Mode::for_run) {
    // It must outlive this process; the run's postgres.stop fixture stops it.
    start();
    return;
  }

  // Stops the server even if this process dies without running destructors
  // (a crash, a ctest timeout): a shell that waits for our end of a pipe to
  // close. The write end is close-on-exec, so only this process holds it.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const std::string pg_ctl = (bin_dir() / "pg_ctl").string();
  const std::string script =
      running_as_root() ? "cat >/dev/null; runuser -u postgres -- \"$1\" -D \"$2\" -m immediate stop; rm -rf \"$3\""
                        : "cat >/dev/null; \"$1\" -D \"$2\" -m immediate stop; rm -rf \"$3\"";
  std::vector<std::string> argv{"/bin/sh", "-c", script, "sotto-pg-watchdog", pg_ctl, data_.string(), folder_.string()};
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  const int rc = ::posix_spawn(&watchdog_, "/bin/sh", &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[0]);
  if (rc != 0) {
    ::close(fds[1]);
    throw std::system_error(rc, std::generic_category(), "cannot start the watchdog shell");
  }
  watchdog_pipe_ = fds[1];

  start();
}

namespace {

// The run file: the server's folder, its port, then one line per ctest
// process using it (the fixture's parent). Two ctest runs in one build
// folder share the server; the last one to finish stops it, and a run that
// was killed (its pid gone) no longer counts.
struct RunState {
  std::string folder;
  int port = 0;
  std::vector<pid_t> users;
};

RunState read_run_state(const fs::path& run_file) {
  RunState state;
  std::ifstream in(run_file);
  if (!std::getline(in, state.folder) || !(in >> state.port)) return {};
  pid_t pid = 0;
  while (in >> pid) {
    if (pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM)) state.users.push_back(pid);
  }
  return state;
}

void write_run_state(const fs::path& run_file, const RunState& state) {
  const fs::path partial = run_file.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    out << state.folder << "\n" << state.port << "\n";
    for (const pid_t pid : state.users) out << pid << "\n";
    if (!out.flush()) throw std::runtime_error("cannot write " + partial.string());
  }
  fs::rename(partial, run_file);
}

// Serialises the fixture's start and stop of concurrent ctest runs.
class RunLock {
 public:
  explicit RunLock(const fs::path& run_file) {
    const fs::path path = run_file.string() + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
      throw std::system_error(errno, std::generic_category(), "lock " + path.string());
    }
  }
  ~RunLock() { ::close(fd_); }
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

void stop_run_server(const RunState& state) {
  if (state.folder.empty()) return;
  // Whatever pg_ctl says (a server that already died is fine), the folder goes.
  spawn_and_wait(as_server_user({(bin_dir() / "pg_ctl").string(), "-D", (fs::path(state.folder) / "data").string(),
                                 "-m", "immediate", "-w", "stop"}),
                 "/dev/null");
  std::error_code ignored;
  fs::remove_all(state.folder, ignored);
}

}  // namespace

PostgresServer::PostgresServer(Attach, const fs::path& run_file) {
  const RunState state = read_run_state(run_file);
  if (state.folder.empty()) {
    throw std::runtime_error("the test run's PostgreSQL server is not running: " + run_file.string() +
                             " (SOTTO_TEST_POSTGRES_RUN) does not say where it is; ctest starts it with the "
                             "postgres.start fixture");
  }
  folder_ = state.folder;
  data_ = folder_ / "data";
  port_ = state.port;
  if (!fs::exists(folder_ / (".s.PGSQL." + std::to_string(port_)))) {
    throw std::runtime_error("the test run's PostgreSQL server is not listening in " + folder_.string());
  }
  running_ = true;
  attached_ = true;
}

void PostgresServer::start_for_run(const fs::path& run_file) {
  const RunLock lock(run_file);
  RunState state = read_run_state(run_file);
  const bool serving =
      !state.folder.empty() && fs::exists(fs::path(state.folder) / (".s.PGSQL." + std::to_string(state.port)));
  if (!serving || state.users.empty()) {
    // Nothing there, or what a killed run left behind: a new server.
    stop_run_server(state);
    PostgresServer server(Mode::for_run);
    server.attached_ = true;  // left running for the run's tests
    state = RunState{server.folder_.string(), server.port_, {}};
  }
  state.users.push_back(::getppid());
  write_run_state(run_file, state);
}

void PostgresServer::stop_for_run(const fs::path& run_file) {
  const RunLock lock(run_file);
  RunState state = read_run_state(run_file);
  std::erase(state.users, ::getppid());
  if (!state.users.empty()) {
    write_run_state(run_file, state);  // another ctest run still uses it
    return;
  }
  stop_run_server(state);
  std::error_code ignored;
  fs::remove(run_file, ignored);
}

void PostgresServer::refuse_if_attached(const char* what) const {
  if (attached_) {
    throw std::logic_error(std::string("cannot ") + what +
                           " the test run's shared PostgreSQL server: make a PostgresServer of the test's own");
  }
}

PostgresServer::~PostgresServer() {
  if (attached_) return;  // the run's server: its fixture stops it
  try {
    if (running_) {
      spawn_and_wait(
          as_server_user({(bin_dir() / "pg_ctl").string(), "-D", data_.string(), "-m", "immediate", "-w", "stop"}),
          folder_ / "commands.log");
    }
  } catch (...) {
    // The watchdog below stops it anyway.
  }
  if (watchdog_pipe_ >= 0) ::close(watchdog_pipe_);  // the watchdog stops and removes whatever is left
  if (watchdog_ > 0) ::waitpid(watchdog_, nullptr, 0);
  std::error_code ignored;
  fs::remove_all(folder_, ignored);
}

PostgresServer& PostgresServer::shared() {
  if (const char* run_file = std::getenv("SOTTO_TEST_POSTGRES_RUN"); run_file != nullptr && *run_file != '\0') {
    static PostgresServer attached(Attach{}, run_file);
    return attached;
  }
  // Destroyed at exit, which stops the server and removes its folder.
  static PostgresServer server;
  return server;
}

std::string PostgresServer::uri(const std::string& database) const {
  return "postgresql:///" + database + "?host=" + folder_.string() + "&port=" + std::to_string(port_) +
         "&user=postgres";
}

std::string PostgresServer::create_database(const std::string& name, const std::string& template_name) {
  pqxx::connection connection(uri("postgres"));
  pqxx::nontransaction tx(connection);
  // FILE_COPY copies the files and checkpoints; the default (WAL_LOG) writes
  // the whole template through the WAL, which is slower for a small database.
  tx.exec("CREATE DATABASE " + quote_identifier(name) +
          (template_name.empty() ? std::string() : " TEMPLATE " + quote_identifier(template_name)) +
          " STRATEGY FILE_COPY");
  return uri(name);
}

std::string PostgresServer::create_fresh_database(const std::string& template_name) {
  static std::mutex mutex;
  int number = 0;
  {
    const std::lock_guard lock(mutex);
    number = ++next_database_;
  }
  // The process id keeps apart the test processes sharing the run's server.
  return create_database("sotto_test_" + std::to_string(::getpid()) + "_" + std::to_string(number), template_name);
}

std::string PostgresServer::create_database_once(const std::string& name,
                                                 const std::function<void(const std::string&)>& init) {
  pqxx::connection connection(uri("postgres"));
  pqxx::nontransaction tx(connection);
  // Held until this connection closes, so a process that dies mid-way frees it.
  tx.exec("SELECT pg_advisory_lock(hashtext(" + tx.quote(name) + "))");
  if (tx.exec("SELECT 1 FROM pg_database WHERE datname = " + tx.quote(name)).empty()) {
    create_database(name);
    try {
      init(uri(name));
    } catch (...) {
      tx.exec("DROP DATABASE " + quote_identifier(name));  // never a half-made template
      throw;
    }
  }
  return uri(name);
}

void PostgresServer::run_as_server_user(const std::vector<std::string>& argv, const std::string& what) const {
  const fs::path log = folder_ / "commands.log";
  const int rc = spawn_and_wait(as_server_user(argv), log);
  if (rc != 0) {
    throw std::runtime_error(what + " failed (exit " + std::to_string(rc) + "):\n" + read_tail(log) +
                             "\nserver log:\n" + read_tail(folder_ / "server.log"));
  }
}

void PostgresServer::start() {
  refuse_if_attached("start");
  if (running_) return;
  const std::string options = "-c listen_addresses='' -c unix_socket_directories='" + folder_.string() + "' -p " +
                              std::to_string(port_) +
                              " -c max_connections=200 -c fsync=on -c synchronous_commit=on"
                              " -c full_page_writes=on -c shared_buffers=16MB"
                              // Each CREATE DATABASE writes its template (~8 MB) to the WAL:
                              // checkpoint often enough that the WAL stays small.
                              " -c max_wal_size=96MB -c min_wal_size=32MB";
  run_as_server_user({(bin_dir() / "pg_ctl").string(), "-D", data_.string(), "-l", (folder_ / "server.log").string(),
                      "-w", "-t", "60", "-o", options, "start"},
                     "pg_ctl start");
  running_ = true;
}

void PostgresServer::stop() {
  refuse_if_attached("stop");
  if (!running_) return;
  run_as_server_user({(bin_dir() / "pg_ctl").string(), "-D", data_.string(), "-m", "fast", "-w", "stop"},
                     "pg_ctl stop");
  running_ = false;
}

pid_t PostgresServer::postmaster_pid() const {
  std::ifstream file(data_ / "postmaster.pid");
  pid_t pid = 0;
  if (!(file >> pid) || pid <= 0) throw std::runtime_error("no postmaster.pid in " + data_.string());
  return pid;
}

void PostgresServer::kill9() {
  refuse_if_attached("kill");
  if (!running_) return;
  const pid_t postmaster = postmaster_pid();
  // Freeze the postmaster so that it starts no new child meanwhile, kill
  // its children (each backend is in a session of its own, so no process
  // group covers them all), then the postmaster itself.
  ::kill(postmaster, SIGSTOP);
  std::vector<pid_t> all = children_of(postmaster);
  for (const pid_t child : all) ::kill(child, SIGKILL);
  ::kill(postmaster, SIGKILL);
  all.push_back(postmaster);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (const pid_t pid : all) {
    while (alive(pid)) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("PostgreSQL process " + std::to_string(pid) + " survived SIGKILL");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  // The dead postmaster may linger as a zombie nobody reaps; its lock files
  // would make the next start believe it still runs.
  std::error_code ignored;
  fs::remove(data_ / "postmaster.pid", ignored);
  fs::remove(folder_ / (".s.PGSQL." + std::to_string(port_) + ".lock"), ignored);
  running_ = false;
}

}  // namespace sotto::testing
