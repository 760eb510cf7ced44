#include "relayd/store/store_dump.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <span>
#include <streambuf>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include "relayd/store/blob_id.h"

namespace sotto::relayd {
namespace {

using crypto::Bytes;

constexpr std::size_t kRecordHeaderBytes = 5;  // type u8 + length u32
constexpr std::uint8_t kTrailerType = 0;
constexpr std::uint32_t kTrailerBodyBytes = 8 + 32;  // count u64 + SHA-256
constexpr std::uint8_t kLastRecordType = 8;
constexpr std::uint64_t kMaxSignedU64 = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// The record type of each DumpRecord alternative is its index plus one.
static_assert(std::variant_size_v<DumpRecord> == kLastRecordType);
constexpr std::uint8_t kDeliveryType = 6;
constexpr std::uint8_t kSequenceType = 8;
static_assert(std::is_same_v<std::variant_alternative_t<kDeliveryType - 1, DumpRecord>, StoredDelivery>);
static_assert(std::is_same_v<std::variant_alternative_t<kSequenceType - 1, DumpRecord>, DeliverySequence>);

// The largest bodies must fit the record cap (see the format in the header).
constexpr std::size_t kLargestDeliveryBytes =
    8 + 2 * (4 + kDumpMaxUsernameBytes) + 16 + 8 + 8 + 4 + kDumpMaxEnvelopeBytes;
constexpr std::size_t kLargestBlobBytes = (4 + kDumpMaxBlobIdBytes) + (4 + kDumpMaxUsernameBytes) + 8 + 32 + 8 + 1 + 1 +
                                          8 + 4 + kDumpMaxBlobReaders * (4 + kDumpMaxUsernameBytes);
static_assert(kLargestDeliveryBytes <= kMaxDumpRecordBytes && kLargestBlobBytes <= kMaxDumpRecordBytes);

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

std::string range_text(std::size_t lo, std::size_t hi) { return std::to_string(lo) + ".." + std::to_string(hi); }

void put_be(Bytes& out, std::uint64_t value, int width) {
  for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

std::uint64_t get_be(const std::uint8_t* in, int width) {
  std::uint64_t value = 0;
  for (int i = 0; i < width; ++i) value = (value << 8) | in[i];
  return value;
}

// Appends one record body, refusing what a reader would refuse, so that the
// writer can never produce a dump that does not read back.
class Encoder {
 public:
  Encoder(Bytes& out, std::uint64_t record_offset) : out_(out), record_offset_(record_offset) {}

  void u8(std::uint8_t value) { out_.push_back(value); }
  void u32(std::uint32_t value) { put_be(out_, value, 4); }
  void u64(std::uint64_t value) { put_be(out_, value, 8); }
  void i64(std::int64_t value) { put_be(out_, static_cast<std::uint64_t>(value), 8); }
  void boolean(bool value) { u8(value ? 1 : 0); }
  void fixed(std::span<const std::uint8_t> data) { out_.insert(out_.end(), data.begin(), data.end()); }
  void signed_u64(const char* field, std::uint64_t value) {
    if (value > kMaxSignedU64) fail(std::string(field) + " is above 2^63-1");
    u64(value);
  }
  void bytes(const char* field, std::span<const std::uint8_t> data, std::size_t lo, std::size_t hi) {
    if (data.size() < lo || data.size() > hi) {
      fail(std::string(field) + " is " + std::to_string(data.size()) + " bytes; the format allows " +
           range_text(lo, hi));
    }
    u32(static_cast<std::uint32_t>(data.size()));
    fixed(data);
  }
  void text(const char* field, std::string_view text, std::size_t lo, std::size_t hi) {
    bytes(field, crypto::as_bytes(text), lo, hi);
  }
  void username(const char* field, std::string_view name) { text(field, name, 1, kDumpMaxUsernameBytes); }

  [[noreturn]] void fail(const std::string& what) const { throw DumpFormatError(record_offset_, what); }

 private:
  Bytes& out_;
  std::uint64_t record_offset_;
};

// Reads one record body; every error names the offset of the field at fault.
class Decoder {
 public:
  Decoder(std::span<const std::uint8_t> body, std::uint64_t body_offset) : body_(body), base_(body_offset) {}

  std::uint8_t u8(const char* field) { return take(1, field)[0]; }
  std::uint32_t u32(const char* field) { return static_cast<std::uint32_t>(get_be(take(4, field).data(), 4)); }
  std::uint64_t u64(const char* field) { return get_be(take(8, field).data(), 8); }
  std::int64_t i64(const char* field) { return static_cast<std::int64_t>(u64(field)); }
  bool boolean(const char* field) {
    const std::uint64_t at = offset();
    const std::uint8_t value = u8(field);
    if (value > 1) throw DumpFormatError(at, std::string(field) + " is " + std::to_string(value) + ", not 0 or 1");
    return value == 1;
  }
  std::uint64_t signed_u64(const char* field) {
    const std::uint64_t at = offset();
    const std::uint64_t value = u64(field);
    if (value > kMaxSignedU64) throw DumpFormatError(at, std::string(field) + " is above 2^63-1");
    return value;
  }
  template <std::size_t N>
  std::array<std::uint8_t, N> fixed(const char* field) {
    const auto data = take(N, field);
    std::array<std::uint8_t, N> out{};
    std::copy(data.begin(), data.end(), out.begin());
    return out;
  }
  std::span<const std::uint8_t> bytes(const char* field, std::size_t lo, std::size_t hi) {
    const std::uint64_t at = offset();
    const std::uint32_t size = u32(field);
    if (size < lo || size > hi) {
      throw DumpFormatError(
          at, std::string(field) + " length is " + std::to_string(size) + "; the format allows " + range_text(lo, hi));
    }
    return take(size, field);
  }
  Bytes blob(const char* field, std::size_t lo, std::size_t hi) {
    const auto data = bytes(field, lo, hi);
    return Bytes(data.begin(), data.end());
  }
  std::string text(const char* field, std::size_t lo, std::size_t hi) {
    const auto data = bytes(field, lo, hi);
    return std::string(data.begin(), data.end());
  }
  std::string username(const char* field) { return text(field, 1, kDumpMaxUsernameBytes); }

  void finish(const char* record) const {
    if (pos_ != body_.size()) {
      throw DumpFormatError(offset(), std::to_string(body_.size() - pos_) +
                                          " bytes left over after the last field of the " + record + " record");
    }
  }
  std::uint64_t offset() const { return base_ + pos_; }

 private:
  std::span<const std::uint8_t> take(std::size_t size, const char* field) {
    if (body_.size() - pos_ < size) {
      throw DumpFormatError(offset(), std::string(field) + " runs past the end of its record (" + std::to_string(size) +
                                          " bytes needed, " + std::to_string(body_.size() - pos_) + " left)");
    }
    const auto out = body_.subspan(pos_, size);
    pos_ += size;
    return out;
  }

  std::span<const std::uint8_t> body_;
  std::uint64_t base_;
  std::size_t pos_ = 0;
};

void encode(Encoder& e, const UserRecord& user) {
  e.username("username", user.username);
  e.text("password_hash", user.password_hash, 0, kDumpMaxPasswordHashBytes);
  e.bytes("signing_key", user.identity.signing_key, 0, kDumpMaxKeyBytes);
  e.bytes("dh_key", user.identity.dh_key, 0, kDumpMaxKeyBytes);
  e.bytes("identity_signature", user.identity.signature, 0, kDumpMaxKeyBytes);
  e.i64(user.created_at_ms);
}

UserRecord decode_user(Decoder& d) {
  UserRecord user;
  user.username = d.username("username");
  user.password_hash = d.text("password_hash", 0, kDumpMaxPasswordHashBytes);
  user.identity.signing_key = d.blob("signing_key", 0, kDumpMaxKeyBytes);
  user.identity.dh_key = d.blob("dh_key", 0, kDumpMaxKeyBytes);
  user.identity.signature = d.blob("identity_signature", 0, kDumpMaxKeyBytes);
  user.created_at_ms = d.i64("created_at_ms");
  return user;
}

void encode(Encoder& e, const TokenRecord& token) {
  e.fixed(token.token_sha256);
  e.username("username", token.username);
  e.text("device_name", token.device_name, 0, kDumpMaxDeviceNameBytes);
  e.i64(token.expires_at_ms);
}

TokenRecord decode_token(Decoder& d) {
  TokenRecord token;
  token.token_sha256 = d.fixed<32>("token_sha256");
  token.username = d.username("username");
  token.device_name = d.text("device_name", 0, kDumpMaxDeviceNameBytes);
  token.expires_at_ms = d.i64("expires_at_ms");
  return token;
}

void encode(Encoder& e, const InviteRecord& invite) {
  e.fixed(invite.code_sha256);
  e.i64(invite.expires_at_ms);
}

InviteRecord decode_invite(Decoder& d) {
  InviteRecord invite;
  invite.code_sha256 = d.fixed<32>("code_sha256");
  invite.expires_at_ms = d.i64("expires_at_ms");
  return invite;
}

void encode(Encoder& e, const StoredSignedPrekey& stored) {
  e.username("username", stored.username);
  e.u32(stored.prekey.id);
  e.bytes("public_key", stored.prekey.public_key, 0, kDumpMaxKeyBytes);
  e.bytes("signature", stored.prekey.signature, 0, kDumpMaxKeyBytes);
}

StoredSignedPrekey decode_signed_prekey(Decoder& d) {
  StoredSignedPrekey stored;
  stored.username = d.username("username");
  stored.prekey.id = d.u32("prekey_id");
  stored.prekey.public_key = d.blob("public_key", 0, kDumpMaxKeyBytes);
  stored.prekey.signature = d.blob("signature", 0, kDumpMaxKeyBytes);
  return stored;
}

void encode(Encoder& e, const StoredOneTimePrekey& stored) {
  e.username("username", stored.username);
  e.u32(stored.prekey.id);
  e.bytes("public_key", stored.prekey.public_key, 0, kDumpMaxKeyBytes);
}

StoredOneTimePrekey decode_one_time_prekey(Decoder& d) {
  StoredOneTimePrekey stored;
  stored.username = d.username("username");
  stored.prekey.id = d.u32("prekey_id");
  stored.prekey.public_key = d.blob("public_key", 0, kDumpMaxKeyBytes);
  return stored;
}

void encode(Encoder& e, const StoredDelivery& delivery) {
  const QueuedEnvelope& envelope = delivery.envelope;
  if (envelope.delivery_id < 1) e.fail("delivery_id " + std::to_string(envelope.delivery_id) + " is below 1");
  e.i64(envelope.delivery_id);
  e.username("recipient", delivery.recipient);
  e.username("sender", envelope.sender);
  e.fixed(envelope.message_id);
  e.i64(envelope.server_time_ms);
  e.i64(envelope.expires_at_ms);
  e.bytes("envelope", envelope.envelope, 0, kDumpMaxEnvelopeBytes);
}

StoredDelivery decode_delivery(Decoder& d) {
  StoredDelivery delivery;
  QueuedEnvelope& envelope = delivery.envelope;
  const std::uint64_t at = d.offset();
  envelope.delivery_id = d.i64("delivery_id");
  if (envelope.delivery_id < 1) {
    throw DumpFormatError(at, "delivery_id " + std::to_string(envelope.delivery_id) + " is below 1");
  }
  delivery.recipient = d.username("recipient");
  envelope.sender = d.username("sender");
  envelope.message_id = d.fixed<16>("message_id");
  envelope.server_time_ms = d.i64("server_time_ms");
  envelope.expires_at_ms = d.i64("expires_at_ms");
  envelope.envelope = d.blob("envelope", 0, kDumpMaxEnvelopeBytes);
  return delivery;
}

void encode(Encoder& e, const StoredBlob& stored) {
  const BlobRecord& blob = stored.blob;
  // Blob ids become file names in the blob folder (blob_id.h).
  if (!is_valid_blob_id(blob.id)) e.fail("blob_id is not 1..64 characters of [A-Za-z0-9_-]");
  e.text("blob_id", blob.id, 1, kDumpMaxBlobIdBytes);
  e.username("owner", blob.owner);
  e.signed_u64("size", blob.size);
  e.fixed(blob.sha256);
  e.signed_u64("received", blob.received);
  e.boolean(blob.complete);
  e.boolean(blob.restricted);
  e.i64(blob.expires_at_ms);
  if (stored.readers.size() > kDumpMaxBlobReaders) {
    e.fail("a blob has " + std::to_string(stored.readers.size()) + " readers; the format allows " +
           std::to_string(kDumpMaxBlobReaders));
  }
  e.u32(static_cast<std::uint32_t>(stored.readers.size()));
  for (const std::string& reader : stored.readers) e.username("reader", reader);
}

StoredBlob decode_blob(Decoder& d) {
  StoredBlob stored;
  BlobRecord& blob = stored.blob;
  const std::uint64_t id_at = d.offset();
  blob.id = d.text("blob_id", 1, kDumpMaxBlobIdBytes);
  if (!is_valid_blob_id(blob.id)) throw DumpFormatError(id_at, "blob_id has a character outside [A-Za-z0-9_-]");
  blob.owner = d.username("owner");
  blob.size = d.signed_u64("size");
  blob.sha256 = d.fixed<32>("sha256");
  blob.received = d.signed_u64("received");
  blob.complete = d.boolean("complete");
  blob.restricted = d.boolean("restricted");
  blob.expires_at_ms = d.i64("expires_at_ms");
  const std::uint64_t count_at = d.offset();
  const std::uint32_t count = d.u32("reader_count");
  if (count > kDumpMaxBlobReaders) {
    throw DumpFormatError(count_at, "reader_count is " + std::to_string(count) + "; the format allows 0.." +
                                        std::to_string(kDumpMaxBlobReaders));
  }
  stored.readers.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) stored.readers.push_back(d.username("reader"));
  return stored;
}

void encode(Encoder& e, const DeliverySequence& sequence) {
  if (sequence.last_delivery_id < 0) e.fail("last_delivery_id is negative");
  e.i64(sequence.last_delivery_id);
}

DeliverySequence decode_sequence(Decoder& d) {
  const std::uint64_t at = d.offset();
  DeliverySequence sequence{d.i64("last_delivery_id")};
  if (sequence.last_delivery_id < 0) throw DumpFormatError(at, "last_delivery_id is negative");
  return sequence;
}

constexpr std::array<const char*, kLastRecordType + 1> kTypeNames{
    "trailer", "user", "token", "invite", "signed prekey", "one-time prekey", "delivery", "blob", "delivery sequence"};

// The order rules shared by writer and reader; nullopt if the record may follow.
std::optional<std::string> order_problem(std::uint8_t last_type, std::uint8_t type) {
  if (type < last_type) {
    return std::string(kTypeNames[type]) + " record after the " + kTypeNames[last_type] +
           " records (records must be grouped by type, in type order)";
  }
  if (type == kSequenceType && last_type == kSequenceType) return std::string("a second delivery sequence record");
  return std::nullopt;
}

std::optional<std::string> delivery_order_problem(std::int64_t last_id, std::int64_t id) {
  if (id <= last_id) {
    return "delivery_id " + std::to_string(id) + " after " + std::to_string(last_id) +
           " (deliveries must be in strictly increasing delivery_id order)";
  }
  return std::nullopt;
}

}  // namespace

DumpFormatError::DumpFormatError(std::uint64_t offset, const std::string& what)
    : std::runtime_error("store dump, offset " + std::to_string(offset) + ": " + what), offset_(offset) {}

// ---- DumpWriter ----

DumpWriter::DumpWriter(std::ostream& out) : out_(out) {
  Bytes header(std::begin(kDumpMagic), std::end(kDumpMagic));
  put_be(header, kDumpFormatVersion, 4);
  put(header);
}

void DumpWriter::put(const Bytes& bytes) {
  out_.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out_) throw std::runtime_error("store dump: writing failed at offset " + std::to_string(offset_));
  hash_.update(bytes);
  offset_ += bytes.size();
}

void DumpWriter::write(const DumpRecord& record) {
  if (finished_) throw std::logic_error("DumpWriter::write after finish");
  const auto type = static_cast<std::uint8_t>(record.index() + 1);
  if (auto problem = order_problem(last_type_, type)) throw DumpFormatError(offset_, *problem);
  if (const auto* delivery = std::get_if<StoredDelivery>(&record)) {
    if (auto problem = delivery_order_problem(last_delivery_id_, delivery->envelope.delivery_id)) {
      throw DumpFormatError(offset_, *problem);
    }
  }

  body_.clear();
  body_.push_back(type);
  put_be(body_, 0, 4);  // the length, filled in below
  Encoder encoder(body_, offset_);
  std::visit([&](const auto& r) { encode(encoder, r); }, record);
  const std::size_t length = body_.size() - kRecordHeaderBytes;
  if (length > kMaxDumpRecordBytes) {
    throw DumpFormatError(offset_, std::string(kTypeNames[type]) + " record of " + std::to_string(length) +
                                       " bytes is above the cap of " + std::to_string(kMaxDumpRecordBytes));
  }
  for (int i = 0; i < 4; ++i) body_[1 + i] = static_cast<std::uint8_t>(length >> ((3 - i) * 8));
  put(body_);

  last_type_ = type;
  if (const auto* delivery = std::get_if<StoredDelivery>(&record)) last_delivery_id_ = delivery->envelope.delivery_id;
  ++records_;
}

void DumpWriter::finish() {
  if (finished_) throw std::logic_error("DumpWriter::finish twice");
  Bytes trailer{kTrailerType};
  put_be(trailer, kTrailerBodyBytes, 4);
  put_be(trailer, records_, 8);
  put(trailer);
  const crypto::Sha256Digest digest = hash_.finish();
  out_.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
  out_.flush();
  if (!out_) throw std::runtime_error("store dump: writing the trailer failed at offset " + std::to_string(offset_));
  offset_ += digest.size();
  finished_ = true;
}

// ---- DumpReader ----

DumpReader::DumpReader(std::istream& in) : in_(in) {
  std::array<std::uint8_t, sizeof kDumpMagic> magic{};
  read_exact(magic.data(), magic.size(), "the magic");
  if (!std::equal(magic.begin(), magic.end(), reinterpret_cast<const std::uint8_t*>(kDumpMagic))) {
    throw DumpFormatError(0, "not a store dump (the file does not start with \"SOTTODMP\")");
  }
  std::array<std::uint8_t, 4> version{};
  read_exact(version.data(), version.size(), "the format version");
  const auto found = static_cast<std::uint32_t>(get_be(version.data(), 4));
  if (found != kDumpFormatVersion) {
    throw DumpFormatError(sizeof kDumpMagic, "format version " + std::to_string(found) +
                                                 " is not supported (this relayd reads version " +
                                                 std::to_string(kDumpFormatVersion) + ")");
  }
  hash_.update(magic);
  hash_.update(version);
}

void DumpReader::read_exact(std::uint8_t* out, std::size_t size, const char* what) {
  in_.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(size));
  const auto got = static_cast<std::size_t>(in_.gcount());
  if (got != size) {
    throw DumpFormatError(offset_ + got, std::string("the file ends inside ") + what + " (" + std::to_string(size) +
                                             " bytes needed, " + std::to_string(got) +
                                             " there): truncated or not a store dump");
  }
  offset_ += size;
}

std::optional<DumpRecord> DumpReader::next() {
  if (finished_) return std::nullopt;
  const std::uint64_t record_offset = offset_;
  if (in_.peek() == std::istream::traits_type::eof()) {
    throw DumpFormatError(offset_, "the file ends without a trailer: truncated");
  }
  std::array<std::uint8_t, kRecordHeaderBytes> header{};
  read_exact(header.data(), header.size(), "a record header");
  hash_.update(header);
  const std::uint8_t type = header[0];
  const auto length = static_cast<std::uint32_t>(get_be(header.data() + 1, 4));

  if (type == kTrailerType) {
    if (length != kTrailerBodyBytes) {
      throw DumpFormatError(record_offset + 1, "the trailer's length is " + std::to_string(length) + ", not " +
                                                   std::to_string(kTrailerBodyBytes));
    }
    std::array<std::uint8_t, 8> count_bytes{};
    read_exact(count_bytes.data(), count_bytes.size(), "the trailer's record count");
    hash_.update(count_bytes);
    const crypto::Sha256Digest computed = hash_.finish();
    crypto::Sha256Digest stored{};
    const std::uint64_t hash_offset = offset_;
    read_exact(stored.data(), stored.size(), "the trailer's SHA-256");
    if (computed != stored) {
      throw DumpFormatError(hash_offset,
                            "the SHA-256 in the trailer does not match the file: it was altered or damaged");
    }
    const std::uint64_t count = get_be(count_bytes.data(), 8);
    if (count != records_) {
      throw DumpFormatError(
          record_offset + kRecordHeaderBytes,
          "the trailer counts " + std::to_string(count) + " records, the file holds " + std::to_string(records_));
    }
    if (in_.peek() != std::istream::traits_type::eof()) {
      throw DumpFormatError(offset_, "bytes follow the trailer");
    }
    finished_ = true;
    return std::nullopt;
  }

  if (type > kLastRecordType) {
    throw DumpFormatError(record_offset, "record type " + std::to_string(type) + " is unknown");
  }
  if (length > kMaxDumpRecordBytes) {
    throw DumpFormatError(record_offset + 1, std::string(kTypeNames[type]) + " record of " + std::to_string(length) +
                                                 " bytes is above the cap of " + std::to_string(kMaxDumpRecordBytes));
  }
  if (auto problem = order_problem(last_type_, type)) throw DumpFormatError(record_offset, *problem);

  body_.resize(length);
  read_exact(body_.data(), body_.size(), "a record body");
  hash_.update(body_);

  Decoder decoder(body_, record_offset + kRecordHeaderBytes);
  DumpRecord record;
  switch (type) {
    case 1:
      record = decode_user(decoder);
      break;
    case 2:
      record = decode_token(decoder);
      break;
    case 3:
      record = decode_invite(decoder);
      break;
    case 4:
      record = decode_signed_prekey(decoder);
      break;
    case 5:
      record = decode_one_time_prekey(decoder);
      break;
    case kDeliveryType: {
      StoredDelivery delivery = decode_delivery(decoder);
      if (auto problem = delivery_order_problem(last_delivery_id_, delivery.envelope.delivery_id)) {
        throw DumpFormatError(record_offset + kRecordHeaderBytes, *problem);
      }
      last_delivery_id_ = delivery.envelope.delivery_id;
      record = std::move(delivery);
      break;
    }
    case 7:
      record = decode_blob(decoder);
      break;
    default:
      record = decode_sequence(decoder);
      break;
  }
  decoder.finish(kTypeNames[type]);
  last_type_ = type;
  ++records_;
  return record;
}

// ---- whole stores ----

std::uint64_t write_dump(Store& store, std::ostream& out) {
  DumpWriter writer(out);
  store.export_records([&](const DumpRecord& record) { writer.write(record); });
  writer.finish();
  return writer.records();
}

ImportCounts read_dump(std::istream& in, Store& store) {
  DumpReader reader(in);
  return store.import_records([&] { return reader.next(); });
}

// ---- DumpFile ----

// A write buffer over a file descriptor (the standard streams cannot be made
// from one, and O_EXCL with a mode needs open(2)). Remembers the first
// failed write for commit() to report.
class DumpFile::Buffer final : public std::streambuf {
 public:
  explicit Buffer(int fd) : fd_(fd), data_(kBufferBytes) { setp(data_.data(), data_.data() + data_.size()); }
  ~Buffer() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  // Writes what is buffered, fsyncs and closes; the errno of the first
  // failure, or 0.
  int finish() {
    if (!drain() && error_ == 0) error_ = EIO;
    if (error_ == 0 && ::fsync(fd_) != 0) error_ = errno;
    if (::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
    return error_;
  }

 protected:
  int_type overflow(int_type ch) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  // 1 MiB: a few hundred write(2) calls per gigabyte of queue.
  static constexpr std::size_t kBufferBytes = 1U << 20;

  bool drain() {
    if (error_ != 0) return false;
    const char* at = pbase();
    while (at < pptr()) {
      const ssize_t written = ::write(fd_, at, static_cast<std::size_t>(pptr() - at));
      if (written < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return false;
      }
      at += written;
    }
    setp(data_.data(), data_.data() + data_.size());
    return true;
  }

  int fd_;
  std::vector<char> data_;
  int error_ = 0;
};

DumpFile::DumpFile(const std::filesystem::path& path) : path_(path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + path.string());
  buffer_ = std::make_unique<Buffer>(fd);
  stream_ = std::make_unique<std::ostream>(buffer_.get());
}

DumpFile::~DumpFile() {
  if (committed_) return;
  stream_.reset();
  buffer_.reset();
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

std::ostream& DumpFile::stream() noexcept { return *stream_; }

void DumpFile::commit() {
  if (committed_) return;
  stream_->flush();
  if (const int error = buffer_->finish(); error != 0) {
    throw std::system_error(error, std::generic_category(), "cannot write " + path_.string());
  }
  // The directory entry too: an operator deletes the old store once the
  // dump is written, and a power cut must not take the dump's name with it.
  std::filesystem::path dir = path_.parent_path();
  if (dir.empty()) dir = ".";
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + dir.string());
  const int synced = ::fsync(dir_fd);
  const int sync_errno = errno;
  ::close(dir_fd);
  if (synced != 0) throw std::system_error(sync_errno, std::generic_category(), "cannot fsync " + dir.string());
  committed_ = true;
}

}  // namespace sotto::relayd
