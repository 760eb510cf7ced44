// send-file, files, save, cancel: file transfers, which msgd carries out in
// the background; send-file and save follow them with a progress bar.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "ctl/commands.h"
#include "ctl/failure.h"
#include "ctl/formatting.h"
#include "ctl/output.h"
#include "ctl/parser.h"
#include "ctl/progress_bar.h"
#include "ctl/stop_signals.h"
#include "ctl/text_checks.h"

namespace sotto::ctl {
namespace {

using FollowClock = std::chrono::steady_clock;

// How long one wait for an event lasts before msgctl looks at Ctrl-C again.
constexpr std::chrono::milliseconds kFollowPoll{200};
// msgd reports every change of state, and progress up to ~10 times a second;
// after this long without a word about the transfer msgctl asks (list_files),
// in case msgd restarted and an event never came.
constexpr std::chrono::seconds kFollowResync{5};
// A "saved" TransferProgress comes just before FileReceived, which has the
// path; this long without it, msgctl asks.
constexpr std::chrono::seconds kSavedPathResync{1};

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

CLI::Validator checked_by(std::string (*problem)(const std::string&), const char* name) {
  return CLI::Validator([problem](std::string& value) { return problem(value); }, "", name);
}

void add_id_operand(CLI::App& app, CommandArgs& args, const std::string& description) {
  app.add_option("ID", args.id, description)->required()->type_name("")->check(checked_by(options::id_problem, "id"));
}

// FILE made absolute from msgctl's working directory (msgd has its own), and
// checked the way msgd will read it, so that a typo costs no round trip.
// Symbolic links are not resolved: msgd names the file after the path given.
std::string file_to_send(const std::string& typed) {
  const std::string shown = "FILE '" + printable(typed) + "'";
  std::error_code error;
  const std::filesystem::path path = std::filesystem::absolute(typed, error);
  if (error) throw UsageError(shown + ": " + error.message());
  if (const std::string problem = options::path_problem(path.string()); !problem.empty()) {
    throw UsageError(shown + ": its absolute path " + printable(path.string()) + " " + problem);
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int e = errno;
    if (e == ENOENT) throw UsageError(shown + " does not exist");
    throw UsageError(shown + ": " + std::strerror(e));
  }
  if (S_ISDIR(st.st_mode)) throw UsageError(shown + " is a directory, not a file");
  if (!S_ISREG(st.st_mode)) throw UsageError(shown + " is not a regular file (a device, pipe or socket)");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    const int e = errno;
    if (e == EACCES) throw UsageError(shown + " is not readable (permission denied)");
    throw UsageError(shown + " cannot be opened: " + std::strerror(e));
  }
  ::close(fd);
  return path.string();
}

// Where `save` writes without --output: $XDG_DOWNLOAD_DIR when it is an
// absolute path, else ~/Downloads, created (0700: a download is private until
// its owner says otherwise) when missing.
std::string default_download_folder() {
  if (const char* xdg = std::getenv("XDG_DOWNLOAD_DIR"); xdg != nullptr && xdg[0] == '/') return xdg;
  const char* home = std::getenv("HOME");
  if (home == nullptr || home[0] != '/') {
    throw LocalError("cannot tell where to save: HOME is not set to an absolute path (use --output PATH)");
  }
  const std::filesystem::path folder = std::filesystem::path(home) / "Downloads";
  if (::mkdir(folder.c_str(), 0700) != 0) {
    const int e = errno;
    if (e != EEXIST) throw LocalError("cannot create " + printable(folder.string()) + ": " + std::strerror(e));
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      throw LocalError(printable(folder.string()) + " is not a folder (use --output PATH)");
    }
  }
  return folder.string();
}

std::string save_destination(const std::string& typed) {
  if (typed.empty()) return default_download_folder();
  std::error_code error;
  const std::filesystem::path path = std::filesystem::absolute(typed, error);
  if (error) throw UsageError("--output '" + printable(typed) + "': " + error.message());
  if (const std::string problem = options::path_problem(path.string()); !problem.empty()) {
    throw UsageError("--output: the absolute path " + printable(path.string()) + " " + problem);
  }
  return path.string();
}

// {"event":"progress", ...the TransferProgress data...} on one line, "event" first.
std::string progress_json_line(const nlohmann::json& data) {
  nlohmann::json rest = data.is_object() ? data : nlohmann::json::object();
  rest.erase("event");
  const std::string members = json_line(rest);
  return R"({"event":"progress")" + (members.size() > 2 ? "," + members.substr(1) : std::string("}"));
}

// "file 0123456789abcdef0123456789abcdef to bob (report.pdf)", for messages
// about one transfer: the whole id, which `save` and `cancel` take.
std::string transfer_title(const nlohmann::json& file) {
  const bool incoming = string_member(file, "direction") == "in";
  std::string title = "file " + printable(string_member(file, "id"));
  const std::string peer = string_member(file, "peer");
  if (!peer.empty()) title += (incoming ? " from " : " to ") + printable(peer);
  const std::string name = string_member(file, "name");
  if (!name.empty()) title += " (" + fit_columns(printable(name), kMaxFileNameColumns) + ")";
  return title;
}

enum class FollowEnd { kReached, kFailed, kCancelled, kInterrupted };

// Follows one transfer through msgd's events (subscribed before the call that
// started it, so none is missed) until it reaches `goal` ("uploaded" for
// send-file, "saved" for save), fails, is cancelled, or the user stops.
// Draws the progress bar on a terminal, prints {"event":"progress"} lines
// with --json, and nothing otherwise.
class TransferFollower {
 public:
  TransferFollower(api::Client& client, Context& context, nlohmann::json file, std::string goal)
      : client_(client),
        context_(context),
        file_(file.is_object() ? std::move(file) : nlohmann::json::object()),
        id_(string_member(file_, "id")),
        goal_(std::move(goal)),
        bar_(context.stdout_is_terminal && !context.out.json()),
        start_(FollowClock::now()),
        heard_(start_) {}
  // Leaving through an exception (msgd went away) must not leave the bar half
  // drawn under the error message: a newline ends it.
  ~TransferFollower() {
    if (bar_ && line_.drawn()) context_.out.out() << '\n' << std::flush;
  }
  TransferFollower(const TransferFollower&) = delete;
  TransferFollower& operator=(const TransferFollower&) = delete;

  FollowEnd run() {
    for (;;) {
      if (const auto end = outcome()) {
        finish_bar();
        return *end;
      }
      if (context_.stop_requested()) {
        finish_bar();
        return FollowEnd::kInterrupted;
      }
      draw();
      if (const auto event = client_.next_event(kFollowPoll)) {
        handle(*event);
      } else if (FollowClock::now() - heard_ >= resync_after()) {
        resync();
      }
    }
  }

  const nlohmann::json& file() const { return file_; }
  std::string state() const { return string_member(file_, "state"); }
  // The last DeliveryChanged state seen for the file's message ("" if none).
  const std::string& delivery() const { return delivery_; }
  double elapsed_seconds() const { return std::chrono::duration<double>(FollowClock::now() - start_).count(); }

 private:
  std::optional<FollowEnd> outcome() const {
    const std::string state = this->state();
    if (state == "failed") return FollowEnd::kFailed;
    if (state == "cancelled") return FollowEnd::kCancelled;
    if (state == goal_ && (goal_ != "saved" || !string_member(file_, "path").empty())) return FollowEnd::kReached;
    return std::nullopt;
  }

  std::chrono::milliseconds resync_after() const {
    if (state() == "saved") return kSavedPathResync;
    return kFollowResync;
  }

  void handle(const api::EventMessage& event) {
    if (string_member(event.data, "id") != id_) return;
    if (event.name == "TransferProgress") {
      update(event.data);
      if (context_.out.json()) context_.out.print(progress_json_line(event.data));
    } else if (event.name == "FileReceived") {
      update(event.data);
    } else if (event.name == "DeliveryChanged") {
      delivery_ = string_member(event.data, "state");
    }
  }

  void update(const nlohmann::json& data) {
    heard_ = FollowClock::now();
    if (!data.is_object()) return;
    const std::string before = state();
    for (const auto& [key, value] : data.items()) {
      if (key != "id") file_[key] = value;
    }
    const std::string now = state();
    if (now != before) rate_.reset();
    if (now == "uploading" || now == "downloading") {
      rate_.add(elapsed_seconds(), int_member(file_, "bytes"));
    }
  }

  // Asks msgd for the file when its events went quiet.
  void resync() {
    heard_ = FollowClock::now();
    nlohmann::json params = nlohmann::json::object();
    if (const std::string peer = string_member(file_, "peer"); !peer.empty()) params["peer"] = peer;
    const nlohmann::json files = client_.call("list_files", params);
    if (files.is_array()) {
      for (const auto& f : files) {
        if (string_member(f, "id") != id_) continue;
        const bool changed =
            string_member(f, "state") != state() || int_member(f, "bytes") != int_member(file_, "bytes");
        update(f);
        if (changed && context_.out.json()) context_.out.print(progress_json_line(progress_of(file_)));
        return;
      }
    }
    throw LocalError("msgd no longer knows " + transfer_title(file_));
  }

  static nlohmann::json progress_of(const nlohmann::json& file) {
    nlohmann::json progress = nlohmann::json::object();
    for (const char* key : {"id", "peer", "direction", "name", "state", "bytes", "size"}) {
      if (file.contains(key)) progress[key] = file[key];
    }
    return progress;
  }

  void draw() {
    if (!bar_) return;
    const std::string name = string_member(file_, "name");
    const std::string state = this->state();
    const std::int64_t size =
        file_.contains("size") && file_["size"].is_number_integer() ? int_member(file_, "size") : -1;
    const ProgressView view{name, state, int_member(file_, "bytes"), size, rate_.bytes_per_second()};
    std::string line = render_progress_line(view, context_.terminal_columns());
    if (line_.drawn() && line == drawn_) return;
    context_.out.out() << line_.redraw(line) << std::flush;
    drawn_ = std::move(line);
  }

  void finish_bar() {
    if (bar_) context_.out.out() << line_.clear() << std::flush;
  }

  api::Client& client_;
  Context& context_;
  nlohmann::json file_;
  std::string id_;
  std::string goal_;
  bool bar_;
  FollowClock::time_point start_;
  FollowClock::time_point heard_;
  RateMeter rate_;
  ProgressLine line_;
  std::string drawn_;
  std::string delivery_;
};

// What a transfer that did not reach its goal means for the exit code.
ExitCode report_end(Context& context, FollowEnd end, const nlohmann::json& file) {
  const std::string title = transfer_title(file);
  const std::string id = printable(string_member(file, "id"));
  switch (end) {
    case FollowEnd::kReached:
      return ExitCode::kOk;
    case FollowEnd::kFailed: {
      const std::string why = string_member(file, "error");
      report_failure(context.out,
                     Failure{ExitCode::kFailure, "TransferFailed",
                             title + " failed: " + (why.empty() ? "msgd gave no reason" : printable(why))});
      return ExitCode::kFailure;
    }
    case FollowEnd::kCancelled:
      report_failure(context.out, Failure{ExitCode::kFailure, "TransferCancelled", title + " was cancelled"});
      return ExitCode::kFailure;
    case FollowEnd::kInterrupted:
      report_failure(context.out, Failure{ExitCode::kInterrupted, "Interrupted",
                                          "stopped following " + title +
                                              "; the transfer goes on in msgd (`msgctl files` shows it, " +
                                              "`msgctl cancel " + id + "` stops it)"});
      return ExitCode::kInterrupted;
  }
  return ExitCode::kFailure;
}

// send-file --wait: after the upload, the message with the key goes out like
// a text message; waits for its DeliveryChanged as `send --wait` does.
ExitCode wait_for_delivery(api::Client& client, Context& context, nlohmann::json file, std::string state) {
  const CommandArgs& args = context.args;
  const std::string id = string_member(file, "id");
  const auto deadline =
      FollowClock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(args.wait_timeout_seconds * 1000.0));
  while (state != "delivered" && state != "read") {
    if (state == "failed") {
      report_failure(context.out,
                     Failure{ExitCode::kFailure, "Failed", "the message with " + transfer_title(file) + " failed"});
      return ExitCode::kFailure;
    }
    if (context.stop_requested()) {
      report_failure(context.out, Failure{ExitCode::kInterrupted, "Interrupted",
                                          "stopped waiting; " + transfer_title(file) +
                                              " is uploaded and its message will be delivered later"});
      return ExitCode::kInterrupted;
    }
    const auto now = FollowClock::now();
    if (now >= deadline) {
      report_failure(context.out,
                     Failure{ExitCode::kNotDelivered, "NotDelivered",
                             "not delivered within " + format_seconds(args.wait_timeout_seconds) + " s (still " +
                                 printable(state.empty() ? "queued" : state) + "; it will be delivered later)"});
      return ExitCode::kNotDelivered;
    }
    const auto event = client.next_event(std::min<std::chrono::milliseconds>(
        kFollowPoll,
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + std::chrono::milliseconds(1)));
    if (event && event->name == "DeliveryChanged" && string_member(event->data, "id") == id) {
      state = string_member(event->data, "state");
    }
  }
  file["delivery"] = state;
  if (context.out.json()) {
    context.out.print_json(file);
  } else {
    context.out.print((state == "read" ? "read by " : "delivered to ") + printable(args.peer) + " " +
                      state_mark("out", state));
  }
  return ExitCode::kOk;
}

// While a transfer is followed, Ctrl-C and SIGTERM end the following, not
// msgctl: it says how the transfer goes on and exits 130.
struct FollowScope {
  explicit FollowScope(Context& context) : context_(context), outer_stop_(context.stop_requested) {
    context.stop_requested = [outer = outer_stop_] { return stop_signal_received() || outer(); };
  }
  ~FollowScope() { context_.stop_requested = outer_stop_; }
  FollowScope(const FollowScope&) = delete;
  FollowScope& operator=(const FollowScope&) = delete;

  Context& context_;
  std::function<bool()> outer_stop_;
  StopOnSignals signals_;
};

}  // namespace

void add_send_file_options(CLI::App& app, CommandArgs& args) {
  add_conversation_option(app, args);
  app.add_option("FILE", args.file, "The file to send (msgd reads it; a path relative to here is made absolute)")
      ->required()
      ->type_name("")
      ->check(checked_by(options::path_problem, "file"));
  app.add_option("--caption", args.caption, "A text shown with the file (at most 64 KiB)")
      ->type_name("TEXT")
      ->check(checked_by(options::caption_problem, "caption"));
  auto* wait = app.add_flag("--wait", args.wait,
                            "After the upload, wait until the message is delivered (exit 4 if it is not in time)");
  app.add_option("--wait-timeout", args.wait_timeout_seconds, "Seconds --wait waits after the upload (default 30)")
      ->type_name("SECONDS")
      ->check(CLI::Validator(options::seconds_problem, "", "seconds"))
      ->needs(wait);
}

ExitCode run_send_file(api::Client& client, Context& context) {
  const CommandArgs& args = context.args;
  const std::string path = file_to_send(args.file);
  client.subscribe();  // before send_file, so that no event of the transfer is missed
  nlohmann::json params = {{"peer", args.peer}, {"path", path}};
  if (!args.caption.empty()) params["caption"] = args.caption;
  const nlohmann::json started = client.call("send_file", params);
  // From here on the transfer is msgd's: Ctrl-C only stops following it.
  FollowScope scope(context);
  nlohmann::json file = started.is_object() ? started : nlohmann::json::object();
  if (string_member(file, "id").empty()) throw LocalError("msgd's answer to send_file has no file id");
  if (!file.contains("direction")) file["direction"] = "out";
  if (!file.contains("peer")) file["peer"] = args.peer;

  TransferFollower follower(client, context, file, "uploaded");
  const FollowEnd end = follower.run();
  if (end != FollowEnd::kReached) return report_end(context, end, follower.file());
  const nlohmann::json& done = follower.file();
  if (!context.out.json()) {
    const double seconds = follower.elapsed_seconds();
    const std::int64_t size = int_member(done, "size");
    std::string line = transfer_title(done) + ": " + format_size(size) + " uploaded in " + format_elapsed(seconds);
    if (seconds >= RateMeter::kMinSpanSeconds && size > 0) {
      line += " (" + format_rate(static_cast<double>(size) / seconds) + ")";
    }
    context.out.print(line);
  }
  if (args.wait) return wait_for_delivery(client, context, done, follower.delivery());
  if (context.out.json()) context.out.print_json(done);
  return ExitCode::kOk;
}

void add_files_options(CLI::App& app, CommandArgs& args) {
  app.add_option("PEER", args.peer, "Only the files sent to or received from PEER")
      ->type_name("")
      ->check(CLI::Validator([](std::string& value) { return name_problem(value); }, "", "name"));
}

ExitCode run_files(api::Client& client, Context& context) {
  const std::string& peer = context.args.peer;
  nlohmann::json params = nlohmann::json::object();
  if (!peer.empty()) params["peer"] = peer;
  const nlohmann::json files = client.call("list_files", params);
  if (context.out.json()) {
    context.out.print_json(files);
  } else {
    context.out.print(format_files(files, peer.empty() ? "no files sent or received yet"
                                                       : "no files sent to or received from " + printable(peer)));
  }
  return ExitCode::kOk;
}

void add_save_options(CLI::App& app, CommandArgs& args) {
  add_id_operand(app, args, "The id of a received file (see `msgctl files`)");
  app.add_option("--output", args.output_file,
                 "A folder to save in, or a file name (default: $XDG_DOWNLOAD_DIR, else ~/Downloads)")
      ->type_name("PATH")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            if (value == "-") return "cannot be '-': msgd writes the file itself; give a folder or a file name";
            return options::path_problem(value);
          },
          "", "path"));
}

ExitCode run_save(api::Client& client, Context& context) {
  const CommandArgs& args = context.args;
  const std::string output = save_destination(args.output_file);
  client.subscribe();  // before save_file: a download may finish at once
  const nlohmann::json result = client.call("save_file", {{"id", lowercase(args.id)}, {"output", output}});
  FollowScope scope(context);
  nlohmann::json file = result.is_object() ? result : nlohmann::json::object();
  if (string_member(file, "id").empty()) file["id"] = lowercase(args.id);
  if (!file.contains("direction")) file["direction"] = "in";

  TransferFollower follower(client, context, file, "saved");
  const FollowEnd end = follower.run();
  if (end != FollowEnd::kReached) return report_end(context, end, follower.file());
  if (context.out.json()) {
    context.out.print_json(follower.file());
  } else {
    context.out.print(printable(string_member(follower.file(), "path")));
  }
  return ExitCode::kOk;
}

void add_cancel_options(CLI::App& app, CommandArgs& args) {
  add_id_operand(app, args, "The id of a file being sent or received (see `msgctl files`)");
}

ExitCode run_cancel(api::Client& client, Context& context) {
  const nlohmann::json result = client.call("cancel_transfer", {{"id", lowercase(context.args.id)}});
  if (context.out.json()) {
    context.out.print_json(result);
  } else {
    context.out.print(transfer_title(result) + ": " + printable(string_member(result, "state")));
  }
  return ExitCode::kOk;
}

}  // namespace sotto::ctl
