#include "frontends/tui/daemon_link.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <type_traits>

#include "frontends/tui/api_events.h"

namespace sotto::tui {
namespace {

using nlohmann::json;

// Where /save puts files, as msgctl save does: $XDG_DOWNLOAD_DIR when it is
// absolute, else ~/Downloads.
std::filesystem::path download_folder() {
  if (const char* xdg = std::getenv("XDG_DOWNLOAD_DIR"); xdg && xdg[0] == '/') return xdg;
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && home[0] == '/' ? home : "/tmp") / "Downloads";
}

// How long the event thread waits for an event before it looks whether it
// should stop or drop a stale client: the longest msg-tui takes to quit.
constexpr std::chrono::milliseconds kEventWait{300};
// History pages read for /search: the API gives at most 1000 a call; 50
// pages (50 000 messages) bound the time and memory one search may take.
constexpr std::int64_t kSearchPage = 1000;
constexpr int kMaxSearchPages = 50;

std::string describe(const api::ApiError& e) { return std::string(e.what()) + " (" + std::string(e.id()) + ")"; }

// Writes the export next to nothing else: O_EXCL never replaces a file, 0600
// because a conversation is private.
std::size_t write_new_file(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + path);
  const api::UniqueFd file(fd);
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(file.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::unlink(path.c_str());
      throw std::system_error(saved, std::generic_category(), "cannot write " + path);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(file.get()) != 0) throw std::system_error(errno, std::generic_category(), "cannot sync " + path);
  return done;
}

}  // namespace

DaemonLink::DaemonLink(std::vector<DaemonTransport> transports, std::chrono::milliseconds retry)
    : transports_(std::move(transports)), retry_(retry), wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!wake_.valid()) throw std::system_error(errno, std::generic_category(), "eventfd");
}

DaemonLink::~DaemonLink() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (call_thread_.joinable()) call_thread_.join();
  if (event_thread_.joinable()) event_thread_.join();
}

void DaemonLink::start() {
  call_thread_ = std::thread([this] { run_calls(); });
  event_thread_ = std::thread([this] { run_events(); });
}

void DaemonLink::request(Action action) {
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(action));
  }
  changed_.notify_all();
}

std::vector<Event> DaemonLink::take_events() {
  std::uint64_t count = 0;
  while (::read(wake_.get(), &count, sizeof count) < 0 && errno == EINTR) {
  }
  std::lock_guard lock(mutex_);
  std::vector<Event> out;
  out.swap(posted_);
  return out;
}

void DaemonLink::post(Event event) {
  {
    std::lock_guard lock(mutex_);
    posted_.push_back(std::move(event));
  }
  const std::uint64_t one = 1;
  // Only fails when the counter would overflow, i.e. it is readable anyway.
  [[maybe_unused]] const ssize_t n = ::write(wake_.get(), &one, sizeof one);
}

void DaemonLink::post_down(const std::string& reason) {
  {
    std::lock_guard lock(mutex_);
    if (down_posted_ && reason == last_down_reason_) return;
    down_posted_ = true;
    last_down_reason_ = reason;
  }
  post(DaemonDown{reason});
}

void DaemonLink::drop_connection(const std::string& reason) {
  calls_.reset();
  {
    std::lock_guard lock(mutex_);
    ++generation_;
    handed_events_.reset();
  }
  changed_.notify_all();
  post_down(reason);
}

bool DaemonLink::connect_once() {
  std::string reason = "no way to reach msgd";
  for (const auto& transport : transports_) {
    try {
      auto calls = transport.connect();
      const json status = calls->call("status", json::object());
      auto events = transport.connect();
      events->subscribe();
      std::uint64_t generation = 0;
      {
        std::lock_guard lock(mutex_);
        generation = ++generation_;
        handed_events_ = std::move(events);
        handed_generation_ = generation;
        down_posted_ = false;
        last_down_reason_.clear();
      }
      changed_.notify_all();
      calls_ = std::move(calls);
      calls_generation_ = generation;
      post(daemon_up_from_status(status, transport.description));
      return true;
    } catch (const api::TransportError& e) {
      reason = e.what();
    } catch (const api::ApiError& e) {
      reason = describe(e);
    }
  }
  post_down(reason);
  return false;
}

void DaemonLink::run_calls() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (stop_) return;
      if (calls_ && calls_generation_ != generation_) {
        lock.unlock();
        calls_.reset();  // the event thread saw msgd go; reconnect
        continue;
      }
    }
    if (!calls_) {
      if (connect_once()) continue;
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, retry_, [this] { return stop_; });
      continue;
    }
    Action action;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stop_ || !requests_.empty() || calls_generation_ != generation_; });
      if (stop_) return;
      if (calls_generation_ != generation_ || requests_.empty()) continue;
      action = std::move(requests_.front());
      requests_.pop_front();
    }
    execute(action);
  }
}

void DaemonLink::run_events() {
  std::unique_ptr<api::Client> client;
  std::uint64_t generation = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (stop_) return;
      if (client && generation != generation_) client.reset();
      if (!client) {
        changed_.wait(lock, [this] { return stop_ || handed_events_ != nullptr; });
        if (stop_) return;
        client = std::move(handed_events_);
        generation = handed_generation_;
        continue;
      }
    }
    try {
      auto event = client->next_event(kEventWait);
      if (!event) continue;
      const auto now =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
      if (auto translated = event_from_api(*event, now.count())) post(std::move(*translated));
    } catch (const api::TransportError& e) {
      client.reset();
      bool current = false;
      {
        std::lock_guard lock(mutex_);
        // A client of an older connection breaking says nothing about the
        // current one (the call thread may have reconnected already).
        current = generation == generation_;
        if (current) ++generation_;  // tells the call thread
      }
      changed_.notify_all();
      if (current) post_down(e.what());
    }
  }
}

void DaemonLink::execute(const Action& action) {
  api::Client& c = *calls_;
  try {
    std::visit(
        [&](const auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, LoadOverview> || std::is_same_v<T, LoadPresence>) {
            const json status = c.call("status", json::object());
            const bool relay_connected = status.value("connected", false);
            post(RelayChanged{relay_connected, status.value("relay", std::string())});
            if constexpr (std::is_same_v<T, LoadOverview>) {
              post(ContactsLoaded{contacts_from_json(c.call("contacts", json::object()))});
              // Before the inbox: a group's name is known before its unread messages are counted.
              post(GroupsLoaded{groups_from_json(c.call("group_list", json::object()))});
              post(InboxLoaded{messages_from_json(c.call("inbox", json::object()))});
            }
            // Presence needs the relay. While msgd is still connecting (it
            // has just started, say) there is none to show, and no error
            // either: the status line already says the relay is away, and
            // RelayChanged asks again once it is back.
            if (relay_connected) {
              try {
                post(PresenceLoaded{presence_from_json(c.call("online", json::object()))});
              } catch (const api::ApiError& e) {
                if (e.name() != api::ErrorName::kRelayUnavailable) throw;
              }
            }
          } else if constexpr (std::is_same_v<T, LoadHistory>) {
            json params{{"peer", api_peer(a.peer)}, {"limit", static_cast<std::int64_t>(a.limit)}};
            if (!a.before.empty()) params["before"] = a.before;
            post(HistoryLoaded{a.peer, messages_from_json(c.call("history", params)), !a.before.empty(), a.limit});
          } else if constexpr (std::is_same_v<T, SendText>) {
            try {
              // A group conversation's text goes to every member (one ciphertext, fanned out by the relay).
              const json r = !a.peer.empty() && a.peer.front() == '#'
                                 ? c.call("group_send", {{"group", a.peer.substr(1)}, {"text", a.text}})
                                 : c.call("send", {{"peer", a.peer}, {"text", a.text}});
              post(SendFinished{a.local_id, a.peer, {}, r.value("id", std::string()), r.value("state", "queued"), {}});
            } catch (const api::ApiError& e) {
              post(SendFinished{a.local_id, a.peer, a.text, std::nullopt, {}, describe(e)});
            } catch (const api::TransportError& e) {
              post(SendFinished{a.local_id, a.peer, a.text, std::nullopt, {}, "msgd went away"});
              throw;
            }
          } else if constexpr (std::is_same_v<T, MarkRead>) {
            try {
              c.call("mark_read", {{"peer", api_peer(a.peer)}});
            } catch (const api::ApiError&) {
              // Nothing to mark (a peer we only opened): not worth a notice.
            }
          } else if constexpr (std::is_same_v<T, ShowFingerprint>) {
            post(fingerprint_from_json(a.peer, c.call("fingerprint", {{"peer", a.peer}})));
          } else if constexpr (std::is_same_v<T, Verify>) {
            const json contact = c.call("verify", {{"peer", a.peer}});
            post(Verified{a.peer, contact.value("trust", std::string("verified"))});
          } else if constexpr (std::is_same_v<T, Search>) {
            std::vector<MessageData> all;
            std::string before;
            for (int page = 0; page < kMaxSearchPages; ++page) {
              json params{{"peer", api_peer(a.peer)}, {"limit", kSearchPage}};
              if (!before.empty()) params["before"] = before;
              std::vector<MessageData> got = messages_from_json(c.call("history", params));
              const bool full = static_cast<std::int64_t>(got.size()) >= kSearchPage;
              if (!got.empty()) before = got.front().id;
              all.insert(all.begin(), std::make_move_iterator(got.begin()), std::make_move_iterator(got.end()));
              if (!full || before.empty()) break;
            }
            post(SearchReady{a.peer, a.query, std::move(all)});
          } else if constexpr (std::is_same_v<T, Export>) {
            const json r = c.call("export", {{"peer", api_peer(a.peer)}, {"format", "json"}});
            const std::string content = r.value("content", std::string());
            try {
              post(ExportDone{a.peer, a.path, write_new_file(a.path, content)});
            } catch (const std::system_error& e) {
              post(RequestFailed{std::string("export: ") + e.what()});
            }
          } else if constexpr (std::is_same_v<T, SendFile>) {
            std::error_code ec;
            const std::filesystem::path path = std::filesystem::absolute(a.path, ec);
            if (ec) {
              post(RequestFailed{"file: " + a.path + ": " + ec.message()});
              return;
            }
            const json file = c.call("send_file", {{"peer", a.peer}, {"path", path.string()}, {"caption", ""}});
            const json message = c.call("get_message", {{"id", file.value("id", std::string())}});
            post(FileQueued{message_from_json(message), file.value("size", std::int64_t{0})});
          } else if constexpr (std::is_same_v<T, SaveFile>) {
            const std::filesystem::path folder = download_folder();
            std::error_code ec;
            std::filesystem::create_directories(folder, ec);
            const json file = c.call("save_file", {{"id", a.id}, {"output", folder.string()}});
            post(FileSaveStarted{file.value("name", std::string()), file.value("state", std::string()),
                                 file.value("path", std::string()), folder.string()});
          } else {
            // Ring and Quit are the terminal's; never queued here.
          }
        },
        action);
  } catch (const api::TransportError& e) {
    drop_connection(e.what());
  } catch (const api::ApiError& e) {
    post(RequestFailed{describe(e)});
  }
}

}  // namespace sotto::tui
