// Messenger: the signed prekey (rotated weekly) and one-time prekeys (100
// uploaded, topped up when fewer than 20 are left on the relay).
#include "daemon/service/messenger.h"
#include "daemon/service/msgd_log.h"
#include "daemon/service/relay_reply.h"
#include "daemon/service/wire_keys.h"

namespace sotto::msgd {

void Messenger::ensure_signed_prekey(std::int64_t now) {
  const auto lifetime = std::chrono::duration_cast<std::chrono::milliseconds>(kSignedPrekeyLifetime).count();
  const auto current = keys_.current_signed_prekey();
  if (current && now - current->created_at_ms < lifetime) return;
  // The previous signed prekey stays (prune below keeps it for four weeks):
  // a peer may have fetched our bundle just before the rotation.
  keys_.add_signed_prekey(crypto::SignedPrekeyPair::generate(keys_.next_signed_prekey_id(), *identity_), now);
  const auto kept = std::chrono::duration_cast<std::chrono::milliseconds>(kOldSignedPrekeyKept).count();
  keys_.prune_signed_prekeys(now - kept);
  log_event("signed_prekey_rotated", {{"id", std::to_string(keys_.current_signed_prekey()->pair.id())}});
}

net::Awaitable<void> Messenger::publish_prekeys(ConnectionPtr connection, bool rotate_if_due) {
  if (rotate_if_due) ensure_signed_prekey(now_ms());
  const auto current = keys_.current_signed_prekey();
  wire::Frame frame;
  *frame.mutable_publish_prekeys()->mutable_signed_prekey() = to_wire(current->pair.public_prekey());
  auto requesting = connection->request(std::move(frame));
  wire::Frame reply = co_await std::move(requesting);
  const auto remaining =
      expect_body(reply, wire::Frame::kPrekeyStatus, "PublishPrekeys").prekey_status().one_time_remaining();
  auto topping = top_up_prekeys(connection, remaining);
  co_await std::move(topping);
}

net::Awaitable<void> Messenger::top_up_prekeys(ConnectionPtr connection, std::uint32_t remaining) {
  if (remaining >= kOneTimePrekeyLowMark || topping_up_) co_return;
  topping_up_ = true;
  try {
    const std::size_t count = kOneTimePrekeys - remaining;
    wire::Frame frame;
    auto* publish = frame.mutable_publish_prekeys();
    for (const auto& pair : keys_.generate_one_time_prekeys(count)) {
      *publish->add_one_time_prekeys() = to_wire(pair.public_prekey());
    }
    auto requesting = connection->request(std::move(frame));
    wire::Frame reply = co_await std::move(requesting);
    const auto now_remaining =
        expect_body(reply, wire::Frame::kPrekeyStatus, "PublishPrekeys").prekey_status().one_time_remaining();
    log_event("prekeys_uploaded", {{"count", std::to_string(count)}, {"remaining", std::to_string(now_remaining)}});
  } catch (const std::exception& e) {
    log_warning("prekeys_upload_failed", {{"error", e.what()}});
  }
  topping_up_ = false;
}

}  // namespace sotto::msgd
