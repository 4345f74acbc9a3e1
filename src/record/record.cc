#include "record/record.h"

#include <sodium.h>

#include <algorithm>
#include <array>

namespace ningju::record {
namespace {

// Each field is written as its length, ':', and its bytes, so that no choice of field contents can make two
// different records hash alike.
void AppendField(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
}

std::string Hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = kDigits[bytes[i] >> 4];
    s[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return s;
}

AuditRecord ReadAudit(const storage::Row& row) {
  AuditRecord r;
  r.id = row.Int(0);
  r.at = FromUnix(row.Int(1));
  r.actor_id = row.OptInt(2);
  r.actor = row.Text(3);
  r.action = row.Text(4);
  r.object_ref = row.Text(5);
  r.summary = row.Text(6);
  r.prev_hash = row.Text(7);
  r.hash = row.Text(8);
  return r;
}

constexpr std::string_view kAuditColumns = "id, at, actor_id, actor, action, object_ref, summary, prev_hash, hash";

}  // namespace

std::string Ref(std::string_view kind, int64_t id) { return std::string(kind) + ":" + std::to_string(id); }

std::string AuditHash(const AuditRecord& r) {
  std::string data;
  AppendField(data, r.prev_hash);
  AppendField(data, std::to_string(r.id));
  AppendField(data, std::to_string(ToUnix(r.at)));
  AppendField(data, r.actor_id ? std::to_string(*r.actor_id) : "");
  AppendField(data, r.actor);
  AppendField(data, r.action);
  AppendField(data, r.object_ref);
  AppendField(data, r.summary);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return Hex(digest.data(), digest.size());
}

Status Audit(storage::Connection& tx, Instant at, const Actor& actor, std::string_view action,
             std::string_view object_ref, const nlohmann::json& summary) {
  if (!tx.InTransaction()) return InternalError("audit record written outside a transaction");
  // Taking the next id through the one-row head both numbers the records without gaps and serializes concurrent
  // writers (the row lock in PostgreSQL; SQLite allows one writer), so that the chain never forks.
  ASSIGN_OR_RETURN(storage::Row head, tx.QueryOne("UPDATE audit_head SET last_id = last_id + 1 WHERE singleton = 1 "
                                                  "RETURNING last_id, last_hash"));
  AuditRecord r;
  r.id = head.Int(0);
  r.prev_hash = head.Text(1);
  r.at = at;
  r.actor_id = actor.user_id;
  r.actor = actor.label;
  r.action = std::string(action);
  r.object_ref = std::string(object_ref);
  r.summary = summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.hash = AuditHash(r);
  RETURN_IF_ERROR(
      tx.Execute("INSERT INTO audit_log (id, at, actor_id, actor, action, object_ref, summary, prev_hash, hash) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {r.id, ToUnix(r.at), storage::Nullable(r.actor_id), r.actor, r.action, r.object_ref, r.summary,
                  r.prev_hash, r.hash}));
  RETURN_IF_ERROR(tx.Execute("UPDATE audit_head SET last_hash = ? WHERE singleton = 1", {r.hash}));
  return OkStatus();
}

StatusOr<std::vector<AuditRecord>> ListAudit(storage::Connection& conn, std::string_view object_ref, int limit) {
  std::string sql = "SELECT " + std::string(kAuditColumns) + " FROM audit_log";
  storage::Params params;
  if (!object_ref.empty()) {
    sql += " WHERE object_ref = ?";
    params.push_back(std::string(object_ref));
  }
  sql += " ORDER BY id LIMIT ?";
  params.push_back(int64_t{limit});
  ASSIGN_OR_RETURN(storage::Result result, conn.Execute(sql, params));
  std::vector<AuditRecord> out;
  out.reserve(result.rows.size());
  for (const auto& row : result.rows) out.push_back(ReadAudit(row));
  return out;
}

std::string AuditHead::ToString() const { return std::to_string(seq) + ":" + hash; }

StatusOr<AuditHead> AuditHead::Parse(std::string_view text) {
  const Status invalid =
      InvalidArgumentError("a published audit head reads SEQ:HASH (as `ningju audit head` prints it)", "head");
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 18) return invalid;
  AuditHead head;
  for (char c : text.substr(0, colon)) {
    if (c < '0' || c > '9') return invalid;
    head.seq = head.seq * 10 + (c - '0');
  }
  head.hash = std::string(text.substr(colon + 1));
  const bool hex = std::all_of(head.hash.begin(), head.hash.end(),
                               [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (head.seq == 0 ? !head.hash.empty() : (head.hash.size() != 64 || !hex)) return invalid;
  return head;
}

StatusOr<AuditHead> ReadAuditHead(storage::Connection& conn) {
  ASSIGN_OR_RETURN(storage::Row head, conn.QueryOne("SELECT last_id, last_hash FROM audit_head WHERE singleton = 1"));
  return AuditHead{head.Int(0), head.Text(1)};
}

StatusOr<AuditVerification> VerifyAudit(storage::Database& db, const std::optional<AuditHead>& published) {
  ASSIGN_OR_RETURN(auto conn, db.Acquire());
  bool published_seen = !published || published->seq == 0;
  AuditVerification v;
  ASSIGN_OR_RETURN(storage::Row head, conn->QueryOne("SELECT last_id, last_hash FROM audit_head"));
  const int64_t last_id = head.Int(0);
  int64_t expected_id = 1;
  std::string prev_hash;
  constexpr int64_t kPage = 5000;
  for (;;) {
    ASSIGN_OR_RETURN(storage::Result page, conn->Execute("SELECT " + std::string(kAuditColumns) +
                                                             " FROM audit_log WHERE id >= ? ORDER BY id LIMIT ?",
                                                         {expected_id, kPage}));
    for (const auto& row : page.rows) {
      AuditRecord r = ReadAudit(row);
      ++v.records;
      // Records are numbered without gaps, so a missing number is a deleted record.
      for (int64_t missing = expected_id; missing < r.id; ++missing) {
        v.problems.push_back({missing, "deleted"});
        prev_hash.clear();  // unknown: the next record's link cannot be checked against it
      }
      if (r.id > expected_id) {
        // The record after a deletion is checked on its own fields only.
      } else if (r.prev_hash != prev_hash) {
        v.problems.push_back({r.id, "chain broken: prev_hash does not match the previous record's hash"});
      }
      if (AuditHash(r) != r.hash) {
        v.problems.push_back({r.id, "edited: the hash does not match the record's fields"});
      }
      if (published && r.id == published->seq) {
        published_seen = true;
        if (r.hash != published->hash) {
          v.problems.push_back(
              {r.id, fmt::format("does not reach the published head {}: record {} now hashes to {} (the "
                                 "chain up to it was rewritten)",
                                 published->ToString(), r.id, r.hash)});
        }
      }
      prev_hash = r.hash;
      expected_id = r.id + 1;
    }
    if (static_cast<int64_t>(page.rows.size()) < kPage) break;
  }
  for (int64_t missing = expected_id; missing <= last_id; ++missing) v.problems.push_back({missing, "deleted"});
  if (!published_seen) {
    v.problems.push_back({published->seq, fmt::format("does not reach the published head {}: record {} is missing",
                                                      published->ToString(), published->seq)});
  }
  if (last_id > 0 && expected_id - 1 == last_id && prev_hash != head.Text(1)) {
    v.problems.push_back({last_id, "edited: the chain head does not match the last record's hash"});
  }
  return v;
}

Status AddEvent(storage::Connection& tx, std::string_view object_ref, Instant at, const Actor& actor,
                std::string_view kind, std::string_view note, const nlohmann::json& data) {
  RETURN_IF_ERROR(
      tx.Execute("INSERT INTO events (object_ref, at, actor_id, kind, note, data) VALUES (?, ?, ?, ?, ?, ?)",
                 {std::string(object_ref), ToUnix(at), storage::Nullable(actor.user_id), std::string(kind),
                  std::string(note), data.dump()}));
  return OkStatus();
}

StatusOr<std::vector<Event>> ListEvents(storage::Connection& conn, std::string_view object_ref) {
  ASSIGN_OR_RETURN(storage::Result result,
                   conn.Execute("SELECT id, object_ref, at, actor_id, kind, note, data FROM events "
                                "WHERE object_ref = ? ORDER BY id",
                                {std::string(object_ref)}));
  std::vector<Event> out;
  for (const auto& row : result.rows) {
    out.push_back(
        {row.Int(0), row.Text(1), FromUnix(row.Int(2)), row.OptInt(3), row.Text(4), row.Text(5), row.Text(6)});
  }
  return out;
}

Status AddLink(storage::Connection& tx, std::string_view from_ref, std::string_view relation, std::string_view to_ref,
               Instant at, const Actor& actor) {
  RETURN_IF_ERROR(
      tx.Execute("INSERT INTO links (from_ref, relation, to_ref, created_at, created_by) VALUES (?, ?, ?, ?, ?) "
                 "ON CONFLICT DO NOTHING",
                 {std::string(from_ref), std::string(relation), std::string(to_ref), ToUnix(at),
                  storage::Nullable(actor.user_id)}));
  return OkStatus();
}

StatusOr<std::vector<Link>> ListLinks(storage::Connection& conn, std::string_view ref) {
  ASSIGN_OR_RETURN(storage::Result result,
                   conn.Execute("SELECT from_ref, relation, to_ref FROM links WHERE from_ref = ? OR to_ref = ? "
                                "ORDER BY created_at, from_ref, to_ref",
                                {std::string(ref), std::string(ref)}));
  std::vector<Link> out;
  for (const auto& row : result.rows) out.push_back({row.Text(0), row.Text(1), row.Text(2)});
  return out;
}

}  // namespace ningju::record
