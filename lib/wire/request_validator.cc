#include "lib/wire/request_validator.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "lib/wire/blob_id.h"
#include "lib/wire/frame_body.h"
#include "lib/wire/limits.h"
#include "lib/wire/text_field.h"
#include "lib/wire/username.h"

namespace sotto::wire {
namespace {

using Result = std::optional<ProtocolError>;

ProtocolError invalid(std::string_view field, std::string_view problem) {
  return ProtocolError{INVALID_ARGUMENT, std::string(field) + " " + std::string(problem)};
}

std::string indexed(std::string_view field, std::size_t index) {
  return std::string(field) + "[" + std::to_string(index) + "]";
}

Result check_exact_size(std::string_view field, const std::string& value, std::size_t size) {
  if (value.size() == size) return std::nullopt;
  return invalid(field, "must be " + std::to_string(size) + " bytes (got " + std::to_string(value.size()) + ")");
}

Result check_size_range(std::string_view field, std::size_t size, std::size_t min, std::size_t max,
                        std::string_view unit) {
  if (size < min) {
    if (min == 1) return invalid(field, "is empty");
    return invalid(
        field, "is shorter than " + std::to_string(min) + " " + std::string(unit) + " (" + std::to_string(size) + ")");
  }
  if (size > max) {
    return invalid(
        field, "is longer than " + std::to_string(max) + " " + std::string(unit) + " (" + std::to_string(size) + ")");
  }
  return std::nullopt;
}

Result check_count(std::string_view field, std::size_t count, std::size_t min, std::size_t max) {
  if (count < min) return invalid(field, "must have at least " + std::to_string(min) + " entries (has none)");
  if (count > max) {
    return invalid(field, "has " + std::to_string(count) + " entries, more than the maximum of " + std::to_string(max));
  }
  return std::nullopt;
}

// On success stores the canonical form in canonical (when given).
Result check_username(std::string_view field, const std::string& value, std::string* canonical = nullptr) {
  UsernameResult result = canonical_username(value);
  if (!result) return invalid(field, "is not a valid username: " + result.error());
  if (canonical != nullptr) *canonical = result.value();
  return std::nullopt;
}

Result check_password(std::string_view field, const std::string& value, std::size_t min) {
  if (auto r = check_size_range(field, value.size(), min, kMaxPasswordBytes, "bytes")) return r;
  if (!is_valid_utf8(value)) return invalid(field, "is not valid UTF-8");
  return std::nullopt;
}

Result check_text(std::string_view field, const std::string& value, std::size_t max_bytes) {
  if (auto problem = check_display_text(value, max_bytes)) return invalid(field, *problem);
  return std::nullopt;
}

Result check_blob(std::string_view field, const std::string& value) {
  if (auto problem = check_blob_id(value)) return invalid(field, *problem);
  return std::nullopt;
}

// prefix names the message holding the identity, e.g. "register.identity".
Result check_identity(const std::string& prefix, const IdentityKey& id) {
  if (auto r = check_exact_size(prefix + ".signing_key", id.signing_key(), kPublicKeyBytes)) return r;
  if (auto r = check_exact_size(prefix + ".dh_key", id.dh_key(), kPublicKeyBytes)) return r;
  return check_exact_size(prefix + ".signature", id.signature(), kSignatureBytes);
}

Result check_hello(const Hello& hello) {
  if (hello.protocol_version() != kProtocolVersion) {
    return ProtocolError{UNSUPPORTED_VERSION, "hello.protocol_version " + std::to_string(hello.protocol_version()) +
                                                  " is not supported (this server speaks version " +
                                                  std::to_string(kProtocolVersion) + ")"};
  }
  return check_text("hello.client", hello.client(), kMaxClientStringBytes);
}

Result check_register(const Register& reg) {
  if (auto r = check_username("register.username", reg.username())) return r;
  if (auto r = check_password("register.password", reg.password(), kMinPasswordBytes)) return r;
  if (!reg.has_identity()) return invalid("register.identity", "is missing");
  if (auto r = check_identity("register.identity", reg.identity())) return r;
  const std::string& invite = reg.invite_code();
  if (invite.size() > kMaxInviteCodeBytes) {
    return invalid("register.invite_code", "is longer than " + std::to_string(kMaxInviteCodeBytes) + " bytes (" +
                                               std::to_string(invite.size()) + ")");
  }
  // Invite codes are printed by the server in hex or base32: visible ASCII only.
  for (std::size_t i = 0; i < invite.size(); ++i) {
    const auto c = static_cast<unsigned char>(invite[i]);
    if (c < 0x21 || c > 0x7e) {
      return invalid("register.invite_code",
                     "contains a character that is not visible ASCII at position " + std::to_string(i + 1));
    }
  }
  return check_text("register.device_name", reg.device_name(), kMaxDeviceNameBytes);
}

Result check_login(const Login& login) {
  if (auto r = check_username("login.username", login.username())) return r;
  // Only the upper bound: an account created under an older, lower minimum
  // must still be able to sign in, and a wrong password is BAD_CREDENTIALS.
  if (auto r = check_password("login.password", login.password(), 1)) return r;
  if (auto r = check_text("login.device_name", login.device_name(), kMaxDeviceNameBytes)) return r;
  // Optional: only the first login of an administrator-created account needs it.
  if (login.has_identity()) return check_identity("login.identity", login.identity());
  return std::nullopt;
}

Result check_publish_prekeys(const PublishPrekeys& publish) {
  if (!publish.has_signed_prekey() && publish.one_time_prekeys().empty()) {
    return invalid("publish_prekeys", "has neither a signed prekey nor one-time prekeys");
  }
  if (publish.has_signed_prekey()) {
    const SignedPrekey& spk = publish.signed_prekey();
    if (auto r = check_exact_size("publish_prekeys.signed_prekey.public_key", spk.public_key(), kPublicKeyBytes)) {
      return r;
    }
    if (auto r = check_exact_size("publish_prekeys.signed_prekey.signature", spk.signature(), kSignatureBytes)) {
      return r;
    }
  }
  const auto& otpks = publish.one_time_prekeys();
  if (auto r = check_count("publish_prekeys.one_time_prekeys", static_cast<std::size_t>(otpks.size()), 0,
                           kMaxOneTimePrekeysPerPublish)) {
    return r;
  }
  std::vector<std::uint32_t> ids;
  ids.reserve(static_cast<std::size_t>(otpks.size()));
  for (int i = 0; i < otpks.size(); ++i) {
    const auto index = static_cast<std::size_t>(i);
    const std::string field = indexed("publish_prekeys.one_time_prekeys", index) + ".public_key";
    if (auto r = check_exact_size(field, otpks.Get(i).public_key(), kPublicKeyBytes)) return r;
    ids.push_back(otpks.Get(i).id());
  }
  std::sort(ids.begin(), ids.end());
  if (const auto dup = std::adjacent_find(ids.begin(), ids.end()); dup != ids.end()) {
    return invalid("publish_prekeys.one_time_prekeys", "contains the id " + std::to_string(*dup) + " more than once");
  }
  return std::nullopt;
}

Result check_send(const Send& send) {
  if (auto r = check_exact_size("send.message_id", send.message_id(), kMessageIdBytes)) return r;
  const auto& recipients = send.recipients();
  if (auto r = check_count("send.recipients", static_cast<std::size_t>(recipients.size()), 1, kMaxRecipientsPerSend)) {
    return r;
  }
  std::unordered_set<std::string> seen;
  seen.reserve(static_cast<std::size_t>(recipients.size()));
  for (int i = 0; i < recipients.size(); ++i) {
    const std::string field = indexed("send.recipients", static_cast<std::size_t>(i));
    std::string canonical;
    if (auto r = check_username(field, recipients.Get(i), &canonical)) return r;
    // The same account twice would queue the envelope twice for one person.
    if (!seen.insert(std::move(canonical)).second) return invalid(field, "repeats an earlier recipient");
  }
  return check_size_range("send.envelope", send.envelope().size(), 1, kMaxEnvelopeBytes, "bytes");
}

Result check_deliver_ack(const DeliverAck& ack) {
  const auto& ids = ack.delivery_ids();
  if (auto r =
          check_count("deliver_ack.delivery_ids", static_cast<std::size_t>(ids.size()), 1, kMaxDeliveryIdsPerAck)) {
    return r;
  }
  for (int i = 0; i < ids.size(); ++i) {
    // The server numbers deliveries from 1; 0 is never a delivery.
    if (ids.Get(i) == 0) return invalid(indexed("deliver_ack.delivery_ids", static_cast<std::size_t>(i)), "is 0");
  }
  return std::nullopt;
}

Result check_presence(const Presence& presence) {
  const auto& names = presence.usernames();
  if (auto r = check_count("presence.usernames", static_cast<std::size_t>(names.size()), 1, kMaxPresenceNames)) {
    return r;
  }
  for (int i = 0; i < names.size(); ++i) {
    if (auto r = check_username(indexed("presence.usernames", static_cast<std::size_t>(i)), names.Get(i))) return r;
  }
  return std::nullopt;
}

Result check_blob_begin(const BlobBegin& begin) {
  if (begin.size() == 0) return invalid("blob_begin.size", "is 0 (an encrypted file is never empty)");
  if (auto r = check_exact_size("blob_begin.sha256", begin.sha256(), kSha256Bytes)) return r;
  if (!begin.upload_id().empty()) return check_blob("blob_begin.upload_id", begin.upload_id());
  return std::nullopt;
}

Result check_blob_chunk(const BlobChunk& chunk) {
  if (auto r = check_blob("blob_chunk.blob_id", chunk.blob_id())) return r;
  return check_size_range("blob_chunk.data", chunk.data().size(), 1, kMaxBlobChunkBytes, "bytes");
}

Result check_blob_end(const BlobEnd& end) {
  if (auto r = check_blob("blob_end.blob_id", end.blob_id())) return r;
  const auto& readers = end.readers();
  if (auto r = check_count("blob_end.readers", static_cast<std::size_t>(readers.size()), 0, kMaxBlobReaders)) {
    return r;
  }
  std::unordered_set<std::string> seen;
  seen.reserve(static_cast<std::size_t>(readers.size()));
  for (int i = 0; i < readers.size(); ++i) {
    const std::string field = indexed("blob_end.readers", static_cast<std::size_t>(i));
    std::string canonical;
    if (auto r = check_username(field, readers.Get(i), &canonical)) return r;
    // Each reader holds one claim that one BlobRelease gives up: a name twice
    // would leave a claim nobody can release.
    if (!seen.insert(std::move(canonical)).second) return invalid(field, "repeats an earlier reader");
  }
  return std::nullopt;
}

}  // namespace

std::optional<ProtocolError> validate_request(const Frame& frame) {
  const Frame::BodyCase body = frame.body_case();
  if (body == Frame::BODY_NOT_SET) return ProtocolError{BAD_FRAME, "frame has no body, or a body of an unknown type"};
  if (!is_client_request(body)) {
    return ProtocolError{PROTOCOL_VIOLATION, std::string(body_name(body)) + " is never sent by a client"};
  }
  // Every response echoes the request_id; 0 is reserved for server pushes.
  if (frame.request_id() == 0) return ProtocolError{PROTOCOL_VIOLATION, "request_id must be non-zero"};

  switch (body) {
    case Frame::kHello:
      return check_hello(frame.hello());
    case Frame::kRegister:
      return check_register(frame.register_());
    case Frame::kLogin:
      return check_login(frame.login());
    case Frame::kResume:
      return check_exact_size("resume.token", frame.resume().token(), kTokenBytes);
    case Frame::kPublishPrekeys:
      return check_publish_prekeys(frame.publish_prekeys());
    case Frame::kFetchBundle:
      return check_username("fetch_bundle.username", frame.fetch_bundle().username());
    case Frame::kSend:
      return check_send(frame.send());
    case Frame::kDeliverAck:
      return check_deliver_ack(frame.deliver_ack());
    case Frame::kPresence:
      return check_presence(frame.presence());
    case Frame::kBlobBegin:
      return check_blob_begin(frame.blob_begin());
    case Frame::kBlobChunk:
      return check_blob_chunk(frame.blob_chunk());
    case Frame::kBlobEnd:
      return check_blob_end(frame.blob_end());
    case Frame::kBlobGet:
      // max_length needs no check: 0 or anything above kMaxBlobChunkBytes
      // means "as much as the server sends at once" (its cap).
      return check_blob("blob_get.blob_id", frame.blob_get().blob_id());
    case Frame::kBlobRelease:
      return check_blob("blob_release.blob_id", frame.blob_release().blob_id());
    case Frame::kLogout:
    case Frame::kPing:
      return std::nullopt;
    default:
      // is_client_request and this switch list the same bodies.
      return ProtocolError{PROTOCOL_VIOLATION, std::string(body_name(body)) + " is never sent by a client"};
  }
}

}  // namespace sotto::wire
