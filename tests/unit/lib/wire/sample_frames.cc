#include "tests/unit/lib/wire/sample_frames.h"

#include <stdexcept>

namespace sotto::wire::samples {

std::vector<Frame::BodyCase> all_body_cases() {
  return {
      Frame::kHello,      Frame::kHelloOk,        Frame::kError,          Frame::kOk,
      Frame::kRegister,   Frame::kLogin,          Frame::kToken,          Frame::kResume,
      Frame::kLogout,     Frame::kPublishPrekeys, Frame::kPrekeyStatus,   Frame::kFetchBundle,
      Frame::kBundle,     Frame::kSend,           Frame::kSendAck,        Frame::kDeliver,
      Frame::kDeliverAck, Frame::kPresence,       Frame::kPresenceStatus, Frame::kBlobBegin,
      Frame::kBlobChunk,  Frame::kBlobEnd,        Frame::kBlobStatus,     Frame::kBlobGet,
      Frame::kBlobData,   Frame::kBlobRelease,    Frame::kPing,           Frame::kPong,
  };
}

std::string pattern_bytes(std::size_t n, std::uint8_t seed) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>(static_cast<std::uint8_t>(seed + i * 31));
  return out;
}

namespace {

void fill_identity(IdentityKey* id) {
  id->set_signing_key(pattern_bytes(32, 1));
  id->set_dh_key(pattern_bytes(32, 2));
  id->set_signature(pattern_bytes(64, 3));
}

}  // namespace

Frame sample_frame(Frame::BodyCase body) {
  Frame f;
  f.set_request_id(7);
  switch (body) {
    case Frame::kHello:
      f.mutable_hello()->set_protocol_version(1);
      f.mutable_hello()->set_client("msgd/0.1.0");
      break;
    case Frame::kHelloOk: {
      HelloOk* ok = f.mutable_hello_ok();
      ok->set_protocol_version(1);
      ok->set_max_frame_size(1U << 20);
      ok->set_server("relayd/0.1.0");
      ok->set_max_recipients(1000);
      ok->set_max_blob_size(100ULL << 20);
      ok->set_idle_timeout_ms(90000);
      break;
    }
    case Frame::kError:
      f.mutable_error()->set_code(RATE_LIMITED);
      f.mutable_error()->set_reason("too many login attempts");
      f.mutable_error()->set_retry_after_ms(1500);
      break;
    case Frame::kOk:
      f.mutable_ok();
      break;
    case Frame::kRegister: {
      Register* r = f.mutable_register_();
      r->set_username("alice");
      r->set_password("correct horse battery staple");
      fill_identity(r->mutable_identity());
      r->set_invite_code("k3xq7m2p9w4t6z8b");
      r->set_device_name("laptop");
      break;
    }
    case Frame::kLogin:
      f.mutable_login()->set_username("alice");
      f.mutable_login()->set_password("correct horse battery staple");
      f.mutable_login()->set_device_name("desktop");
      break;
    case Frame::kToken:
      f.mutable_token()->set_token(pattern_bytes(32, 9));
      f.mutable_token()->set_username("alice");
      f.mutable_token()->set_expires_at_ms(1767225600000ULL);
      break;
    case Frame::kResume:
      f.mutable_resume()->set_token(pattern_bytes(32, 9));
      break;
    case Frame::kLogout:
      f.mutable_logout();
      break;
    case Frame::kPublishPrekeys: {
      PublishPrekeys* p = f.mutable_publish_prekeys();
      p->mutable_signed_prekey()->set_id(1);
      p->mutable_signed_prekey()->set_public_key(pattern_bytes(32, 4));
      p->mutable_signed_prekey()->set_signature(pattern_bytes(64, 5));
      for (std::uint32_t i = 0; i < 3; ++i) {
        OneTimePrekey* k = p->add_one_time_prekeys();
        k->set_id(100 + i);
        k->set_public_key(pattern_bytes(32, static_cast<std::uint8_t>(10 + i)));
      }
      break;
    }
    case Frame::kPrekeyStatus:
      f.set_request_id(0);
      f.mutable_prekey_status()->set_one_time_remaining(19);
      f.mutable_prekey_status()->set_low_mark(20);
      break;
    case Frame::kFetchBundle:
      f.mutable_fetch_bundle()->set_username("bob");
      break;
    case Frame::kBundle: {
      Bundle* b = f.mutable_bundle();
      b->set_username("bob");
      fill_identity(b->mutable_identity());
      b->mutable_signed_prekey()->set_id(1);
      b->mutable_signed_prekey()->set_public_key(pattern_bytes(32, 4));
      b->mutable_signed_prekey()->set_signature(pattern_bytes(64, 5));
      b->mutable_one_time_prekey()->set_id(100);
      b->mutable_one_time_prekey()->set_public_key(pattern_bytes(32, 10));
      break;
    }
    case Frame::kSend:
      f.mutable_send()->set_message_id(pattern_bytes(16, 6));
      f.mutable_send()->add_recipients("bob");
      f.mutable_send()->add_recipients("carol");
      f.mutable_send()->set_envelope(pattern_bytes(256, 7));
      f.mutable_send()->set_ttl_seconds(3600);
      break;
    case Frame::kSendAck:
      f.mutable_send_ack()->set_message_id(pattern_bytes(16, 6));
      f.mutable_send_ack()->set_server_time_ms(1767225600123ULL);
      break;
    case Frame::kDeliver:
      f.set_request_id(0);
      f.mutable_deliver()->set_delivery_id(42);
      f.mutable_deliver()->set_message_id(pattern_bytes(16, 6));
      f.mutable_deliver()->set_sender("alice");
      f.mutable_deliver()->set_envelope(pattern_bytes(256, 7));
      f.mutable_deliver()->set_server_time_ms(1767225600123ULL);
      break;
    case Frame::kDeliverAck:
      f.mutable_deliver_ack()->add_delivery_ids(42);
      f.mutable_deliver_ack()->add_delivery_ids(43);
      break;
    case Frame::kPresence:
      f.mutable_presence()->add_usernames("bob");
      f.mutable_presence()->add_usernames("carol");
      break;
    case Frame::kPresenceStatus: {
      PresenceStatus::Entry* e = f.mutable_presence_status()->add_entries();
      e->set_username("bob");
      e->set_online(true);
      break;
    }
    case Frame::kBlobBegin:
      f.mutable_blob_begin()->set_size(300000);
      f.mutable_blob_begin()->set_sha256(pattern_bytes(32, 8));
      break;
    case Frame::kBlobChunk:
      f.mutable_blob_chunk()->set_blob_id("b7f3c2a19d8e4f6a0b1c2d3e4f5a6b7c");
      f.mutable_blob_chunk()->set_offset(262144);
      f.mutable_blob_chunk()->set_data(pattern_bytes(1000, 9));
      break;
    case Frame::kBlobEnd:
      f.mutable_blob_end()->set_blob_id("b7f3c2a19d8e4f6a0b1c2d3e4f5a6b7c");
      f.mutable_blob_end()->add_readers("bob");
      f.mutable_blob_end()->add_readers("carol");
      break;
    case Frame::kBlobStatus:
      f.mutable_blob_status()->set_blob_id("b7f3c2a19d8e4f6a0b1c2d3e4f5a6b7c");
      f.mutable_blob_status()->set_offset(262144);
      f.mutable_blob_status()->set_complete(false);
      f.mutable_blob_status()->set_expires_at_ms(1769817600000ULL);
      break;
    case Frame::kBlobGet:
      f.mutable_blob_get()->set_blob_id("b7f3c2a19d8e4f6a0b1c2d3e4f5a6b7c");
      f.mutable_blob_get()->set_offset(0);
      f.mutable_blob_get()->set_max_length(262144);
      break;
    case Frame::kBlobData:
      f.mutable_blob_data()->set_blob_id("b7f3c2a19d8e4f6a0b1c2d3e4f5a6b7c");
      f.mutable_blob_data()->set_offset(0);
      f.mutable_blob_data()->set_data(pattern_bytes(1000, 9));
      f.mutable_blob_data()->set_total_size(300000);
      f.mutable_blob_data()->set_last(false);
      break;
    case Frame::kBlobRelease:
      f.mutable_blob_release()->set_blob_id("b7f3c2a19d8e4f6a0b1c2d3e4f5a6b7c");
      break;
    case Frame::kPing:
      f.mutable_ping();
      break;
    case Frame::kPong:
      f.mutable_pong();
      break;
    case Frame::BODY_NOT_SET:
      throw std::invalid_argument("sample_frame: no sample for BODY_NOT_SET");
  }
  return f;
}

}  // namespace sotto::wire::samples
