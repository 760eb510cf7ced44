#include "daemon/service/e2e_content.h"

#include <chrono>

#include "lib/crypto/byte_codec.h"
#include "lib/crypto/error.h"
#include "lib/crypto/random.h"

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
  if (content.kind == ContentKind::kText) {
    if (content.text.size() > kMaxTextBytes) throw ContentError("text longer than 64 KiB");
    size += 4 + content.text.size();
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
  if (content.kind == ContentKind::kText) {
    w.u32(static_cast<std::uint32_t>(content.text.size()));
    w.bytes(crypto::ByteView(reinterpret_cast<const std::uint8_t*>(content.text.data()), content.text.size()));
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
    } else if (kind == static_cast<std::uint8_t>(ContentKind::kReceipt)) {
      c.kind = ContentKind::kReceipt;
      const std::uint8_t state = r.u8("receipt state");
      if (state != static_cast<std::uint8_t>(ReceiptState::kDelivered) &&
          state != static_cast<std::uint8_t>(ReceiptState::kRead)) {
        throw ContentError("message content: unknown receipt state");
      }
      c.receipt_state = static_cast<ReceiptState>(state);
      r.copy_to(c.acknowledged, "acknowledged id");
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
      type != static_cast<std::uint8_t>(EnvelopeType::kRatchet)) {
    throw ContentError("envelope: unknown type");
  }
  return Envelope{static_cast<EnvelopeType>(type), bytes.subspan(1)};
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
