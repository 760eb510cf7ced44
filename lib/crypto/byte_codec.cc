#include "lib/crypto/byte_codec.h"

#include <cstring>
#include <string>

#include "lib/crypto/error.h"

namespace sotto::crypto {

void ByteReader::fail(std::string_view problem, std::string_view field) const {
  std::string msg(what_);
  msg += ": ";
  msg += problem;
  if (!field.empty()) {
    msg += " (";
    msg += field;
    msg += ")";
  }
  throw CryptoError(msg);
}

void ByteReader::need(std::size_t n, std::string_view field) const {
  if (n > remaining()) fail("truncated", field);
}

std::uint8_t ByteReader::u8(std::string_view field) {
  need(1, field);
  return in_[pos_++];
}

std::uint16_t ByteReader::u16(std::string_view field) {
  need(2, field);
  const auto v = static_cast<std::uint16_t>(in_[pos_] << 8 | in_[pos_ + 1]);
  pos_ += 2;
  return v;
}

std::uint32_t ByteReader::u32(std::string_view field) {
  need(4, field);
  const std::uint32_t v = std::uint32_t{in_[pos_]} << 24 | std::uint32_t{in_[pos_ + 1]} << 16 |
                          std::uint32_t{in_[pos_ + 2]} << 8 | std::uint32_t{in_[pos_ + 3]};
  pos_ += 4;
  return v;
}

std::uint64_t ByteReader::u64(std::string_view field) {
  need(8, field);
  const std::uint64_t high = u32(field);
  return high << 32 | u32(field);
}

ByteView ByteReader::bytes(std::size_t n, std::string_view field) {
  need(n, field);
  const ByteView v = in_.subspan(pos_, n);
  pos_ += n;
  return v;
}

void ByteReader::copy_to(std::span<std::uint8_t> out, std::string_view field) {
  const ByteView v = bytes(out.size(), field);
  if (!v.empty()) std::memcpy(out.data(), v.data(), v.size());
}

ByteView ByteReader::rest() {
  const ByteView v = in_.subspan(pos_);
  pos_ = in_.size();
  return v;
}

void ByteReader::expect_end() const {
  if (remaining() != 0) fail("trailing bytes after the end", {});
}

std::uint8_t* ByteWriter::take(std::size_t n) {
  if (n > out_.size() - pos_) throw CryptoError("internal error: encoder buffer too small");
  std::uint8_t* p = out_.data() + pos_;
  pos_ += n;
  return p;
}

void ByteWriter::u8(std::uint8_t v) { *take(1) = v; }

void ByteWriter::u16(std::uint16_t v) {
  std::uint8_t* p = take(2);
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

void ByteWriter::u32(std::uint32_t v) {
  std::uint8_t* p = take(4);
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

void ByteWriter::u64(std::uint64_t v) {
  std::uint8_t* p = take(8);
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
}

void ByteWriter::bytes(ByteView v) {
  std::uint8_t* p = take(v.size());
  if (!v.empty()) std::memcpy(p, v.data(), v.size());
}

void ByteWriter::expect_full() const {
  if (pos_ != out_.size()) throw CryptoError("internal error: encoder size mismatch");
}

}  // namespace sotto::crypto
