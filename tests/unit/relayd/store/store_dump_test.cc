#include "relayd/store/store_dump.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "lib/crypto/sha256.h"
#include "tests/support/file_mode.h"
#include "tests/support/temp_dir.h"

// Named, so that a unity build can hold these helpers next to another file's.
namespace sotto::relayd::dump_test {
namespace {

using crypto::Bytes;

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

Sha256Hash hash(std::uint8_t n) {
  Sha256Hash h{};
  h.fill(n);
  return h;
}

MessageId message_id(std::uint8_t n) {
  MessageId id{};
  id.fill(n);
  return id;
}

// One record of every type, each at the edges of its fields.
std::vector<DumpRecord> edge_records() {
  std::vector<DumpRecord> records;
  records.push_back(UserRecord{std::string(32, 'z'), std::string(512, '$'),
                               IdentityKey{Bytes(64, 1), Bytes(64, 2), Bytes(64, 3)}, kMin});
  records.push_back(UserRecord{"a", "", IdentityKey{}, kMax});  // an account without identity yet
  records.push_back(TokenRecord{hash(0xff), "a", std::string(256, 'd'), kMin});
  records.push_back(TokenRecord{hash(0), std::string(32, 'z'), "", kMax});
  records.push_back(InviteRecord{hash(7), kMin});
  records.push_back(InviteRecord{hash(8), 0});
  records.push_back(
      StoredSignedPrekey{"a", SignedPrekey{std::numeric_limits<std::uint32_t>::max(), Bytes(64, 4), Bytes(64, 5)}});
  records.push_back(StoredSignedPrekey{std::string(32, 'z'), SignedPrekey{0, {}, {}}});
  records.push_back(StoredOneTimePrekey{"a", OneTimePrekey{0, {}}});
  records.push_back(StoredOneTimePrekey{"a", OneTimePrekey{std::numeric_limits<std::uint32_t>::max(), Bytes(64, 6)}});
  records.push_back(StoredDelivery{"a", QueuedEnvelope{1, std::string(32, 'z'), message_id(0), {}, kMin, kMin}});
  records.push_back(StoredDelivery{
      std::string(32, 'z'), QueuedEnvelope{2, "a", message_id(0xff), Bytes(kDumpMaxEnvelopeBytes, 0xab), kMax, kMax}});
  records.push_back(StoredDelivery{"a", QueuedEnvelope{kMax, "a", message_id(3), Bytes{0}, 0, -1}});
  std::vector<std::string> readers;
  for (std::size_t i = 0; i < kDumpMaxBlobReaders; ++i) readers.push_back("r" + std::to_string(i));
  records.push_back(StoredBlob{BlobRecord{std::string(64, '-'), "a", static_cast<std::uint64_t>(kMax), hash(9),
                                          static_cast<std::uint64_t>(kMax), true, kMin, true},
                               readers});
  records.push_back(StoredBlob{BlobRecord{"A", std::string(32, 'z'), 0, hash(10), 0, false, kMax, false}, {}});
  records.push_back(StoredBlob{BlobRecord{"b7f3_Z-9", "a", 10, hash(11), 3, false, 0, true}, {"a"}});
  records.push_back(DeliverySequence{kMax});
  return records;
}

// A small dump with one record of every type: the truncation loop reads it
// once per byte.
std::vector<DumpRecord> small_records() {
  return {UserRecord{"alice", "$argon2id$x", IdentityKey{Bytes(32, 1), Bytes(32, 2), Bytes(64, 3)}, 5},
          TokenRecord{hash(1), "alice", "laptop", 6},
          InviteRecord{hash(2), 7},
          StoredSignedPrekey{"alice", SignedPrekey{1, Bytes(32, 4), Bytes(64, 5)}},
          StoredOneTimePrekey{"alice", OneTimePrekey{2, Bytes(32, 6)}},
          StoredDelivery{"alice", QueuedEnvelope{3, "bob", message_id(1), Bytes(20, 7), 8, 9}},
          StoredBlob{BlobRecord{"blob1", "alice", 10, hash(3), 10, true, 11, true}, {"bob"}},
          DeliverySequence{4}};
}

std::string encode(const std::vector<DumpRecord>& records) {
  std::ostringstream out(std::ios::binary);
  DumpWriter writer(out);
  for (const DumpRecord& record : records) writer.write(record);
  writer.finish();
  EXPECT_EQ(writer.records(), records.size());
  EXPECT_EQ(writer.bytes_written(), out.str().size());
  return out.str();
}

std::vector<DumpRecord> decode(const std::string& dump) {
  std::istringstream in(dump, std::ios::binary);
  DumpReader reader(in);
  std::vector<DumpRecord> records;
  while (auto record = reader.next()) records.push_back(std::move(*record));
  EXPECT_EQ(reader.records(), records.size());
  EXPECT_EQ(reader.offset(), dump.size());
  EXPECT_FALSE(reader.next().has_value());  // stays at the end
  return records;
}

// The error a dump is refused with (a test failure if it is not).
DumpFormatError refusal(const std::string& dump) {
  try {
    decode(dump);
  } catch (const DumpFormatError& e) {
    return e;
  }
  ADD_FAILURE() << "the dump was accepted";
  return DumpFormatError(0, "accepted");
}

// Hand-made dumps, for what the writer refuses to produce.
std::string be(std::uint64_t value, int width) {
  std::string out;
  for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  return out;
}

std::string header(std::uint32_t version = kDumpFormatVersion) {
  return std::string(kDumpMagic, sizeof kDumpMagic) + be(version, 4);
}

std::string raw_record(std::uint8_t type, const std::string& body) {
  return std::string(1, static_cast<char>(type)) + be(body.size(), 4) + body;
}

std::string with_trailer(std::string dump, std::uint64_t count) {
  dump += std::string(1, '\0') + be(40, 4) + be(count, 8);
  const auto digest = crypto::sha256(crypto::as_bytes(dump));
  dump.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return dump;
}

std::string bytes_field(const std::string& data) { return be(data.size(), 4) + data; }

std::string invite_body() { return std::string(32, 'i') + be(7, 8); }

std::string delivery_body(std::int64_t id, const std::string& recipient = "bob") {
  return be(static_cast<std::uint64_t>(id), 8) + bytes_field(recipient) + bytes_field("alice") + std::string(16, 'm') +
         be(1, 8) + be(2, 8) + bytes_field("envelope");
}

TEST(StoreDump, RoundTripsEveryRecordTypeWithEdgeValues) {
  const auto records = edge_records();
  EXPECT_EQ(decode(encode(records)), records);
}

TEST(StoreDump, AnEmptyStoreIsAHeaderAndATrailer) {
  const std::string dump = encode({});
  EXPECT_EQ(dump.size(), 12u + 45u);
  EXPECT_EQ(dump, with_trailer(header(), 0));
  EXPECT_TRUE(decode(dump).empty());
}

TEST(StoreDump, WritesTheDocumentedLayout) {
  const std::string dump = encode({InviteRecord{hash(0x11), 0x0102030405060708}});
  const std::string expected =
      with_trailer(std::string("SOTTODMP") + std::string("\0\0\0\1", 4) + std::string("\3\0\0\0\x28", 5) +
                       std::string(32, '\x11') + std::string("\1\2\3\4\5\6\7\x08", 8),
                   1);
  EXPECT_EQ(dump, expected);
}

TEST(StoreDump, ReadsRecordsOneAtATime) {
  const std::string dump = encode(small_records());
  std::istringstream in(dump, std::ios::binary);
  DumpReader reader(in);
  ASSERT_TRUE(reader.next());
  EXPECT_EQ(reader.records(), 1u);
  EXPECT_LT(reader.offset(), dump.size() / 2);
}

TEST(StoreDump, RefusesABadMagic) {
  std::string dump = encode(small_records());
  dump[3] = 'X';
  const auto e = refusal(dump);
  EXPECT_EQ(e.offset(), 0u);
  EXPECT_NE(std::string(e.what()).find("not a store dump"), std::string::npos) << e.what();
}

TEST(StoreDump, RefusesAnUnknownVersion) {
  const auto e = refusal(with_trailer(header(2), 0));
  EXPECT_EQ(e.offset(), 8u);
  EXPECT_NE(std::string(e.what()).find("format version 2"), std::string::npos) << e.what();
}

TEST(StoreDump, RefusesADumpTruncatedAtAnyOffset) {
  const std::string dump = encode(small_records());
  ASSERT_EQ(decode(dump).size(), small_records().size());
  for (std::size_t size = 0; size < dump.size(); ++size) {
    const auto e = refusal(dump.substr(0, size));
    EXPECT_LE(e.offset(), size) << "cut at " << size;
  }
}

TEST(StoreDump, SaysWhereAndWhyItEndedEarly) {
  const std::string dump = encode(small_records());
  const std::size_t body_of_first = 12 + 5 + 3;
  const auto inside = refusal(dump.substr(0, body_of_first));
  EXPECT_EQ(inside.offset(), body_of_first);
  EXPECT_NE(std::string(inside.what()).find("ends inside a record body"), std::string::npos) << inside.what();

  const auto missing = refusal(dump.substr(0, dump.size() - 45));
  EXPECT_EQ(missing.offset(), dump.size() - 45);
  EXPECT_NE(std::string(missing.what()).find("without a trailer"), std::string::npos) << missing.what();
}

TEST(StoreDump, RefusesARecordLengthAboveTheCapBeforeReadingIt) {
  // Nothing follows the length: the reader must refuse it from the length alone.
  const std::string dump = header() + std::string(1, '\6') + be(kMaxDumpRecordBytes + 1, 4);
  const auto e = refusal(dump);
  EXPECT_EQ(e.offset(), 13u);
  EXPECT_NE(std::string(e.what()).find("above the cap"), std::string::npos) << e.what();
  EXPECT_NE(std::string(refusal(header() + std::string(1, '\1') + be(0xffffffff, 4)).what()).find("above the cap"),
            std::string::npos);
}

TEST(StoreDump, RefusesFieldLengthsAboveTheirCaps) {
  const auto long_name = raw_record(1, bytes_field(std::string(33, 'a')) + bytes_field("") + bytes_field("") +
                                           bytes_field("") + bytes_field("") + be(0, 8));
  const auto e = refusal(with_trailer(header() + long_name, 1));
  EXPECT_EQ(e.offset(), 17u);
  EXPECT_NE(std::string(e.what()).find("username length is 33"), std::string::npos) << e.what();

  // A length within its cap but beyond the record's end.
  std::string body = delivery_body(1);
  body.replace(body.size() - 12, 4, be(kDumpMaxEnvelopeBytes, 4));
  EXPECT_NE(std::string(refusal(with_trailer(header() + raw_record(6, body), 1)).what()).find("runs past the end"),
            std::string::npos);

  std::string huge = delivery_body(1);
  huge.replace(huge.size() - 12, 4, be(0xffffffff, 4));
  EXPECT_NE(std::string(refusal(with_trailer(header() + raw_record(6, huge), 1)).what()).find("envelope length"),
            std::string::npos);

  const std::string blob = bytes_field("blob") + bytes_field("alice") + be(1, 8) + std::string(32, 's') + be(1, 8) +
                           std::string("\1\0", 2) + be(0, 8) + be(kDumpMaxBlobReaders + 1, 4);
  EXPECT_NE(std::string(refusal(with_trailer(header() + raw_record(7, blob), 1)).what()).find("reader_count is 1001"),
            std::string::npos);
}

TEST(StoreDump, RefusesAnUnknownRecordType) {
  const auto e = refusal(with_trailer(header() + raw_record(9, ""), 1));
  EXPECT_EQ(e.offset(), 12u);
  EXPECT_NE(std::string(e.what()).find("record type 9 is unknown"), std::string::npos) << e.what();
  EXPECT_NE(std::string(refusal(with_trailer(header() + raw_record(0xff, "x"), 1)).what()).find("255"),
            std::string::npos);
}

TEST(StoreDump, RefusesATrailerHashThatDoesNotMatch) {
  const std::string dump = encode(small_records());
  std::string bad_hash = dump;
  bad_hash.back() ^= 1;
  const auto e = refusal(bad_hash);
  EXPECT_EQ(e.offset(), dump.size() - 32);
  EXPECT_NE(std::string(e.what()).find("SHA-256"), std::string::npos) << e.what();

  // A record altered where the format cannot notice: only the hash does.
  std::string altered = dump;
  const auto at = altered.find("laptop");
  ASSERT_NE(at, std::string::npos);
  altered[at] = 'L';
  EXPECT_NE(std::string(refusal(altered).what()).find("SHA-256"), std::string::npos);
}

TEST(StoreDump, RefusesARecordCountThatDoesNotMatch) {
  const std::string records = raw_record(3, invite_body());
  for (const std::uint64_t count : {0u, 2u}) {
    const auto e = refusal(with_trailer(header() + records, count));
    EXPECT_NE(std::string(e.what()).find("the trailer counts " + std::to_string(count) + " records, the file holds 1"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(decode(with_trailer(header() + records, 1)).size(), 1u);
}

TEST(StoreDump, RefusesATrailerOfAnotherLength) {
  std::string dump = header() + std::string(1, '\0') + be(41, 4) + std::string(41, '\0');
  EXPECT_NE(std::string(refusal(dump).what()).find("trailer's length is 41"), std::string::npos);
}

TEST(StoreDump, RefusesBytesAfterTheTrailer) {
  const std::string dump = encode(small_records());
  const auto e = refusal(dump + "x");
  EXPECT_EQ(e.offset(), dump.size());
  EXPECT_NE(std::string(e.what()).find("bytes follow the trailer"), std::string::npos) << e.what();
  EXPECT_EQ(refusal(dump + dump).offset(), dump.size());
}

TEST(StoreDump, RefusesRecordsOutOfOrder) {
  const std::string user = raw_record(
      1, bytes_field("alice") + bytes_field("") + bytes_field("") + bytes_field("") + bytes_field("") + be(0, 8));
  const auto e = refusal(with_trailer(header() + raw_record(3, invite_body()) + user, 2));
  EXPECT_NE(std::string(e.what()).find("user record after the invite records"), std::string::npos) << e.what();

  const auto repeated =
      refusal(with_trailer(header() + raw_record(6, delivery_body(5)) + raw_record(6, delivery_body(5)), 2));
  EXPECT_NE(std::string(repeated.what()).find("delivery_id 5 after 5"), std::string::npos) << repeated.what();
  const auto backwards =
      refusal(with_trailer(header() + raw_record(6, delivery_body(5)) + raw_record(6, delivery_body(4)), 2));
  EXPECT_NE(std::string(backwards.what()).find("delivery_id 4 after 5"), std::string::npos) << backwards.what();

  const std::string sequence = raw_record(8, be(1, 8));
  EXPECT_NE(
      std::string(refusal(with_trailer(header() + sequence + sequence, 2)).what()).find("second delivery sequence"),
      std::string::npos);
}

TEST(StoreDump, RefusesFieldValuesOutsideTheFormat) {
  EXPECT_NE(std::string(refusal(with_trailer(header() + raw_record(6, delivery_body(0)), 1)).what()).find("below 1"),
            std::string::npos);
  EXPECT_NE(std::string(refusal(with_trailer(header() + raw_record(8, be(~0ULL, 8)), 1)).what()).find("negative"),
            std::string::npos);
  const auto blob = [](const std::string& id, char complete, std::uint64_t size) {
    return raw_record(7, bytes_field(id) + bytes_field("alice") + be(size, 8) + std::string(32, 's') + be(0, 8) +
                             std::string(1, complete) + std::string(1, '\0') + be(0, 8) + be(0, 4));
  };
  EXPECT_EQ(decode(with_trailer(header() + blob("ok", '\1', 1), 1)).size(), 1u);
  EXPECT_NE(std::string(refusal(with_trailer(header() + blob("ok", '\2', 1), 1)).what()).find("not 0 or 1"),
            std::string::npos);
  EXPECT_NE(std::string(refusal(with_trailer(header() + blob("../x", '\1', 1), 1)).what()).find("[A-Za-z0-9_-]"),
            std::string::npos);
  EXPECT_NE(std::string(refusal(with_trailer(header() + blob("ok", '\1', 1ULL << 63), 1)).what()).find("2^63-1"),
            std::string::npos);
}

TEST(StoreDump, RefusesBytesLeftOverInARecord) {
  const auto e = refusal(with_trailer(header() + raw_record(3, invite_body() + "x"), 1));
  EXPECT_EQ(e.offset(), 12u + 5u + 40u);
  EXPECT_NE(std::string(e.what()).find("1 bytes left over after the last field of the invite record"),
            std::string::npos)
      << e.what();
}

TEST(StoreDump, WriterRefusesWhatTheReaderWould) {
  std::ostringstream out(std::ios::binary);
  DumpWriter writer(out);
  EXPECT_THROW(writer.write(UserRecord{std::string(33, 'a'), "", {}, 0}), DumpFormatError);
  EXPECT_THROW(writer.write(UserRecord{"", "", {}, 0}), DumpFormatError);
  EXPECT_THROW(writer.write(StoredDelivery{"a", QueuedEnvelope{1, "b", {}, Bytes(kDumpMaxEnvelopeBytes + 1), 0, 0}}),
               DumpFormatError);
  EXPECT_THROW(writer.write(StoredDelivery{"a", QueuedEnvelope{0, "b", {}, {}, 0, 0}}), DumpFormatError);
  EXPECT_THROW(writer.write(StoredBlob{BlobRecord{"a/b", "a", 0, {}, 0, false, 0, false}, {}}), DumpFormatError);
  EXPECT_THROW(writer.write(StoredBlob{BlobRecord{"ab", "a", 0, {}, 0, false, 0, false},
                                       std::vector<std::string>(kDumpMaxBlobReaders + 1, "r")}),
               DumpFormatError);
  EXPECT_THROW(writer.write(DeliverySequence{-1}), DumpFormatError);

  writer.write(StoredDelivery{"a", QueuedEnvelope{5, "b", {}, {}, 0, 0}});
  EXPECT_THROW(writer.write(StoredDelivery{"a", QueuedEnvelope{5, "b", {}, {}, 0, 0}}), DumpFormatError);
  EXPECT_THROW(writer.write(UserRecord{"a", "", {}, 0}), DumpFormatError);
  writer.finish();
  // Nothing refused reached the stream.
  EXPECT_EQ(decode(out.str()).size(), 1u);
}

// The fuzz seeds are written by tests/fuzz/make_store_dump_seeds.py from the
// format's description alone: reading them, and writing them back byte for
// byte, checks this codec against a second implementation.
TEST(StoreDump, ReadsAndRewritesTheSeedsOfAnIndependentEncoder) {
  const std::filesystem::path corpus =
      std::filesystem::path(SOTTO_TEST_DATA_DIR) / ".." / "fuzz" / "corpus" / "store_dump_fuzz";
  std::size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    if (entry.path().filename().string().rfind("valid_", 0) != 0) continue;
    SCOPED_TRACE(entry.path().filename().string());
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string dump((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto records = decode(dump);
    EXPECT_FALSE(records.empty());
    EXPECT_EQ(encode(records), dump);
    ++seeds;
  }
  EXPECT_GE(seeds, 3u);
}

TEST(StoreDumpFile, IsCreatedPrivateAndNeverOverwritesAFile) {
  const testing::TempDir dir;
  const auto path = dir / "relay.dump";
  {
    DumpFile file(path);
    DumpWriter writer(file.stream());
    for (const DumpRecord& record : small_records()) writer.write(record);
    writer.finish();
    file.commit();
  }
  EXPECT_EQ(testing::file_mode(path), 0600u);
  std::ifstream in(path, std::ios::binary);
  DumpReader reader(in);
  std::size_t count = 0;
  while (reader.next()) ++count;
  EXPECT_EQ(count, small_records().size());

  try {
    DumpFile again(path);
    ADD_FAILURE() << "an existing file was opened";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EEXIST);
  }
  EXPECT_EQ(std::filesystem::file_size(path), static_cast<std::uintmax_t>(reader.offset()));

  std::filesystem::create_symlink(dir / "elsewhere", dir / "link.dump");
  EXPECT_THROW(DumpFile(dir / "link.dump"), std::system_error);
  EXPECT_FALSE(std::filesystem::exists(dir / "elsewhere"));
}

TEST(StoreDumpFile, RemovesAFileThatWasNeverCommitted) {
  const testing::TempDir dir;
  const auto path = dir / "relay.dump";
  {
    DumpFile file(path);
    DumpWriter writer(file.stream());
    writer.write(InviteRecord{hash(1), 2});
    EXPECT_TRUE(std::filesystem::exists(path));
  }  // an export that failed half-way
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace sotto::relayd::dump_test
