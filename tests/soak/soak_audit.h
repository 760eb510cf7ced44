#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "tests/soak/soak_cluster.h"
#include "tests/soak/soak_ledger.h"

namespace sotto::soak {

// Text messages from one user to another, from the ledger and both histories.
struct PairCounts {
  std::string sender;
  std::string recipient;
  std::uint64_t calls = 0;
  std::uint64_t refused = 0;
  std::uint64_t in_doubt = 0;         // the call was cut off by a kill
  std::uint64_t in_doubt_stored = 0;  // of those, the ones the sender's history holds
  std::uint64_t accepted = 0;         // msgd has it: the call returned, or an in-doubt call that was stored
  std::uint64_t acked = 0;            // the relay's SendAck: the sender's state is sent, delivered or read
  std::uint64_t delivered = 0;        // in the recipient's history
  std::uint64_t duplicates = 0;       // extra copies in the recipient's history
  std::uint64_t lost = 0;             // accepted, and not in the recipient's history
  std::uint64_t out_of_order = 0;     // shown before a message the sender sent earlier
  std::uint64_t phantom = 0;          // in the recipient's history, never accepted by the sender's msgd
};

struct FileCounts {
  std::uint64_t calls = 0;
  std::uint64_t refused = 0;
  std::uint64_t in_doubt = 0;
  std::uint64_t accepted = 0;
  std::uint64_t uploaded = 0;    // the sender's transfer finished
  std::uint64_t acked = 0;       // the file message got the relay's SendAck
  std::uint64_t downloaded = 0;  // the recipient's msgd verified and stored it
  std::uint64_t identical = 0;   // and its bytes are the ones sent
  std::uint64_t corrupt = 0;
  std::uint64_t failed = 0;  // a transfer that ended "failed" or "cancelled" on either side
  std::uint64_t lost = 0;    // accepted, and the recipient has no such file
  std::uint64_t duplicates = 0;
  std::uint64_t phantom = 0;
};

struct AuditReport {
  std::vector<PairCounts> pairs;
  FileCounts files;
  // Nothing accepted is still on its way: every message acked and received,
  // every transfer finished on both sides. Until then lost counts are only
  // "not yet".
  bool settled = true;
  std::vector<std::string> problems;  // one line per message that is wrong, the first kSoakMaxProblems

  PairCounts total() const;
  bool passed() const;
};

// Reads every user's history and files through the local API and holds them
// against the ledger. compare_bytes: also read each received file.
AuditReport audit_cluster(const SoakCluster& cluster, const SendLedger& ledger, bool compare_bytes);

void print_audit(std::ostream& out, const AuditReport& report);

}  // namespace sotto::soak
