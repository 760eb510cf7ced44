#include "lib/crypto/sender_key_message.h"

#include "lib/crypto/byte_codec.h"
#include "lib/crypto/error.h"

namespace sotto::crypto {

void encode_sender_key_header(const SenderKeyHeader& header, std::span<std::uint8_t, kSenderKeyHeaderSize> out) {
  ByteWriter w(out);
  w.u8(kSenderKeyMessageVersion);
  w.bytes(header.group_id);
  w.u32(header.key_id);
  w.u32(header.iteration);
  w.expect_full();
}

ParsedSenderKeyMessage parse_sender_key_message(ByteView message) {
  if (message.empty()) throw CryptoError("group message: empty");
  if (message[0] != kSenderKeyMessageVersion) throw CryptoError("group message: unsupported format version");
  if (message.size() < kSenderKeyMessageMinSize) throw CryptoError("group message: truncated");
  const std::size_t signed_size = message.size() - kEd25519SignatureSize;
  ByteReader r(message.first(signed_size), "group message");
  ParsedSenderKeyMessage out;
  r.u8("version");
  r.copy_to(out.header.group_id, "group id");
  out.header.key_id = r.u32("key id");
  out.header.iteration = r.u32("iteration");
  out.header_bytes = message.first(kSenderKeyHeaderSize);
  out.ciphertext_and_tag = r.rest();
  out.signed_part = message.first(signed_size);
  out.signature = message.subspan(signed_size);
  return out;
}

Bytes sender_key_message_aad(ByteView header_bytes, ByteView context) {
  Bytes aad;
  aad.reserve(header_bytes.size() + context.size());
  append(aad, header_bytes);
  append(aad, context);
  return aad;
}

}  // namespace sotto::crypto
