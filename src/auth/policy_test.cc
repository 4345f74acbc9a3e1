#include "auth/policy.h"

#include <gmock/gmock.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace ningju::auth::policy {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::ElementsAre;

// District 1 > subdistricts 2 and 4; neighborhood 3 below 2. Users 10 (staff of 2), 11 (a resident of 3), 12 (a
// member of handling unit 1). Units 1 and 2.
class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, ::ningju::testing::OpenTestDatabase());
    ASSERT_OK(db_->InTransaction([](storage::Connection& tx) -> Status {
      const char* areas[][3] = {
          {"1", "", "district"}, {"2", "1", "subdistrict"}, {"3", "2", "neighborhood"}, {"4", "1", "subdistrict"}};
      for (auto& a : areas) {
        RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO areas (id, parent_id, kind, code, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0)",
            {int64_t{std::stoi(a[0])}, *a[1] ? storage::Param(int64_t{std::stoi(a[1])}) : storage::Param(nullptr),
             std::string(a[2]), std::string("c") + a[0], std::string("area ") + a[0]}));
      }
      int64_t paths[][3] = {{1, 1, 0}, {2, 2, 0}, {3, 3, 0}, {4, 4, 0}, {1, 2, 1}, {1, 3, 2}, {2, 3, 1}, {1, 4, 1}};
      for (auto& p : paths) {
        RETURN_IF_ERROR(tx.Execute("INSERT INTO area_paths (ancestor_id, descendant_id, depth) VALUES (?, ?, ?)",
                                   {p[0], p[1], p[2]}));
      }
      for (int64_t user : {10, 11, 12}) {
        RETURN_IF_ERROR(
            tx.Execute("INSERT INTO users (id, username, display_name, password_hash, created_at) "
                       "VALUES (?, ?, 'u', 'x', 0)",
                       {user, "user" + std::to_string(user)}));
      }
      for (int64_t unit : {1, 2}) {
        RETURN_IF_ERROR(
            tx.Execute("INSERT INTO handling_units (id, code, name, kind, area_id, created_at) "
                       "VALUES (?, ?, 'unit', 'department', 1, 0)",
                       {unit, "hu" + std::to_string(unit)}));
      }
      return tx.Execute("INSERT INTO handling_unit_members (unit_id, user_id, added_at) VALUES (1, 12, 0)").status();
    }));
  }

  // The ids of `table`'s rows the filter keeps, and of those the one-object check allows: they must be equal.
  void ExpectCheckMatchesFilter(const std::string& table, const Condition& filter,
                                const std::function<Condition(int64_t)>& check, std::vector<int64_t> expected) {
    ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
    ASSERT_OK_AND_ASSIGN(
        storage::Result listed,
        conn->Execute("SELECT t.id FROM " + table + " t WHERE " + filter.sql + " ORDER BY t.id", filter.params));
    std::vector<int64_t> by_filter, by_check;
    for (const auto& row : listed.rows) by_filter.push_back(row.Int(0));
    ASSERT_OK_AND_ASSIGN(storage::Result all, conn->Execute("SELECT id FROM " + table + " ORDER BY id"));
    for (const auto& row : all.rows) {
      ASSERT_OK_AND_ASSIGN(bool held, Holds(*conn, check(row.Int(0))));
      if (held) by_check.push_back(row.Int(0));
    }
    EXPECT_EQ(by_filter, expected);
    EXPECT_EQ(by_check, expected);
  }

  Status RequireOn(const Principal& p, Action a, int64_t area) {
    auto conn = db_->Acquire();
    if (!conn.ok()) return conn.status();
    return Require(**conn, p, a, Subject::Area(area));
  }

  std::unique_ptr<storage::Database> db_;
  const Principal staff_ = Principal::User(10, "staff", {{1, Role::kSubdistrictStaff, 2}});
  const Principal resident_ = Principal::User(11, "resident", {{2, Role::kResident, 3}});
  const Principal member_ = Principal::User(12, "member");
};

TEST(PolicyActions, EveryActionHasOneRowAndADistinctName) {
  std::set<std::string_view> names;
  for (Action a : AllActions()) {
    EXPECT_TRUE(names.insert(ActionName(a)).second) << ActionName(a);
    EXPECT_NE(ActionName(a), "");
  }
  EXPECT_EQ(names.size(), 16u);
  EXPECT_EQ(ActionName(AllActions().front()), "edit_area");
  EXPECT_FALSE(IsWrite(Action::kViewCase));
  EXPECT_TRUE(IsWrite(Action::kActOnCaseAsUnit));
}

TEST_F(PolicyTest, PermissionOverAreaCoversTheAreaAndItsDescendantsInCheckAndFilterAlike) {
  ExpectCheckMatchesFilter(
      "areas", HoldsPermission(staff_, Permission::kEditArea, Operand::Column("t.id")),
      [&](int64_t id) { return HoldsPermission(staff_, Permission::kEditArea, Operand::Value(id)); }, {2, 3});
  // A resident's grant carries no staff permission: nothing, without a query.
  EXPECT_TRUE(HoldsPermission(resident_, Permission::kEditArea, Operand::Column("t.id")).is_false());
  EXPECT_TRUE(HoldsPermission(Principal::System("test"), Permission::kEditArea, Operand::Value(4)).is_true());
}

TEST_F(PolicyTest, UnitMembershipInCheckAndFilterAlike) {
  ExpectCheckMatchesFilter("handling_units", InUnit(member_, Operand::Column("t.id")),
                           [&](int64_t id) { return InUnit(member_, Operand::Value(id)); }, {1});
  ExpectCheckMatchesFilter("handling_units", InUnit(staff_, Operand::Column("t.id")),
                           [&](int64_t id) { return InUnit(staff_, Operand::Value(id)); }, {});
  EXPECT_TRUE(InUnit(Principal::Anonymous(), Operand::Value(1)).is_false());
}

TEST_F(PolicyTest, IsAccountInCheckAndFilterAlike) {
  ExpectCheckMatchesFilter("users", IsAccount(resident_, Operand::Column("t.id")),
                           [&](int64_t id) { return IsAccount(resident_, Operand::Value(id)); }, {11});
  // The system is no one's account; an absent person matches nobody.
  EXPECT_TRUE(IsAccount(Principal::System("test"), Operand::Value(11)).is_false());
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(bool held, Holds(*conn, IsAccount(resident_, Operand::Null())));
  EXPECT_FALSE(held);
}

TEST_F(PolicyTest, RequireAnswersUnauthenticatedDeniedOrOk) {
  EXPECT_OK(RequireOn(staff_, Action::kEditArea, 3));
  EXPECT_THAT(RequireOn(staff_, Action::kEditArea, 4), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(RequireOn(staff_, Action::kGrantRoles, 2), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(RequireOn(resident_, Action::kViewRoster, 3), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(RequireOn(Principal::Anonymous(), Action::kEditArea, 3), StatusIs(StatusCode::kUnauthenticated));
  for (Action a : AllActions()) {
    EXPECT_TRUE(RequireOn(Principal::System("test"), a, 4).ok()) << ActionName(a);
  }
}

TEST_F(PolicyTest, AReadOnlyTokenReadsButNeverWrites) {
  const Principal token = Principal::Token(10, 5, TokenScope::kRead, "staff", staff_.grants);
  EXPECT_TRUE(token.read_only());
  EXPECT_OK(RequireOn(token, Action::kViewRoster, 3));
  EXPECT_THAT(RequireOn(token, Action::kManageRoster, 3), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(RequireOn(token, Action::kEditArea, 3), StatusIs(StatusCode::kPermissionDenied));
  const Principal writer = Principal::Token(10, 6, TokenScope::kReadWrite, "staff", staff_.grants);
  EXPECT_OK(RequireOn(writer, Action::kManageRoster, 3));
}

TEST_F(PolicyTest, RequireSomewhereAsksThePermissionOverAnyAreaWithoutAQuery) {
  // Staff of subdistrict 2 manage ballots somewhere; a resident nowhere; a read-only token writes nothing.
  EXPECT_OK(RequireSomewhere(staff_, Action::kManageBallot));
  EXPECT_THAT(RequireSomewhere(resident_, Action::kManageBallot), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(RequireSomewhere(Principal::Anonymous(), Action::kManageBallot), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(
      RequireSomewhere(Principal::Token(10, 5, TokenScope::kRead, "staff", staff_.grants), Action::kManageBallot),
      StatusIs(StatusCode::kPermissionDenied));
  EXPECT_OK(RequireSomewhere(Principal::System("test"), Action::kGrantRoles));
  EXPECT_THAT(RequireSomewhere(staff_, Action::kGrantRoles), StatusIs(StatusCode::kPermissionDenied));
  // Relations are not asked: a resident who may convene a meeting does not create one.
  EXPECT_THAT(RequireSomewhere(resident_, Action::kManageMeeting), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(RequireSomewhere(member_, Action::kActOnCaseAsUnit), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(PolicyTest, AMeetingsConvenerManagesItWithoutAStaffRole) {
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  Subject own = Subject::Area(4);
  own.person = Operand::Value(int64_t{11});
  Subject other = Subject::Area(4);
  other.person = Operand::Value(int64_t{12});
  EXPECT_OK(Require(*conn, resident_, Action::kManageMeeting, own));
  EXPECT_THAT(Require(*conn, resident_, Action::kManageMeeting, other), StatusIs(StatusCode::kPermissionDenied));
}

// Cases 1 (public, reported by 11; its unit 1 assignment ended), 2 (private, reported by 10, currently with unit 1)
// and 3 (private, in subdistrict 4, no one's): user 11 follows case 2, user 12 is a member of unit 1.
class CasePolicyTest : public PolicyTest {
 protected:
  void SetUp() override {
    PolicyTest::SetUp();
    ASSERT_OK(db_->InTransaction([](storage::Connection& tx) -> Status {
      const int64_t cases[][5] = {
          {1, 3, 1, 11, 2}, {2, 3, 0, 10, 2}, {3, 4, 0, 0, 4}};  // id, area, public, reporter, subdistrict
      for (const auto& c : cases) {
        RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO cases (id, case_type, category, title, description, area_id, neighborhood_id, "
            "subdistrict_id, urgency, channel, state, submitted_at, updated_at, is_public, reporter_id) VALUES "
            "(?, 'complaint', 'property_management', 't', 'd', ?, ?, ?, 'normal', 'web', 'dispatched', 0, 0, ?, ?)",
            {c[0], c[1], c[1], c[4], c[2], c[3] ? storage::Param(c[3]) : storage::Param(nullptr)}));
      }
      RETURN_IF_ERROR(tx.Execute("INSERT INTO case_followers (case_id, user_id, since) VALUES (2, 11, 0)"));
      RETURN_IF_ERROR(
          tx.Execute("INSERT INTO case_assignments (case_id, unit_id, role, assigned_at, ended_at) "
                     "VALUES (1, 1, 'lead', 0, 5)"));
      return tx.Execute("INSERT INTO case_assignments (case_id, unit_id, role, assigned_at) VALUES (2, 1, 'lead', 0)")
          .status();
    }));
  }

  static Subject Columns() {
    Subject s;
    s.area = Operand::Column("t.area_id");
    s.person = Operand::Column("t.reporter_id");
    s.case_id = Operand::Column("t.id");
    s.is_public = Operand::Column("t.is_public");
    return s;
  }
  // Case `id` as values, read from its row.
  Subject Values(int64_t id) {
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne("SELECT area_id, reporter_id, is_public FROM cases WHERE id = ?", {id});
    EXPECT_OK(row);
    Subject s = Subject::Area(row->Int(0));
    s.person = Operand::Value(row->OptInt(1));
    s.case_id = Operand::Value(id);
    s.is_public = Operand::Value(row->Int(2));
    return s;
  }
  void ExpectRule(const Principal& p, Action a, std::vector<int64_t> expected) {
    std::map<int64_t, Subject> cases;  // read before the helper holds its connection
    for (int64_t id : {1, 2, 3}) cases.emplace(id, Values(id));
    ExpectCheckMatchesFilter(
        "cases", Filter(p, a, Columns()), [&](int64_t id) { return Rule(p, a, cases.at(id)); }, expected);
  }
};

TEST_F(CasePolicyTest, FollowingAndAssignedUnitsInCheckAndFilterAlike) {
  ExpectCheckMatchesFilter("cases", Follows(resident_, Operand::Column("t.id")),
                           [&](int64_t id) { return Follows(resident_, Operand::Value(id)); }, {2});
  ExpectCheckMatchesFilter(
      "cases", InAssignedUnit(member_, Operand::Column("t.id"), Assignment::kCurrent),
      [&](int64_t id) { return InAssignedUnit(member_, Operand::Value(id), Assignment::kCurrent); }, {2});
  ExpectCheckMatchesFilter("cases", InAssignedUnit(member_, Operand::Column("t.id"), Assignment::kEver),
                           [&](int64_t id) { return InAssignedUnit(member_, Operand::Value(id), Assignment::kEver); },
                           {1, 2});
}

TEST_F(CasePolicyTest, WhoSeesACaseAndItsReporterInCheckAndFilterAlike) {
  const Principal stranger = Principal::User(13, "stranger");
  ExpectRule(Principal::Anonymous(), Action::kViewCase, {1});
  ExpectRule(stranger, Action::kViewCase, {1});
  ExpectRule(resident_, Action::kViewCase, {1, 2});  // public; follows 2
  ExpectRule(member_, Action::kViewCase, {1, 2});    // public; its unit, now and before
  ExpectRule(staff_, Action::kViewCase, {1, 2});     // subdistrict 2 only
  ExpectRule(Principal::System("test"), Action::kViewCase, {1, 2, 3});
  ExpectRule(resident_, Action::kViewCasePersonal, {1});  // its own report; following is not enough
  ExpectRule(member_, Action::kViewCasePersonal, {2});    // the current assignment only
  ExpectRule(staff_, Action::kViewCasePersonal, {1, 2});
  ExpectRule(resident_, Action::kActOnCaseAsStaffOrReporter, {1});
  ExpectRule(resident_, Action::kActOnCaseAsStaff, {});
}

TEST(PrincipalKinds, NamedConstructorsSayWhatAPrincipalIs) {
  const Principal anon = Principal::Anonymous();
  EXPECT_TRUE(anon.anonymous());
  EXPECT_FALSE(anon.has_account());
  EXPECT_FALSE(ActorOf(anon).user_id.has_value());
  const Principal sys = Principal::System("cli");
  EXPECT_TRUE(sys.is_system());
  EXPECT_FALSE(sys.has_account());
  EXPECT_TRUE(std::holds_alternative<std::nullptr_t>(sys.AccountOrNull()));
  const Principal user = Principal::User(7, "张三");
  EXPECT_EQ(user.kind, PrincipalKind::kUser);
  EXPECT_EQ(user.via, "session");
  EXPECT_EQ(std::get<int64_t>(user.AccountOrNull()), 7);
  const Principal token = Principal::Token(7, 3, TokenScope::kReadWrite, "张三");
  EXPECT_EQ(token.kind, PrincipalKind::kToken);
  EXPECT_EQ(token.token_id, 3);
  EXPECT_FALSE(token.read_only());
  EXPECT_THAT(std::vector<bool>({anon.signed_in(), sys.signed_in(), user.signed_in(), token.signed_in()}),
              ElementsAre(false, true, true, true));
}

}  // namespace
}  // namespace ningju::auth::policy
