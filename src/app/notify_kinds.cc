#include "app/notify_kinds.h"

namespace ningju::app {
namespace {

// A service's read as a yes/no: refused or missing is "may not see"; any other failure is an error.
template <typename T>
StatusOr<bool> Seen(const StatusOr<T>& read) {
  if (read.ok()) return true;
  const StatusCode code = read.status().code();
  if (code == StatusCode::kNotFound || code == StatusCode::kPermissionDenied || code == StatusCode::kUnauthenticated) {
    return false;
  }
  return read.status();
}

std::function<std::string(int64_t)> PathOf(std::string prefix) {
  return [prefix = std::move(prefix)](int64_t id) { return prefix + std::to_string(id); };
}

// The accounts of one query's first column.
StatusOr<std::vector<int64_t>> Accounts(storage::Database& db, std::string_view sql, const storage::Params& params) {
  ASSIGN_OR_RETURN(auto conn, db.Acquire());
  ASSIGN_OR_RETURN(storage::Result r, conn->Execute(sql, params));
  std::vector<int64_t> out;
  for (const auto& row : r.rows) out.push_back(row.Int(0));
  return out;
}

void AddCases(notify::Kinds& kinds, const NotifySources& s) {
  notify::ObjectKind k;
  k.kind = "case";
  k.events = {"accept", "reject", "answer", "dispatch", "reply", "close", "reopen", "merged"};
  // The reporter hears of every step that answers them.
  k.concerning = {"accept", "reject", "answer", "reply", "close", "merged"};
  k.visible = [&c = s.cases](const auth::Principal& viewer, int64_t id) { return Seen(c.Get(viewer, id)); };
  k.title = [&c = s.cases](int64_t id) -> StatusOr<std::string> {
    ASSIGN_OR_RETURN(cases::CaseDetail d, c.Get(auth::Principal::System("notify"), id));
    return d.c.title;
  };
  k.path = PathOf("/cases/");
  k.concerned = [&c = s.cases](const record::Event&, int64_t id) -> StatusOr<std::vector<int64_t>> {
    ASSIGN_OR_RETURN(cases::CaseDetail d, c.Get(auth::Principal::System("notify"), id));
    if (!d.c.reporter_id) return std::vector<int64_t>{};
    return std::vector<int64_t>{*d.c.reporter_id};
  };
  kinds.Add(std::move(k));
}

void AddMeetings(notify::Kinds& kinds, const NotifySources& s) {
  notify::ObjectKind k;
  k.kind = "meeting";
  k.events = {"noticed", "changed", "cancelled", "minuted"};
  // The residents of the neighborhood hear of a notice, a change after it and a cancellation.
  k.concerning = {"noticed", "changed", "cancelled"};
  k.visible = [&m = s.meetings](const auth::Principal& viewer, int64_t id) { return Seen(m.Get(viewer, id)); };
  k.title = [&m = s.meetings](int64_t id) -> StatusOr<std::string> {
    ASSIGN_OR_RETURN(decisions::Meeting meeting, m.Get(auth::Principal::System("notify"), id));
    return meeting.subject;
  };
  k.path = PathOf("/meetings/");
  k.concerned = [&db = s.db, &m = s.meetings](const record::Event&, int64_t id) -> StatusOr<std::vector<int64_t>> {
    ASSIGN_OR_RETURN(decisions::Meeting meeting, m.Get(auth::Principal::System("notify"), id));
    return Accounts(db,
                    "SELECT DISTINCT user_id FROM role_grants WHERE role = 'resident' AND area_id = ? AND "
                    "revoked_at = 0 ORDER BY user_id",
                    {meeting.neighborhood_id});
  };
  kinds.Add(std::move(k));
}

void AddBallots(notify::Kinds& kinds, const NotifySources& s) {
  notify::ObjectKind k;
  k.kind = "ballot";
  k.events = {"opened", "closed"};
  k.concerning = {"opened", "closed"};  // the owners of the electorate frozen at opening, with an account
  k.visible = [&b = s.ballots](const auth::Principal&, int64_t id) { return Seen(b.Get(id)); };  // public pages
  k.title = [&b = s.ballots](int64_t id) -> StatusOr<std::string> {
    ASSIGN_OR_RETURN(decisions::OwnersBallot ballot, b.Get(id));
    return ballot.title;
  };
  k.path = PathOf("/ballots/");
  k.concerned = [&db = s.db](const record::Event&, int64_t id) {
    return Accounts(db,
                    "SELECT DISTINCT o.user_id FROM ballot_owners bo JOIN owners o ON o.id = bo.owner_id WHERE "
                    "bo.ballot_id = ? AND o.user_id IS NOT NULL ORDER BY o.user_id",
                    {id});
  };
  kinds.Add(std::move(k));
}

void AddElevator(notify::Kinds& kinds, const NotifySources& s) {
  notify::ObjectKind k;
  k.kind = "elevator";
  k.events = {"step_started", "ballot_started", "notice_published", "stopped", "completed"};
  k.visible = [&e = s.elevator](const auth::Principal&, int64_t id) { return Seen(e.Get(id)); };  // public pages
  k.title = [&e = s.elevator](int64_t id) -> StatusOr<std::string> {
    ASSIGN_OR_RETURN(decisions::Project p, e.Get(id));
    return p.title.empty() ? p.building_name : p.title;
  };
  // The project's own page: the building's (/areas/{id}/elevator) goes to its newest project, which is another one
  // once a stopped project is followed by a new one.
  k.path = PathOf("/elevator/");
  kinds.Add(std::move(k));
}

void AddAreas(notify::Kinds& kinds, const NotifySources& s) {
  notify::ObjectKind k;
  k.kind = "area";
  k.events = {"updated"};
  k.visible = [&a = s.areas](const auth::Principal&, int64_t id) { return Seen(a.Get(id)); };  // public pages
  k.title = [&a = s.areas](int64_t id) -> StatusOr<std::string> {
    ASSIGN_OR_RETURN(areas::Area area, a.Get(id));
    return area.name;
  };
  k.path = PathOf("/areas/");
  kinds.Add(std::move(k));
}

}  // namespace

void RegisterNotifyKinds(notify::Kinds& kinds, const NotifySources& s) {
  AddCases(kinds, s);
  AddMeetings(kinds, s);
  AddBallots(kinds, s);
  AddElevator(kinds, s);
  AddAreas(kinds, s);
}

}  // namespace ningju::app
