#include "governance/areas/owner_links.h"

#include <set>
#include <utility>

#include "auth/accounts.h"
#include "auth/crypto.h"
#include "auth/policy.h"
#include "common/text_util.h"
#include "common/utf8.h"
#include "governance/areas/door_sheet.h"
#include "governance/areas/resident_grants.h"
#include "record/record.h"

namespace ningju::areas {
namespace {

using storage::Connection;
using storage::Row;

// Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand is not misread.
constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr size_t kCodeSymbols = 12;
constexpr size_t kMaxReasonChars = 200;

// 12 symbols from 12 random base64url characters: each carries 6 random bits, of which the low 5 pick the symbol
// (64 is a multiple of 32, so every symbol is equally likely).
std::string NewCode() {
  static constexpr std::string_view kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const std::string token = auth::RandomToken(16);  // 22 characters
  std::string code;
  for (size_t i = 0; i < kCodeSymbols; ++i) {
    const size_t value = kBase64Url.find(token[i]);
    code += kAlphabet[value % 32];
  }
  return code;
}

std::string Grouped(const std::string& code) {
  return code.substr(0, 4) + "-" + code.substr(4, 4) + "-" + code.substr(8);
}

std::string CodeHash(const std::string& normalized) { return auth::Sha256Hex("owner-invitation:" + normalized); }

// The units of an owner, "1号楼 1-101、1号楼 1-102", and the buildings and neighborhood they are in.
struct OwnerPlace {
  std::string name;
  std::optional<int64_t> user_id;
  std::string units;
  std::vector<int64_t> buildings;
  int64_t neighborhood_id = 0;
  std::string neighborhood_name;
};

StatusOr<OwnerPlace> LoadOwnerPlace(Connection& conn, int64_t owner_id) {
  ASSIGN_OR_RETURN(auto owner, conn.QueryOptional("SELECT name, user_id FROM owners WHERE id = ?", {owner_id}));
  if (!owner) return NotFoundError(Msg("no owner {}", owner_id));
  OwnerPlace p;
  p.name = owner->Text(0);
  p.user_id = owner->OptInt(1);
  ASSIGN_OR_RETURN(storage::Result units,
                   conn.Execute("SELECT u.building_id, b.name, u.number, n.id, n.name FROM unit_owners uo "
                                "JOIN units u ON u.id = uo.unit_id JOIN areas b ON b.id = u.building_id "
                                "JOIN areas n ON n.id = b.parent_id WHERE uo.owner_id = ? ORDER BY u.id",
                                {owner_id}));
  if (units.rows.empty()) return FailedPreconditionError(Msg("owner {} holds no unit", owner_id));
  std::set<int64_t> seen;
  for (const Row& r : units.rows) {
    p.units += (p.units.empty() ? "" : "、") + r.Text(1) + " " + r.Text(2);
    if (seen.insert(r.Int(0)).second) p.buildings.push_back(r.Int(0));
  }
  p.neighborhood_id = units.rows.front().Int(3);
  p.neighborhood_name = units.rows.front().Text(4);
  return p;
}

// Staff act on an owner only with the roster permission over every building the owner holds a unit in.
Status AuthorizeOwner(Connection& conn, const auth::Principal& by, const OwnerPlace& place) {
  for (int64_t building : place.buildings) {
    RETURN_IF_ERROR(
        auth::policy::Require(conn, by, auth::policy::Action::kManageRoster, auth::policy::Subject::Area(building)));
  }
  return OkStatus();
}

// Takes the owner row's lock for the rest of the transaction (PostgreSQL; SQLite has one writer anyway).
Status LockOwner(Connection& tx, int64_t owner_id) {
  ASSIGN_OR_RETURN(storage::Result r, tx.Execute("UPDATE owners SET user_id = user_id WHERE id = ?", {owner_id}));
  if (r.rows_affected == 0) return NotFoundError(Msg("no owner {}", owner_id));
  return OkStatus();
}

Status CheckReason(const std::string& reason) {
  const std::string_view trimmed = Trim(reason);
  if (trimmed.empty()) return InvalidArgumentError("give a reason", "reason");
  if (utf8::FindInvalid(trimmed) || utf8::CodePointCount(trimmed) > kMaxReasonChars) {
    return InvalidArgumentError(Msg("the reason is longer than {} characters", kMaxReasonChars), "reason");
  }
  return OkStatus();
}

}  // namespace

std::optional<std::string> NormalizeInvitationCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    if (std::string_view(kAlphabet).find(c) == std::string_view::npos || c == '\0') return std::nullopt;
    out += c;
    if (out.size() > kCodeSymbols) return std::nullopt;
  }
  if (out.size() != kCodeSymbols) return std::nullopt;
  return out;
}

OwnerLinkService::OwnerLinkService(storage::Database& db, const Clock& clock, std::string base_url,
                                   OwnerLinkOptions options)
    : db_(db), clock_(clock), base_url_(std::move(base_url)), options_(options) {
  while (base_url_.ends_with('/')) base_url_.pop_back();
}

StatusOr<std::vector<OwnerLinkView>> OwnerLinkService::BuildingOwners(const auth::Principal& by, int64_t building_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto area, conn->QueryOptional("SELECT kind FROM areas WHERE id = ?", {building_id}));
  if (!area) return NotFoundError(Msg("no area {}", building_id));
  if (area->Text(0) != "building") return InvalidArgumentError("owners are listed per building", "id");
  const auto building = auth::policy::Subject::Area(building_id);
  RETURN_IF_ERROR(auth::policy::Require(*conn, by, auth::policy::Action::kViewRoster, building));
  ASSIGN_OR_RETURN(const bool personal,
                   auth::policy::Allows(*conn, by, auth::policy::Action::kViewPersonalData, building));
  const Instant now = clock_.Now();
  ASSIGN_OR_RETURN(
      storage::Result rows,
      conn->Execute("SELECT o.id, o.name, o.user_id, us.display_name, u.number, b.name, "
                    "(SELECT MAX(i.expires_at) FROM owner_invitations i WHERE i.owner_id = o.id AND i.used_at IS NULL "
                    "AND i.replaced_at IS NULL AND i.expires_at > ?) "
                    "FROM owners o JOIN unit_owners uo ON uo.owner_id = o.id JOIN units u ON u.id = uo.unit_id "
                    "JOIN areas b ON b.id = u.building_id LEFT JOIN users us ON us.id = o.user_id "
                    "WHERE o.id IN (SELECT uo2.owner_id FROM unit_owners uo2 JOIN units u2 ON u2.id = uo2.unit_id "
                    "WHERE u2.building_id = ?) ORDER BY o.id, u.id",
                    {ToUnix(now), building_id}));
  // Rows come by owner, each owner's units in order.
  std::vector<OwnerLinkView> out;
  for (const Row& r : rows.rows) {
    if (out.empty() || out.back().owner_id != r.Int(0)) {
      OwnerLinkView v;
      v.owner_id = r.Int(0);
      v.name = personal ? r.Text(1) : MaskName(r.Text(1));
      v.user_id = r.OptInt(2);
      if (v.user_id) v.account = r.Text(3);
      if (auto expires = r.OptInt(6)) v.open_invitation_expires = FromUnix(*expires);
      out.push_back(std::move(v));
    }
    OwnerLinkView& v = out.back();
    v.units += (v.units.empty() ? "" : "、") + r.Text(5) + " " + r.Text(4);
  }
  return out;
}

StatusOr<InvitationLetter> OwnerLinkService::IssueInTx(Connection& tx, const auth::Principal& by, int64_t owner_id,
                                                       Instant now) {
  RETURN_IF_ERROR(LockOwner(tx, owner_id));
  ASSIGN_OR_RETURN(OwnerPlace place, LoadOwnerPlace(tx, owner_id));
  RETURN_IF_ERROR(AuthorizeOwner(tx, by, place));
  ASSIGN_OR_RETURN(storage::Result replaced,
                   tx.Execute("UPDATE owner_invitations SET replaced_at = ? WHERE owner_id = ? AND used_at IS NULL "
                              "AND replaced_at IS NULL",
                              {ToUnix(now), owner_id}));
  const std::string code = NewCode();
  const Instant expires = now + std::chrono::hours(24 * options_.invitation_days);
  ASSIGN_OR_RETURN(Row row, tx.QueryOne("INSERT INTO owner_invitations (owner_id, code_hash, created_at, created_by, "
                                        "expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                                        {owner_id, CodeHash(code), ToUnix(now), by.AccountOrNull(), ToUnix(expires)}));
  RETURN_IF_ERROR(record::Audit(
      tx, now, auth::ActorOf(by), "owner.invite", record::Ref("owner", owner_id),
      {{"invitation", row.Int(0)}, {"expires_at", FormatUtc(expires)}, {"replaced", replaced.rows_affected}}));
  InvitationLetter letter;
  letter.owner_id = owner_id;
  letter.owner_name = place.name;
  letter.units = place.units;
  letter.neighborhood_name = place.neighborhood_name;
  letter.code = Grouped(code);
  letter.url = base_url_ + "/claim?code=" + letter.code;
  letter.qr_svg = QrSvg(letter.url);
  letter.expires_at = expires;
  return letter;
}

StatusOr<InvitationLetter> OwnerLinkService::IssueLetter(const auth::Principal& by, int64_t owner_id) {
  if (!by.signed_in()) return UnauthenticatedError("sign in to print invitation letters");
  InvitationLetter out;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    ASSIGN_OR_RETURN(out, IssueInTx(tx, by, owner_id, clock_.Now()));
    return OkStatus();
  }));
  return out;
}

StatusOr<std::vector<InvitationLetter>> OwnerLinkService::IssueBuildingLetters(const auth::Principal& by,
                                                                               int64_t building_id) {
  if (!by.signed_in()) return UnauthenticatedError("sign in to print invitation letters");
  std::vector<InvitationLetter> out;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    out.clear();
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(auto area, tx.QueryOptional("SELECT kind FROM areas WHERE id = ?", {building_id}));
    if (!area) return NotFoundError(Msg("no area {}", building_id));
    if (area->Text(0) != "building") return InvalidArgumentError("owners are listed per building", "id");
    RETURN_IF_ERROR(
        auth::policy::Require(tx, by, auth::policy::Action::kManageRoster, auth::policy::Subject::Area(building_id)));
    ASSIGN_OR_RETURN(storage::Result owners,
                     tx.Execute("SELECT uo.owner_id, MIN(u.id) AS first_unit FROM unit_owners uo JOIN units u ON "
                                "u.id = uo.unit_id WHERE u.building_id = ? GROUP BY uo.owner_id ORDER BY first_unit",
                                {building_id}));
    for (const Row& r : owners.rows) {
      ASSIGN_OR_RETURN(InvitationLetter letter, IssueInTx(tx, by, r.Int(0), now));
      out.push_back(std::move(letter));
    }
    return OkStatus();
  }));
  return out;
}

StatusOr<ClaimResult> OwnerLinkService::Claim(const auth::Principal& by, std::string_view code) {
  if (!by.has_account()) return UnauthenticatedError("sign in to claim an invitation code");
  const Instant now = clock_.Now();
  {
    ASSIGN_OR_RETURN(auto conn, db_.Acquire());
    ASSIGN_OR_RETURN(Row failures, conn->QueryOne("SELECT COUNT(*) FROM owner_claim_failures WHERE user_id = ? AND "
                                                  "at > ?",
                                                  {by.user_id, ToUnix(now) - 3600}));
    if (failures.Int(0) >= options_.max_claim_failures_hour) {
      return ResourceExhaustedError("too many wrong invitation codes; try again in an hour");
    }
    // Before the code is looked at, and not counted as a wrong one: an account whose phone has not come back with
    // its code cannot become an owner's (a phone only goes from pending to verified, so no later read is needed).
    RETURN_IF_ERROR(auth::RequireSettledPhone(*conn, by));
  }  // the connection goes back before the transaction asks for one
  ClaimResult out;
  Status claimed = [&]() -> Status {
    const std::optional<std::string> normalized = NormalizeInvitationCode(code);
    if (!normalized) {
      return InvalidArgumentError("an invitation code has 12 letters and digits, as printed on the letter", "code");
    }
    return db_.InTransaction([&](Connection& tx) -> Status {
      ASSIGN_OR_RETURN(
          auto invitation,
          tx.QueryOptional("SELECT id, owner_id FROM owner_invitations WHERE code_hash = ?", {CodeHash(*normalized)}));
      if (!invitation) return NotFoundError("no such invitation code; check it against the letter", "code");
      const int64_t id = invitation->Int(0);
      const int64_t owner_id = invitation->Int(1);
      RETURN_IF_ERROR(LockOwner(tx, owner_id));
      // Read again under the lock: a claim or a new letter that committed meanwhile is seen.
      ASSIGN_OR_RETURN(Row state, tx.QueryOne("SELECT used_at, replaced_at, expires_at FROM owner_invitations "
                                              "WHERE id = ?",
                                              {id}));
      if (state.OptInt(0)) return FailedPreconditionError("this invitation code was already used", "code");
      if (state.OptInt(1)) {
        return FailedPreconditionError("this invitation code was replaced by a newer letter", "code");
      }
      if (state.Int(2) <= ToUnix(now)) {
        return FailedPreconditionError(
            "this invitation code has expired; ask the neighborhood committee for a new "
            "letter",
            "code");
      }
      ASSIGN_OR_RETURN(OwnerPlace place, LoadOwnerPlace(tx, owner_id));
      if (place.user_id && *place.user_id != by.user_id) {
        return FailedPreconditionError(
            "the owner of this code is linked to another account; ask the neighborhood committee", "code");
      }
      ASSIGN_OR_RETURN(storage::Result used,
                       tx.Execute("UPDATE owner_invitations SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS "
                                  "NULL AND replaced_at IS NULL",
                                  {ToUnix(now), by.user_id, id}));
      if (used.rows_affected != 1) return FailedPreconditionError("this invitation code was already used", "code");
      RETURN_IF_ERROR(tx.Execute("UPDATE owners SET user_id = ? WHERE id = ?", {by.user_id, owner_id}));
      RETURN_IF_ERROR(GrantResident(tx, by.user_id, place.neighborhood_id, std::nullopt, kOriginOwner, now));
      RETURN_IF_ERROR(record::Audit(tx, now, auth::ActorOf(by), "owner.claim", record::Ref("owner", owner_id),
                                    {{"invitation", id}, {"user_id", by.user_id}}));
      out = {owner_id, place.neighborhood_id, place.neighborhood_name, place.units};
      return OkStatus();
    });
  }();
  if (claimed.ok()) return out;
  const StatusCode c = claimed.code();
  if (c == StatusCode::kInvalidArgument || c == StatusCode::kNotFound || c == StatusCode::kFailedPrecondition) {
    RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
      return tx.Execute("INSERT INTO owner_claim_failures (user_id, at) VALUES (?, ?)", {by.user_id, ToUnix(now)})
          .status();
    }));
  }
  return claimed;
}

Status OwnerLinkService::CheckManage(const auth::Principal& by, int64_t owner_id) {
  if (!by.signed_in()) return UnauthenticatedError("sign in to link owners and accounts");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(OwnerPlace place, LoadOwnerPlace(*conn, owner_id));
  return AuthorizeOwner(*conn, by, place);
}

Status OwnerLinkService::Link(const auth::Principal& by, int64_t owner_id, const std::string& login,
                              const std::string& reason) {
  if (!by.signed_in()) return UnauthenticatedError("sign in to link owners and accounts");
  RETURN_IF_ERROR(CheckReason(reason));
  return db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    RETURN_IF_ERROR(LockOwner(tx, owner_id));
    ASSIGN_OR_RETURN(OwnerPlace place, LoadOwnerPlace(tx, owner_id));
    RETURN_IF_ERROR(AuthorizeOwner(tx, by, place));
    const std::string l(Trim(login));
    ASSIGN_OR_RETURN(auto user, tx.QueryOptional("SELECT id FROM users WHERE (username = ? OR phone = ?) AND "
                                                 "disabled = 0",
                                                 {l, l}));
    if (!user) return NotFoundError("no account with this login", "login");
    const int64_t user_id = user->Int(0);
    if (place.user_id && *place.user_id != user_id) {
      return AlreadyExistsError("the owner is linked to another account; unlink it first", "login");
    }
    RETURN_IF_ERROR(tx.Execute("UPDATE owners SET user_id = ? WHERE id = ?", {user_id, owner_id}));
    RETURN_IF_ERROR(GrantResident(tx, user_id, place.neighborhood_id,
                                  by.has_account() ? std::optional<int64_t>(by.user_id) : std::nullopt, kOriginOwner,
                                  now));
    return record::Audit(tx, now, auth::ActorOf(by), "owner.link", record::Ref("owner", owner_id),
                         {{"user_id", user_id}, {"reason", std::string(Trim(reason))}});
  });
}

Status OwnerLinkService::Unlink(const auth::Principal& by, int64_t owner_id, const std::string& reason) {
  if (!by.signed_in()) return UnauthenticatedError("sign in to link owners and accounts");
  RETURN_IF_ERROR(CheckReason(reason));
  return db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    RETURN_IF_ERROR(LockOwner(tx, owner_id));
    ASSIGN_OR_RETURN(OwnerPlace place, LoadOwnerPlace(tx, owner_id));
    RETURN_IF_ERROR(AuthorizeOwner(tx, by, place));
    if (!place.user_id) return FailedPreconditionError("the owner is not linked to an account");
    RETURN_IF_ERROR(tx.Execute("UPDATE owners SET user_id = NULL WHERE id = ?", {owner_id}));
    // The resident role the link gave goes with it, unless the account has another reason to hold it there.
    ASSIGN_OR_RETURN(bool released, ReleaseResident(tx, *place.user_id, place.neighborhood_id, now));
    if (released) {
      RETURN_IF_ERROR(record::Audit(tx, now, auth::ActorOf(by), "role.revoke", record::Ref("user", *place.user_id),
                                    {{"before", {{"role", "resident"}, {"area_id", place.neighborhood_id}}},
                                     {"because", record::Ref("owner", owner_id)}}));
    }
    return record::Audit(tx, now, auth::ActorOf(by), "owner.unlink", record::Ref("owner", owner_id),
                         {{"user_id", *place.user_id},
                          {"reason", std::string(Trim(reason))},
                          {"resident_role", released ? "revoked" : "kept"}});
  });
}

}  // namespace ningju::areas
