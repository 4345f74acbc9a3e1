// Following: anyone signed in follows any object they may see (its kind's `visible`, which asks the one policy) and
// unfollows it again. Keyed by the object's reference, so every kind registered in Kinds is followable. A follow
// grants nothing (the policy's "follows the case" is "me too", case_followers); it only subscribes to the object's
// events.
#ifndef NINGJU_PLATFORM_NOTIFY_FOLLOWS_H_
#define NINGJU_PLATFORM_NOTIFY_FOLLOWS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/roles.h"
#include "common/clock.h"
#include "common/status.h"
#include "platform/notify/kinds.h"
#include "storage/database.h"

namespace ningju::notify {

// The most objects one person follows through Follow (a "me too" follows its case beyond it); List shows them all.
inline constexpr int kMaxFollows = 500;

// Inside a module's own transaction: `user_id` follows `ref` (nothing when they do already). "Me too" calls it.
Status AddFollow(storage::Connection& tx, int64_t user_id, std::string_view ref, Instant now);
// The accounts following `ref`, in id order.
StatusOr<std::vector<int64_t>> Followers(storage::Connection& conn, std::string_view ref);

struct Followed {
  std::string ref;
  Instant since;
};

class FollowService {
 public:
  // `kinds` must outlive the service.
  FollowService(storage::Database& db, const Clock& clock, const Kinds& kinds)
      : db_(db), clock_(clock), kinds_(kinds) {}

  // kUnauthenticated when anonymous, kPermissionDenied for a read-only token, kInvalidArgument (field "ref") for a
  // malformed reference, kNotFound for a kind nobody registered or an object `by` may not see, kResourceExhausted
  // when `by` follows kMaxFollows objects already. Following twice is fine.
  Status Follow(const auth::Principal& by, std::string_view ref);
  // Removes the follow, if any (also of an object no longer visible).
  Status Unfollow(const auth::Principal& by, std::string_view ref);
  // False for an anonymous principal.
  StatusOr<bool> IsFollowing(const auth::Principal& by, std::string_view ref);
  // What `by` follows, newest first, at most kMaxFollows.
  StatusOr<std::vector<Followed>> List(const auth::Principal& by);

  const Kinds& kinds() const { return kinds_; }

 private:
  Status CheckWriter(const auth::Principal& by) const;

  storage::Database& db_;
  const Clock& clock_;
  const Kinds& kinds_;
};

}  // namespace ningju::notify

#endif  // NINGJU_PLATFORM_NOTIFY_FOLLOWS_H_
