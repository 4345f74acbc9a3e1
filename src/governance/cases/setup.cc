// What handling follows, kept by staff: the categories, the handling units and their members, the routing rules and
// the time limits (CaseService's "setup" calls in cases.h).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/text_util.h"
#include "governance/cases/case_policy.h"
#include "governance/cases/cases.h"
#include "governance/cases/checks.h"
#include "governance/cases/store.h"
#include "record/record.h"

namespace ningju::cases {

using internal::CheckText;
using internal::CheckUnit;
using internal::Contains;
using internal::Denied;
using internal::IsStaffFor;
using internal::Join;
using storage::Connection;
using storage::Row;

StatusOr<std::vector<Category>> CaseService::Categories() {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r, conn->Execute("SELECT code, name_zh, name_en, complex FROM case_categories "
                                                    "WHERE active = 1 ORDER BY sort_key, code"));
  std::vector<Category> out;
  for (const auto& row : r.rows) out.push_back({row.Text(0), row.Text(1), row.Text(2), row.Bool(3)});
  return out;
}

namespace {
constexpr char kUnitColumns[] = "id, code, name, kind, area_id, active";
HandlingUnit ReadUnit(const Row& r) { return {r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Bool(5)}; }
}  // namespace

StatusOr<std::vector<HandlingUnit>> CaseService::Units() {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r,
                   conn->Execute(std::string("SELECT ") + kUnitColumns + " FROM handling_units ORDER BY id"));
  std::vector<HandlingUnit> out;
  for (const auto& row : r.rows) out.push_back(ReadUnit(row));
  return out;
}

StatusOr<HandlingUnit> CaseService::GetUnit(int64_t unit_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(
      auto row,
      conn->QueryOptional(std::string("SELECT ") + kUnitColumns + " FROM handling_units WHERE id = ?", {unit_id}));
  if (!row) return NotFoundError(Msg("no handling unit {}", unit_id));
  return ReadUnit(*row);
}

StatusOr<std::vector<HandlingUnit>> CaseService::UnitsOf(int64_t user_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r,
                   conn->Execute("SELECT u.id, u.code, u.name, u.kind, u.area_id, u.active FROM handling_units u JOIN "
                                 "handling_unit_members m ON m.unit_id = u.id WHERE m.user_id = ? ORDER BY u.id",
                                 {user_id}));
  std::vector<HandlingUnit> out;
  for (const auto& row : r.rows) out.push_back(ReadUnit(row));
  return out;
}

StatusOr<HandlingUnit> CaseService::CreateUnit(const auth::Principal& by, const HandlingUnit& unit) {
  RETURN_IF_ERROR(CheckText(unit.name, "name", 100, true));
  RETURN_IF_ERROR(CheckText(unit.code, "code", 64, true));
  if (!Contains(UnitKinds(), unit.kind))
    return InvalidArgumentError(Msg("kind is one of {}", Join(UnitKinds())), "kind");
  HandlingUnit out;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(auto area, tx.QueryOptional("SELECT id FROM areas WHERE id = ?", {unit.area_id}));
    if (!area) return InvalidArgumentError(Msg("no area {}", unit.area_id), "area_id");
    ASSIGN_OR_RETURN(bool staff, IsStaffFor(tx, by, unit.area_id));
    if (!staff) return Denied(by, "only staff over the area create its handling units");
    ASSIGN_OR_RETURN(auto dup, tx.QueryOptional("SELECT id FROM handling_units WHERE code = ?", {unit.code}));
    if (dup) return AlreadyExistsError(Msg("a handling unit has the code {}", QuoteForMessage(unit.code)), "code");
    ASSIGN_OR_RETURN(Row row, tx.QueryOne("INSERT INTO handling_units (code, name, kind, area_id, active, created_at) "
                                          "VALUES (?, ?, ?, ?, 1, ?) RETURNING id",
                                          {unit.code, unit.name, unit.kind, unit.area_id, ToUnix(now)}));
    out = unit;
    out.id = row.Int(0);
    out.active = true;
    return record::Audit(tx, now, auth::ActorOf(by), "handling_unit.create", record::Ref("handling_unit", out.id),
                         {{"after", out.ToJson()}});
  }));
  return out;
}

Status CaseService::AddUnitMember(const auth::Principal& by, int64_t unit_id, int64_t user_id) {
  return db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(auto unit, tx.QueryOptional("SELECT area_id FROM handling_units WHERE id = ?", {unit_id}));
    if (!unit) return NotFoundError(Msg("no handling unit {}", unit_id));
    ASSIGN_OR_RETURN(bool staff, IsStaffFor(tx, by, unit->Int(0)));
    if (!staff) return Denied(by, "only staff over the unit's area add its members");
    ASSIGN_OR_RETURN(auto user, tx.QueryOptional("SELECT id FROM users WHERE id = ?", {user_id}));
    if (!user) return InvalidArgumentError(Msg("no user {}", user_id), "user_id");
    ASSIGN_OR_RETURN(auto dup, tx.QueryOptional("SELECT 1 FROM handling_unit_members WHERE unit_id = ? AND user_id = ?",
                                                {unit_id, user_id}));
    if (dup) return AlreadyExistsError(Msg("user {} is a member already", user_id), "user_id");
    RETURN_IF_ERROR(tx.Execute("INSERT INTO handling_unit_members (unit_id, user_id, added_at) VALUES (?, ?, ?)",
                               {unit_id, user_id, ToUnix(now)}));
    return record::Audit(tx, now, auth::ActorOf(by), "handling_unit.add_member", record::Ref("handling_unit", unit_id),
                         {{"user_id", user_id}});
  });
}

StatusOr<int64_t> CaseService::AddRoutingRule(const auth::Principal& by, const std::string& category, int64_t area_id,
                                              int64_t lead_unit_id, const std::vector<int64_t>& co_unit_ids) {
  int64_t id = 0;
  RETURN_IF_ERROR(db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(auto cat, tx.QueryOptional("SELECT 1 FROM case_categories WHERE code = ?", {category}));
    if (!cat) return InvalidArgumentError(Msg("unknown category {}", QuoteForMessage(category)), "category");
    ASSIGN_OR_RETURN(auto area, tx.QueryOptional("SELECT id FROM areas WHERE id = ?", {area_id}));
    if (!area) return InvalidArgumentError(Msg("no area {}", area_id), "area_id");
    ASSIGN_OR_RETURN(bool staff, IsStaffFor(tx, by, area_id));
    if (!staff) return Denied(by, "only staff over the area set its routing");
    RETURN_IF_ERROR(CheckUnit(tx, lead_unit_id, "lead_unit_id"));
    for (int64_t u : co_unit_ids) RETURN_IF_ERROR(CheckUnit(tx, u, "co_unit_ids"));
    RETURN_IF_ERROR(
        tx.Execute("DELETE FROM case_routing_rules WHERE category = ? AND area_id = ?", {category, area_id}));
    ASSIGN_OR_RETURN(Row row,
                     tx.QueryOne("INSERT INTO case_routing_rules (category, area_id, lead_unit_id, "
                                 "co_unit_ids, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                                 {category, area_id, lead_unit_id, nlohmann::json(co_unit_ids).dump(), ToUnix(now)}));
    id = row.Int(0);
    return record::Audit(tx, now, auth::ActorOf(by), "case_routing.set", record::Ref("area", area_id),
                         {{"category", category}, {"lead_unit_id", lead_unit_id}, {"co_unit_ids", co_unit_ids}});
  }));
  return id;
}

Status CaseService::SetTimeLimit(const auth::Principal& by, const std::string& stage, const std::string& type,
                                 const std::string& category, const std::string& urgency, const std::string& complexity,
                                 int amount, const std::string& unit) {
  if (stage != "dispatch" && stage != "sign" && stage != "reply") {
    return InvalidArgumentError("stage is dispatch, sign or reply", "stage");
  }
  if (type != "*" && !Contains(CaseTypes(), type)) return InvalidArgumentError("unknown type", "type");
  if (urgency != "*" && !Contains(Urgencies(), urgency)) return InvalidArgumentError("unknown urgency", "urgency");
  if (complexity != "*" && complexity != "ordinary" && complexity != "complex") {
    return InvalidArgumentError("complexity is ordinary, complex or *", "complexity");
  }
  if (unit != "hours" && unit != "working_days") return InvalidArgumentError("unit is hours or working_days", "unit");
  if (amount < 1 || amount > (unit == "hours" ? 24 * 365 : 365)) {
    return InvalidArgumentError("amount is out of range", "amount");
  }
  return db_.InTransaction([&](Connection& tx) -> Status {
    const Instant now = clock_.Now();
    if (category != "*") {
      ASSIGN_OR_RETURN(auto cat, tx.QueryOptional("SELECT 1 FROM case_categories WHERE code = ?", {category}));
      if (!cat) return InvalidArgumentError(Msg("unknown category {}", QuoteForMessage(category)), "category");
    }
    ASSIGN_OR_RETURN(auto root, tx.QueryOptional("SELECT id FROM areas WHERE parent_id IS NULL ORDER BY id LIMIT 1"));
    bool admin = by.is_system();
    if (!admin && root) {
      ASSIGN_OR_RETURN(admin, IsStaffFor(tx, by, root->Int(0)));
    }
    if (!admin) return Denied(by, "only district admins set time limits");
    RETURN_IF_ERROR(
        tx.Execute("DELETE FROM case_time_limits WHERE stage = ? AND case_type = ? AND category = ? AND "
                   "urgency = ? AND complexity = ?",
                   {stage, type, category, urgency, complexity}));
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO case_time_limits (stage, case_type, category, urgency, complexity, "
                   "amount, unit) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   {stage, type, category, urgency, complexity, int64_t{amount}, unit}));
    return record::Audit(tx, now, auth::ActorOf(by), "case_time_limit.set", "case_time_limits",
                         {{"stage", stage},
                          {"type", type},
                          {"category", category},
                          {"urgency", urgency},
                          {"complexity", complexity},
                          {"amount", amount},
                          {"unit", unit}});
  });
}

}  // namespace ningju::cases
