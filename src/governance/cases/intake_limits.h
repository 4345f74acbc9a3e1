// The rate limit on anonymous intake (docs/CASES.md "Rate limit on anonymous intake"): cases submitted without a
// sign-in (the web form and the door-QR page, the JSON API without a session or token) and Open311 posts by clients
// that are not staff are counted per client address and per contact phone over a sliding hour and a sliding day;
// over a limit the next intake is refused with kResourceExhausted (HTTP 429 and Retry-After) until the oldest
// counted intake of the full window leaves it. Signed-in residents and staff entry are not limited.
//
// The same approach as the sign-in limit (auth/accounts.cc, auth_throttle): rows in a table counted over a
// window. The check and the count are one step: the routes Reserve() a slot before submitting, in one transaction
// that locks the subject's row (intake_limit_subjects) so that concurrent submissions of one client are counted one
// after the other, and Release() it when the submission fails; so of N concurrent intakes with K slots left exactly
// K are admitted, and only admitted intakes count (a server killed between the two keeps the slot counted).
// Addresses and phones are kept as HMAC-SHA-256 digests under the server secret; rows older than a day are deleted
// by Prune() (the job "cases.intake_limits").
//
// Thread-safety: safe to use from many threads (state lives in the database).
#ifndef NINGJU_GOVERNANCE_CASES_INTAKE_LIMITS_H_
#define NINGJU_GOVERNANCE_CASES_INTAKE_LIMITS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/roles.h"
#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace ningju::cases {

// Accepted anonymous intakes allowed per sliding window; 0 turns that limit off.
struct IntakeLimitOptions {
  int per_address_hour = 20;  // per client address per hour; default 20 (mobile networks share addresses)
  int per_address_day = 100;  // per client address per 24 hours; default 100
  int per_phone_hour = 5;     // per contact phone per hour; default 5
  int per_phone_day = 20;     // per contact phone per 24 hours; default 20
  // The server secret keying the hashes of addresses and phones (HMAC-SHA-256), so that the table cannot be turned
  // back into phone numbers by hashing all 10^11 of them. The app passes the settings table's csrf_secret.
  std::string secret;
};

inline constexpr int64_t kIntakeHourSeconds = 3600;
inline constexpr int64_t kIntakeDaySeconds = 86400;

// Why an intake is refused, and from when it would be accepted.
struct IntakeRefusal {
  std::string subject;              // "address" or "phone": the limit that holds longest
  Instant retry_at;                 // the first second the intake is accepted again
  int64_t retry_after_seconds = 0;  // retry_at - now, at least 1 (the Retry-After header)
  // kResourceExhausted "too many cases from this address; try again after 2026-05-01 10:05 (Asia/Shanghai), in
  // about 42 minutes".
  Status ToStatus() const;
  // The time to show: retry_at rounded up to the minute, "2026-05-01 10:05" (Asia/Shanghai).
  std::string RetryAtText() const;
  int64_t RetryAfterMinutes() const;  // rounded up
};

// What Reserve answers: the refusal, or the counts written for the admitted intake.
struct IntakeReservation {
  std::optional<IntakeRefusal> refusal;  // set: refused, nothing counted
  std::vector<int64_t> hit_ids;          // admitted: its rows of intake_limit_hits (none when the limit does not apply)
};

class IntakeLimiter {
 public:
  // `db` and `clock` must outlive the limiter.
  IntakeLimiter(storage::Database& db, const Clock& clock, IntakeLimitOptions options = {});

  // Whether intakes of `by` on `channel` are limited: anonymous ones, and Open311 posts of a client (api_key) whose
  // account is not staff. Signed-in residents, the JSON API with a session or token, and staff entry are not.
  static bool Applies(const auth::Principal& by, std::string_view channel);

  // The refusal when `remote` or `phone` is at a limit; nullopt when the intake may go ahead (always when !Applies).
  // An empty remote or a phone without digits is not counted on that side. Only looks: counts nothing.
  StatusOr<std::optional<IntakeRefusal>> Check(const auth::Principal& by, std::string_view channel,
                                               const std::string& remote, const std::string& phone);
  // Check and count in one step: refused, nothing is counted; admitted, the intake is counted against `remote` and
  // `phone` before the call returns (when Applies). Concurrent reservations of one subject wait for each other.
  StatusOr<IntakeReservation> Reserve(const auth::Principal& by, std::string_view channel, const std::string& remote,
                                      const std::string& phone);
  // Takes back the counts of an admitted intake whose submission failed; nothing for a refused one. A failure to
  // delete them is logged: the slot then stays counted until it leaves the window.
  void Release(const IntakeReservation& reservation);
  // Deletes the counts older than a day; returns how many.
  StatusOr<int64_t> Prune();

  const IntakeLimitOptions& options() const { return options_; }

 private:
  storage::Database& db_;
  const Clock& clock_;
  IntakeLimitOptions options_;
};

// The digits of a phone number, without a leading 86 country code of a mainland mobile number ("+86 139-0000-1111"
// and "13900001111" are one phone).
std::string PhoneDigits(std::string_view phone);

}  // namespace ningju::cases

#endif  // NINGJU_GOVERNANCE_CASES_INTAKE_LIMITS_H_
