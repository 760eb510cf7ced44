// Feeds arbitrary bytes to DumpReader. Every input must either read to its
// end or be refused with a DumpFormatError whose offset lies within it;
// anything else (a crash, another exception, an allocation a length field
// asked for) is a bug. The format has exactly one encoding of each record, so
// the records read so far must write back (DumpWriter) to exactly the bytes
// they were read from: the whole input for a dump that reads to its end, the
// input up to the last whole record for one that is refused. The writer must
// accept everything the reader did.

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "relayd/store/store_dump.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using sotto::relayd::DumpRecord;
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::istringstream in(input, std::ios::binary);
  std::vector<DumpRecord> records;
  std::uint64_t consumed = 0;  // the end of the header or of the last whole record
  bool whole = false;
  try {
    sotto::relayd::DumpReader reader(in);
    consumed = reader.offset();
    while (auto record = reader.next()) {
      records.push_back(std::move(*record));
      consumed = reader.offset();
    }
    check(reader.offset() == size);
    whole = true;
  } catch (const sotto::relayd::DumpFormatError& e) {
    check(e.offset() <= size);
    if (consumed == 0) return 0;  // the header was refused
  }

  std::ostringstream out(std::ios::binary);
  sotto::relayd::DumpWriter writer(out);
  for (const DumpRecord& record : records) writer.write(record);
  if (whole) {
    writer.finish();
    check(out.str() == input);
  } else {
    check(out.str().size() == consumed && input.compare(0, consumed, out.str()) == 0);
  }
  return 0;
}
