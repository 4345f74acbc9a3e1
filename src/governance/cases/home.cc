// The cases card of the home page (cases.h CaseHome): every list and count goes through List's SQL, so the policy's
// visibility filter applies to each (a private case is never counted for another resident).
#include "auth/policy.h"
#include "governance/cases/cases.h"

namespace ningju::cases {

namespace policy = auth::policy;

namespace {

constexpr size_t kMaxInboxes = 10;

std::vector<CaseState> OpenStates() {
  std::vector<CaseState> open;
  for (CaseState s : AllStates()) {
    if (s != CaseState::kRejected && s != CaseState::kClosed && s != CaseState::kAnswered &&
        s != CaseState::kFollowedUp) {
      open.push_back(s);
    }
  }
  return open;
}

}  // namespace

StatusOr<int64_t> CaseService::Count(const auth::Principal& viewer, const CaseFilter& filter) {
  storage::Params params;
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(std::string sql, ListSql(*conn, viewer, filter, &params));
  ASSIGN_OR_RETURN(storage::Row row, conn->QueryOne("SELECT COUNT(*) FROM (" + sql + ") counted", params));
  return row.Int(0);
}

StatusOr<std::vector<int64_t>> CaseService::IntakeUnitsOf(const auth::Principal& viewer) {
  policy::Subject columns;
  columns.area = policy::Operand::Column("u.area_id");
  policy::Condition staff = policy::Filter(viewer, policy::Action::kActOnCaseAsStaff, columns);
  std::vector<int64_t> ids;
  if (staff.is_false() || viewer.is_system()) return ids;  // the system has no inbox of its own
  storage::Params params = staff.params;
  params.push_back(static_cast<int64_t>(kMaxInboxes));
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r,
                   conn->Execute("SELECT u.id FROM handling_units u WHERE u.active = 1 AND u.kind IN "
                                 "('neighborhood_committee', 'subdistrict_office') AND " +
                                     staff.sql + " ORDER BY u.id LIMIT ?",
                                 params));
  for (const auto& row : r.rows) ids.push_back(row.Int(0));
  return ids;
}

StatusOr<CaseHome> CaseService::Home(const auth::Principal& viewer, int limit) {
  if (limit < 1 || limit > 20) return InvalidArgumentError("limit is 1 to 20", "limit");
  CaseHome home;
  if (!viewer.signed_in()) {
    CaseFilter f;
    f.public_only = true;
    ASSIGN_OR_RETURN(auto page, List(viewer, f, "", limit));
    home.recent_public = std::move(page.items);
    return home;
  }
  CaseFilter mine;
  mine.mine = true;
  mine.states = OpenStates();
  ASSIGN_OR_RETURN(auto open, List(viewer, mine, "", limit));
  home.open = std::move(open.items);
  CaseFilter rate;
  rate.reported = true;
  rate.states = {CaseState::kReplied, CaseState::kAnswered};
  ASSIGN_OR_RETURN(auto to_rate, List(viewer, rate, "", limit));
  home.to_rate = std::move(to_rate.items);
  // The units whose inbox is the viewer's, read and released before each inbox takes its own connection.
  std::vector<HandlingUnit> units;
  ASSIGN_OR_RETURN(units, UnitsOf(viewer.user_id));
  ASSIGN_OR_RETURN(std::vector<int64_t> intake, IntakeUnitsOf(viewer));
  for (int64_t id : intake) {
    bool known = false;
    for (const auto& u : units) known = known || u.id == id;
    if (known) continue;
    ASSIGN_OR_RETURN(HandlingUnit u, GetUnit(id));
    units.push_back(std::move(u));
  }
  if (units.size() > kMaxInboxes) units.resize(kMaxInboxes);
  for (auto& u : units) {
    ASSIGN_OR_RETURN(InboxView view, Inbox(viewer, u.id, "", 1));
    home.inboxes.push_back({std::move(u), view.open, view.overdue, view.due_today});
  }
  CaseFilter waiting;
  waiting.as_staff = true;
  waiting.state = CaseState::kSubmitted;
  ASSIGN_OR_RETURN(home.awaiting_acceptance, Count(viewer, waiting));
  return home;
}

}  // namespace ningju::cases
