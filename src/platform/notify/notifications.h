// Notifications: the events the services already write (the events timeline, record::AddEvent) turned into one row
// per person, for the object's followers and for those the event concerns (ObjectKind::concerned), never for the one
// who acted, never for someone who may not see the object at the time of the fan-out, and only where the person's
// setting for the kind and channel is on (the default).
//
// FanOut runs as the background job "notify.fanout" (src/app/jobs.h). It reads a batch of events not yet fanned out,
// works out each one's recipients with no connection held (the kinds' functions take their own), and writes each
// event's notifications in one transaction together with the event's notify_fanned row; a second runner that worked
// on the same event finds that row and writes nothing, and the unique index (user_id, event_id) stands behind it.
// So an event is fanned out exactly once however many servers run the job.
#ifndef NINGJU_PLATFORM_NOTIFY_NOTIFICATIONS_H_
#define NINGJU_PLATFORM_NOTIFY_NOTIFICATIONS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/roles.h"
#include "common/clock.h"
#include "common/status.h"
#include "platform/notify/kinds.h"
#include "storage/database.h"

namespace ningju::notify {

inline constexpr char kSiteChannel[] = "site";
inline constexpr char kEmailChannel[] = "email";
inline constexpr int kFanOutBatch = 200;          // events per FanOut call
inline constexpr int kFanOutIntervalSeconds = 1;  // the job's interval (it also waits for the runner's poll)

struct Notification {
  int64_t id = 0;
  std::string object_ref;
  std::string kind;    // "case.reply"
  std::string reason;  // "follow" or "concerned"
  std::string title;
  std::string path;  // the object's page
  Instant created_at;
  bool read = false;
  nlohmann::json ToJson() const;
};

// The columns of `notifications` that ReadNotification reads, in its order, qualified by `alias` when one is given
// ("n" -> "n.id, n.object_ref, ...").
std::string NotificationColumns(std::string_view alias = "");
// A notification from a row whose first columns are NotificationColumns().
Notification ReadNotification(const storage::Row& row);

struct NotificationPage {
  std::vector<Notification> items;
  std::string next_cursor;  // empty on the last page
  int64_t unread = 0;       // all the person's unread notifications
};

struct Setting {
  std::string kind;
  std::string channel;
  bool enabled = true;
};

// Loads the principal of an account for the visibility check (a disabled account: kUnauthenticated, skipped).
using PrincipalLoader = std::function<StatusOr<auth::Principal>(int64_t user_id)>;

class NotificationService {
 public:
  // `kinds` must outlive the service.
  NotificationService(storage::Database& db, const Clock& clock, const Kinds& kinds, PrincipalLoader principals)
      : db_(db), clock_(clock), kinds_(kinds), principals_(std::move(principals)) {}

  // Fans out up to kFanOutBatch events.
  struct FanOutResult {
    int waiting = 0;  // the events this call found waiting (0: none; a backlog drains until a call finds none)
    int fanned = 0;   // those this call fanned out (the others another runner did meanwhile)
  };
  StatusOr<FanOutResult> FanOut();

  // The person's notifications, newest first, `limit` (1..100) after `cursor`; only unread ones when `unread_only`.
  StatusOr<NotificationPage> List(const auth::Principal& viewer, std::string_view cursor, int limit, bool unread_only);
  // 0 for an anonymous principal.
  StatusOr<int64_t> UnreadCount(const auth::Principal& viewer);
  // kNotFound unless the notification is the viewer's own. Marking twice is fine.
  Status MarkRead(const auth::Principal& by, int64_t id);
  // Returns how many were unread.
  StatusOr<int64_t> MarkAllRead(const auth::Principal& by);

  // Every notification kind with the person's setting per channel: kSiteChannel (whether the kind notifies at all)
  // and "email" (whether a notification of the kind also comes by email, mail.h), kind by kind.
  StatusOr<std::vector<Setting>> Settings(const auth::Principal& viewer);
  // Sets both channels of every kind: on for the kinds in `site` and `email`, off for the others. kInvalidArgument
  // (field "kind") for a kind nobody registered.
  Status SaveSettings(const auth::Principal& by, const std::vector<std::string>& site,
                      const std::vector<std::string>& email);

  const Kinds& kinds() const { return kinds_; }

 private:
  struct Recipient {
    int64_t user_id;
    std::string reason;
  };
  // Fans out one event: recipients worked out first, then one transaction. False when another runner had done it.
  StatusOr<bool> FanOutOne(const record::Event& event);
  StatusOr<std::vector<Recipient>> RecipientsOf(const record::Event& event, const ObjectKind& kind, int64_t id);
  Status AdvanceWatermark();
  Status CheckWriter(const auth::Principal& by) const;

  storage::Database& db_;
  const Clock& clock_;
  const Kinds& kinds_;
  PrincipalLoader principals_;
};

}  // namespace ningju::notify

#endif  // NINGJU_PLATFORM_NOTIFY_NOTIFICATIONS_H_
