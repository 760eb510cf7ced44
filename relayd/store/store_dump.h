#pragma once

// The store dump: a relay's whole Store as one file, written by `relayd
// export-store FILE` and read by `relayd import-store FILE`, so that a relay
// can move between backends (SQLite, PostgreSQL) without losing a queued
// envelope. Reading and writing stream one record at a time: a relay's queue
// can be gigabytes, and neither side ever holds more than one record.
//
// ---- Format, version 1 ----
//
// Integers are fixed-width big-endian: u8, u32, u64, and i64 (two's
// complement). bytes(lo..hi) is a u32 length n with lo <= n <= hi followed by
// n bytes; fixed(N) is exactly N bytes with no length before them. A boolean
// is a u8 that is 0 or 1. "offset" below counts bytes from the file's start.
//
//   header     magic   fixed(8)  "SOTTODMP" (53 4f 54 54 4f 44 4d 50)
//              version u32       1
//   records    zero or more of:
//              type    u8        1..8, see below
//              length  u32       the body's size, at most 1052672
//                                (1 MiB + 4 KiB, kMaxDumpRecordBytes)
//              body    fixed(length), laid out by type; bytes left over
//                                after its last field are an error
//   trailer    type    u8        0
//              length  u32       40
//              count   u64       how many records precede the trailer
//              sha256  fixed(32) SHA-256 (FIPS 180-4) of every byte of the
//                                file before these 32: header, records, and
//                                the trailer's type, length and count
//   nothing may follow the trailer.
//
// Record types appear in non-decreasing order (every user, then every token,
// ...), so that an importer meets each user before anything that names it.
// Deliveries appear in strictly increasing delivery_id; at most one type 8.
// Usernames are bytes(1..32) (canonical names, lib/wire/username.h).
//
//   1 user              username, password_hash bytes(0..512),
//                       signing_key bytes(0..64), dh_key bytes(0..64),
//                       identity_signature bytes(0..64), created_at_ms i64
//   2 token             token_sha256 fixed(32), username,
//                       device_name bytes(0..256), expires_at_ms i64
//   3 invite            code_sha256 fixed(32), expires_at_ms i64
//   4 signed prekey     username, prekey_id u32, public_key bytes(0..64),
//                       signature bytes(0..64)
//   5 one-time prekey   username, prekey_id u32, public_key bytes(0..64)
//   6 delivery          delivery_id i64 (>= 1), recipient username, sender
//                       username, message_id fixed(16), server_time_ms i64,
//                       expires_at_ms i64, envelope bytes(0..1048576)
//   7 blob              blob_id bytes(1..64) of [A-Za-z0-9_-], owner
//                       username, size u64, sha256 fixed(32), received u64
//                       (size and received <= 2^63-1), complete boolean,
//                       restricted boolean, expires_at_ms i64,
//                       reader_count u32 (0..1000), then reader_count
//                       reader usernames
//   8 delivery sequence last_delivery_id i64 (>= 0): see DeliverySequence
//                       in store.h
//
// A reader refuses, with the offset and the reason, a wrong magic, another
// version, an unknown type, a length or count above its cap, a record out of
// order, a file that ends early, a trailer whose count or hash does not
// match, and bytes after the trailer. Records are handed out as they are
// read and the trailer is checked last, so an importer must apply them in a
// transaction that the reader's final error aborts (Store::import_records
// does: DumpReader::next() checks the trailer before it returns nullopt).
//
// The hash finds truncation and damage, not tampering: anyone who can edit
// the file can recompute it. The file holds password and token hashes: not
// secrets themselves, but enough for an offline guessing attack, so
// DumpFile creates it 0600.

#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "lib/crypto/sha256.h"
#include "relayd/store/store.h"

namespace sotto::relayd {

inline constexpr char kDumpMagic[8] = {'S', 'O', 'T', 'T', 'O', 'D', 'M', 'P'};
inline constexpr std::uint32_t kDumpFormatVersion = 1;

// Caps on the fields (bytes). Each is the protocol's own limit
// (lib/wire/limits.h) or a multiple of it, so that export never refuses what
// a relay can hold; they exist so that a reader never allocates what a
// damaged or hostile length asks for.
inline constexpr std::size_t kDumpMaxUsernameBytes = 32;       // kMaxUsernameChars
inline constexpr std::size_t kDumpMaxPasswordHashBytes = 512;  // an Argon2id PHC string is ~100
inline constexpr std::size_t kDumpMaxKeyBytes = 64;            // X25519/Ed25519 keys 32, signatures 64
inline constexpr std::size_t kDumpMaxDeviceNameBytes = 256;    // the protocol allows 64
// The relay's default max frame size; the protocol's largest envelope is
// 256 KiB (kMaxEnvelopeBytes), which any frame size a relay accepts holds.
inline constexpr std::size_t kDumpMaxEnvelopeBytes = 1U << 20;
inline constexpr std::size_t kDumpMaxBlobIdBytes = 64;    // kMaxBlobIdLength
inline constexpr std::size_t kDumpMaxBlobReaders = 1000;  // kMaxBlobReaders
// One record's body: the largest delivery (1 MiB envelope plus 116 bytes) or
// blob (1000 readers: about 36 KiB), with room to spare.
inline constexpr std::size_t kMaxDumpRecordBytes = (1U << 20) + 4096;

// A dump that breaks the format, or a record that cannot be written in it.
// offset() is where in the file the problem lies.
class DumpFormatError : public std::runtime_error {
 public:
  DumpFormatError(std::uint64_t offset, const std::string& what);
  std::uint64_t offset() const noexcept { return offset_; }

 private:
  std::uint64_t offset_;
};

// Writes a dump to a stream: the header at construction, then one record per
// write(), then the trailer in finish(). A writer destroyed before finish()
// leaves a file without a trailer, which every reader refuses. write() throws
// DumpFormatError for a record the format cannot hold (a field above its cap,
// a record out of order) and std::runtime_error if the stream fails.
class DumpWriter {
 public:
  explicit DumpWriter(std::ostream& out);

  void write(const DumpRecord& record);
  // Writes the trailer and flushes the stream. No write() after it.
  void finish();

  std::uint64_t records() const noexcept { return records_; }
  std::uint64_t bytes_written() const noexcept { return offset_; }

 private:
  void put(const std::vector<std::uint8_t>& bytes);

  std::ostream& out_;
  crypto::Sha256 hash_;
  std::uint64_t offset_ = 0;
  std::uint64_t records_ = 0;
  std::uint8_t last_type_ = 0;
  std::int64_t last_delivery_id_ = 0;
  bool finished_ = false;
  std::vector<std::uint8_t> body_;  // reused: one allocation for the whole dump
};

// Reads a dump from a stream one record at a time. The constructor reads and
// checks the header; next() returns each record and, at the end, checks the
// trailer and that nothing follows it before it returns nullopt. Every
// problem is a DumpFormatError naming its offset.
class DumpReader {
 public:
  explicit DumpReader(std::istream& in);

  std::optional<DumpRecord> next();

  std::uint64_t records() const noexcept { return records_; }
  // Bytes consumed so far.
  std::uint64_t offset() const noexcept { return offset_; }

 private:
  void read_exact(std::uint8_t* out, std::size_t size, const char* what);

  std::istream& in_;
  crypto::Sha256 hash_;
  std::uint64_t offset_ = 0;
  std::uint64_t records_ = 0;
  std::uint8_t last_type_ = 0;
  std::int64_t last_delivery_id_ = 0;
  bool finished_ = false;
  std::vector<std::uint8_t> body_;
};

// Everything in store, through export_records, as a dump on out. Returns the
// number of records.
std::uint64_t write_dump(Store& store, std::ostream& out);
// The dump on in, loaded into store through import_records (which see).
ImportCounts read_dump(std::istream& in, Store& store);

// A new dump file: created with O_EXCL (an existing file, or a symlink where
// it would go, is refused: a dump never overwrites anything) and mode 0600.
// commit() flushes, fsyncs the file and its directory and closes it; a file
// never committed (an export that failed half-way) is removed by the
// destructor, so no partial dump is left to mistake for a whole one.
class DumpFile {
 public:
  // Throws std::system_error (EEXIST for an existing path).
  explicit DumpFile(const std::filesystem::path& path);
  ~DumpFile();
  DumpFile(const DumpFile&) = delete;
  DumpFile& operator=(const DumpFile&) = delete;

  std::ostream& stream() noexcept;
  // Throws std::system_error if any write, the fsync or the close failed.
  void commit();

 private:
  class Buffer;

  std::filesystem::path path_;
  std::unique_ptr<Buffer> buffer_;
  std::unique_ptr<std::ostream> stream_;
  bool committed_ = false;
};

}  // namespace sotto::relayd
