#include "platform/notify/mail.h"

#include "common/time.h"
#include "platform/delivery/outbox.h"
#include "storage/locking.h"

namespace ningju::notify {
namespace {

// Whether a person's address may get email now: verified, not switched off, the account in use.
bool Mailable(const storage::Row& r, size_t email, size_t disabled) { return !r.IsNull(email) && r.Int(disabled) == 0; }

}  // namespace

StatusOr<int> NotificationMail::MailNew() {
  int decided = 0;
  const Instant now = clock_.Now();
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    decided = 0;
    ASSIGN_OR_RETURN(
        storage::Result r,
        tx.Execute("SELECT " + NotificationColumns("n") +
                       ", n.user_id, u.email, u.disabled, u.email_mode, u.locale, (SELECT s.enabled FROM "
                       "notification_settings s WHERE s.user_id = n.user_id AND s.kind = n.kind AND s.channel = ?) "
                       "FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.mail_state = 'new' ORDER BY "
                       "n.id LIMIT ?",
                   {std::string(kEmailChannel), int64_t{kMailBatch}}));
    for (const auto& row : r.rows) {
      const Notification n = ReadNotification(row);
      const bool kind_on = row.IsNull(13) || row.Int(13) != 0;
      const std::string mode = row.Text(11);
      std::string next = "none";
      if (Mailable(row, 9, 10) && kind_on && !n.read) {
        if (mode == "each") next = "mailed";
        if (mode == "daily") next = "digest";
      }
      // Conditional: a second runner that read the same rows finds them decided (on PostgreSQL it waits for the
      // first one's commit, then updates nothing) and writes no second email.
      ASSIGN_OR_RETURN(
          storage::Result claim,
          tx.Execute("UPDATE notifications SET mail_state = ? WHERE id = ? AND mail_state = 'new'", {next, n.id}));
      if (claim.rows_affected != 1) continue;
      ++decided;
      if (next != "mailed") continue;
      const MailText text = renderer_.one(row.Text(12), n);
      RETURN_IF_ERROR(delivery::Enqueue(
                          tx, {row.Int(8), delivery::kEmail, row.Text(9), text.subject, text.body, "notification"}, now)
                          .status());
    }
    return OkStatus();
  }));
  return decided;
}

StatusOr<int> NotificationMail::SendDigests() {
  const Instant now = clock_.Now();
  const Instant local = now + kShanghaiOffset;
  const auto hour = std::chrono::floor<std::chrono::hours>(local - std::chrono::floor<std::chrono::days>(local));
  if (hour.count() < kDigestHour) return 0;
  const std::string day = FormatShanghaiDate(now);
  int sent = 0;
  // Batch by batch: a claimed person leaves the query (their notifications are decided), so each batch is new.
  for (int batch = 0; batch < kDigestBatchesPerRun; ++batch) {
    std::vector<int64_t> users;
    {
      ASSIGN_OR_RETURN(auto conn, db_.Acquire());
      ASSIGN_OR_RETURN(storage::Result r,
                       conn->Execute("SELECT DISTINCT n.user_id FROM notifications n WHERE n.mail_state = 'digest' "
                                     "AND NOT EXISTS (SELECT 1 FROM notify_digests d WHERE d.user_id = n.user_id AND "
                                     "d.last_day = ?) ORDER BY n.user_id LIMIT ?",
                                     {day, int64_t{kDigestUsersPerBatch}}));
      for (const auto& row : r.rows) users.push_back(row.Int(0));
    }
    for (int64_t user : users) {
      ASSIGN_OR_RETURN(bool mine, DigestFor(user, day));
      sent += mine ? 1 : 0;
    }
    if (static_cast<int>(users.size()) < kDigestUsersPerBatch) break;
  }
  return sent;
}

StatusOr<bool> NotificationMail::DigestFor(int64_t user_id, const std::string& day) {
  bool enqueued = false;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    enqueued = false;
    // Today's digest claimed once: of two runners, the second's upsert changes nothing (its WHERE is false).
    ASSIGN_OR_RETURN(storage::Result claim,
                     tx.Execute("INSERT INTO notify_digests (user_id, last_day) VALUES (?, ?) ON CONFLICT (user_id) DO "
                                "UPDATE SET last_day = excluded.last_day WHERE notify_digests.last_day <> "
                                "excluded.last_day",
                                {user_id, day}));
    if (claim.rows_affected != 1) return OkStatus();
    ASSIGN_OR_RETURN(storage::Row user,
                     tx.QueryOne("SELECT email, disabled, email_mode, locale FROM users WHERE id = ?", {user_id}));
    ASSIGN_OR_RETURN(storage::Result r,
                     tx.Execute("SELECT " + NotificationColumns("n") +
                                    " FROM notifications n WHERE n.user_id = ? AND n.mail_state = 'digest' ORDER BY "
                                    "n.id",
                                {user_id}));
    std::vector<Notification> unread;
    int64_t more = 0;
    for (const auto& row : r.rows) {
      Notification n = ReadNotification(row);
      if (n.read) continue;
      if (static_cast<int>(unread.size()) < kDigestMaxItems) {
        unread.push_back(std::move(n));
      } else {
        ++more;
      }
    }
    // An address removed or switched off since: the waiting ones are dropped with no email.
    const bool send = !unread.empty() && Mailable(user, 0, 1) && user.Text(2) != "off";
    RETURN_IF_ERROR(
        tx.Execute("UPDATE notifications SET mail_state = CASE WHEN read_at = 0 AND ? = 1 THEN 'mailed' "
                   "ELSE 'none' END WHERE user_id = ? AND mail_state = 'digest'",
                   {int64_t{send ? 1 : 0}, user_id}));
    if (!send) return OkStatus();
    const MailText text = renderer_.digest(user.Text(3), unread, more);
    RETURN_IF_ERROR(delivery::Enqueue(tx, {user_id, delivery::kEmail, user.Text(0), text.subject, text.body, "digest"},
                                      clock_.Now())
                        .status());
    enqueued = true;
    return OkStatus();
  }));
  return enqueued;
}

}  // namespace ningju::notify
