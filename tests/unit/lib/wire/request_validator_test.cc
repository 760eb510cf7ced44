#include "lib/wire/request_validator.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>

#include "lib/wire/frame_body.h"
#include "lib/wire/limits.h"
#include "tests/unit/lib/wire/sample_frames.h"

namespace sotto::wire {
namespace {

using samples::all_body_cases;
using samples::pattern_bytes;
using samples::sample_frame;
using Edit = std::function<void(Frame&)>;

std::optional<ProtocolError> validate_edited(Frame::BodyCase body, const Edit& edit) {
  Frame f = sample_frame(body);
  edit(f);
  return validate_request(f);
}

void expect_valid(Frame::BodyCase body, const Edit& edit) {
  const auto error = validate_edited(body, edit);
  EXPECT_FALSE(error.has_value()) << error->reason;
}

void expect_invalid(Frame::BodyCase body, const Edit& edit, const std::string& reason,
                    ErrorCode code = INVALID_ARGUMENT) {
  const auto error = validate_edited(body, edit);
  ASSERT_TRUE(error.has_value()) << "accepted, expected: " << reason;
  EXPECT_EQ(error->code, code);
  EXPECT_EQ(error->reason, reason);
}

std::string usernames(std::size_t i) { return "user" + std::to_string(i); }

// ---- frame level ----

TEST(RequestValidator, AcceptsAValidExampleOfEveryClientRequest) {
  int checked = 0;
  for (const Frame::BodyCase body : all_body_cases()) {
    if (!is_client_request(body)) continue;
    SCOPED_TRACE(std::string(body_name(body)));
    const auto error = validate_request(sample_frame(body));
    EXPECT_FALSE(error.has_value()) << error->reason;
    ++checked;
  }
  EXPECT_EQ(checked, 16);
}

TEST(RequestValidator, RefusesEveryServerOnlyBodyFromAClient) {
  int checked = 0;
  for (const Frame::BodyCase body : all_body_cases()) {
    if (is_client_request(body)) continue;
    SCOPED_TRACE(std::string(body_name(body)));
    Frame f = sample_frame(body);
    f.set_request_id(5);
    const auto error = validate_request(f);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->code, PROTOCOL_VIOLATION);
    EXPECT_EQ(error->reason, std::string(body_name(body)) + " is never sent by a client");
    ++checked;
  }
  EXPECT_EQ(checked, 12);
}

TEST(RequestValidator, RequiresANonZeroRequestId) {
  expect_valid(Frame::kPing, [](Frame& f) { f.set_request_id(1); });
  expect_valid(Frame::kPing, [](Frame& f) { f.set_request_id(UINT64_MAX); });
  expect_invalid(
      Frame::kPing, [](Frame& f) { f.set_request_id(0); }, "request_id must be non-zero", PROTOCOL_VIOLATION);
}

TEST(RequestValidator, RefusesAFrameWithoutBody) {
  Frame f;
  f.set_request_id(1);
  const auto error = validate_request(f);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, BAD_FRAME);
}

// ---- hello ----

TEST(RequestValidator, HelloMustSpeakProtocolVersionOne) {
  expect_valid(Frame::kHello, [](Frame& f) { f.mutable_hello()->set_protocol_version(kProtocolVersion); });
  expect_invalid(
      Frame::kHello, [](Frame& f) { f.mutable_hello()->set_protocol_version(2); },
      "hello.protocol_version 2 is not supported (this server speaks version 1)", UNSUPPORTED_VERSION);
  expect_invalid(
      Frame::kHello, [](Frame& f) { f.mutable_hello()->set_protocol_version(0); },
      "hello.protocol_version 0 is not supported (this server speaks version 1)", UNSUPPORTED_VERSION);
}

TEST(RequestValidator, HelloClientIsAtMost64BytesOfDisplayText) {
  expect_valid(Frame::kHello, [](Frame& f) { f.mutable_hello()->set_client(std::string(64, 'c')); });
  expect_valid(Frame::kHello, [](Frame& f) { f.mutable_hello()->clear_client(); });
  expect_invalid(
      Frame::kHello, [](Frame& f) { f.mutable_hello()->set_client(std::string(65, 'c')); },
      "hello.client is longer than 64 bytes (65)");
  expect_invalid(
      Frame::kHello, [](Frame& f) { f.mutable_hello()->set_client("msgd\n[error] forged"); },
      "hello.client contains a control character (at byte 5)");
}

// ---- register ----

TEST(RequestValidator, RegisterUsernameMustCanonicalise) {
  expect_valid(Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_username("Alice.Smith"); });
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_username("alice smith"); },
      "register.username is not a valid username: username contains a space at position 6");
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->clear_username(); },
      "register.username is not a valid username: username is empty");
}

TEST(RequestValidator, RegisterPasswordIsEightTo1024Bytes) {
  expect_valid(Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_password(std::string(8, 'p')); });
  expect_valid(Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_password(std::string(1024, 'p')); });
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_password(std::string(7, 'p')); },
      "register.password is shorter than 8 bytes (7)");
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_password(std::string(1025, 'p')); },
      "register.password is longer than 1024 bytes (1025)");
}

TEST(RequestValidator, RegisterPasswordMustBeUtf8) {
  expect_valid(Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_password("p\xc3\xa4ssw\xc3\xb6rd"); });
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_password("password\xff"); },
      "register.password is not valid UTF-8");
}

TEST(RequestValidator, ReasonsNeverContainThePassword) {
  const auto error =
      validate_edited(Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_password("hunter2"); });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->reason.find("hunter2"), std::string::npos);
}

TEST(RequestValidator, RegisterRequiresAnIdentity) {
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->clear_identity(); }, "register.identity is missing");
}

TEST(RequestValidator, RegisterIdentityKeysAre32BytesAndSignature64) {
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->mutable_identity()->set_signing_key(pattern_bytes(31)); },
      "register.identity.signing_key must be 32 bytes (got 31)");
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->mutable_identity()->set_dh_key(pattern_bytes(33)); },
      "register.identity.dh_key must be 32 bytes (got 33)");
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->mutable_identity()->set_signature(pattern_bytes(63)); },
      "register.identity.signature must be 64 bytes (got 63)");
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->mutable_identity()->clear_signature(); },
      "register.identity.signature must be 64 bytes (got 0)");
}

TEST(RequestValidator, RegisterInviteCodeIsOptionalVisibleAsciiOfAtMost64Bytes) {
  expect_valid(Frame::kRegister, [](Frame& f) { f.mutable_register_()->clear_invite_code(); });
  expect_valid(Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_invite_code(std::string(64, 'K')); });
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_invite_code(std::string(65, 'K')); },
      "register.invite_code is longer than 64 bytes (65)");
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_invite_code("abc def"); },
      "register.invite_code contains a character that is not visible ASCII at position 4");
}

TEST(RequestValidator, RegisterDeviceNameIsAtMost64BytesOfDisplayText) {
  expect_valid(Frame::kRegister, [](Frame& f) { f.mutable_register_()->clear_device_name(); });
  expect_valid(Frame::kRegister, [](Frame& f) {
    f.mutable_register_()->set_device_name(
        "B\xc3\xa9"
        "a's phone");
  });
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_device_name(std::string(65, 'd')); },
      "register.device_name is longer than 64 bytes (65)");
  expect_invalid(
      Frame::kRegister, [](Frame& f) { f.mutable_register_()->set_device_name("pc\x1b[2J"); },
      "register.device_name contains a control character (at byte 3)");
}

// ---- login / resume ----

TEST(RequestValidator, LoginUsernameMustCanonicalise) {
  expect_valid(Frame::kLogin, [](Frame& f) { f.mutable_login()->set_username("ALICE"); });
  expect_invalid(
      Frame::kLogin, [](Frame& f) { f.mutable_login()->set_username("al/ice"); },
      "login.username is not a valid username: username contains the character '/' at position 3 (only "
      "a-z, 0-9, '_', '.' and '-' are allowed)");
}

TEST(RequestValidator, LoginPasswordIsNonEmptyAndAtMost1024Bytes) {
  // Shorter than the registration minimum is still a login attempt (an older
  // account may predate a higher minimum); the server answers BAD_CREDENTIALS.
  expect_valid(Frame::kLogin, [](Frame& f) { f.mutable_login()->set_password("short"); });
  expect_valid(Frame::kLogin, [](Frame& f) { f.mutable_login()->set_password(std::string(1024, 'p')); });
  expect_invalid(
      Frame::kLogin, [](Frame& f) { f.mutable_login()->clear_password(); }, "login.password is empty");
  expect_invalid(
      Frame::kLogin, [](Frame& f) { f.mutable_login()->set_password(std::string(1025, 'p')); },
      "login.password is longer than 1024 bytes (1025)");
}

TEST(RequestValidator, LoginDeviceNameIsAtMost64BytesOfDisplayText) {
  expect_valid(Frame::kLogin, [](Frame& f) { f.mutable_login()->set_device_name(std::string(64, 'd')); });
  expect_invalid(
      Frame::kLogin,
      [](Frame& f) {
        f.mutable_login()->set_device_name(
            "a\xe2\x80\xae"
            "b");
      },
      "login.device_name contains a bidirectional override character (at byte 2)");
}

TEST(RequestValidator, LoginIdentityIsOptionalButMustHaveExactKeySizes) {
  expect_valid(Frame::kLogin, [](Frame& f) { f.mutable_login()->clear_identity(); });
  expect_valid(Frame::kLogin, [](Frame& f) {
    auto* id = f.mutable_login()->mutable_identity();
    id->set_signing_key(pattern_bytes(32));
    id->set_dh_key(pattern_bytes(32));
    id->set_signature(pattern_bytes(64));
  });
  expect_invalid(
      Frame::kLogin,
      [](Frame& f) {
        auto* id = f.mutable_login()->mutable_identity();
        id->set_signing_key(pattern_bytes(32));
        id->set_dh_key(pattern_bytes(32));
        id->set_signature(pattern_bytes(32));
      },
      "login.identity.signature must be 64 bytes (got 32)");
  expect_invalid(
      Frame::kLogin, [](Frame& f) { f.mutable_login()->mutable_identity(); },
      "login.identity.signing_key must be 32 bytes (got 0)");
}

TEST(RequestValidator, ResumeTokenIs32Bytes) {
  expect_valid(Frame::kResume, [](Frame& f) { f.mutable_resume()->set_token(pattern_bytes(32)); });
  expect_invalid(
      Frame::kResume, [](Frame& f) { f.mutable_resume()->set_token(pattern_bytes(31)); },
      "resume.token must be 32 bytes (got 31)");
  expect_invalid(
      Frame::kResume, [](Frame& f) { f.mutable_resume()->clear_token(); }, "resume.token must be 32 bytes (got 0)");
}

// ---- prekeys ----

TEST(RequestValidator, PublishPrekeysNeedsSomethingToPublish) {
  expect_valid(Frame::kPublishPrekeys, [](Frame& f) { f.mutable_publish_prekeys()->clear_one_time_prekeys(); });
  expect_valid(Frame::kPublishPrekeys, [](Frame& f) { f.mutable_publish_prekeys()->clear_signed_prekey(); });
  expect_invalid(
      Frame::kPublishPrekeys,
      [](Frame& f) {
        f.mutable_publish_prekeys()->clear_signed_prekey();
        f.mutable_publish_prekeys()->clear_one_time_prekeys();
      },
      "publish_prekeys has neither a signed prekey nor one-time prekeys");
}

TEST(RequestValidator, PublishPrekeysSignedPrekeyHasA32ByteKeyAnd64ByteSignature) {
  expect_invalid(
      Frame::kPublishPrekeys,
      [](Frame& f) { f.mutable_publish_prekeys()->mutable_signed_prekey()->set_public_key(pattern_bytes(0)); },
      "publish_prekeys.signed_prekey.public_key must be 32 bytes (got 0)");
  expect_invalid(
      Frame::kPublishPrekeys,
      [](Frame& f) { f.mutable_publish_prekeys()->mutable_signed_prekey()->set_signature(pattern_bytes(65)); },
      "publish_prekeys.signed_prekey.signature must be 64 bytes (got 65)");
}

TEST(RequestValidator, PublishPrekeysOneTimePrekeysAre32BytesWithDistinctIds) {
  expect_invalid(
      Frame::kPublishPrekeys,
      [](Frame& f) { f.mutable_publish_prekeys()->mutable_one_time_prekeys(1)->set_public_key("short"); },
      "publish_prekeys.one_time_prekeys[1].public_key must be 32 bytes (got 5)");
  expect_invalid(
      Frame::kPublishPrekeys, [](Frame& f) { f.mutable_publish_prekeys()->mutable_one_time_prekeys(2)->set_id(100); },
      "publish_prekeys.one_time_prekeys contains the id 100 more than once");
}

TEST(RequestValidator, PublishPrekeysCarriesAtMost200OneTimePrekeys) {
  const auto with_count = [](std::size_t n) {
    return [n](Frame& f) {
      auto* p = f.mutable_publish_prekeys();
      p->clear_one_time_prekeys();
      for (std::size_t i = 0; i < n; ++i) {
        auto* k = p->add_one_time_prekeys();
        k->set_id(static_cast<std::uint32_t>(i));
        k->set_public_key(pattern_bytes(32, static_cast<std::uint8_t>(i)));
      }
    };
  };
  expect_valid(Frame::kPublishPrekeys, with_count(kMaxOneTimePrekeysPerPublish));
  expect_invalid(Frame::kPublishPrekeys, with_count(kMaxOneTimePrekeysPerPublish + 1),
                 "publish_prekeys.one_time_prekeys has 201 entries, more than the maximum of 200");
}

TEST(RequestValidator, FetchBundleUsernameMustCanonicalise) {
  expect_valid(Frame::kFetchBundle, [](Frame& f) { f.mutable_fetch_bundle()->set_username("Bob"); });
  expect_invalid(
      Frame::kFetchBundle, [](Frame& f) { f.mutable_fetch_bundle()->set_username("b"); },
      "fetch_bundle.username is not a valid username: username is shorter than 3 characters");
}

// ---- send / deliver ----

TEST(RequestValidator, SendMessageIdIs16Bytes) {
  expect_invalid(
      Frame::kSend, [](Frame& f) { f.mutable_send()->set_message_id(pattern_bytes(15)); },
      "send.message_id must be 16 bytes (got 15)");
  expect_invalid(
      Frame::kSend, [](Frame& f) { f.mutable_send()->set_message_id(pattern_bytes(17)); },
      "send.message_id must be 16 bytes (got 17)");
}

TEST(RequestValidator, SendHasOneTo1000Recipients) {
  const auto with_count = [](std::size_t n) {
    return [n](Frame& f) {
      f.mutable_send()->clear_recipients();
      for (std::size_t i = 0; i < n; ++i) f.mutable_send()->add_recipients(usernames(i));
    };
  };
  expect_valid(Frame::kSend, with_count(1));
  expect_valid(Frame::kSend, with_count(kMaxRecipientsPerSend));
  expect_invalid(Frame::kSend, with_count(0), "send.recipients must have at least 1 entries (has none)");
  expect_invalid(Frame::kSend, with_count(kMaxRecipientsPerSend + 1),
                 "send.recipients has 1001 entries, more than the maximum of 1000");
}

TEST(RequestValidator, SendRecipientsAreValidDistinctUsernames) {
  expect_invalid(
      Frame::kSend, [](Frame& f) { f.mutable_send()->set_recipients(1, "car\tol"); },
      "send.recipients[1] is not a valid username: username contains a control character (0x09) at "
      "position 4");
  // "Bob" and "bob" are one account.
  expect_invalid(
      Frame::kSend, [](Frame& f) { f.mutable_send()->add_recipients("Bob"); },
      "send.recipients[2] repeats an earlier recipient");
}

TEST(RequestValidator, SendEnvelopeIsOneByteTo256KiB) {
  expect_valid(Frame::kSend, [](Frame& f) { f.mutable_send()->set_envelope("x"); });
  expect_valid(Frame::kSend, [](Frame& f) { f.mutable_send()->set_envelope(pattern_bytes(kMaxEnvelopeBytes)); });
  expect_invalid(
      Frame::kSend, [](Frame& f) { f.mutable_send()->clear_envelope(); }, "send.envelope is empty");
  expect_invalid(
      Frame::kSend, [](Frame& f) { f.mutable_send()->set_envelope(pattern_bytes(kMaxEnvelopeBytes + 1)); },
      "send.envelope is longer than 262144 bytes (262145)");
}

TEST(RequestValidator, DeliverAckHasOneTo1000NonZeroIds) {
  const auto with_count = [](std::size_t n) {
    return [n](Frame& f) {
      f.mutable_deliver_ack()->clear_delivery_ids();
      for (std::size_t i = 0; i < n; ++i) f.mutable_deliver_ack()->add_delivery_ids(i + 1);
    };
  };
  expect_valid(Frame::kDeliverAck, with_count(kMaxDeliveryIdsPerAck));
  expect_invalid(Frame::kDeliverAck, with_count(0), "deliver_ack.delivery_ids must have at least 1 entries (has none)");
  expect_invalid(Frame::kDeliverAck, with_count(kMaxDeliveryIdsPerAck + 1),
                 "deliver_ack.delivery_ids has 1001 entries, more than the maximum of 1000");
  expect_invalid(
      Frame::kDeliverAck, [](Frame& f) { f.mutable_deliver_ack()->set_delivery_ids(1, 0); },
      "deliver_ack.delivery_ids[1] is 0");
}

// ---- presence ----

TEST(RequestValidator, PresenceAsksAboutOneTo256ValidUsernames) {
  const auto with_count = [](std::size_t n) {
    return [n](Frame& f) {
      f.mutable_presence()->clear_usernames();
      for (std::size_t i = 0; i < n; ++i) f.mutable_presence()->add_usernames(usernames(i));
    };
  };
  expect_valid(Frame::kPresence, with_count(kMaxPresenceNames));
  expect_invalid(Frame::kPresence, with_count(0), "presence.usernames must have at least 1 entries (has none)");
  expect_invalid(Frame::kPresence, with_count(kMaxPresenceNames + 1),
                 "presence.usernames has 257 entries, more than the maximum of 256");
  expect_invalid(
      Frame::kPresence, [](Frame& f) { f.mutable_presence()->set_usernames(0, std::string(33, 'a')); },
      "presence.usernames[0] is not a valid username: username is longer than 32 characters (33 bytes)");
}

// ---- blobs ----

TEST(RequestValidator, BlobBeginHasANonZeroSizeAndA32ByteDigest) {
  expect_valid(Frame::kBlobBegin, [](Frame& f) { f.mutable_blob_begin()->set_size(1); });
  expect_valid(Frame::kBlobBegin, [](Frame& f) { f.mutable_blob_begin()->set_size(UINT64_MAX); });
  expect_invalid(
      Frame::kBlobBegin, [](Frame& f) { f.mutable_blob_begin()->set_size(0); },
      "blob_begin.size is 0 (an encrypted file is never empty)");
  expect_invalid(
      Frame::kBlobBegin, [](Frame& f) { f.mutable_blob_begin()->set_sha256(pattern_bytes(20)); },
      "blob_begin.sha256 must be 32 bytes (got 20)");
}

TEST(RequestValidator, BlobBeginUploadIdIsEmptyOrABlobId) {
  expect_valid(Frame::kBlobBegin, [](Frame& f) { f.mutable_blob_begin()->set_upload_id("b7f3c2a1"); });
  expect_invalid(
      Frame::kBlobBegin, [](Frame& f) { f.mutable_blob_begin()->set_upload_id("../../etc/passwd"); },
      "blob_begin.upload_id contains a character outside [A-Za-z0-9_-] at position 1");
}

TEST(RequestValidator, BlobChunkNamesABlobAndCarriesOneByteTo256KiB) {
  expect_valid(Frame::kBlobChunk,
               [](Frame& f) { f.mutable_blob_chunk()->set_data(pattern_bytes(kMaxBlobChunkBytes)); });
  expect_invalid(
      Frame::kBlobChunk, [](Frame& f) { f.mutable_blob_chunk()->clear_data(); }, "blob_chunk.data is empty");
  expect_invalid(
      Frame::kBlobChunk, [](Frame& f) { f.mutable_blob_chunk()->set_data(pattern_bytes(kMaxBlobChunkBytes + 1)); },
      "blob_chunk.data is longer than 262144 bytes (262145)");
  expect_invalid(
      Frame::kBlobChunk, [](Frame& f) { f.mutable_blob_chunk()->set_blob_id("a/b"); },
      "blob_chunk.blob_id contains a character outside [A-Za-z0-9_-] at position 2");
}

TEST(RequestValidator, BlobEndAndBlobGetNameAValidBlob) {
  expect_valid(Frame::kBlobEnd, [](Frame& f) { f.mutable_blob_end()->set_blob_id(std::string(64, 'b')); });
  expect_invalid(
      Frame::kBlobEnd, [](Frame& f) { f.mutable_blob_end()->clear_blob_id(); }, "blob_end.blob_id is empty");
  expect_valid(Frame::kBlobGet, [](Frame& f) { f.mutable_blob_get()->set_max_length(0); });
  expect_invalid(
      Frame::kBlobGet, [](Frame& f) { f.mutable_blob_get()->set_blob_id(std::string(65, 'b')); },
      "blob_get.blob_id is longer than 64 characters (65)");
}

TEST(RequestValidator, BlobEndHasZeroTo1000Readers) {
  const auto with_count = [](std::size_t n) {
    return [n](Frame& f) {
      f.mutable_blob_end()->clear_readers();
      for (std::size_t i = 0; i < n; ++i) f.mutable_blob_end()->add_readers(usernames(i));
    };
  };
  expect_valid(Frame::kBlobEnd, with_count(0));  // anyone with the id may fetch
  expect_valid(Frame::kBlobEnd, with_count(kMaxBlobReaders));
  expect_invalid(Frame::kBlobEnd, with_count(kMaxBlobReaders + 1),
                 "blob_end.readers has 1001 entries, more than the maximum of 1000");
}

TEST(RequestValidator, BlobEndReadersAreValidDistinctUsernames) {
  expect_valid(Frame::kBlobEnd, [](Frame& f) { f.mutable_blob_end()->set_readers(0, "BOB"); });
  expect_invalid(
      Frame::kBlobEnd, [](Frame& f) { f.mutable_blob_end()->set_readers(1, "../carol"); },
      "blob_end.readers[1] is not a valid username: username contains the character '/' at position 3 (only a-z, "
      "0-9, '_', '.' and '-' are allowed)");
  expect_invalid(
      Frame::kBlobEnd, [](Frame& f) { f.mutable_blob_end()->set_readers(0, ""); },
      "blob_end.readers[0] is not a valid username: username is empty");
  // "Carol" and "carol" are one account, so one claim.
  expect_invalid(
      Frame::kBlobEnd, [](Frame& f) { f.mutable_blob_end()->add_readers("Carol"); },
      "blob_end.readers[2] repeats an earlier reader");
}

TEST(RequestValidator, BlobReleaseNamesAValidBlob) {
  expect_valid(Frame::kBlobRelease, [](Frame& f) { f.mutable_blob_release()->set_blob_id("a"); });
  expect_invalid(
      Frame::kBlobRelease, [](Frame& f) { f.mutable_blob_release()->clear_blob_id(); },
      "blob_release.blob_id is empty");
  expect_invalid(
      Frame::kBlobRelease, [](Frame& f) { f.mutable_blob_release()->set_blob_id("x/../y"); },
      "blob_release.blob_id contains a character outside [A-Za-z0-9_-] at position 2");
}

}  // namespace
}  // namespace sotto::wire
