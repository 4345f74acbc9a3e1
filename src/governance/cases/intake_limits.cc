#include "governance/cases/intake_limits.h"

#include <algorithm>
#include <vector>

#include <spdlog/spdlog.h>

#include "auth/crypto.h"

namespace ningju::cases {
namespace {

struct Subject {
  std::string name;  // "address" | "phone"
  std::string key;   // "a:<hmac>" | "p:<hmac>"
  int per_hour = 0;
  int per_day = 0;
};

std::vector<Subject> SubjectsOf(const IntakeLimitOptions& o, const std::string& remote, const std::string& phone) {
  std::vector<Subject> out;
  if (!remote.empty() && (o.per_address_hour > 0 || o.per_address_day > 0)) {
    out.push_back(
        {"address", "a:" + auth::HmacHex(o.secret, "intake-address:" + remote), o.per_address_hour, o.per_address_day});
  }
  const std::string digits = PhoneDigits(phone);
  if (!digits.empty() && (o.per_phone_hour > 0 || o.per_phone_day > 0)) {
    out.push_back(
        {"phone", "p:" + auth::HmacHex(o.secret, "intake-phone:" + digits), o.per_phone_hour, o.per_phone_day});
  }
  return out;
}

// The refusal when a subject is at a limit at `now`, from its newest counts of the day window.
StatusOr<std::optional<IntakeRefusal>> RefusalOf(storage::Connection& conn, const std::vector<Subject>& subjects,
                                                 int64_t now) {
  std::optional<IntakeRefusal> refusal;
  for (const Subject& s : subjects) {
    // The newest counts of the day window, as many as the larger limit: enough to find, for each window at its
    // limit, the count whose leaving the window admits the next intake (the limit-th newest).
    const int64_t want = std::max(s.per_hour, s.per_day);
    ASSIGN_OR_RETURN(storage::Result r,
                     conn.Execute("SELECT at FROM intake_limit_hits WHERE subject = ? AND at > ? ORDER BY at DESC, "
                                  "id DESC LIMIT ?",
                                  {s.key, now - kIntakeDaySeconds, want}));
    std::vector<int64_t> at;
    for (const auto& row : r.rows) at.push_back(row.Int(0));
    int64_t until = 0;
    const int64_t in_hour =
        std::count_if(at.begin(), at.end(), [&](int64_t t) { return t > now - kIntakeHourSeconds; });
    if (s.per_hour > 0 && in_hour >= s.per_hour) until = std::max(until, at[s.per_hour - 1] + kIntakeHourSeconds);
    if (s.per_day > 0 && static_cast<int64_t>(at.size()) >= s.per_day) {
      until = std::max(until, at[s.per_day - 1] + kIntakeDaySeconds);
    }
    if (until > now && (!refusal || until > ToUnix(refusal->retry_at))) {
      refusal = IntakeRefusal{s.name, FromUnix(until), until - now};
    }
  }
  return refusal;
}

}  // namespace

std::string PhoneDigits(std::string_view phone) {
  std::string digits;
  for (char ch : phone) {
    if (ch >= '0' && ch <= '9') digits += ch;
  }
  if (digits.size() == 13 && digits.rfind("861", 0) == 0) digits.erase(0, 2);
  return digits;
}

std::string IntakeRefusal::RetryAtText() const {
  const int64_t t = ToUnix(retry_at);
  return FormatShanghai(FromUnix((t + 59) / 60 * 60));
}

int64_t IntakeRefusal::RetryAfterMinutes() const { return std::max<int64_t>(1, (retry_after_seconds + 59) / 60); }

Status IntakeRefusal::ToStatus() const {
  if (subject == "phone") {
    return ResourceExhaustedError(
        Msg("too many cases from this contact phone; try again after {} (Asia/Shanghai), "
            "in about {} minutes, or sign in",
            RetryAtText(), RetryAfterMinutes()));
  }
  return ResourceExhaustedError(
      Msg("too many cases from this address; try again after {} (Asia/Shanghai), in about "
          "{} minutes, or sign in",
          RetryAtText(), RetryAfterMinutes()));
}

IntakeLimiter::IntakeLimiter(storage::Database& db, const Clock& clock, IntakeLimitOptions options)
    : db_(db), clock_(clock), options_(options) {}

bool IntakeLimiter::Applies(const auth::Principal& by, std::string_view channel) {
  if (!by.signed_in()) return true;
  return channel == "open311" && !by.HasPermissionSomewhere(auth::Permission::kEditArea);
}

StatusOr<std::optional<IntakeRefusal>> IntakeLimiter::Check(const auth::Principal& by, std::string_view channel,
                                                            const std::string& remote, const std::string& phone) {
  if (!Applies(by, channel)) return std::optional<IntakeRefusal>();
  std::vector<Subject> subjects = SubjectsOf(options_, remote, phone);
  if (subjects.empty()) return std::optional<IntakeRefusal>();
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return RefusalOf(*conn, subjects, ToUnix(clock_.Now()));
}

StatusOr<IntakeReservation> IntakeLimiter::Reserve(const auth::Principal& by, std::string_view channel,
                                                   const std::string& remote, const std::string& phone) {
  IntakeReservation out;
  if (!Applies(by, channel)) return out;
  std::vector<Subject> subjects = SubjectsOf(options_, remote, phone);
  if (subjects.empty()) return out;
  // Locked in one order (by key), so that two reservations sharing both subjects cannot wait for each other.
  std::sort(subjects.begin(), subjects.end(), [](const Subject& a, const Subject& b) { return a.key < b.key; });
  const int64_t now = ToUnix(clock_.Now());
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    out = IntakeReservation{};
    // The upsert locks the subject's row until the transaction ends (on PostgreSQL a second reservation of the
    // subject waits here, and then counts what this one wrote; SQLite lets one writer in at a time).
    for (const Subject& s : subjects) {
      RETURN_IF_ERROR(
          tx.Execute("INSERT INTO intake_limit_subjects (subject, last_at) VALUES (?, ?) ON CONFLICT "
                     "(subject) DO UPDATE SET last_at = excluded.last_at",
                     {s.key, now}));
    }
    ASSIGN_OR_RETURN(out.refusal, RefusalOf(tx, subjects, now));
    if (out.refusal) return OkStatus();
    for (const Subject& s : subjects) {
      ASSIGN_OR_RETURN(
          storage::Row row,
          tx.QueryOne("INSERT INTO intake_limit_hits (subject, at) VALUES (?, ?) RETURNING id", {s.key, now}));
      out.hit_ids.push_back(row.Int(0));
    }
    return OkStatus();
  }));
  return out;
}

void IntakeLimiter::Release(const IntakeReservation& reservation) {
  if (reservation.hit_ids.empty()) return;
  std::string sql = "DELETE FROM intake_limit_hits WHERE id IN (";
  storage::Params params;
  for (size_t i = 0; i < reservation.hit_ids.size(); ++i) {
    sql += i ? ", ?" : "?";
    params.push_back(reservation.hit_ids[i]);
  }
  sql += ")";
  auto conn = db_.Acquire();
  Status deleted = conn.ok() ? (*conn)->Execute(sql, params).status() : conn.status();
  if (!deleted.ok()) spdlog::warn("intake limit: a failed intake's slot stays counted: {}", deleted.ToString());
}

StatusOr<int64_t> IntakeLimiter::Prune() {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  const int64_t cutoff = ToUnix(clock_.Now()) - kIntakeDaySeconds;
  ASSIGN_OR_RETURN(storage::Result r, conn->Execute("DELETE FROM intake_limit_hits WHERE at <= ?", {cutoff}));
  // A subject last reserved more than a day ago has no count left in any window.
  RETURN_IF_ERROR(conn->Execute("DELETE FROM intake_limit_subjects WHERE last_at <= ?", {cutoff}));
  return r.rows_affected;
}

}  // namespace ningju::cases
