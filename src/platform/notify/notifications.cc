#include "platform/notify/notifications.h"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "common/message.h"
#include "common/text_util.h"
#include "common/time.h"
#include "platform/notify/follows.h"
#include "storage/locking.h"

namespace ningju::notify {
namespace {

constexpr int64_t kWatermarkLagSeconds = 3600;  // notify_state: only events older than this move the watermark

}  // namespace

std::string NotificationColumns(std::string_view alias) {
  std::string out;
  for (const char* column : {"id", "object_ref", "kind", "reason", "title", "created_at", "read_at", "path"}) {
    if (!out.empty()) out += ", ";
    if (!alias.empty()) out += std::string(alias) + ".";
    out += column;
  }
  return out;
}

Notification ReadNotification(const storage::Row& r) {
  Notification n;
  n.id = r.Int(0);
  n.object_ref = r.Text(1);
  n.kind = r.Text(2);
  n.reason = r.Text(3);
  n.title = r.Text(4);
  n.created_at = FromUnix(r.Int(5));
  n.read = r.Int(6) != 0;
  n.path = r.Text(7);
  return n;
}

nlohmann::json Notification::ToJson() const {
  return {{"id", id},       {"object_ref", object_ref},
          {"kind", kind},   {"reason", reason},
          {"title", title}, {"path", path},
          {"read", read},   {"created_at", FormatUtc(created_at)}};
}

StatusOr<NotificationService::FanOutResult> NotificationService::FanOut() {
  std::vector<record::Event> events;
  {
    ASSIGN_OR_RETURN(auto conn, db_.Acquire());
    ASSIGN_OR_RETURN(storage::Row state, conn->QueryOne("SELECT watermark FROM notify_state WHERE id = 1"));
    ASSIGN_OR_RETURN(storage::Result r,
                     conn->Execute("SELECT e.id, e.object_ref, e.at, e.actor_id, e.kind, e.note, e.data FROM events e "
                                   "WHERE e.id > ? AND NOT EXISTS (SELECT 1 FROM notify_fanned f WHERE f.event_id = "
                                   "e.id) ORDER BY e.id LIMIT ?",
                                   {state.Int(0), int64_t{kFanOutBatch}}));
    for (const auto& row : r.rows) {
      events.push_back(
          {row.Int(0), row.Text(1), FromUnix(row.Int(2)), row.OptInt(3), row.Text(4), row.Text(5), row.Text(6)});
    }
  }
  FanOutResult result;
  result.waiting = static_cast<int>(events.size());
  // One event's failure (its object's service failing) does not hold up the others: it stays waiting for the next
  // run, and the job's last_error shows the first failure.
  Status first_failure;
  for (const record::Event& e : events) {
    StatusOr<bool> mine = FanOutOne(e);
    if (!mine.ok()) {
      spdlog::warn("notify: event {} ({} {}) not fanned out: {}", e.id, e.object_ref, e.kind, mine.status().ToString());
      if (first_failure.ok()) first_failure = mine.status();
      continue;
    }
    result.fanned += *mine ? 1 : 0;
  }
  RETURN_IF_ERROR(AdvanceWatermark());
  RETURN_IF_ERROR(first_failure);
  return result;
}

StatusOr<std::vector<NotificationService::Recipient>> NotificationService::RecipientsOf(const record::Event& event,
                                                                                        const ObjectKind& kind,
                                                                                        int64_t id) {
  std::vector<Recipient> candidates;
  std::set<int64_t> seen;
  if (event.actor_id) seen.insert(*event.actor_id);  // never the one who acted
  // The concerned first (a reporter who also follows reads "concerns you"); the kind's function takes its own
  // connection, so none is held here.
  if (kind.Concerns(event.kind)) {
    ASSIGN_OR_RETURN(std::vector<int64_t> concerned, kind.concerned(event, id));
    for (int64_t u : concerned) {
      if (seen.insert(u).second) candidates.push_back({u, "concerned"});
    }
  }
  std::set<int64_t> muted;
  {
    ASSIGN_OR_RETURN(auto conn, db_.Acquire());
    ASSIGN_OR_RETURN(std::vector<int64_t> followers, Followers(*conn, event.object_ref));
    for (int64_t u : followers) {
      if (seen.insert(u).second) candidates.push_back({u, "follow"});
    }
    ASSIGN_OR_RETURN(storage::Result off, conn->Execute("SELECT user_id FROM notification_settings WHERE kind = ? AND "
                                                        "channel = ? AND enabled = 0",
                                                        {kind.kind + "." + event.kind, std::string(kSiteChannel)}));
    for (const auto& row : off.rows) muted.insert(row.Int(0));
  }
  std::vector<Recipient> out;
  for (const Recipient& r : candidates) {
    if (muted.count(r.user_id)) continue;
    StatusOr<auth::Principal> who = principals_(r.user_id);
    if (!who.ok()) {
      if (who.status().code() == StatusCode::kUnauthenticated || who.status().code() == StatusCode::kNotFound) {
        continue;  // a disabled or removed account
      }
      return who.status();
    }
    // Visibility now, as the person would be checked opening the page: a private case never reaches a stranger.
    ASSIGN_OR_RETURN(bool visible, kind.visible(*who, id));
    if (visible) out.push_back(r);
  }
  return out;
}

StatusOr<bool> NotificationService::FanOutOne(const record::Event& event) {
  std::vector<Recipient> recipients;
  std::string title;
  std::string path;
  std::optional<ObjectRef> ref = ParseRef(event.object_ref);
  const ObjectKind* kind = ref ? kinds_.Find(ref->kind) : nullptr;
  if (kind && kind->Notifies(event.kind)) {
    ASSIGN_OR_RETURN(recipients, RecipientsOf(event, *kind, ref->id));
    if (!recipients.empty()) {
      StatusOr<std::string> t = kind->title(ref->id);
      if (t.ok()) title = std::move(t).value();
      path = kind->path(ref->id);
    }
  }
  bool mine = false;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    mine = false;
    // An event at or below the watermark was fanned out and its notify_fanned row may be pruned already (another
    // runner's AdvanceWatermark while this one worked out the recipients): claiming it again would fan it out twice.
    // The shared lock waits for a watermark move under way (it holds the row FOR NO KEY UPDATE) and lets other
    // runners' claims through; on SQLite BEGIN IMMEDIATE already lets one writer in at a time.
    ASSIGN_OR_RETURN(storage::Row state,
                     tx.QueryOne(std::string("SELECT watermark FROM notify_state WHERE id = 1") +
                                 (tx.dialect() == storage::Dialect::kPostgres ? " FOR SHARE" : "")));
    if (event.id <= state.Int(0)) return OkStatus();
    ASSIGN_OR_RETURN(storage::Result claim,
                     tx.Execute("INSERT INTO notify_fanned (event_id) VALUES (?) ON CONFLICT DO NOTHING", {event.id}));
    if (claim.rows_affected != 1) return OkStatus();  // another runner fanned it out
    mine = true;
    const std::string notification_kind = kind ? kind->kind + "." + event.kind : "";
    for (const Recipient& r : recipients) {
      RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO notifications (user_id, event_id, object_ref, kind, reason, title, "
          "path, created_at, mail_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'new') ON CONFLICT DO NOTHING",
          {r.user_id, event.id, event.object_ref, notification_kind, r.reason, title, path, ToUnix(event.at)}));
    }
    return OkStatus();
  }));
  return mine;
}

Status NotificationService::AdvanceWatermark() {
  const int64_t cutoff = ToUnix(clock_.Now()) - kWatermarkLagSeconds;
  return db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(storage::Row state,
                     tx.QueryOne("SELECT watermark FROM notify_state WHERE id = 1" + storage::ForUpdate(tx.dialect())));
    const int64_t watermark = state.Int(0);
    ASSIGN_OR_RETURN(storage::Row first,
                     tx.QueryOne("SELECT MIN(e.id) FROM events e WHERE e.id > ? AND NOT EXISTS (SELECT 1 FROM "
                                 "notify_fanned f WHERE f.event_id = e.id)",
                                 {watermark}));
    ASSIGN_OR_RETURN(storage::Row old,
                     tx.QueryOne("SELECT MAX(id) FROM events WHERE id > ? AND at < ?", {watermark, cutoff}));
    if (old.IsNull(0)) return OkStatus();
    int64_t next = old.Int(0);
    if (!first.IsNull(0)) next = std::min(next, first.Int(0) - 1);
    if (next <= watermark) return OkStatus();
    RETURN_IF_ERROR(tx.Execute("UPDATE notify_state SET watermark = ? WHERE id = 1", {next}));
    return tx.Execute("DELETE FROM notify_fanned WHERE event_id <= ?", {next}).status();
  });
}

StatusOr<NotificationPage> NotificationService::List(const auth::Principal& viewer, std::string_view cursor, int limit,
                                                     bool unread_only) {
  if (!viewer.has_account()) return UnauthenticatedError("sign in to read your notifications");
  if (limit < 1 || limit > 100) return InvalidArgumentError("limit must be between 1 and 100", "limit");
  std::string sql = "SELECT " + NotificationColumns() + " FROM notifications WHERE user_id = ?";
  storage::Params params = {viewer.user_id};
  if (unread_only) sql += " AND read_at = 0";
  if (!cursor.empty()) {
    auto keys = DecodeCursor(cursor, 1);
    if (!keys) return InvalidArgumentError("malformed cursor", "cursor");
    sql += " AND id < ?";
    params.push_back((*keys)[0]);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{limit} + 1);
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r, conn->Execute(sql, params));
  NotificationPage page;
  for (const auto& row : r.rows) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = EncodeCursor({page.items.back().id});
      break;
    }
    page.items.push_back(ReadNotification(row));
  }
  ASSIGN_OR_RETURN(storage::Row count, conn->QueryOne("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND "
                                                      "read_at = 0",
                                                      {viewer.user_id}));
  page.unread = count.Int(0);
  return page;
}

StatusOr<int64_t> NotificationService::UnreadCount(const auth::Principal& viewer) {
  if (!viewer.has_account()) return 0;
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Row count, conn->QueryOne("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND "
                                                      "read_at = 0",
                                                      {viewer.user_id}));
  return count.Int(0);
}

Status NotificationService::CheckWriter(const auth::Principal& by) const {
  if (!by.has_account()) return UnauthenticatedError("sign in to read your notifications");
  if (by.read_only()) return PermissionDeniedError("this token is read-only: it may only read (GET)");
  return OkStatus();
}

Status NotificationService::MarkRead(const auth::Principal& by, int64_t id) {
  RETURN_IF_ERROR(CheckWriter(by));
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto row,
                   conn->QueryOptional("SELECT 1 FROM notifications WHERE id = ? AND user_id = ?", {id, by.user_id}));
  if (!row) return NotFoundError(Msg("no notification {}", id));
  // One conditional statement: a second mark keeps the first time.
  return conn
      ->Execute("UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at = 0",
                {ToUnix(clock_.Now()), id, by.user_id})
      .status();
}

StatusOr<int64_t> NotificationService::MarkAllRead(const auth::Principal& by) {
  RETURN_IF_ERROR(CheckWriter(by));
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r,
                   conn->Execute("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at = 0",
                                 {ToUnix(clock_.Now()), by.user_id}));
  return r.rows_affected;
}

StatusOr<std::vector<Setting>> NotificationService::Settings(const auth::Principal& viewer) {
  if (!viewer.has_account()) return UnauthenticatedError("sign in to change your notifications");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(
      storage::Result r,
      conn->Execute("SELECT kind, channel, enabled FROM notification_settings WHERE user_id = ?", {viewer.user_id}));
  std::map<std::pair<std::string, std::string>, bool> stored;
  for (const auto& row : r.rows) stored[{row.Text(0), row.Text(1)}] = row.Int(2) != 0;
  std::vector<Setting> out;
  for (const std::string& kind : kinds_.NotificationKinds()) {
    for (const char* channel : {kSiteChannel, kEmailChannel}) {
      auto it = stored.find({kind, channel});
      out.push_back({kind, channel, it == stored.end() || it->second});
    }
  }
  return out;
}

Status NotificationService::SaveSettings(const auth::Principal& by, const std::vector<std::string>& site,
                                         const std::vector<std::string>& email) {
  RETURN_IF_ERROR(CheckWriter(by));
  const std::vector<std::string> all = kinds_.NotificationKinds();
  std::set<std::pair<std::string, std::string>> on;
  for (const auto& [channel, kinds] :
       {std::pair<std::string, const std::vector<std::string>*>{kSiteChannel, &site}, {kEmailChannel, &email}}) {
    for (const std::string& k : *kinds) {
      if (!std::binary_search(all.begin(), all.end(), k)) return InvalidArgumentError(Msg("no kind {}", k), "kind");
      on.insert({k, channel});
    }
  }
  return db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("DELETE FROM notification_settings WHERE user_id = ?", {by.user_id}));
    for (const std::string& kind : all) {
      for (const char* channel : {kSiteChannel, kEmailChannel}) {
        if (on.count({kind, channel})) continue;  // on is the default: no row
        RETURN_IF_ERROR(
            tx.Execute("INSERT INTO notification_settings (user_id, kind, channel, enabled) VALUES (?, ?, ?, 0)",
                       {by.user_id, kind, std::string(channel)}));
      }
    }
    return OkStatus();
  });
}

}  // namespace ningju::notify
