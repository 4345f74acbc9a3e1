#include "governance/areas/resident_grants.h"

#include <string>

#include "storage/locking.h"

namespace ningju::areas {
namespace {

// The active grant, locked for the rest of the transaction.
StatusOr<std::optional<storage::Row>> LockedGrant(storage::Connection& tx, int64_t user_id, int64_t neighborhood_id) {
  return tx.QueryOptional(
      "SELECT id, origin FROM role_grants WHERE user_id = ? AND role = 'resident' AND area_id = ? AND revoked_at = 0" +
          storage::ForUpdate(tx.dialect()),
      {user_id, neighborhood_id});
}

}  // namespace

Status GrantResident(storage::Connection& tx, int64_t user_id, int64_t neighborhood_id,
                     std::optional<int64_t> granted_by, std::string_view origin, Instant now) {
  ASSIGN_OR_RETURN(auto grant, LockedGrant(tx, user_id, neighborhood_id));
  if (!grant) {
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO role_grants (user_id, role, area_id, granted_by, granted_at, origin) "
                   "VALUES (?, 'resident', ?, ?, ?, ?)",
                   {user_id, neighborhood_id, storage::Nullable(granted_by), ToUnix(now), std::string(origin)}));
  }
  ASSIGN_OR_RETURN(auto residency, tx.QueryOptional("SELECT 1 FROM residencies WHERE user_id = ? AND area_id = ?",
                                                    {user_id, neighborhood_id}));
  if (!residency) {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO residencies (user_id, area_id, since) VALUES (?, ?, ?)",
                               {user_id, neighborhood_id, ToUnix(now)}));
  }
  return OkStatus();
}

StatusOr<bool> ReleaseResident(storage::Connection& tx, int64_t user_id, int64_t neighborhood_id, Instant now) {
  ASSIGN_OR_RETURN(auto grant, LockedGrant(tx, user_id, neighborhood_id));
  if (!grant) return false;
  const std::string& origin = grant->Text(1);
  if (origin != kOriginOwner && origin != kOriginJoin) return false;  // granted by hand: not ours to take back
  // Read after the lock: a link or an approval that committed meanwhile is seen.
  ASSIGN_OR_RETURN(auto owner, tx.QueryOptional("SELECT 1 FROM owners o JOIN unit_owners uo ON uo.owner_id = o.id "
                                                "JOIN units u ON u.id = uo.unit_id JOIN area_paths p ON "
                                                "p.descendant_id = u.building_id AND p.ancestor_id = ? "
                                                "WHERE o.user_id = ? LIMIT 1",
                                                {neighborhood_id, user_id}));
  if (owner) return false;
  ASSIGN_OR_RETURN(auto approved, tx.QueryOptional("SELECT 1 FROM join_requests WHERE user_id = ? AND "
                                                   "neighborhood_id = ? AND state = 'approved' LIMIT 1",
                                                   {user_id, neighborhood_id}));
  if (approved) return false;
  ASSIGN_OR_RETURN(storage::Result revoked,
                   tx.Execute("UPDATE role_grants SET revoked_at = ? WHERE id = ? AND revoked_at = 0",
                              {ToUnix(now), grant->Int(0)}));
  if (revoked.rows_affected != 1) return false;
  RETURN_IF_ERROR(tx.Execute("DELETE FROM residencies WHERE user_id = ? AND area_id = ?", {user_id, neighborhood_id}));
  return true;
}

}  // namespace ningju::areas
