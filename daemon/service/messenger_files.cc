// Messenger: the file methods of the local API. The bytes move in
// messenger_transfers.cc; here a transfer is created, listed, pointed at a
// destination or cancelled.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "daemon/service/file_name.h"
#include "daemon/service/messenger.h"
#include "daemon/service/msgd_log.h"
#include "lib/crypto/file_cipher.h"
#include "lib/store/transaction.h"

namespace sotto::msgd {

using api::ApiError;
using api::ErrorName;
using nlohmann::json;

namespace {

std::string human_size(std::uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

std::filesystem::path absolute_param(const json& params, const char* name) {
  const std::string& text = params.at(name).get_ref<const std::string&>();
  if (text.find('\0') != std::string::npos) {
    throw ApiError(ErrorName::kInvalidParams, std::string(name) + ": contains a NUL byte");
  }
  const std::filesystem::path path(text);
  if (!path.is_absolute()) {
    throw ApiError(ErrorName::kInvalidParams,
                   std::string(name) + ": must be an absolute path (msgd has no working folder of yours)");
  }
  return path.lexically_normal();
}

}  // namespace

std::filesystem::path Messenger::files_dir() const { return config_.data_dir / "files"; }

std::filesystem::path Messenger::default_download_dir() const {
  if (!config_.download_dir.empty()) return config_.download_dir;
  if (const char* xdg = std::getenv("XDG_DOWNLOAD_DIR"); xdg && xdg[0] == '/') return xdg;
  const char* home = std::getenv("HOME");
  if (!home || home[0] != '/')
    throw ApiError(ErrorName::kInvalidParams, "output: no download folder is known; give one");
  return std::filesystem::path(home) / "Downloads";
}

json Messenger::file_json(const Transfer& t) const {
  std::uint64_t bytes = t.bytes;
  TransferState state = t.state;
  if (auto it = tasks_.find(t.id); it != tasks_.end() && !is_final(state)) bytes = it->second->bytes;
  return {
      {"id", t.id},
      {"peer", t.peer},
      {"direction", std::string(to_string(t.direction))},
      {"name", t.name},
      {"size", static_cast<std::int64_t>(t.size)},
      {"mime", t.mime},
      {"caption", t.caption},
      {"state", std::string(to_string(state))},
      {"bytes", static_cast<std::int64_t>(bytes)},
      {"path", t.source},
      {"sent_at", t.created_at_ms},
      {"error", t.error},
  };
}

json Messenger::send_file(const json& params) {
  require_account();
  // "@GROUP": one upload that every member may fetch, announced in one group message.
  const std::string peer = require_conversation(params);
  if (peer == username_) throw ApiError(ErrorName::kInvalidParams, "peer: that is you; send to someone else");
  const std::string& caption = params.at("caption").get_ref<const std::string&>();
  if (caption.size() > kMaxTextBytes) throw ApiError(ErrorName::kInvalidParams, "caption: longer than 64 KiB");
  if (is_group_conversation(peer)) {
    require_group_sendable(*load_group(peer.substr(1)));
  } else if (auto contact = contacts_.find(peer); contact && contact->trust == Trust::kUntrusted) {
    throw ApiError(ErrorName::kIdentityUntrusted,
                   peer + "'s identity key is not trusted: compare safety numbers (`msgctl fingerprint " + peer +
                       "`), then run `msgctl trust " + peer + "`");
  }
  const std::filesystem::path path = absolute_param(params, "path");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw ApiError(ErrorName::kInvalidParams, "path: " + path.string() + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode))
    throw ApiError(ErrorName::kInvalidParams, "path: " + path.string() + " is not a regular file");
  if (::access(path.c_str(), R_OK) != 0) {
    throw ApiError(ErrorName::kInvalidParams, "path: " + path.string() + ": msgd may not read it");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  // msgd's own cap is on the file; the relay's (HelloOk.max_blob_size) is on
  // the blob, which is the file plus 16 bytes per 64 KiB.
  auto refuse = [&](const std::string& whose, std::uint64_t cap) {
    throw ApiError(ErrorName::kInvalidParams, "path: the file is " + human_size(size) + "; " + whose + " is " +
                                                  human_size(cap) + ", so nothing was sent");
  };
  if (size > config_.max_file_size) refuse("this msgd's max_file_size", config_.max_file_size);
  if (authenticated_) {
    const std::uint64_t relay_cap = authenticated_->server_hello().max_blob_size();
    if (relay_cap > 0 && crypto::file_ciphertext_size(size) > relay_cap) refuse("the relay's file size cap", relay_cap);
  }

  Transfer t;
  t.id = message_id_hex(new_message_id());
  t.peer = peer;
  t.direction = Direction::kOut;
  t.name = safe_file_name(path.filename().string());
  t.size = size;
  t.mime = guess_mime_type(t.name);
  t.caption = caption;
  t.file_key = crypto::generate_file_key();
  t.source = path.string();
  t.source_mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  t.state = TransferState::kPreparing;
  t.created_at_ms = now_ms();

  StoredMessage m;
  m.id = t.id;
  m.peer = peer;
  m.direction = Direction::kOut;
  m.sender = username_;
  m.text = caption;
  m.sent_at_ms = t.created_at_ms;
  m.state = MessageState::kQueued;
  m.kind = MessageKind::kFile;
  m.file = FileSummary{t.name, t.size, t.mime};
  {
    store::Transaction tx(database_.db());
    messages_.insert_outgoing(m);
    transfers_.insert(t);
    tx.commit();
  }
  log_event("file_queued", {{"peer", peer}, {"id", t.id}, {"size", std::to_string(size)}});
  start_transfer(t.id);
  return file_json(t);
}

json Messenger::list_files(const json& params) {
  const std::string& peer = params.at("peer").get_ref<const std::string&>();
  json out = json::array();
  for (const Transfer& t : transfers_.list(peer.empty() ? std::string() : require_conversation(params))) {
    out.push_back(file_json(t));
  }
  return out;
}

json Messenger::save_file(const json& params) {
  const std::string& id = params.at("id").get_ref<const std::string&>();
  auto t = transfers_.find(id);
  if (!t) throw ApiError(ErrorName::kNotFound, "no file with id " + id.substr(0, 64));
  if (t->direction != Direction::kIn) throw ApiError(ErrorName::kInvalidParams, "id: that file was sent, not received");
  std::filesystem::path output = params.at("output").get_ref<const std::string&>().empty()
                                     ? default_download_dir()
                                     : absolute_param(params, "output");
  // The default folder is created on first use, like a browser's.
  if (params.at("output").get_ref<const std::string&>().empty()) {
    std::error_code ec;
    std::filesystem::create_directories(output, ec);
  }
  std::error_code ec;
  const bool is_dir = std::filesystem::is_directory(output, ec);
  const std::filesystem::path dir = is_dir ? output : output.parent_path();
  if (!std::filesystem::is_directory(dir, ec)) {
    throw ApiError(ErrorName::kInvalidParams, "output: " + dir.string() + " is not a folder");
  }
  if (!is_dir && (output.filename().empty() || output.filename() == "." || output.filename() == "..")) {
    throw ApiError(ErrorName::kInvalidParams, "output: no file name in " + output.string());
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    throw ApiError(ErrorName::kInvalidParams, "output: msgd may not write in " + dir.string());
  }
  transfers_.set_save_to(id, output.string());
  t->save_to = output.string();
  switch (t->state) {
    case TransferState::kDownloaded:
    case TransferState::kSaved: {
      std::filesystem::path saved;
      try {
        saved = copy_to_save_target(*t);
      } catch (const std::exception& e) {
        throw ApiError(ErrorName::kInternal, std::string("saving the file failed: ") + e.what());
      }
      transfers_.set_source(id, saved.string());
      transfers_.set_state(id, TransferState::kSaved);
      t->source = saved.string();
      t->state = TransferState::kSaved;
      return file_json(*t);
    }
    case TransferState::kDownloading:
      return file_json(*t);  // the running download writes it there when done
    case TransferState::kAvailable:
    case TransferState::kFailed:
    case TransferState::kCancelled:
      // A failed or cancelled download starts again from nothing.
      transfers_.set_state(id, TransferState::kDownloading);
      t->state = TransferState::kDownloading;
      t->error.clear();
      start_transfer(id);
      return file_json(*t);
    default:
      throw ApiError(ErrorName::kInvalidParams, "id: not a received file");
  }
}

json Messenger::cancel_transfer(const json& params) {
  const std::string& id = params.at("id").get_ref<const std::string&>();
  auto t = transfers_.find(id);
  if (!t) throw ApiError(ErrorName::kNotFound, "no file with id " + id.substr(0, 64));
  if (t->state == TransferState::kCancelled) return file_json(*t);
  if (t->state == TransferState::kFailed || t->state == TransferState::kDownloaded ||
      t->state == TransferState::kSaved) {
    throw ApiError(ErrorName::kInvalidParams,
                   "id: the transfer is " + std::string(to_string(t->state)) + "; there is nothing to cancel");
  }
  if (auto it = tasks_.find(id); it != tasks_.end()) it->second->cancelled = true;
  bool message_failed = false;
  {
    store::Transaction tx(database_.db());
    transfers_.set_state(id, TransferState::kCancelled, "cancelled");
    if (t->direction == Direction::kOut) {
      // Not sent yet: it never will be. Sent: the peer finds the file gone.
      outbox_.remove(id);
      message_failed = messages_.advance_state(id, MessageState::kFailed);
    }
    tx.commit();
  }
  if (t->direction == Direction::kIn && tasks_.find(id) == tasks_.end()) {
    std::error_code ec;  // a running download removes its own
    std::filesystem::remove(download_target(*t).first / temp_name(id), ec);
  }
  if (!t->blob_id.empty()) release_blob(t->blob_id);
  t->state = TransferState::kCancelled;
  t->error = "cancelled";
  log_event("transfer_cancelled", {{"peer", t->peer}, {"id", id}});
  events_.publish("TransferProgress", progress_json(*t, TransferState::kCancelled, t->bytes));
  if (message_failed) {
    events_.publish("DeliveryChanged", {{"id", id}, {"peer", t->peer}, {"state", "failed"}, {"reason", "cancelled"}});
  }
  return file_json(*t);
}

}  // namespace sotto::msgd
