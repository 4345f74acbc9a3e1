// The platform's first searchable kinds. Each visibility condition is the one its module's own pages use, asked of
// the one policy over the object's row: a case as kViewCase (staff, reporter, follower, an assigned unit, or anyone
// when public); a meeting or a ballot to everyone once out of draft, and while a draft only to who manages it;
// elevator projects and areas are public.
#include "platform/search/search.h"

namespace ningju::search {
namespace {

namespace policy = auth::policy;
using policy::Condition;
using policy::Operand;

Condition Exists(const std::string& from_where, Condition inner) {
  inner.sql = "EXISTS (SELECT 1 FROM " + from_where + " AND (" + inner.sql + "))";
  return inner;
}

Condition CaseVisible(const auth::Principal& p) {
  policy::Subject s;
  s.area = Operand::Column("c.area_id");
  s.person = Operand::Column("c.reporter_id");
  s.case_id = Operand::Column("c.id");
  s.handling_unit = Operand::Column("c.lead_unit_id");
  s.is_public = Operand::Column("c.is_public");
  return Exists("cases c WHERE c.id = d.object_id", policy::Filter(p, policy::Action::kViewCase, s));
}

// Out of draft, or managed by `p` (kManageMeeting / kManageBallot over the row's columns).
Condition NotDraftOrManaged(const std::string& alias, Condition manage) {
  manage.sql = alias + ".state <> 'draft' OR " + manage.sql;
  return manage;
}

Condition MeetingVisible(const auth::Principal& p) {
  policy::Subject s;
  s.area = Operand::Column("m.area_id");
  s.person = Operand::Column("m.convener_id");
  return Exists("meetings m WHERE m.id = d.object_id",
                NotDraftOrManaged("m", policy::Filter(p, policy::Action::kManageMeeting, s)));
}

Condition BallotVisible(const auth::Principal& p) {
  policy::Subject s;
  s.area = Operand::Column("b.area_id");
  return Exists("ballots b WHERE b.id = d.object_id",
                NotDraftOrManaged("b", policy::Filter(p, policy::Action::kManageBallot, s)));
}

// Public kinds: anyone, while the row exists (a removed object's document is never shown).
Condition ElevatorVisible(const auth::Principal&) {
  return Exists("elevator_projects e WHERE e.id = d.object_id", Condition::True());
}
Condition AreaVisible(const auth::Principal&) { return Exists("areas a WHERE a.id = d.object_id", Condition::True()); }

}  // namespace

Status RegisterBuiltinKinds(SearchRegistry& registry) {
  RETURN_IF_ERROR(
      registry.Register({"case", "SELECT id, area_id, title, description AS body FROM cases", CaseVisible, "/cases/"}));
  RETURN_IF_ERROR(
      registry.Register({"meeting", "SELECT id, area_id, subject AS title, description AS body FROM meetings",
                         MeetingVisible, "/meetings/"}));
  RETURN_IF_ERROR(registry.Register(
      {"ballot", "SELECT id, area_id, title, description AS body FROM ballots", BallotVisible, "/ballots/"}));
  RETURN_IF_ERROR(registry.Register({"elevator_project",
                                     "SELECT id, building_id AS area_id, title, plan_text AS body FROM "
                                     "elevator_projects",
                                     ElevatorVisible, "/elevator/"}));
  return registry.Register(
      {"area", "SELECT id, id AS area_id, name AS title, address AS body FROM areas", AreaVisible, "/areas/"});
}

}  // namespace ningju::search
