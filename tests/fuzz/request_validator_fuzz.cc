// Fuzzes validate_request and check_request_allowed: the input is one
// serialized Frame (no length prefix). Neither may crash, every refusal must
// carry a known code and a printable reason that does not echo input, and
// anything validate_request accepts is re-checked here against limits.h by a
// separate, deliberately plain restatement of the rules, so a validator bug
// that lets an invalid field through aborts the run.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "lib/wire/connection_phase.h"
#include "lib/wire/frame_codec.h"
#include "lib/wire/limits.h"
#include "lib/wire/request_validator.h"

namespace {

namespace wire = sotto::wire;
using wire::Frame;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "request_validator_fuzz: accepted or reported wrongly: %s\n", what);
  std::abort();
}

void require(bool ok, const char* what) {
  if (!ok) fail(what);
}

// The username rule restated: 3..32 bytes, after lower-casing only [a-z0-9_.-],
// the first a letter or digit.
bool plain_username_ok(const std::string& s) {
  if (s.size() < wire::kMinUsernameChars || s.size() > wire::kMaxUsernameChars) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-'))) return false;
  }
  return true;
}

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return s;
}

bool plain_blob_id_ok(const std::string& s) {
  if (s.empty() || s.size() > wire::kMaxBlobIdChars) return false;
  for (const char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

bool no_controls(const std::string& s) {
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) return false;
  }
  return true;
}

void check_accepted(const Frame& f) {
  require(f.request_id() != 0, "request_id 0");
  switch (f.body_case()) {
    case Frame::kHello:
      require(f.hello().protocol_version() == wire::kProtocolVersion, "hello version");
      require(f.hello().client().size() <= wire::kMaxClientStringBytes && no_controls(f.hello().client()),
              "hello.client");
      break;
    case Frame::kRegister: {
      const auto& r = f.register_();
      require(plain_username_ok(r.username()), "register.username");
      require(r.password().size() >= wire::kMinPasswordBytes && r.password().size() <= wire::kMaxPasswordBytes,
              "register.password");
      require(r.has_identity(), "register.identity");
      require(r.identity().signing_key().size() == wire::kPublicKeyBytes, "register.identity.signing_key");
      require(r.identity().dh_key().size() == wire::kPublicKeyBytes, "register.identity.dh_key");
      require(r.identity().signature().size() == wire::kSignatureBytes, "register.identity.signature");
      require(r.invite_code().size() <= wire::kMaxInviteCodeBytes, "register.invite_code size");
      for (const char c : r.invite_code()) require(c > ' ' && c < 0x7f, "register.invite_code character");
      require(r.device_name().size() <= wire::kMaxDeviceNameBytes && no_controls(r.device_name()),
              "register.device_name");
      break;
    }
    case Frame::kLogin:
      require(plain_username_ok(f.login().username()), "login.username");
      require(!f.login().password().empty() && f.login().password().size() <= wire::kMaxPasswordBytes,
              "login.password");
      require(f.login().device_name().size() <= wire::kMaxDeviceNameBytes && no_controls(f.login().device_name()),
              "login.device_name");
      if (f.login().has_identity()) {
        require(f.login().identity().signing_key().size() == wire::kPublicKeyBytes, "login.identity.signing_key");
        require(f.login().identity().dh_key().size() == wire::kPublicKeyBytes, "login.identity.dh_key");
        require(f.login().identity().signature().size() == wire::kSignatureBytes, "login.identity.signature");
      }
      break;
    case Frame::kResume:
      require(f.resume().token().size() == wire::kTokenBytes, "resume.token");
      break;
    case Frame::kPublishPrekeys: {
      const auto& p = f.publish_prekeys();
      require(p.has_signed_prekey() || p.one_time_prekeys_size() > 0, "publish_prekeys empty");
      if (p.has_signed_prekey()) {
        require(p.signed_prekey().public_key().size() == wire::kPublicKeyBytes, "signed_prekey.public_key");
        require(p.signed_prekey().signature().size() == wire::kSignatureBytes, "signed_prekey.signature");
      }
      require(static_cast<std::size_t>(p.one_time_prekeys_size()) <= wire::kMaxOneTimePrekeysPerPublish,
              "one_time_prekeys count");
      std::set<std::uint32_t> ids;
      for (const auto& k : p.one_time_prekeys()) {
        require(k.public_key().size() == wire::kPublicKeyBytes, "one_time_prekeys.public_key");
        require(ids.insert(k.id()).second, "one_time_prekeys duplicate id");
      }
      break;
    }
    case Frame::kFetchBundle:
      require(plain_username_ok(f.fetch_bundle().username()), "fetch_bundle.username");
      break;
    case Frame::kSend: {
      const auto& s = f.send();
      require(s.message_id().size() == wire::kMessageIdBytes, "send.message_id");
      require(s.recipients_size() >= 1 && static_cast<std::size_t>(s.recipients_size()) <= wire::kMaxRecipientsPerSend,
              "send.recipients count");
      std::set<std::string> seen;
      for (const auto& r : s.recipients()) {
        require(plain_username_ok(r), "send.recipients name");
        require(seen.insert(lower(r)).second, "send.recipients duplicate");
      }
      require(!s.envelope().empty() && s.envelope().size() <= wire::kMaxEnvelopeBytes, "send.envelope");
      break;
    }
    case Frame::kDeliverAck:
      require(f.deliver_ack().delivery_ids_size() >= 1 &&
                  static_cast<std::size_t>(f.deliver_ack().delivery_ids_size()) <= wire::kMaxDeliveryIdsPerAck,
              "deliver_ack count");
      for (const auto id : f.deliver_ack().delivery_ids()) require(id != 0, "deliver_ack id 0");
      break;
    case Frame::kPresence:
      require(f.presence().usernames_size() >= 1 &&
                  static_cast<std::size_t>(f.presence().usernames_size()) <= wire::kMaxPresenceNames,
              "presence count");
      for (const auto& n : f.presence().usernames()) require(plain_username_ok(n), "presence.usernames");
      break;
    case Frame::kBlobBegin:
      require(f.blob_begin().size() > 0, "blob_begin.size");
      require(f.blob_begin().sha256().size() == wire::kSha256Bytes, "blob_begin.sha256");
      require(f.blob_begin().upload_id().empty() || plain_blob_id_ok(f.blob_begin().upload_id()),
              "blob_begin.upload_id");
      break;
    case Frame::kBlobChunk:
      require(plain_blob_id_ok(f.blob_chunk().blob_id()), "blob_chunk.blob_id");
      require(!f.blob_chunk().data().empty() && f.blob_chunk().data().size() <= wire::kMaxBlobChunkBytes,
              "blob_chunk.data");
      break;
    case Frame::kBlobEnd: {
      require(plain_blob_id_ok(f.blob_end().blob_id()), "blob_end.blob_id");
      require(static_cast<std::size_t>(f.blob_end().readers_size()) <= wire::kMaxBlobReaders, "blob_end.readers count");
      std::set<std::string> seen;
      for (const auto& r : f.blob_end().readers()) {
        require(plain_username_ok(r), "blob_end.readers name");
        require(seen.insert(lower(r)).second, "blob_end.readers duplicate");
      }
      break;
    }
    case Frame::kBlobRelease:
      require(plain_blob_id_ok(f.blob_release().blob_id()), "blob_release.blob_id");
      break;
    case Frame::kBlobGet:
      require(plain_blob_id_ok(f.blob_get().blob_id()), "blob_get.blob_id");
      break;
    case Frame::kLogout:
    case Frame::kPing:
      break;
    default:
      fail("a body a client never sends was accepted");
  }
}

void check_refusal(const wire::ProtocolError& error) {
  const auto code = error.code;
  require(code == wire::INVALID_ARGUMENT || code == wire::PROTOCOL_VIOLATION || code == wire::UNSUPPORTED_VERSION ||
              code == wire::BAD_FRAME,
          "unexpected error code");
  require(!error.reason.empty(), "empty reason");
  // Reasons go to logs and peers: printable ASCII only, so no input bytes leak through.
  for (const char c : error.reason) {
    const auto b = static_cast<unsigned char>(c);
    require(b >= 0x20 && b < 0x7f, "reason is not printable ASCII");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > static_cast<std::size_t>(INT32_MAX)) return 0;
  sotto::wire::silence_protobuf_logging();
  Frame frame;
  if (!frame.ParseFromArray(data, static_cast<int>(size))) return 0;
  if (const auto error = wire::validate_request(frame)) {
    check_refusal(*error);
  } else {
    check_accepted(frame);
  }
  for (const auto phase : {wire::ConnectionPhase::kAwaitingHello, wire::ConnectionPhase::kUnauthenticated,
                           wire::ConnectionPhase::kAuthenticated}) {
    if (const auto error = wire::check_request_allowed(phase, frame)) {
      require(error->code == wire::PROTOCOL_VIOLATION, "phase check code");
    }
  }
  return 0;
}
