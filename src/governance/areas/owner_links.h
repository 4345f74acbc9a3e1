// Real owners linked to accounts (docs/ROSTER.md "Invitation letters and claims"). Online voting, the owners' survey
// and owner-only registration find an owner's account through owners.user_id; this service is how that link is made
// for the owners of a roster, not only for the demo's:
//   - staff print an invitation letter for an owner (or for every owner of a building): a one-time code, shown once
//     and stored only as its SHA-256, valid for `invitation_days`; a new letter replaces the open code;
//   - the owner, signed in to their own account, claims the code: the account is then the owner's, with the resident
//     role on the neighborhood; a code is single-use; wrong codes are limited per account;
//   - staff link and unlink an account and an owner by hand, with a reason.
// Staff act with Permission::kManageRoster on every building where the owner holds a unit. Every change is audited in
// its transaction. Concurrent actions on one owner are serialized by a write to the owner's row first (the row lock
// under PostgreSQL), so two letters cannot leave two open codes, nor two claims both win.
//
// Thread-safety: safe to use from many threads (state lives in the database).
#ifndef NINGJU_GOVERNANCE_AREAS_OWNER_LINKS_H_
#define NINGJU_GOVERNANCE_AREAS_OWNER_LINKS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/roles.h"
#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace ningju::areas {

struct OwnerLinkOptions {
  int invitation_days = 30;          // days a printed code stays valid
  int max_claim_failures_hour = 10;  // wrong codes an account may try in an hour before claims answer 429
};

// One owner as the building's owner list shows it to staff.
struct OwnerLinkView {
  int64_t owner_id = 0;
  std::string name;   // masked unless the viewer holds kViewPersonalData on the building
  std::string units;  // "1号楼 1-101、1号楼 1-102", in unit order
  std::optional<int64_t> user_id;
  std::string account;  // the linked account's display name, "" when none
  std::optional<Instant> open_invitation_expires;
};

// What a printed letter shows. `code` is the only place the code exists in clear.
struct InvitationLetter {
  int64_t owner_id = 0;
  std::string owner_name;  // in full: the letter goes to this owner
  std::string units;
  std::string neighborhood_name;
  std::string code;  // "ABCD-EFGH-JKMN": 12 Crockford base-32 symbols, 60 random bits
  std::string url;   // <base_url>/claim?code=<code>, encoded in the QR code
  std::string qr_svg;
  Instant expires_at;
};

struct ClaimResult {
  int64_t owner_id = 0;
  int64_t neighborhood_id = 0;
  std::string neighborhood_name;
  std::string units;
};

// "abcd efgh-jkmn" -> "ABCDEFGHJKMN": case, spaces and dashes ignored; O read as 0, I and L as 1. nullopt when not
// 12 symbols of the alphabet.
std::optional<std::string> NormalizeInvitationCode(std::string_view code);

class OwnerLinkService {
 public:
  // `base_url` is the site's public origin, for the letter's link.
  OwnerLinkService(storage::Database& db, const Clock& clock, std::string base_url, OwnerLinkOptions options = {});

  // The owners holding units in building `building_id` (with all their units), by owner id. kManageRoster on the
  // building.
  StatusOr<std::vector<OwnerLinkView>> BuildingOwners(const auth::Principal& by, int64_t building_id);

  // A new code for the owner (the open one, if any, is replaced). Audited "owner.invite" (no code in the record).
  // kNotFound: no such owner; kFailedPrecondition: the owner holds no unit; kPermissionDenied / kUnauthenticated.
  StatusOr<InvitationLetter> IssueLetter(const auth::Principal& by, int64_t owner_id);
  // A letter for every owner holding a unit in the building, in one transaction (by their first unit).
  StatusOr<std::vector<InvitationLetter>> IssueBuildingLetters(const auth::Principal& by, int64_t building_id);

  // Links the signed-in `by` to the code's owner. Errors say what is wrong and never whose code it is:
  // kUnauthenticated (anonymous); kInvalidArgument (field "code": not a code's shape); kNotFound (no such code);
  // kFailedPrecondition (used, replaced by a newer letter, expired, or the owner already linked to another account);
  // kResourceExhausted after `max_claim_failures_hour` refused codes of this account in the last hour. Each refusal
  // but the limit itself counts. Audited "owner.claim".
  StatusOr<ClaimResult> Claim(const auth::Principal& by, std::string_view code);

  // Staff link the account `login` to the owner (kAlreadyExists when it is linked to another account: unlink first)
  // and unlink it. `reason` is required (1..200 characters). Audited "owner.link" / "owner.unlink" with the reason.
  // An unlink also revokes the account's resident role on the neighborhood (audited "role.revoke") when a claim, a
  // link or an approved join request gave it and no other reason holds it there (resident_grants.h).
  Status Link(const auth::Principal& by, int64_t owner_id, const std::string& login, const std::string& reason);
  Status Unlink(const auth::Principal& by, int64_t owner_id, const std::string& reason);
  // Whether `by` may link and unlink owner `owner_id` (staff with the roster permission over each of the owner's
  // buildings): the routes ask it before they read the form (web::Site's gate). The answers Link would give.
  Status CheckManage(const auth::Principal& by, int64_t owner_id);

 private:
  StatusOr<InvitationLetter> IssueInTx(storage::Connection& tx, const auth::Principal& by, int64_t owner_id,
                                       Instant now);

  storage::Database& db_;
  const Clock& clock_;
  std::string base_url_;
  OwnerLinkOptions options_;
};

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_OWNER_LINKS_H_
