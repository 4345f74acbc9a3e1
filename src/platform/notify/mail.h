// Notifications by email: the fan-out (notifications.h) writes every notification 'new'; the job "notify.mail"
// decides each one's email from the person's settings at that moment (a verified address, email_mode, the kind's
// email setting) and writes it to the outbox (delivery/outbox.h) in the transaction that marks it 'mailed', so it
// is mailed exactly once however many runners there are. With email_mode 'daily' it waits as 'digest', and the job
// "notify.digest" sends each person one email a day after kDigestHour (Shanghai) with the unread ones.
#ifndef NINGJU_PLATFORM_NOTIFY_MAIL_H_
#define NINGJU_PLATFORM_NOTIFY_MAIL_H_

#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "platform/notify/notifications.h"
#include "storage/database.h"

namespace ningju::notify {

inline constexpr int kMailBatch = 200;            // notifications decided per MailNew call
inline constexpr int kDigestHour = 8;             // digests go out from 08:00 Shanghai time
inline constexpr int kDigestUsersPerBatch = 200;  // people read per query of SendDigests
inline constexpr int kDigestBatchesPerRun = 100;  // so one call sends at most 20,000 digests
inline constexpr int kDigestMaxItems = 50;        // notifications listed in one digest (the rest counted)

struct MailText {
  std::string subject;
  std::string body;
};
// Renders one notification's email, or a digest of several (`more`: those not listed), in `locale`.
struct MailRenderer {
  std::function<MailText(const std::string& locale, const Notification& n)> one;
  std::function<MailText(const std::string& locale, const std::vector<Notification>& items, int64_t more)> digest;
};

class NotificationMail {
 public:
  NotificationMail(storage::Database& db, const Clock& clock, MailRenderer renderer)
      : db_(db), clock_(clock), renderer_(std::move(renderer)) {}

  // Decides up to kMailBatch 'new' notifications; returns how many it decided (0: none waiting).
  StatusOr<int> MailNew();
  // From kDigestHour on, each person with notifications waiting as 'digest' and no digest yet today gets one
  // (only the unread ones; read ones are dropped). Returns the digests sent to the outbox.
  StatusOr<int> SendDigests();

 private:
  StatusOr<bool> DigestFor(int64_t user_id, const std::string& day);

  storage::Database& db_;
  const Clock& clock_;
  MailRenderer renderer_;
};

}  // namespace ningju::notify

#endif  // NINGJU_PLATFORM_NOTIFY_MAIL_H_
