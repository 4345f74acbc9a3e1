#include "platform/notify/follows.h"

#include "common/message.h"
#include "common/time.h"
#include "storage/locking.h"

namespace ningju::notify {

Status AddFollow(storage::Connection& tx, int64_t user_id, std::string_view ref, Instant now) {
  return tx
      .Execute("INSERT INTO follows (user_id, object_ref, since) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
               {user_id, std::string(ref), ToUnix(now)})
      .status();
}

StatusOr<std::vector<int64_t>> Followers(storage::Connection& conn, std::string_view ref) {
  ASSIGN_OR_RETURN(storage::Result r, conn.Execute("SELECT user_id FROM follows WHERE object_ref = ? ORDER BY user_id",
                                                   {std::string(ref)}));
  std::vector<int64_t> out;
  for (const auto& row : r.rows) out.push_back(row.Int(0));
  return out;
}

Status FollowService::CheckWriter(const auth::Principal& by) const {
  if (!by.has_account()) return UnauthenticatedError("sign in to follow");
  if (by.read_only()) return PermissionDeniedError("this token is read-only: it may only read (GET)");
  return OkStatus();
}

Status FollowService::Follow(const auth::Principal& by, std::string_view ref) {
  RETURN_IF_ERROR(CheckWriter(by));
  std::optional<ObjectRef> parsed = ParseRef(ref);
  if (!parsed) return InvalidArgumentError("a reference is kind:id, e.g. case:12", "ref");
  const ObjectKind* kind = kinds_.Find(parsed->kind);
  if (!kind) return NotFoundError(Msg("nothing of kind {} can be followed", parsed->kind));
  // Asked before a connection is taken: the kind's service takes its own.
  ASSIGN_OR_RETURN(bool visible, kind->visible(by, parsed->id));
  if (!visible) return NotFoundError(Msg("no {}", parsed->ToString()));
  const std::string key = parsed->ToString();
  return db_.InTransaction([&](storage::Connection& tx) -> Status {
    // The count and the insert under the follower's account row locked (STYLE.md 17): two follows of the same
    // person at once take turns, so the limit holds on PostgreSQL too.
    RETURN_IF_ERROR(
        tx.QueryOne("SELECT id FROM users WHERE id = ?" + storage::ForUpdate(tx.dialect()), {by.user_id}).status());
    ASSIGN_OR_RETURN(auto already,
                     tx.QueryOptional("SELECT 1 FROM follows WHERE user_id = ? AND object_ref = ?", {by.user_id, key}));
    if (already) return OkStatus();
    ASSIGN_OR_RETURN(storage::Row count, tx.QueryOne("SELECT COUNT(*) FROM follows WHERE user_id = ?", {by.user_id}));
    if (count.Int(0) >= kMaxFollows) {
      return ResourceExhaustedError(
          Msg("you follow {} objects, the most there may be; unfollow some first", kMaxFollows));
    }
    return AddFollow(tx, by.user_id, key, clock_.Now());
  });
}

Status FollowService::Unfollow(const auth::Principal& by, std::string_view ref) {
  RETURN_IF_ERROR(CheckWriter(by));
  std::optional<ObjectRef> parsed = ParseRef(ref);
  if (!parsed) return InvalidArgumentError("a reference is kind:id, e.g. case:12", "ref");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return conn->Execute("DELETE FROM follows WHERE user_id = ? AND object_ref = ?", {by.user_id, parsed->ToString()})
      .status();
}

StatusOr<bool> FollowService::IsFollowing(const auth::Principal& by, std::string_view ref) {
  if (!by.has_account()) return false;
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto row, conn->QueryOptional("SELECT 1 FROM follows WHERE user_id = ? AND object_ref = ?",
                                                 {by.user_id, std::string(ref)}));
  return row.has_value();
}

StatusOr<std::vector<Followed>> FollowService::List(const auth::Principal& by) {
  if (!by.has_account()) return UnauthenticatedError("sign in to see what you follow");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r,
                   conn->Execute("SELECT object_ref, since FROM follows WHERE user_id = ? ORDER BY since DESC, "
                                 "object_ref LIMIT ?",
                                 {by.user_id, int64_t{kMaxFollows}}));
  std::vector<Followed> out;
  for (const auto& row : r.rows) out.push_back({row.Text(0), FromUnix(row.Int(1))});
  return out;
}

}  // namespace ningju::notify
