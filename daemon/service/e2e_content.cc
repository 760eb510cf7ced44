#include "daemon/service/e2e_content.h"

#include <chrono>

#include "lib/crypto/byte_codec.h"
#include "lib/crypto/error.h"
#include "lib/crypto/file_cipher.h"
#include "lib/crypto/random.h"
#include "lib/crypto/sender_key_distribution.h"
#include "lib/wire/blob_id.h"

namespace sotto::msgd {
namespace {

constexpr std::uint8_t kContentVersion = 1;
constexpr std::size_t kHeaderSize = 1 + 1 + 16 + 8;

template <typename F>
auto parse_or_throw(F&& f) {
  try {
    return f();
  } catch (const crypto::CryptoError& e) {
    throw ContentError(e.what());
  }
}

}  // namespace

crypto::Bytes encode_content(const Content& content) {
  std::size_t size = kHeaderSize;
  const FileOffer& file = content.file;
  if (content.kind == ContentKind::kText) {
    if (content.text.size() > kMaxTextBytes) throw ContentError("text longer than 64 KiB");
    size += 4 + content.text.size();
  } else if (content.kind == ContentKind::kFile) {
    if (content.text.size() > kMaxTextBytes) throw ContentError("caption longer than 64 KiB");
    if (file.blob_id.empty() || file.blob_id.size() > 64) throw ContentError("blob id of the wrong length");
    if (file.key.size() != crypto::kFileKeySize) throw ContentError("file key of the wrong length");
    if (file.name.empty() || file.name.size() > kMaxFileNameBytes) throw ContentError("file name of the wrong length");
    if (file.mime.size() > kMaxMimeBytes) throw ContentError("MIME type longer than 255 bytes");
    size += 1 + file.blob_id.size() + file.key.size() + file.ciphertext_sha256.size() + 8 + 2 + file.name.size() + 1 +
            file.mime.size() + 4 + content.text.size();
  } else if (content.kind == ContentKind::kGroupUpdate) {
    if (content.group_state.empty() || content.group_state.size() > kMaxGroupStateBytes) {
      throw ContentError("group state of the wrong length");
    }
    size += 4 + content.group_state.size();
  } else if (content.kind == ContentKind::kSenderKey) {
    if (content.sender_key.size() != crypto::kSenderKeyDistributionSize) {
      throw ContentError("sender key distribution of the wrong length");
    }
    size += 8 + content.sender_key.size();
  } else {
    size += 1 + 16;
  }
  crypto::Bytes out(size);
  crypto::ByteWriter w(out);
  w.u8(kContentVersion);
  w.u8(static_cast<std::uint8_t>(content.kind));
  w.bytes(content.id);
  w.u32(static_cast<std::uint32_t>(content.sent_at_ms >> 32));
  w.u32(static_cast<std::uint32_t>(content.sent_at_ms & 0xffffffffU));
  auto put_text = [&w](const std::string& text) {
    w.bytes(crypto::ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  };
  if (content.kind == ContentKind::kText) {
    w.u32(static_cast<std::uint32_t>(content.text.size()));
    put_text(content.text);
  } else if (content.kind == ContentKind::kFile) {
    w.u8(static_cast<std::uint8_t>(file.blob_id.size()));
    put_text(file.blob_id);
    w.bytes(file.key.view());
    w.bytes(file.ciphertext_sha256);
    w.u32(static_cast<std::uint32_t>(file.size >> 32));
    w.u32(static_cast<std::uint32_t>(file.size & 0xffffffffU));
    w.u16(static_cast<std::uint16_t>(file.name.size()));
    put_text(file.name);
    w.u8(static_cast<std::uint8_t>(file.mime.size()));
    put_text(file.mime);
    w.u32(static_cast<std::uint32_t>(content.text.size()));
    put_text(content.text);
  } else if (content.kind == ContentKind::kGroupUpdate) {
    w.u32(static_cast<std::uint32_t>(content.group_state.size()));
    w.bytes(content.group_state);
  } else if (content.kind == ContentKind::kSenderKey) {
    w.u64(content.group_epoch);
    w.bytes(content.sender_key.view());
  } else {
    w.u8(static_cast<std::uint8_t>(content.receipt_state));
    w.bytes(content.acknowledged);
  }
  w.expect_full();
  return out;
}

Content parse_content(crypto::ByteView bytes) {
  return parse_or_throw([&] {
    crypto::ByteReader r(bytes, "message content");
    Content c;
    if (r.u8("version") != kContentVersion) throw ContentError("message content: unknown version");
    const std::uint8_t kind = r.u8("kind");
    r.copy_to(c.id, "id");
    const std::uint64_t high = r.u32("sent_at");
    c.sent_at_ms = (high << 32) | r.u32("sent_at");
    if (kind == static_cast<std::uint8_t>(ContentKind::kText)) {
      c.kind = ContentKind::kText;
      const std::uint32_t length = r.u32("text length");
      if (length > kMaxTextBytes) throw ContentError("message content: text longer than 64 KiB");
      const crypto::ByteView text = r.bytes(length, "text");
      c.text.assign(reinterpret_cast<const char*>(text.data()), text.size());
    } else if (kind == static_cast<std::uint8_t>(ContentKind::kFile)) {
      c.kind = ContentKind::kFile;
      auto text_of = [](crypto::ByteView v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size()); };
      const std::uint8_t id_length = r.u8("blob id length");
      c.file.blob_id = text_of(r.bytes(id_length, "blob id"));
      if (auto problem = wire::check_blob_id(c.file.blob_id))
        throw ContentError("message content: blob id " + *problem);
      c.file.key = crypto::SecretBytes(r.bytes(crypto::kFileKeySize, "file key"));
      r.copy_to(c.file.ciphertext_sha256, "file sha256");
      const std::uint64_t size_high = r.u32("file size");
      c.file.size = (size_high << 32) | r.u32("file size");
      if (c.file.size > crypto::kFileMaxPlaintextSize) throw ContentError("message content: file size out of range");
      const std::uint16_t name_length = r.u16("file name length");
      if (name_length == 0 || name_length > kMaxFileNameBytes) {
        throw ContentError("message content: file name of the wrong length");
      }
      c.file.name = text_of(r.bytes(name_length, "file name"));
      c.file.mime = text_of(r.bytes(r.u8("MIME type length"), "MIME type"));
      const std::uint32_t length = r.u32("caption length");
      if (length > kMaxTextBytes) throw ContentError("message content: caption longer than 64 KiB");
      c.text = text_of(r.bytes(length, "caption"));
    } else if (kind == static_cast<std::uint8_t>(ContentKind::kReceipt)) {
      c.kind = ContentKind::kReceipt;
      const std::uint8_t state = r.u8("receipt state");
      if (state != static_cast<std::uint8_t>(ReceiptState::kDelivered) &&
          state != static_cast<std::uint8_t>(ReceiptState::kRead)) {
        throw ContentError("message content: unknown receipt state");
      }
      c.receipt_state = static_cast<ReceiptState>(state);
      r.copy_to(c.acknowledged, "acknowledged id");
    } else if (kind == static_cast<std::uint8_t>(ContentKind::kGroupUpdate)) {
      c.kind = ContentKind::kGroupUpdate;
      const std::uint32_t length = r.u32("group state length");
      if (length == 0 || length > kMaxGroupStateBytes)
        throw ContentError("message content: group state length out of range");
      const crypto::ByteView state = r.bytes(length, "group state");
      c.group_state.assign(state.begin(), state.end());
    } else if (kind == static_cast<std::uint8_t>(ContentKind::kSenderKey)) {
      c.kind = ContentKind::kSenderKey;
      c.group_epoch = r.u64("group epoch");
      c.sender_key = crypto::SecretBytes(r.bytes(crypto::kSenderKeyDistributionSize, "sender key"));
    } else {
      throw ContentError("message content: unknown kind");
    }
    r.expect_end();
    return c;
  });
}

crypto::Bytes encode_envelope(EnvelopeType type, crypto::ByteView body) {
  crypto::Bytes out;
  out.reserve(1 + body.size());
  out.push_back(static_cast<std::uint8_t>(type));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Envelope parse_envelope(crypto::ByteView bytes) {
  if (bytes.empty()) throw ContentError("envelope: empty");
  const std::uint8_t type = bytes[0];
  if (type != static_cast<std::uint8_t>(EnvelopeType::kInitial) &&
      type != static_cast<std::uint8_t>(EnvelopeType::kRatchet) &&
      type != static_cast<std::uint8_t>(EnvelopeType::kGroup)) {
    throw ContentError("envelope: unknown type");
  }
  return Envelope{static_cast<EnvelopeType>(type), bytes.subspan(1)};
}

crypto::Bytes encode_group_envelope(const GroupEnvelope& envelope) {
  crypto::Bytes out(1 + kGroupEnvelopeHeaderSize + envelope.message.size());
  crypto::ByteWriter w(out);
  w.u8(static_cast<std::uint8_t>(EnvelopeType::kGroup));
  w.bytes(envelope.group_id);
  w.u64(envelope.epoch);
  w.bytes(envelope.state_hash);
  w.bytes(envelope.message);
  w.expect_full();
  return out;
}

GroupEnvelope parse_group_envelope(crypto::ByteView body) {
  return parse_or_throw([&] {
    crypto::ByteReader r(body, "group envelope");
    GroupEnvelope e;
    r.copy_to(e.group_id, "group id");
    e.epoch = r.u64("epoch");
    r.copy_to(e.state_hash, "state hash");
    e.message = r.rest();
    const crypto::ParsedSenderKeyMessage parsed = crypto::parse_sender_key_message(e.message);
    if (parsed.header.group_id != e.group_id) throw ContentError("group envelope: the message names another group");
    return e;
  });
}

crypto::Bytes group_message_context(std::string_view sender, std::uint64_t epoch,
                                    const std::array<std::uint8_t, 32>& state_hash) {
  crypto::Bytes out(1 + sender.size() + 8 + state_hash.size());
  crypto::ByteWriter w(out);
  w.u8(static_cast<std::uint8_t>(sender.size()));
  w.bytes(crypto::ByteView(reinterpret_cast<const std::uint8_t*>(sender.data()), sender.size()));
  w.u64(epoch);
  w.bytes(state_hash);
  w.expect_full();
  return out;
}

std::string message_id_hex(const MessageId& id) { return crypto::to_hex(id); }

MessageId message_id_from_hex(std::string_view hex) {
  if (hex.size() != 32) throw ContentError("a message id is 32 hex digits");
  crypto::Bytes bytes;
  try {
    bytes = crypto::from_hex(hex);
  } catch (const std::exception&) {
    throw ContentError("a message id is 32 hex digits");
  }
  return message_id_from_bytes(bytes);
}

MessageId message_id_from_bytes(crypto::ByteView bytes) {
  if (bytes.size() != 16) throw ContentError("a message id is 16 bytes");
  MessageId id{};
  std::copy(bytes.begin(), bytes.end(), id.begin());
  return id;
}

MessageId new_message_id() {
  MessageId id{};
  crypto::random_fill(id);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const auto now = static_cast<std::uint64_t>(ms < 0 ? 0 : ms);
  for (std::size_t i = 0; i < kMessageIdTimeBytes; ++i) {
    id[i] = static_cast<std::uint8_t>(now >> (8 * (kMessageIdTimeBytes - 1 - i)));
  }
  return id;
}

}  // namespace sotto::msgd
