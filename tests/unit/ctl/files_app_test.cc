// send-file, files, save and cancel in-process: the real parser, socket client
// and commands against a real socket server scripted per test, which pushes
// the TransferProgress/FileReceived/DeliveryChanged events msgd would send.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "ctl/app.h"
#include "tests/unit/ctl/scripted_msgd.h"

namespace sotto::ctl {
namespace {

using nlohmann::json;
using testing::ScriptedMsgd;
using testing::TempDir;

const std::string kFileId = "0123456789abcdef0123456789abcdef";
const std::string kOtherId = "fedcba9876543210fedcba9876543210";

struct FileRun {
  int code;
  std::string out;
  std::string err;
};

json progress(const std::string& state, std::int64_t bytes, const std::string& id = kFileId,
              const std::string& direction = "out") {
  return {{"id", id},       {"peer", "bob"},  {"direction", direction}, {"name", "report.pdf"},
          {"state", state}, {"bytes", bytes}, {"size", 2'100'000}};
}

json file_object(const std::string& state, const std::string& direction, const std::string& path = "") {
  return {{"id", kFileId},
          {"peer", "bob"},
          {"direction", direction},
          {"name", "report.pdf"},
          {"size", 2'100'000},
          {"mime", "application/pdf"},
          {"caption", ""},
          {"state", state},
          {"bytes", state == "saved" || state == "uploaded" ? 2'100'000 : 0},
          {"path", path},
          {"sent_at", 1795521784000},
          {"error", ""}};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Sets an environment variable for one test and puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class CtlFiles : public ::testing::Test {
 protected:
  CtlFiles() {
    file_ = dir_.path() / "report.pdf";
    std::ofstream(file_) << "%PDF-1.7 not really";
  }

  std::filesystem::path socket() const { return dir_.path() / "msgd.sock"; }

  FileRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"msgctl", "--socket", socket().string(), "--timeout", "5"});
    std::istringstream in;
    std::ostringstream out, err;
    Environment env{in,
                    out,
                    err,
                    false,
                    real_connectors(),
                    [](std::string_view) { return std::nullopt; },
                    terminal_,
                    [] { return std::size_t{80}; }};
    const int code = run_msgctl(args, env);
    return {code, out.str(), err.str()};
  }

  // A msgd whose send_file pushes `events` (before its answer: the client
  // must keep them) and answers with `answer`.
  ScriptedMsgd uploading(std::vector<std::pair<std::string, json>> events, json answer) {
    return ScriptedMsgd(socket(), [this, events, answer](const std::string& method, const json&) -> json {
      if (method != "send_file") return json::array();
      for (const auto& [name, data] : events) push(name, data);
      return answer;
    });
  }

  void push(const std::string& name, const json& data) {
    if (msgd_ == nullptr || !msgd_->push_event(name, data)) ADD_FAILURE() << "not subscribed when " << name << " came";
  }

  TempDir dir_;
  std::filesystem::path file_;
  bool terminal_ = false;
  ScriptedMsgd* msgd_ = nullptr;
};

const json kStarted = {
    {"id", kFileId}, {"peer", "bob"}, {"name", "report.pdf"}, {"size", 2'100'000}, {"state", "preparing"}};

TEST_F(CtlFiles, SendFileChecksTheFileBeforeAskingMsgd) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) { return json::object(); });
  FileRun r = run({"send-file", "bob", (dir_.path() / "missing.pdf").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("missing.pdf' does not exist"), std::string::npos) << r.err;
  r = run({"send-file", "bob", dir_.path().string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is a directory"), std::string::npos) << r.err;
  const std::filesystem::path fifo = dir_.path() / "pipe";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  r = run({"send-file", "bob", fifo.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is not a regular file"), std::string::npos) << r.err;
  r = run({"--json", "send-file", "bob", "/dev/null"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(json::parse(r.out)["error"]["name"], "Usage");
  EXPECT_TRUE(msgd.requests().empty());
}

// Root reads every file, so as root (CI runs as root) msgctl runs in a child
// that has become nobody, as a user would run it.
TEST_F(CtlFiles, SendFileRefusesAnUnreadableFile) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) { return json::object(); });
  ASSERT_EQ(chmod(file_.c_str(), 0), 0);
  if (geteuid() != 0) {
    const FileRun r = run({"send-file", "bob", file_.string()});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("is not readable"), std::string::npos) << r.err;
  } else {
    ASSERT_EQ(chmod(dir_.path().c_str(), 0711), 0);  // nobody may pass through, not list or read
    int channel[2];
    ASSERT_EQ(pipe(channel), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(channel[0]);
      if (setgid(65534) != 0 || setuid(65534) != 0) _exit(100);
      const FileRun r = run({"send-file", "bob", file_.string()});
      const std::string report = std::to_string(r.code) + "\n" + r.err;
      if (write(channel[1], report.data(), report.size()) < 0) _exit(101);
      _exit(0);
    }
    close(channel[1]);
    std::string report;
    char buffer[512];
    for (ssize_t n; (n = read(channel[0], buffer, sizeof buffer)) > 0;)
      report.append(buffer, static_cast<std::size_t>(n));
    close(channel[0]);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child could not become nobody";
    EXPECT_EQ(report.substr(0, report.find('\n')), "2") << report;
    EXPECT_NE(report.find("is not readable"), std::string::npos) << report;
  }
  EXPECT_TRUE(msgd.requests().empty());
}

TEST_F(CtlFiles, SendFileSubscribesFirstAndFollowsUntilUploaded) {
  ScriptedMsgd msgd = uploading({{"TransferProgress", progress("uploading", 10, kOtherId)},
                                 {"TransferProgress", progress("preparing", 0)},
                                 {"TransferProgress", progress("uploading", 1'050'000)},
                                 {"TransferProgress", progress("uploaded", 2'100'000, kOtherId)},
                                 {"TransferProgress", progress("uploading", 2'100'000)},
                                 {"TransferProgress", progress("uploaded", 2'100'000)}},
                                kStarted);
  msgd_ = &msgd;
  const FileRun r = run({"send-file", "bob", file_.string(), "--caption", "Q3 numbers"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(msgd.methods(), (std::vector<std::string>{"subscribe", "send_file"}));
  EXPECT_EQ(msgd.requests().at(1)["params"],
            (json{{"peer", "bob"}, {"path", file_.string()}, {"caption", "Q3 numbers"}}));
  EXPECT_EQ(r.out.rfind("file " + kFileId + " to bob (report.pdf): 2.1 MB uploaded in ", 0), 0u) << r.out;
  EXPECT_EQ(lines_of(r.out).size(), 1u) << r.out;
  EXPECT_EQ(r.out.find('\r'), std::string::npos) << "no bar when stdout is not a terminal";
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(CtlFiles, SendFileMakesARelativePathAbsoluteAndSendsNoEmptyCaption) {
  ScriptedMsgd msgd = uploading({{"TransferProgress", progress("uploaded", 2'100'000)}}, kStarted);
  msgd_ = &msgd;
  const std::filesystem::path relative = std::filesystem::relative(file_, std::filesystem::current_path());
  ASSERT_TRUE(relative.is_relative());
  const FileRun r = run({"send-file", "bob", relative.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  const json params = msgd.requests().at(1)["params"];
  EXPECT_EQ(params, (json{{"peer", "bob"}, {"path", (std::filesystem::current_path() / relative).string()}}));
  EXPECT_TRUE(std::filesystem::path(params["path"].get<std::string>()).is_absolute());
}

TEST_F(CtlFiles, SendFileJsonPrintsEachProgressThenTheResult) {
  ScriptedMsgd msgd = uploading({{"TransferProgress", progress("uploading", 5, kOtherId)},
                                 {"TransferProgress", progress("preparing", 0)},
                                 {"TransferProgress", progress("uploading", 1'050'000)},
                                 {"TransferProgress", progress("uploaded", 2'100'000)}},
                                kStarted);
  msgd_ = &msgd;
  const FileRun r = run({"--json", "send-file", "bob", file_.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(lines[i].rfind(R"({"event":"progress",)", 0), 0u) << lines[i];
    EXPECT_EQ(json::parse(lines[i])["id"], kFileId);
  }
  EXPECT_EQ(json::parse(lines[1])["bytes"], 1'050'000);
  const json result = json::parse(lines[3]);
  EXPECT_FALSE(result.contains("event"));
  EXPECT_EQ(result["id"], kFileId);
  EXPECT_EQ(result["state"], "uploaded");
  EXPECT_EQ(result["bytes"], 2'100'000);
}

TEST_F(CtlFiles, SendFileFailedOrCancelledIsExitOne) {
  json failed = progress("failed", 100);
  failed["error"] = "over the relay's quota\x1b[2J";
  {
    ScriptedMsgd msgd =
        uploading({{"TransferProgress", progress("uploading", 100)}, {"TransferProgress", failed}}, kStarted);
    msgd_ = &msgd;
    FileRun r = run({"send-file", "bob", file_.string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "msgctl: file " + kFileId + " to bob (report.pdf) failed: over the relay's quota\\x1b[2J\n");
    r = run({"--json", "send-file", "bob", file_.string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(json::parse(lines_of(r.out).back())["error"]["name"], "TransferFailed");
  }
  {
    ScriptedMsgd msgd = uploading({{"TransferProgress", progress("cancelled", 0)}}, kStarted);
    msgd_ = &msgd;
    const FileRun r = run({"send-file", "bob", file_.string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("was cancelled"), std::string::npos) << r.err;
  }
  {
    json at_once = kStarted;
    at_once["state"] = "failed";
    ScriptedMsgd msgd = uploading({}, at_once);
    msgd_ = &msgd;
    const FileRun r = run({"send-file", "bob", file_.string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("failed: msgd gave no reason"), std::string::npos) << r.err;
  }
}

TEST_F(CtlFiles, SendFileOnATerminalDrawsABarAndClearsIt) {
  terminal_ = true;
  ScriptedMsgd msgd = uploading(
      {{"TransferProgress", progress("uploading", 1'050'000)}, {"TransferProgress", progress("uploaded", 2'100'000)}},
      kStarted);
  msgd_ = &msgd;
  FileRun r = run({"send-file", "bob", file_.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\rreport.pdf  [==="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" 50%   1.1 MB / 2.1 MB"), std::string::npos) << r.out;
  const std::size_t cleared = r.out.rfind("\r");
  ASSERT_NE(cleared, std::string::npos);
  EXPECT_EQ(r.out.substr(cleared + 1).rfind("file " + kFileId + " to bob (report.pdf): 2.1 MB uploaded", 0), 0u)
      << "the last line replaces the bar: " << r.out;
  r = run({"--json", "send-file", "bob", file_.string()});
  EXPECT_EQ(r.out.find('\r'), std::string::npos) << "JSON lines, no bar, on a terminal too";
}

TEST_F(CtlFiles, SendFileWaitWaitsForTheMessage) {
  ScriptedMsgd msgd = uploading({{"TransferProgress", progress("uploaded", 2'100'000)},
                                 {"DeliveryChanged", {{"id", kOtherId}, {"peer", "bob"}, {"state", "delivered"}}},
                                 {"DeliveryChanged", {{"id", kFileId}, {"peer", "bob"}, {"state", "sent"}}},
                                 {"DeliveryChanged", {{"id", kFileId}, {"peer", "bob"}, {"state", "delivered"}}}},
                                kStarted);
  msgd_ = &msgd;
  FileRun r = run({"send-file", "bob", file_.string(), "--wait"});
  EXPECT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_NE(lines[0].find("uploaded"), std::string::npos);
  EXPECT_EQ(lines[1], "delivered to bob ✓✓");
  r = run({"--json", "send-file", "bob", file_.string(), "--wait"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(lines_of(r.out).back())["delivery"], "delivered");
}

TEST_F(CtlFiles, SendFileWaitGivesUpWithExitFour) {
  ScriptedMsgd msgd = uploading({{"TransferProgress", progress("uploaded", 2'100'000)}}, kStarted);
  msgd_ = &msgd;
  const auto start = std::chrono::steady_clock::now();
  FileRun r = run({"send-file", "bob", file_.string(), "--wait", "--wait-timeout", "0.3"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(r.err, "msgctl: not delivered within 0.3 s (still queued; it will be delivered later)\n");
  r = run({"--json", "send-file", "bob", file_.string(), "--wait", "--wait-timeout", "0.2"});
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(json::parse(lines_of(r.out).back())["error"]["name"], "NotDelivered");
}

TEST_F(CtlFiles, SaveGoesToTheDownloadFolder) {
  std::vector<json> outputs;
  ScriptedMsgd msgd(socket(), [&](const std::string& method, const json& params) -> json {
    EXPECT_EQ(method, "save_file");
    outputs.push_back(params["output"]);
    return file_object("saved", "in", params["output"].get<std::string>() + "/report.pdf");
  });
  const std::filesystem::path downloads = dir_.path() / "dl";
  {
    ScopedEnv xdg("XDG_DOWNLOAD_DIR", downloads.string());
    const FileRun r = run({"save", kFileId});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, downloads.string() + "/report.pdf\n");
    EXPECT_EQ(msgd.requests().back()["params"], (json{{"id", kFileId}, {"output", downloads.string()}}));
  }
  const std::filesystem::path home = dir_.path() / "home";
  std::filesystem::create_directory(home);
  {
    ScopedEnv xdg("XDG_DOWNLOAD_DIR", "relative/dl");  // not absolute: ignored
    ScopedEnv home_env("HOME", home.string());
    const FileRun r = run({"save", kFileId});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(outputs.back(), (home / "Downloads").string());
    struct stat st {};
    ASSERT_EQ(stat((home / "Downloads").c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_EQ(run({"save", kFileId}).code, 0) << "an existing folder is fine";
  }
  {
    ScopedEnv xdg("XDG_DOWNLOAD_DIR", std::nullopt);
    ScopedEnv home_env("HOME", std::nullopt);
    const FileRun r = run({"save", kFileId});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("--output"), std::string::npos) << r.err;
  }
  const std::filesystem::path odd_home = dir_.path() / "odd";
  std::filesystem::create_directory(odd_home);
  std::ofstream(odd_home / "Downloads") << "a file, not a folder";
  {
    ScopedEnv xdg("XDG_DOWNLOAD_DIR", std::nullopt);
    ScopedEnv home_env("HOME", odd_home.string());
    const FileRun r = run({"save", kFileId});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("is not a folder"), std::string::npos) << r.err;
  }
  EXPECT_EQ(outputs.size(), 3u) << "no call when there is nowhere to save";
}

TEST_F(CtlFiles, SaveMakesARelativeOutputAbsolute) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json& params) {
    return file_object("saved", "in", params["output"].get<std::string>());
  });
  FileRun r = run({"save", "0123456789ABCDEF0123456789ABCDEF", "--output", "sub/x.pdf"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(msgd.requests().back()["params"],
            (json{{"id", kFileId}, {"output", (std::filesystem::current_path() / "sub/x.pdf").string()}}));
  r = run({"save", kFileId, "--output", "/abs/dir/"});
  EXPECT_EQ(msgd.requests().back()["params"]["output"], "/abs/dir/");
  r = run({"--json", "save", kFileId, "--output", "/abs/x"});
  EXPECT_EQ(json::parse(r.out), file_object("saved", "in", "/abs/x"));
}

TEST_F(CtlFiles, SaveFollowsADownloadUntilSaved) {
  const std::string path = "/home/alice/Downloads/report.pdf";
  ScriptedMsgd msgd(socket(), [&](const std::string& method, const json&) -> json {
    EXPECT_EQ(method, "save_file");
    push("TransferProgress", progress("downloading", 1'050'000, kFileId, "in"));
    push("TransferProgress", progress("downloaded", 2'100'000, kFileId, "in"));
    push("TransferProgress", progress("saved", 2'100'000, kFileId, "in"));
    push("FileReceived", file_object("saved", "in", path));
    return file_object("downloading", "in");
  });
  msgd_ = &msgd;
  FileRun r = run({"save", kFileId, "--output", "/home/alice/Downloads"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, path + "\n");
  EXPECT_EQ(msgd.methods(), (std::vector<std::string>{"subscribe", "save_file"}));
  r = run({"--json", "save", kFileId, "--output", "/home/alice/Downloads"});
  EXPECT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_EQ(json::parse(lines[0])["event"], "progress");
  EXPECT_EQ(json::parse(lines[3])["path"], path);
}

TEST_F(CtlFiles, SaveAsksForThePathWhenFileReceivedDoesNotCome) {
  const std::string path = "/tmp/report.pdf";
  ScriptedMsgd msgd(socket(), [&](const std::string& method, const json& params) -> json {
    if (method == "list_files") {
      EXPECT_EQ(params, (json{{"peer", "bob"}}));
      return json::array({file_object("saved", "in", path)});
    }
    push("TransferProgress", progress("saved", 2'100'000, kFileId, "in"));
    return file_object("downloading", "in");
  });
  msgd_ = &msgd;
  const FileRun r = run({"save", kFileId, "--output", "/tmp"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, path + "\n");
  EXPECT_EQ(msgd.methods(), (std::vector<std::string>{"subscribe", "save_file", "list_files"}));
}

TEST_F(CtlFiles, SaveOfAFailedDownloadIsExitOne) {
  ScriptedMsgd msgd(socket(), [&](const std::string&, const json&) -> json {
    json failed = progress("failed", 0, kFileId, "in");
    failed["error"] = "the blob expired on the relay";
    push("TransferProgress", failed);
    return file_object("downloading", "in");
  });
  msgd_ = &msgd;
  const FileRun r = run({"save", kFileId, "--output", "/tmp"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "msgctl: file " + kFileId + " from bob (report.pdf) failed: the blob expired on the relay\n");
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(CtlFiles, FilesListsTransfers) {
  const json files = json::array({file_object("uploading", "out"), file_object("available", "in")});
  ScriptedMsgd msgd(socket(), [&](const std::string& method, const json&) {
    EXPECT_EQ(method, "list_files");
    return files;
  });
  FileRun r = run({"files"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(msgd.requests().back()["params"], json::object());
  EXPECT_EQ(r.out.rfind("ID ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(kFileId + "  in   bob   report.pdf  2.1 MB  available  0%"), std::string::npos) << r.out;
  r = run({"files", "bob", "--json"});
  EXPECT_EQ(msgd.requests().back()["params"], (json{{"peer", "bob"}}));
  EXPECT_EQ(json::parse(r.out), files);
}

TEST_F(CtlFiles, FilesSaysWhenThereAreNone) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) { return json::array(); });
  EXPECT_EQ(run({"files"}).out, "no files sent or received yet\n");
  EXPECT_EQ(run({"files", "bob"}).out, "no files sent to or received from bob\n");
}

TEST_F(CtlFiles, CancelStopsATransfer) {
  ScriptedMsgd msgd(socket(), [](const std::string& method, const json&) {
    EXPECT_EQ(method, "cancel_transfer");
    return file_object("cancelled", "out");
  });
  FileRun r = run({"cancel", "0123456789ABCDEF0123456789ABCDEF"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(msgd.requests().back()["params"], (json{{"id", kFileId}}));
  EXPECT_EQ(r.out, "file " + kFileId + " to bob (report.pdf): cancelled\n");
  r = run({"cancel", kFileId, "--json"});
  EXPECT_EQ(json::parse(r.out), file_object("cancelled", "out"));
}

TEST_F(CtlFiles, CancelOfAnUnknownIdIsMsgdsError) {
  ScriptedMsgd msgd(socket(), [](const std::string&, const json&) -> json {
    throw api::ApiError(api::ErrorName::kNotFound, "no transfer with that id");
  });
  const FileRun r = run({"cancel", kFileId});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "msgctl: no transfer with that id (NotFound)\n");
}

TEST_F(CtlFiles, HistoryShowsFileMessages) {
  const json message = {{"id", kFileId},
                        {"peer", "bob"},
                        {"direction", "in"},
                        {"sender", "bob"},
                        {"text", "Q3"},
                        {"kind", "file"},
                        {"sent_at", 1795521784000},
                        {"state", "read"},
                        {"identity_warning", false},
                        {"file", {{"name", "report.pdf"}, {"size", 2'100'000}, {"mime", "application/pdf"}}}};
  ScriptedMsgd msgd(socket(), [&](const std::string& method, const json&) -> json {
    if (method == "status") return {{"username", "alice"}};
    return json::array({message});
  });
  FileRun r = run({"history", "bob"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("bob → alice: [file] report.pdf (2.1 MB) — Q3\n"), std::string::npos) << r.out;
  r = run({"inbox", "--json"});
  EXPECT_EQ(json::parse(r.out), json::array({message}));
}

}  // namespace
}  // namespace sotto::ctl
