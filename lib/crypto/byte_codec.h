#pragma once

// Bounds-checked big-endian reading and writing for the byte formats of the
// session layer (identity blobs, ratchet headers, session state). Every read
// checks the remaining length first and throws CryptoError with the name of
// the field, so a parser never touches a byte past the end of its input.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lib/crypto/bytes.h"

namespace sotto::crypto {

class ByteReader {
 public:
  // what names the format in error messages ("ratchet message", ...).
  ByteReader(ByteView in, std::string_view what) : in_(in), what_(what) {}

  std::uint8_t u8(std::string_view field);
  std::uint16_t u16(std::string_view field);
  std::uint32_t u32(std::string_view field);
  std::uint64_t u64(std::string_view field);
  // A view into the input (no copy), exactly n bytes.
  ByteView bytes(std::size_t n, std::string_view field);
  // Copies exactly out.size() bytes into out.
  void copy_to(std::span<std::uint8_t> out, std::string_view field);
  // Everything not yet read.
  ByteView rest();

  std::size_t remaining() const { return in_.size() - pos_; }
  std::size_t position() const { return pos_; }
  // Throws unless every byte has been read: trailing bytes are an error, not
  // something to ignore, so that two encodings never mean the same thing.
  void expect_end() const;

 private:
  [[noreturn]] void fail(std::string_view problem, std::string_view field) const;
  void need(std::size_t n, std::string_view field) const;

  ByteView in_;
  std::size_t pos_ = 0;
  std::string_view what_;
};

// Writes into a buffer whose exact size the caller computed beforehand, so
// that secrets are written once into their final (wiping) home and never
// left behind by a growing vector. Writing past the end is a programming
// error and throws CryptoError.
class ByteWriter {
 public:
  explicit ByteWriter(std::span<std::uint8_t> out) : out_(out) {}

  void u8(std::uint8_t v);
  void u16(std::uint16_t v);
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void bytes(ByteView v);

  std::size_t position() const { return pos_; }
  // Throws unless the buffer was filled exactly.
  void expect_full() const;

 private:
  std::uint8_t* take(std::size_t n);
  std::span<std::uint8_t> out_;
  std::size_t pos_ = 0;
};

}  // namespace sotto::crypto
