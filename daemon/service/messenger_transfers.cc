// Messenger: moving files' bytes. An upload encrypts while it reads (a first
// pass only hashes, for BlobBegin), sends BlobChunks with a few in flight,
// finishes with BlobEnd naming the peer as the only reader, and only then
// queues the message that carries the key. A download asks for BlobGets with
// a few in flight, decrypts into a hidden temporary file next to its
// destination, and gives it its name only after the last chunk and the
// SHA-256 check out. Both resume after a crash or a lost connection from
// what the relay (upload) or the disk (download) holds.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cerrno>
#include <cstring>

#include "daemon/service/encrypted_file.h"
#include "daemon/service/file_name.h"
#include "daemon/service/messenger.h"
#include "daemon/service/msgd_log.h"
#include "lib/crypto/file_cipher.h"
#include "lib/store/transaction.h"

namespace sotto::msgd {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kProgressInterval = std::chrono::milliseconds(100);
constexpr auto kTransferRequestTimeout = std::chrono::seconds(60);
constexpr auto kTransferRetryAfter = std::chrono::seconds(5);
// A file message whose blob the relay does not have (yet): tried again after
// 1, 2, 4, ... 32 seconds, then the download fails.
constexpr int kMissingBlobRetries = 6;

// The transfer stops for now (the connection broke, the relay asked to wait);
// resume_transfers() picks it up again.
struct TransferPaused {
  std::string why;
};
// The transfer cannot succeed; it is marked failed with this reason.
struct TransferFailed {
  std::string why;
};
struct TransferCancelled {};

std::string frame_bytes(crypto::ByteView bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// The plaintext bytes a ciphertext offset stands for (for progress only).
std::uint64_t plaintext_done(std::uint64_t ciphertext_offset, std::uint64_t size) {
  const std::uint64_t chunks = ciphertext_offset / crypto::kFileChunkCiphertextSize;
  const std::uint64_t within = ciphertext_offset % crypto::kFileChunkCiphertextSize;
  return std::min(size, chunks * crypto::kFileChunkSize + std::min<std::uint64_t>(within, crypto::kFileChunkSize));
}

// Requests in flight for one transfer, and the signal the transfer waits on.
struct Window {
  explicit Window(const net::asio::any_io_executor& executor) : signal(executor) {}
  net::asio::steady_timer signal;
  int in_flight = 0;
  bool lost = false;  // the connection ended under a request
  std::string lost_reason;
  std::optional<wire::Frame> error;           // the first answer that was not the expected one
  std::uint64_t acked = 0;                    // upload: the highest offset the relay confirmed
  std::map<std::uint64_t, std::string> data;  // download: BlobData by offset, until applied
  std::uint64_t total_size = 0;
  bool size_mismatch = false;

  void wake() { signal.cancel(); }
};

// Waits for the next answer; returns at once when nothing is in flight (no
// answer would ever come).
net::Awaitable<void> wait_for(Window& window) {
  if (window.in_flight == 0) co_return;
  window.signal.expires_at(Clock::time_point::max());
  boost::system::error_code ec;
  co_await window.signal.async_wait(net::asio::redirect_error(net::asio::use_awaitable, ec));
}

// One request of a window: take(reply) keeps an expected answer and says
// whether it was one; anything else is the window's error, a lost
// connection ends the window. Either way the transfer's wait wakes up.
template <typename Take>
net::Awaitable<void> windowed_request(std::shared_ptr<RelayConnection> connection, wire::Frame frame,
                                      std::shared_ptr<Window> window, Take take) {
  try {
    auto requesting = connection->request(std::move(frame), kTransferRequestTimeout);
    wire::Frame reply = co_await std::move(requesting);
    if (!take(reply) && !window->error) window->error = std::move(reply);
  } catch (const std::exception& e) {
    window->lost = true;
    window->lost_reason = e.what();
  }
  --window->in_flight;
  window->wake();
}

net::Awaitable<void> send_chunk(std::shared_ptr<RelayConnection> connection, wire::Frame frame,
                                std::shared_ptr<Window> window) {
  Window* w = window.get();
  return windowed_request(std::move(connection), std::move(frame), std::move(window), [w](wire::Frame& reply) {
    if (!reply.has_blob_status()) return false;
    w->acked = std::max<std::uint64_t>(w->acked, reply.blob_status().offset());
    return true;
  });
}

net::Awaitable<void> get_range(std::shared_ptr<RelayConnection> connection, wire::Frame frame,
                               std::shared_ptr<Window> window) {
  const std::uint64_t offset = frame.blob_get().offset();
  Window* w = window.get();
  return windowed_request(std::move(connection), std::move(frame), std::move(window), [w, offset](wire::Frame& reply) {
    if (!reply.has_blob_data() || reply.blob_data().offset() != offset) return false;
    if (reply.blob_data().total_size() != w->total_size) w->size_mismatch = true;
    w->data.emplace(offset, std::move(*reply.mutable_blob_data()->mutable_data()));
    return true;
  });
}

// Waits until sending `bytes` since `start` keeps to `rate` bytes a second.
net::Awaitable<void> pace(Clock::time_point start, std::uint64_t bytes, std::uint64_t rate) {
  if (rate == 0) co_return;
  const auto due = start + std::chrono::microseconds(bytes * 1'000'000 / rate);
  if (Clock::now() >= due) co_return;
  net::asio::steady_timer timer(co_await net::asio::this_coro::executor, due);
  co_await timer.async_wait(net::asio::use_awaitable);
}

std::string relay_error_text(const wire::Frame& reply) {
  if (reply.has_error()) return reply.error().reason().empty() ? "the relay refused" : reply.error().reason();
  return "the relay sent an unexpected answer";
}

bool is_retryable(const wire::Frame& reply) {
  if (!reply.has_error()) return false;
  const auto code = reply.error().code();
  return code == wire::RATE_LIMITED || code == wire::INTERNAL || code == wire::SHUTTING_DOWN || code == wire::TIMEOUT;
}

// Copies in to a new temporary file in dir and gives it name there.
std::filesystem::path copy_into(const std::filesystem::path& from, const std::filesystem::path& dir,
                                const std::string& name, const std::string& temp) {
  api::UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) throw FileTransferError(from.string() + ": " + std::strerror(errno));
  const std::filesystem::path temp_path = dir / temp;
  api::UniqueFd out(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!out.valid()) throw FileTransferError(temp_path.string() + ": " + std::strerror(errno));
  try {
    while (true) {
      const ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, 1 << 30, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw FileTransferError(std::string("copying the file: ") + std::strerror(errno));
      }
      if (n == 0) break;
    }
    if (::fsync(out.get()) != 0) throw FileTransferError(std::string("flushing the file: ") + std::strerror(errno));
    return publish_without_overwrite(temp_path, dir, name);
  } catch (...) {
    ::unlink(temp_path.c_str());
    throw;
  }
}

}  // namespace

std::pair<std::filesystem::path, std::string> Messenger::download_target(const Transfer& t) const {
  if (t.save_to.empty()) return {files_dir(), t.name};
  std::error_code ec;
  const std::filesystem::path output(t.save_to);
  if (std::filesystem::is_directory(output, ec)) return {output, t.name};
  return {output.parent_path(), output.filename().string()};
}

std::filesystem::path Messenger::copy_to_save_target(const Transfer& t) {
  const auto [dir, name] = download_target(t);
  return copy_into(t.source, dir, name, temp_name(t.id));
}

void Messenger::set_transfer_state(const Transfer& t, TransferTask* task, TransferState state,
                                   const std::string& error) {
  transfers_.set_state(t.id, state, error);
  if (task) {
    task->state = state;
    Transfer now = t;
    now.state = state;
    report_progress(now, *task, task->bytes, true);
  }
}

nlohmann::json Messenger::progress_json(const Transfer& t, TransferState state, std::uint64_t bytes) {
  return {{"id", t.id},
          {"peer", t.peer},
          {"direction", std::string(to_string(t.direction))},
          {"name", t.name},
          {"state", std::string(to_string(state))},
          {"bytes", static_cast<std::int64_t>(bytes)},
          {"size", static_cast<std::int64_t>(t.size)}};
}

void Messenger::report_progress(const Transfer& t, TransferTask& task, std::uint64_t bytes, bool force) {
  task.bytes = bytes;
  const auto now = Clock::now();
  if (!force && now - task.last_progress < kProgressInterval) return;
  task.last_progress = now;
  events_.publish("TransferProgress", progress_json(t, task.state, bytes));
}

void Messenger::release_blob(const std::string& blob_id) {
  if (!authenticated_ || blob_id.empty()) return;  // the relay's TTL deletes it in the end
  wire::Frame frame;
  frame.mutable_blob_release()->set_blob_id(blob_id);
  authenticated_->send_no_reply(std::move(frame));
}

void Messenger::start_transfer(const std::string& id) {
  if (stopped_ || tasks_.contains(id)) return;
  auto task = std::make_shared<TransferTask>();
  tasks_.emplace(id, task);
  net::asio::co_spawn(io_, run_transfer(id, task), net::asio::detached);
}

void Messenger::resume_transfers() {
  for (const Transfer& t : transfers_.unfinished()) start_transfer(t.id);
}

net::Awaitable<void> Messenger::run_transfer(std::string id, std::shared_ptr<TransferTask> task) {
  ConnectionPtr used = authenticated_;
  bool retry_soon = false;
  try {
    auto t = transfers_.find(id);
    if (t && !is_final(t->state)) {
      task->state = t->state;
      task->bytes = t->bytes;
      if (t->direction == Direction::kOut) {
        auto uploading = upload(std::move(*t), task);
        co_await std::move(uploading);
      } else {
        auto downloading = download(std::move(*t), task);
        co_await std::move(downloading);
      }
    }
  } catch (const TransferPaused& p) {
    log_warning("transfer_paused", {{"id", id}, {"reason", p.why}});
    retry_soon = true;
  } catch (const TransferCancelled&) {
    // cancel_transfer has recorded it.
  } catch (const TransferFailed& f) {
    if (auto t = transfers_.find(id); t && !task->cancelled) {
      log_warning("transfer_failed", {{"id", id}, {"peer", t->peer}, {"reason", f.why}});
      bool message_failed = false;
      {
        store::Transaction tx(database_.db());
        transfers_.set_state(id, TransferState::kFailed, f.why);
        if (t->direction == Direction::kOut) message_failed = messages_.advance_state(id, MessageState::kFailed);
        tx.commit();
      }
      task->state = TransferState::kFailed;
      report_progress(*t, *task, task->bytes, true);
      if (message_failed) {
        events_.publish("DeliveryChanged", {{"id", id}, {"peer", t->peer}, {"state", "failed"}, {"reason", f.why}});
      }
    }
  } catch (const std::exception& e) {
    // The connection broke (RelayConnectionLost) or the disk failed us.
    log_warning("transfer_paused", {{"id", id}, {"reason", e.what()}});
    retry_soon = true;
  }
  tasks_.erase(id);
  if (stopped_ || task->cancelled) co_return;
  // A new session may have started while this one was failing: it skipped
  // this transfer because it was still running, so start it again here.
  if (authenticated_ && authenticated_ != used) {
    start_transfer(id);
  } else if (retry_soon && authenticated_) {
    transfer_retry_timer_.expires_after(kTransferRetryAfter);
    transfer_retry_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) resume_transfers();
    });
  }
}

net::Awaitable<void> Messenger::upload(Transfer t, std::shared_ptr<TransferTask> task) {
  // The file must be the one send_file saw: a changed file would not match
  // the hash the relay checks, or would mix two versions.
  try {
    if (t.source_mtime_ns && modification_time_ns(t.source) != *t.source_mtime_ns) {
      throw TransferFailed{"the file changed after send-file; send it again"};
    }
  } catch (const FileTransferError& e) {
    throw TransferFailed{e.what()};
  }
  if (!t.ciphertext_sha256) {
    if (!file_pool_) file_pool_ = std::make_unique<net::asio::thread_pool>(1);
    const auto progress = [this, task, t](std::uint64_t bytes) {
      net::asio::post(io_, [this, task, t, bytes] {
        // Progress posted from the pool may arrive after the hash is done.
        if (!task->cancelled && task->state == TransferState::kPreparing) report_progress(t, *task, bytes, false);
      });
    };
    EncryptedFileDigest digest;
    try {
      auto hashing = net::asio::co_spawn(
          file_pool_->get_executor(),
          [path = t.source, key = t.file_key, size = t.size, progress, task]() -> net::Awaitable<EncryptedFileDigest> {
            co_return hash_encrypted_file(path, key, size, progress, task->cancelled);
          },
          net::asio::use_awaitable);
      digest = co_await std::move(hashing);
    } catch (const FileTransferError& e) {
      if (task->cancelled) throw TransferCancelled{};
      throw TransferFailed{e.what()};
    }
    if (task->cancelled) throw TransferCancelled{};
    transfers_.set_hash(t.id, digest.ciphertext_size, digest.sha256, t.source_mtime_ns.value_or(0));
    t.ciphertext_size = digest.ciphertext_size;
    t.ciphertext_sha256 = digest.sha256;
    task->bytes = 0;
    set_transfer_state(t, task.get(), TransferState::kUploading);
    t.state = TransferState::kUploading;
  }
  ConnectionPtr connection = authenticated_;
  if (!connection) throw TransferPaused{"not connected to the relay"};
  const std::uint64_t total = *t.ciphertext_size;

  // Begin, or learn how far an earlier attempt got.
  wire::Frame begin;
  begin.mutable_blob_begin()->set_size(total);
  begin.mutable_blob_begin()->set_sha256(frame_bytes(*t.ciphertext_sha256));
  if (!t.blob_id.empty()) begin.mutable_blob_begin()->set_upload_id(t.blob_id);
  auto beginning = connection->request(begin, kTransferRequestTimeout);
  wire::Frame reply = co_await std::move(beginning);
  if (reply.has_error() && reply.error().code() == wire::NOT_FOUND && !t.blob_id.empty()) {
    // The relay no longer has the partial upload (swept): start over.
    log_warning("upload_restarted", {{"id", t.id}, {"reason", relay_error_text(reply)}});
    begin.mutable_blob_begin()->clear_upload_id();
    auto again = connection->request(begin, kTransferRequestTimeout);
    reply = co_await std::move(again);
  }
  if (is_retryable(reply)) throw TransferPaused{relay_error_text(reply)};
  if (!reply.has_blob_status()) throw TransferFailed{relay_error_text(reply)};
  if (task->cancelled) throw TransferCancelled{};
  const std::string blob_id = reply.blob_status().blob_id();
  if (blob_id != t.blob_id) {
    transfers_.set_blob_id(t.id, blob_id);
    t.blob_id = blob_id;
  }
  if (t.state != TransferState::kUploading) set_transfer_state(t, task.get(), TransferState::kUploading);

  if (!reply.blob_status().complete()) {
    EncryptedFileSource source(t.source, t.file_key, t.size);
    auto window = std::make_shared<Window>(io_.get_executor());
    std::uint64_t offset = reply.blob_status().offset();
    window->acked = offset;
    const std::uint64_t first_offset = offset;
    const auto paced_from = Clock::now();
    if (offset > 0) {
      log_event("transfer_resumed", {{"id", t.id}, {"direction", "out"}, {"offset", std::to_string(offset)}});
    }
    std::optional<std::string> read_error;
    try {
      while (offset < total || window->in_flight > 0) {
        if (task->cancelled || window->lost || window->error) {
          if (window->in_flight == 0) break;
        } else if (offset < total && window->in_flight < kTransferWindow) {
          auto pacing = pace(paced_from, offset - first_offset, config_.transfer_rate_limit);
          co_await std::move(pacing);
          report_progress(t, *task, plaintext_done(window->acked, t.size), false);
          wire::Frame chunk;
          auto* body = chunk.mutable_blob_chunk();
          body->set_blob_id(blob_id);
          body->set_offset(offset);
          source.read(offset, kTransferFrameBytes, *body->mutable_data());
          offset += body->data().size();
          ++window->in_flight;
          net::asio::co_spawn(io_, send_chunk(connection, std::move(chunk), window), net::asio::detached);
          continue;
        }
        auto waiting = wait_for(*window);
        co_await std::move(waiting);
        report_progress(t, *task, plaintext_done(window->acked, t.size), false);
      }
    } catch (const FileTransferError& e) {
      read_error = e.what();
    }
    if (read_error) {
      // Let the chunks in flight finish before this frame goes away.
      while (window->in_flight > 0) {
        auto waiting = wait_for(*window);
        co_await std::move(waiting);
      }
      throw TransferFailed{*read_error};
    }
    if (task->cancelled) throw TransferCancelled{};
    if (window->lost) throw TransferPaused{window->lost_reason};
    if (window->error) {
      if (is_retryable(*window->error)) throw TransferPaused{relay_error_text(*window->error)};
      // An offset the relay did not expect (another msgd of ours on the same
      // upload?): ask again where it stands.
      throw TransferPaused{relay_error_text(*window->error)};
    }
  }

  wire::Frame end;
  end.mutable_blob_end()->set_blob_id(blob_id);
  if (is_group_conversation(t.peer)) {
    // Every member when the upload ends may fetch it; one added later sees
    // the message only if it was sent after the addition, and then was a reader.
    if (auto group = load_group(t.peer.substr(1))) {
      for (const auto& member : group->state.members) {
        if (member != username_) end.mutable_blob_end()->add_readers(member);
      }
    }
  } else {
    end.mutable_blob_end()->add_readers(t.peer);
  }
  auto ending = connection->request(std::move(end), kTransferRequestTimeout);
  reply = co_await std::move(ending);
  if (is_retryable(reply)) throw TransferPaused{relay_error_text(reply)};
  if (!reply.has_blob_status() || !reply.blob_status().complete()) {
    // The relay discards an upload whose hash does not match: the file
    // changed while it was being read.
    // An unknown peer leaves the upload unfinished: free the space at once.
    if (reply.has_error() && reply.error().code() == wire::NOT_FOUND) release_blob(blob_id);
    transfers_.set_blob_id(t.id, "");
    throw TransferFailed{relay_error_text(reply)};
  }
  if (task->cancelled) {
    release_blob(blob_id);
    throw TransferCancelled{};
  }

  Content content;
  content.kind = ContentKind::kFile;
  content.id = message_id_from_hex(t.id);
  content.sent_at_ms = static_cast<std::uint64_t>(t.created_at_ms);
  content.text = t.caption;
  content.file.blob_id = blob_id;
  content.file.key = t.file_key;
  content.file.ciphertext_sha256 = *t.ciphertext_sha256;
  content.file.size = t.size;
  content.file.name = t.name;
  content.file.mime = t.mime;
  {
    store::Transaction tx(database_.db());
    transfers_.set_state(t.id, TransferState::kUploaded);
    transfers_.set_bytes(t.id, t.size);
    if (is_group_conversation(t.peer)) {
      auto group = load_group(t.peer.substr(1));
      if (!group || group->row.status != GroupStatus::kMember) {
        throw TransferFailed{"this user is no longer in the group"};
      }
      queue_group_message(*group, t.id, "group_file", encode_content(content));
    } else {
      outbox_.enqueue(t.id, t.peer, "file", encode_content(content));
    }
    tx.commit();
  }
  task->state = TransferState::kUploaded;
  report_progress(t, *task, t.size, true);
  log_event("file_uploaded", {{"peer", t.peer}, {"id", t.id}});
  kick_pump();
}

net::Awaitable<void> Messenger::download(Transfer t, std::shared_ptr<TransferTask> task) {
  if (!t.ciphertext_sha256 || !t.ciphertext_size || t.blob_id.empty())
    throw TransferFailed{"the file message is incomplete"};
  const auto [dir, name] = download_target(t);
  const std::filesystem::path temp = dir / temp_name(t.id);
  std::error_code ec;
  if (t.save_to.empty()) {
    std::filesystem::create_directories(dir, ec);
    ::chmod(dir.c_str(), 0700);
  }
  auto remove_temp = [&temp] {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
  };
  if (t.state != TransferState::kDownloading) {
    transfers_.set_state(t.id, TransferState::kDownloading);
    t.state = TransferState::kDownloading;
  }
  task->state = TransferState::kDownloading;

  ConnectionPtr connection = authenticated_;
  if (!connection) throw TransferPaused{"not connected to the relay"};
  std::optional<DecryptingFileSink> sink;
  try {
    sink.emplace(temp, t.file_key, t.size);
  } catch (const FileTransferError& e) {
    throw TransferFailed{e.what()};
  }
  const std::uint64_t total = *t.ciphertext_size;
  report_progress(t, *task, sink->plaintext_written(), true);

  auto window = std::make_shared<Window>(io_.get_executor());
  window->total_size = total;
  std::uint64_t next_request = sink->resume_offset();
  std::uint64_t next_apply = next_request;
  const std::uint64_t first_offset = next_request;
  const auto paced_from = Clock::now();
  if (first_offset > 0) {
    log_event("transfer_resumed", {{"id", t.id}, {"direction", "in"}, {"offset", std::to_string(first_offset)}});
  }
  int missing_retries = 0;
  while (next_apply < total) {
    while (!task->cancelled && !window->lost && !window->error && !window->size_mismatch && next_request < total &&
           window->in_flight < kTransferWindow) {
      const bool early = config_.transfer_rate_limit > 0 &&
                         Clock::now() < paced_from + std::chrono::microseconds((next_request - first_offset) *
                                                                               1'000'000 / config_.transfer_rate_limit);
      if (early && window->in_flight > 0) break;  // the next answer wakes the wait below
      if (early) {
        auto pacing = pace(paced_from, next_request - first_offset, config_.transfer_rate_limit);
        co_await std::move(pacing);
      }
      wire::Frame get;
      get.mutable_blob_get()->set_blob_id(t.blob_id);
      get.mutable_blob_get()->set_offset(next_request);
      get.mutable_blob_get()->set_max_length(static_cast<std::uint32_t>(kTransferFrameBytes));
      next_request += kTransferFrameBytes;
      ++window->in_flight;
      net::asio::co_spawn(io_, get_range(connection, std::move(get), window), net::asio::detached);
    }
    auto waiting = wait_for(*window);
    co_await std::move(waiting);
    std::optional<std::string> write_error;
    try {
      for (auto it = window->data.find(next_apply); it != window->data.end(); it = window->data.find(next_apply)) {
        if (it->second.empty()) throw FileTransferError("the relay sent an empty range");
        sink->write(crypto::ByteView(reinterpret_cast<const std::uint8_t*>(it->second.data()), it->second.size()));
        next_apply += it->second.size();
        window->data.erase(it);
      }
    } catch (const FileTransferError& e) {
      write_error = e.what();
    }
    if (write_error) {
      while (window->in_flight > 0) {
        auto draining = wait_for(*window);
        co_await std::move(draining);
      }
      sink.reset();
      remove_temp();
      throw TransferFailed{*write_error};
    }
    report_progress(t, *task, sink->plaintext_written(), false);
    // A range that came back shorter than asked leaves a gap: ask again from
    // where the file stands once nothing is in flight.
    if (window->in_flight == 0 && next_request > next_apply && next_apply < total &&
        !window->data.contains(next_apply) && !window->lost && !window->error && !window->size_mismatch) {
      window->data.clear();
      next_request = next_apply;
    }
    const bool stopping = task->cancelled || window->lost || window->error || window->size_mismatch;
    if (!stopping) continue;
    if (window->in_flight > 0) continue;  // wait for the rest before deciding
    if (task->cancelled) {
      sink.reset();
      remove_temp();
      throw TransferCancelled{};
    }
    if (window->size_mismatch) {
      sink.reset();
      remove_temp();
      throw TransferFailed{"the relay's blob is not the size the message announced"};
    }
    if (window->lost) throw TransferPaused{window->lost_reason};
    const wire::Frame error = *window->error;
    window->error.reset();
    if (error.has_error() && error.error().code() == wire::NOT_FOUND) {
      // The message may have overtaken its blob; wait, then ask again.
      if (++missing_retries > kMissingBlobRetries) {
        sink.reset();
        remove_temp();
        throw TransferFailed{"the relay does not have this file (expired, or cancelled by the sender)"};
      }
      net::asio::steady_timer pause(io_, std::chrono::seconds(1) * (1 << (missing_retries - 1)));
      co_await pause.async_wait(net::asio::use_awaitable);
      if (connection != authenticated_) throw TransferPaused{"the relay connection changed"};
      window->data.clear();
      next_request = next_apply;
      continue;
    }
    if (is_retryable(error)) throw TransferPaused{relay_error_text(error)};
    sink.reset();
    remove_temp();
    throw TransferFailed{relay_error_text(error)};
  }

  std::filesystem::path final_path;
  try {
    sink->finish(*t.ciphertext_sha256);
    sink.reset();
    final_path = publish_without_overwrite(temp, dir, name);
  } catch (const std::exception& e) {
    sink.reset();
    remove_temp();
    throw TransferFailed{e.what()};
  }
  // SaveFile may have named a destination while the file came into msgd's folder.
  TransferState final_state = t.save_to.empty() ? TransferState::kDownloaded : TransferState::kSaved;
  if (auto now = transfers_.find(t.id); now && now->save_to != t.save_to && !now->save_to.empty()) {
    now->source = final_path.string();
    try {
      final_path = copy_to_save_target(*now);
      final_state = TransferState::kSaved;
    } catch (const std::exception& e) {
      log_warning("save_failed", {{"id", t.id}, {"error", e.what()}});
    }
  }
  {
    store::Transaction tx(database_.db());
    transfers_.set_source(t.id, final_path.string());
    transfers_.set_bytes(t.id, t.size);
    transfers_.set_state(t.id, final_state);
    tx.commit();
  }
  release_blob(t.blob_id);
  t.source = final_path.string();
  t.state = final_state;
  t.bytes = t.size;
  task->state = final_state;
  report_progress(t, *task, t.size, true);
  log_event("file_received", {{"from", t.peer}, {"id", t.id}});
  events_.publish("FileReceived", file_json(t));
}

}  // namespace sotto::msgd
