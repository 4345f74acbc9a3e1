// The three records every module writes in the same transaction as its change (DESIGN.md "One object model"):
//   - the audit chain: who did what to which object, with a before/after summary, each record hashed together with
//     the previous one so that an edited or deleted record is found by VerifyAudit();
//   - the events timeline of an object ("case:1042": submitted, dispatched, replied ...);
//   - the links between objects (case:1 became suggestion:7).
// Objects are named by references "kind:id".
#ifndef NINGJU_RECORD_RECORD_H_
#define NINGJU_RECORD_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace ningju::record {

// Who acts: a signed-in user, or the system / the command line (user_id empty).
struct Actor {
  std::optional<int64_t> user_id;
  std::string label;  // "user:5", "cli", "system", "demo"

  static Actor User(int64_t id) { return {id, "user:" + std::to_string(id)}; }
  static Actor System(std::string label) { return {std::nullopt, std::move(label)}; }
};

// "area:17".
std::string Ref(std::string_view kind, int64_t id);

// Appends one audit record. REQUIRES: `tx` is inside a transaction (the record commits or rolls back with the
// change it describes). `summary` is a small JSON object, e.g. {"before": {...}, "after": {...}}; it must not hold
// passwords or tokens.
Status Audit(storage::Connection& tx, Instant at, const Actor& actor, std::string_view action,
             std::string_view object_ref, const nlohmann::json& summary);

struct AuditRecord {
  int64_t id = 0;
  Instant at;
  std::optional<int64_t> actor_id;
  std::string actor;
  std::string action;
  std::string object_ref;
  std::string summary;
  std::string prev_hash;
  std::string hash;
};

// The records of one object, oldest first (all objects when `object_ref` is empty), at most `limit`.
StatusOr<std::vector<AuditRecord>> ListAudit(storage::Connection& conn, std::string_view object_ref, int limit);

struct AuditProblem {
  int64_t id = 0;       // the record concerned
  std::string problem;  // "edited (hash does not match its fields)", "deleted", "chain broken (prev_hash ...)"
};
struct AuditVerification {
  int64_t records = 0;
  std::vector<AuditProblem> problems;  // empty: the chain is intact
};

// The head of the chain: the latest record's number and hash. The chain alone finds an edit only when the editor did
// not recompute the later hashes; whoever can write the database can. Publishing the head (docs/OPERATIONS.md "The
// audit chain") fixes the chain up to it outside the database: a rewrite of any record up to `seq` changes the hash
// of record `seq`, which VerifyAudit then reports against the published head.
struct AuditHead {
  int64_t seq = 0;   // 0: no record yet
  std::string hash;  // hex SHA-256, "" when seq is 0

  // "SEQ:HASH", e.g. "1042:9f86d0...": one line, stable across versions, for publication.
  std::string ToString() const;
  // The inverse of ToString; kInvalidArgument (field "head") for anything else.
  static StatusOr<AuditHead> Parse(std::string_view text);
};
// The head as the chain's head row holds it.
StatusOr<AuditHead> ReadAuditHead(storage::Connection& conn);

// Walks the whole chain in id order, in pages, and reports every edited or deleted record. With `published`, also
// that record `published->seq` still exists and still has the published hash.
StatusOr<AuditVerification> VerifyAudit(storage::Database& db,
                                        const std::optional<AuditHead>& published = std::nullopt);

// The hash of a record from its fields and the previous hash (hex SHA-256). Exposed for tests.
std::string AuditHash(const AuditRecord& r);

struct Event {
  int64_t id = 0;
  std::string object_ref;
  Instant at;
  std::optional<int64_t> actor_id;
  std::string kind;
  std::string note;
  std::string data;  // JSON
};
Status AddEvent(storage::Connection& tx, std::string_view object_ref, Instant at, const Actor& actor,
                std::string_view kind, std::string_view note, const nlohmann::json& data = nlohmann::json::object());
StatusOr<std::vector<Event>> ListEvents(storage::Connection& conn, std::string_view object_ref);

// The relations of the chain (DESIGN.md): became, refers_to, decided_by, implements, duplicate_of, answered_by.
Status AddLink(storage::Connection& tx, std::string_view from_ref, std::string_view relation, std::string_view to_ref,
               Instant at, const Actor& actor);
struct Link {
  std::string from_ref;
  std::string relation;
  std::string to_ref;
};
// Links from or to `ref`.
StatusOr<std::vector<Link>> ListLinks(storage::Connection& conn, std::string_view ref);

}  // namespace ningju::record

#endif  // NINGJU_RECORD_RECORD_H_
