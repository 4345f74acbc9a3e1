// The case service on a small tree: every transition and refusal of the workflow table, who may act, deadlines
// across weekends and holidays, overdue and escalation, metrics, similar cases, me too, merging.
#include "governance/cases/cases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "governance/areas/area_writer.h"
#include "governance/cases/actions.h"
#include "governance/cases/web_routes.h"
#include "record/record.h"
#include "testing/source_path.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"
#include "testing/test_principal.h"

namespace ningju::cases {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

CivilDate D(const char* text) { return *ParseCivilDate(text); }
Instant Shanghai(const char* date, int hour, int minute = 0) {
  return StartOfShanghaiDay(D(date)) + std::chrono::hours(hour) + std::chrono::minutes(minute);
}

areas::NewArea Area(std::optional<int64_t> parent, const char* kind, const char* code, const char* name) {
  areas::NewArea a;
  a.parent_id = parent;
  a.kind = kind;
  a.code = code;
  a.name = name;
  return a;
}

class CasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = ::ningju::testing::OpenTestDatabase();
    ASSERT_OK(db);
    db_ = std::move(db).value();
    service_ptr_ = std::make_unique<CaseService>(*db_, clock_, WorkingCalendar::BuiltIn());
    ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
      const Instant t = clock_.Now();
      ASSIGN_OR_RETURN(district_, areas::InsertArea(tx, Area(std::nullopt, "district", "d", "长宁区"), t));
      ASSIGN_OR_RETURN(sd1_, areas::InsertArea(tx, Area(district_, "subdistrict", "s1", "华阳路街道"), t));
      ASSIGN_OR_RETURN(sd2_, areas::InsertArea(tx, Area(district_, "subdistrict", "s2", "江苏路街道"), t));
      ASSIGN_OR_RETURN(nb1_, areas::InsertArea(tx, Area(sd1_, "neighborhood", "n1", "安化一村居民区"), t));
      ASSIGN_OR_RETURN(nb2_, areas::InsertArea(tx, Area(sd2_, "neighborhood", "n2", "愚园新村居民区"), t));
      ASSIGN_OR_RETURN(b1_, areas::InsertArea(tx, Area(nb1_, "building", "n1-b1", "1号楼"), t));
      ASSIGN_OR_RETURN(b2_, areas::InsertArea(tx, Area(nb1_, "building", "n1-b2", "2号楼"), t));
      ASSIGN_OR_RETURN(b3_, areas::InsertArea(tx, Area(nb2_, "building", "n2-b1", "1号楼"), t));
      return OkStatus();
    }));
    admin_ = User("admin", auth::Role::kDistrictAdmin, district_);
    sd1_staff_ = User("sd1", auth::Role::kSubdistrictStaff, sd1_);
    sd2_staff_ = User("sd2", auth::Role::kSubdistrictStaff, sd2_);
    nb1_staff_ = User("nb1", auth::Role::kNeighborhoodStaff, nb1_);
    res1_ = User("res1", auth::Role::kResident, nb1_);
    res2_ = User("res2", auth::Role::kResident, nb1_);
    member_a_ = User("ua", std::nullopt, 0);
    member_b_ = User("ub", std::nullopt, 0);
    const auth::Principal sys = auth::SystemPrincipal("test");
    auto unit = [&](const char* code, const char* name, const char* kind, int64_t area) {
      auto u = service().CreateUnit(sys, {0, code, name, kind, area, true});
      EXPECT_OK(u);
      return u.ok() ? u->id : 0;
    };
    unit_a_ = unit("housing", "区房管局", "department", district_);
    unit_b_ = unit("s1-office", "华阳路街道办事处", "subdistrict_office", sd1_);
    unit_c_ = unit("n1-committee", "安化一村居委会", "neighborhood_committee", nb1_);
    ASSERT_OK(service().AddUnitMember(sys, unit_a_, member_a_.user_id));
    ASSERT_OK(service().AddUnitMember(sys, unit_b_, member_b_.user_id));
  }

  auth::Principal User(const std::string& login, std::optional<auth::Role> role, int64_t area) {
    return ::ningju::testing::NewPrincipal(*db_, login, role, area);
  }

  NewCase Complaint(int64_t area, const std::string& title = "楼道堆物", bool is_public = false) {
    NewCase n;
    n.type = "complaint";
    n.category = "property_management";
    n.title = title;
    n.description = "楼道里堆满了杂物，存在消防隐患。";
    n.area_id = area;
    n.contact_name = "张三丰";
    n.contact_phone = "13812345678";
    n.is_public = is_public;
    return n;
  }

  int64_t Submit(const auth::Principal& by, const NewCase& n) {
    auto c = service().Submit(by, n);
    EXPECT_OK(c);
    return c.ok() ? c->id : 0;
  }

  StatusOr<Case> Do(const auth::Principal& by, int64_t id, CaseAction a, ActionInput in = {}) {
    return service().Act(by, id, a, in);
  }

  ActionInput Dispatch(int64_t lead, std::vector<int64_t> co = {}) {
    ActionInput in;
    in.lead_unit_id = lead;
    in.co_unit_ids = std::move(co);
    return in;
  }
  ActionInput Note(const std::string& note) {
    ActionInput in;
    in.note = note;
    return in;
  }
  ActionInput Rating(bool resolved, const std::string& satisfaction) {
    ActionInput in;
    in.resolved = resolved;
    in.satisfaction = satisfaction;
    in.note = "回访意见";
    return in;
  }

  FakeClock clock_{Shanghai("2026-03-09", 9)};  // a Monday
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<CaseService> service_ptr_;
  CaseService& service() { return *service_ptr_; }
  int64_t district_ = 0, sd1_ = 0, sd2_ = 0, nb1_ = 0, nb2_ = 0, b1_ = 0, b2_ = 0, b3_ = 0;
  int64_t unit_a_ = 0, unit_b_ = 0, unit_c_ = 0;
  auth::Principal admin_, sd1_staff_, sd2_staff_, nb1_staff_, res1_, res2_, member_a_, member_b_;
};

TEST(Workflow, IllegalActionNamesTheStateAndTheAllowedOnes) {
  Status s = IllegalAction(CaseState::kReplied, CaseAction::kSign);
  EXPECT_THAT(s, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(s.message(), "action sign is not allowed in state replied; allowed: follow_up");
  EXPECT_THAT(IllegalAction(CaseState::kRejected, CaseAction::kReopen).message(), HasSubstr("allowed: none"));
}

TEST(Workflow, DocsRepeatTheTable) {
  std::ifstream in(::ningju::testing::SourcePath("docs/CASES.md"));
  ASSERT_TRUE(in) << "docs/CASES.md";
  std::stringstream doc;
  doc << in.rdbuf();
  std::string rows;
  for (const Transition& t : Transitions()) {
    const char* who = t.who == ActorKind::kStaff      ? "staff"
                      : t.who == ActorKind::kLeadUnit ? "lead unit"
                                                      : "staff or reporter";
    rows += "| " + std::string(StateName(t.from)) + " | " + std::string(ActionName(t.action)) + " | " +
            std::string(StateName(t.to)) + " | " + who + " |\n";
  }
  EXPECT_THAT(doc.str(), HasSubstr("|---|---|---|---|\n" + rows + "\n"));
}

TEST(Workflow, NamesRoundTrip) {
  for (CaseState s : AllStates()) EXPECT_EQ(ParseState(StateName(s)), s);
  for (CaseAction a : AllActions()) EXPECT_EQ(ParseAction(ActionName(a)), a);
  EXPECT_FALSE(ParseState("open").has_value());
  EXPECT_FALSE(ParseAction("approve").has_value());
}

TEST(Workflow, EveryActionOfTheTableHasAHandler) {
  for (const Transition& t : Transitions()) {
    EXPECT_NE(internal::HandlerFor(t.action), nullptr) << ActionName(t.action);
  }
  for (CaseAction a : AllActions()) EXPECT_NE(internal::HandlerFor(a), nullptr) << ActionName(a);
}

// Brings a new enquiry into `state` by a fixed path through the table.
class TransitionsTest : public CasesTest {
 protected:
  int64_t CaseIn(CaseState state) {
    NewCase n = Complaint(b1_);
    n.type = "enquiry";
    const int64_t id = Submit(res1_, n);
    const auth::Principal sys = auth::SystemPrincipal("test");
    auto step = [&](CaseAction a, ActionInput in = {}) { EXPECT_OK(Do(sys, id, a, in)); };
    switch (state) {
      case CaseState::kSubmitted:
        break;
      case CaseState::kAccepted:
        step(CaseAction::kAccept);
        break;
      case CaseState::kRejected:
        step(CaseAction::kReject, Note("不属于受理范围"));
        break;
      case CaseState::kAnswered:
        step(CaseAction::kAnswer, Note("答复内容"));
        break;
      case CaseState::kReturned:
        step(CaseAction::kDispatch, Dispatch(unit_a_));
        step(CaseAction::kReturn, Note("非本单位职责"));
        break;
      default: {
        step(CaseAction::kDispatch, Dispatch(unit_a_));
        if (state == CaseState::kDispatched) break;
        step(CaseAction::kSign);
        if (state == CaseState::kSigned) break;
        if (state == CaseState::kInProgress) {
          step(CaseAction::kStart);
          break;
        }
        step(CaseAction::kReply, Note("已处理"));
        if (state == CaseState::kReplied) break;
        step(CaseAction::kFollowUp, Rating(true, "satisfied"));
        if (state == CaseState::kFollowedUp) break;
        if (state == CaseState::kClosed) {
          step(CaseAction::kClose);
          break;
        }
        step(CaseAction::kReopen);  // kReopened
      }
    }
    return id;
  }

  ActionInput InputFor(CaseAction a) {
    switch (a) {
      case CaseAction::kDispatch:
      case CaseAction::kRedispatch:
        return Dispatch(unit_b_);
      case CaseAction::kFollowUp:
        return Rating(true, "basically_satisfied");
      case CaseAction::kRequestExtension: {
        ActionInput in = Note("需要协调产权单位");
        in.extension_days = 3;
        return in;
      }
      default:
        return Note("说明");
    }
  }

  // Who takes an action of each kind in these tests.
  const auth::Principal& ActorFor(const Transition& t) {
    switch (t.who) {
      case ActorKind::kStaff:
        return nb1_staff_;
      case ActorKind::kLeadUnit:
        return member_a_;
      case ActorKind::kStaffOrReporter:
        return res1_;
    }
    return admin_;
  }
};

TEST_F(TransitionsTest, EveryTransitionOfTheTable) {
  for (const Transition& t : Transitions()) {
    SCOPED_TRACE(std::string(StateName(t.from)) + " --" + std::string(ActionName(t.action)) + "--> " +
                 std::string(StateName(t.to)));
    const int64_t id = CaseIn(t.from);
    if (t.action == CaseAction::kApproveExtension || t.action == CaseAction::kRefuseExtension) {
      ASSERT_OK(Do(member_a_, id, CaseAction::kRequestExtension, InputFor(CaseAction::kRequestExtension)));
    }
    ASSERT_OK_AND_ASSIGN(Case after, Do(ActorFor(t), id, t.action, InputFor(t.action)));
    EXPECT_EQ(after.state, t.to);
    // The step is on the timeline and in the audit chain.
    auto conn = db_->Acquire();
    ASSERT_OK(conn);
    ASSERT_OK_AND_ASSIGN(auto events, record::ListEvents(**conn, record::Ref("case", id)));
    EXPECT_EQ(events.back().kind, ActionName(t.action));
    ASSERT_OK_AND_ASSIGN(auto audit, record::ListAudit(**conn, record::Ref("case", id), 100));
    EXPECT_EQ(audit.back().action, "case." + std::string(ActionName(t.action)));
  }
}

TEST_F(TransitionsTest, EveryRefusalNamesTheStateAndTheAllowedActions) {
  const auth::Principal sys = auth::SystemPrincipal("test");
  for (CaseState state : AllStates()) {
    const int64_t id = CaseIn(state);
    const std::vector<CaseAction> allowed = AllowedActions(state);
    for (CaseAction a : AllActions()) {
      if (std::find(allowed.begin(), allowed.end(), a) != allowed.end()) continue;
      SCOPED_TRACE(std::string(ActionName(a)) + " in " + std::string(StateName(state)));
      auto r = Do(sys, id, a, InputFor(a));
      EXPECT_THAT(r, StatusIs(StatusCode::kFailedPrecondition));
      EXPECT_THAT(r.status().message(), HasSubstr("in state " + std::string(StateName(state))));
      EXPECT_EQ(r.status(), IllegalAction(state, a));
    }
  }
}

TEST_F(TransitionsTest, GuardsBeyondTheTable) {
  const int64_t complaint = Submit(res1_, Complaint(b1_));
  EXPECT_THAT(Do(nb1_staff_, complaint, CaseAction::kAnswer, Note("x")), StatusIs(StatusCode::kFailedPrecondition));
  const int64_t id = CaseIn(CaseState::kSigned);
  EXPECT_THAT(Do(nb1_staff_, id, CaseAction::kApproveExtension), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK(Do(member_a_, id, CaseAction::kRequestExtension, InputFor(CaseAction::kRequestExtension)));
  EXPECT_THAT(Do(member_a_, id, CaseAction::kRequestExtension, InputFor(CaseAction::kRequestExtension)),
              StatusIs(StatusCode::kFailedPrecondition));
  // Required fields.
  EXPECT_THAT(Do(nb1_staff_, complaint, CaseAction::kReject), StatusIs(StatusCode::kInvalidArgument));
  ActionInput days = Note("x");
  days.extension_days = 31;
  const int64_t other = CaseIn(CaseState::kSigned);
  EXPECT_THAT(Do(member_a_, other, CaseAction::kRequestExtension, days), StatusIs(StatusCode::kInvalidArgument));
  const int64_t replied = CaseIn(CaseState::kReplied);
  ActionInput no_rating;
  EXPECT_THAT(Do(res1_, replied, CaseAction::kFollowUp, no_rating), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Do(res1_, replied, CaseAction::kFollowUp, Rating(true, "ok")), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(TransitionsTest, DissatisfiedFollowUpReopensAndCounts) {
  const int64_t id = CaseIn(CaseState::kReplied);
  ASSERT_OK_AND_ASSIGN(Case c, Do(res1_, id, CaseAction::kFollowUp, Rating(false, "dissatisfied")));
  EXPECT_EQ(c.state, CaseState::kReopened);
  EXPECT_EQ(c.reopen_count, 1);
  EXPECT_FALSE(c.lead_unit_id.has_value());
  ASSERT_TRUE(c.due_at.has_value());  // back to the dispatch stage
  ASSERT_OK_AND_ASSIGN(CaseDetail d, service().Get(res1_, id));
  ASSERT_GE(d.timeline.size(), 2u);
  EXPECT_EQ(d.timeline[d.timeline.size() - 2].kind, "follow_up");
  EXPECT_EQ(d.timeline.back().kind, "reopen");
  EXPECT_EQ(d.follow_ups.size(), 1u);
}

TEST_F(TransitionsTest, ReturnReviewedGoesBackToTheSameUnitsAndRedispatchToOthers) {
  const int64_t id = Submit(res1_, Complaint(b1_));
  ASSERT_OK(Do(nb1_staff_, id, CaseAction::kDispatch, Dispatch(unit_a_, {unit_c_})));
  ASSERT_OK(Do(member_a_, id, CaseAction::kReturn, Note("非本单位职责")));
  ASSERT_OK_AND_ASSIGN(Case back, Do(nb1_staff_, id, CaseAction::kReviewReturn, Note("属于房管职责")));
  EXPECT_EQ(back.state, CaseState::kDispatched);
  EXPECT_EQ(back.lead_unit_id, unit_a_);
  ASSERT_OK(Do(member_a_, id, CaseAction::kReturn, Note("仍非本单位职责")));
  ASSERT_OK_AND_ASSIGN(Case other, Do(nb1_staff_, id, CaseAction::kRedispatch, Dispatch(unit_b_)));
  EXPECT_EQ(other.lead_unit_id, unit_b_);
  ASSERT_OK_AND_ASSIGN(CaseDetail d, service().Get(nb1_staff_, id));
  ASSERT_EQ(d.assignments.size(), 5u);  // A+C, A+C again, B
  EXPECT_EQ(d.assignments[0].end_reason, "returned");
  EXPECT_EQ(d.assignments[2].unit_id, unit_a_);
  EXPECT_EQ(d.assignments[3].unit_id, unit_c_);
  EXPECT_EQ(d.assignments[3].role, "co");
  EXPECT_FALSE(d.assignments[4].ended_at.has_value());
}

TEST_F(CasesTest, WhoMayTakeAnAction) {
  const int64_t id = Submit(res1_, Complaint(b1_));
  auth::Principal anonymous;
  EXPECT_THAT(Do(anonymous, id, CaseAction::kAccept), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(Do(res1_, id, CaseAction::kAccept), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Do(sd2_staff_, id, CaseAction::kAccept), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(Do(sd1_staff_, id, CaseAction::kDispatch, Dispatch(unit_a_)));
  // Only the lead unit signs: not staff, not another unit.
  EXPECT_THAT(Do(nb1_staff_, id, CaseAction::kSign), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Do(member_b_, id, CaseAction::kSign), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(Do(member_a_, id, CaseAction::kSign));
  ASSERT_OK(Do(member_a_, id, CaseAction::kReply, Note("已清理")));
  // Another resident may not rate someone else's case.
  EXPECT_THAT(Do(res2_, id, CaseAction::kFollowUp, Rating(true, "satisfied")), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(Do(res1_, id, CaseAction::kFollowUp, Rating(true, "satisfied")));
  EXPECT_THAT(Do(res1_, id, CaseAction::kClose), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK_AND_ASSIGN(Case closed, Do(nb1_staff_, id, CaseAction::kClose));
  EXPECT_EQ(closed.state, CaseState::kClosed);
}

TEST_F(CasesTest, OneSubdistrictCannotReadAnothersPrivateCases) {
  const int64_t id = Submit(res1_, Complaint(b1_));
  EXPECT_THAT(service().Get(sd2_staff_, id), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service().Get(res2_, id), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service().Get(auth::Principal{}, id), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(service().Get(member_a_, id), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK_AND_ASSIGN(CaseDetail own, service().Get(res1_, id));
  EXPECT_EQ(own.c.contact_phone, "13812345678");
  ASSERT_OK_AND_ASSIGN(CaseDetail staff, service().Get(sd1_staff_, id));
  EXPECT_EQ(staff.c.contact_name, "张三丰");
  ASSERT_OK_AND_ASSIGN(auto sd2_list, service().List(sd2_staff_, {}, "", 50));
  EXPECT_TRUE(sd2_list.items.empty());
  ASSERT_OK_AND_ASSIGN(auto sd1_list, service().List(sd1_staff_, {}, "", 50));
  ASSERT_EQ(sd1_list.items.size(), 1u);
  EXPECT_TRUE(sd1_list.items[0].personal_visible);
  // The lead unit's members see the case once it is assigned to them.
  ASSERT_OK(Do(sd1_staff_, id, CaseAction::kDispatch, Dispatch(unit_a_)));
  ASSERT_OK_AND_ASSIGN(CaseDetail unit_view, service().Get(member_a_, id));
  EXPECT_EQ(unit_view.c.contact_phone, "13812345678");
  EXPECT_EQ(unit_view.actions, (std::vector<CaseAction>{CaseAction::kSign, CaseAction::kReturn}));
}

TEST_F(CasesTest, PublicCasesShowNoPersonalData) {
  const int64_t id = Submit(res1_, Complaint(b1_, "路灯不亮", true));
  Submit(res1_, Complaint(b1_, "私密诉求", false));
  ASSERT_OK_AND_ASSIGN(CaseDetail d, service().Get(auth::Principal{}, id));
  nlohmann::json j = d.ToJson();
  EXPECT_FALSE(j.contains("contact_name"));
  EXPECT_FALSE(j.contains("contact_phone"));
  EXPECT_FALSE(j.contains("reporter_id"));
  EXPECT_THAT(j.dump(), Not(HasSubstr("13812345678")));
  EXPECT_THAT(j.dump(), Not(HasSubstr("张三丰")));
  for (const auto& e : j["timeline"]) EXPECT_TRUE(e["actor_id"].is_null());
  CaseFilter f;
  f.public_only = true;
  // Even staff get the public list without personal data.
  for (const auth::Principal& viewer : {auth::Principal{}, sd1_staff_}) {
    ASSERT_OK_AND_ASSIGN(auto page, service().List(viewer, f, "", 50));
    ASSERT_EQ(page.items.size(), 1u);
    EXPECT_THAT(page.items[0].ToJson().dump(), Not(HasSubstr("13812345678")));
  }
  ASSERT_OK_AND_ASSIGN(auto anon_all, service().List(auth::Principal{}, {}, "", 50));
  EXPECT_EQ(anon_all.items.size(), 1u);
}

// The area filter means "in the area or below" at every depth, whichever condition List picks for the area's kind;
// the public list pages newest first.
TEST_F(CasesTest, AreaFilterTakesTheAreaAndEverythingBelow) {
  int64_t entrance = 0;
  ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(entrance, areas::InsertArea(tx, Area(b1_, "entrance", "n1-b1-e1", "1单元"), clock_.Now()));
    return OkStatus();
  }));
  const int64_t at_nb1 = Submit(res1_, Complaint(nb1_, "居民区", true));
  const int64_t at_b1 = Submit(res1_, Complaint(b1_, "1号楼", true));
  const int64_t at_e1 = Submit(res1_, Complaint(entrance, "1单元", true));
  const int64_t at_b1_private = Submit(res1_, Complaint(b1_, "1号楼私密"));
  const int64_t at_b2 = Submit(res2_, Complaint(b2_, "2号楼", true));
  const int64_t at_b3 = Submit(res2_, Complaint(b3_, "另一居民区", true));
  const auth::Principal sys = auth::SystemPrincipal("test");
  auto ids = [&](const auth::Principal& viewer, int64_t area, bool public_only) {
    CaseFilter f;
    f.area_id = area;
    f.public_only = public_only;
    std::vector<int64_t> out;
    auto page = service().List(viewer, f, "", 50);
    EXPECT_OK(page);
    if (page.ok()) {
      for (const auto& c : page->items) out.push_back(c.id);
    }
    return out;
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(ids(sys, district_, false), (V{at_b3, at_b2, at_b1_private, at_e1, at_b1, at_nb1}));
  EXPECT_EQ(ids(sys, sd1_, false), (V{at_b2, at_b1_private, at_e1, at_b1, at_nb1}));
  EXPECT_EQ(ids(sys, sd2_, false), (V{at_b3}));
  EXPECT_EQ(ids(sys, nb1_, false), (V{at_b2, at_b1_private, at_e1, at_b1, at_nb1}));
  EXPECT_EQ(ids(sys, nb2_, false), (V{at_b3}));
  EXPECT_EQ(ids(sys, b1_, false), (V{at_b1_private, at_e1, at_b1}));
  EXPECT_EQ(ids(sys, b2_, false), (V{at_b2}));
  EXPECT_EQ(ids(sys, entrance, false), (V{at_e1}));
  EXPECT_EQ(ids(sys, 999999, false), V{});
  // Anonymous, public only: the private case drops out at every depth.
  const auth::Principal anonymous{};
  EXPECT_EQ(ids(anonymous, district_, true), (V{at_b3, at_b2, at_e1, at_b1, at_nb1}));
  EXPECT_EQ(ids(anonymous, sd1_, true), (V{at_b2, at_e1, at_b1, at_nb1}));
  EXPECT_EQ(ids(anonymous, nb1_, true), (V{at_b2, at_e1, at_b1, at_nb1}));
  EXPECT_EQ(ids(anonymous, b1_, true), (V{at_e1, at_b1}));
  EXPECT_EQ(ids(anonymous, entrance, true), (V{at_e1}));
  // Staff of the other subdistrict see only public cases of this neighborhood.
  EXPECT_EQ(ids(sd2_staff_, nb1_, false), (V{at_b2, at_e1, at_b1, at_nb1}));
  // Pages of two, newest first, across the neighborhood's public cases.
  CaseFilter f;
  f.area_id = nb1_;
  f.public_only = true;
  ASSERT_OK_AND_ASSIGN(auto first, service().List(anonymous, f, "", 2));
  EXPECT_EQ(first.items.size(), 2u);
  ASSERT_FALSE(first.next_cursor.empty());
  ASSERT_OK_AND_ASSIGN(auto second, service().List(anonymous, f, first.next_cursor, 2));
  EXPECT_TRUE(second.next_cursor.empty());
  V paged;
  for (const auto& page : {first, second}) {
    for (const auto& c : page.items) paged.push_back(c.id);
  }
  EXPECT_EQ(paged, (V{at_b2, at_e1, at_b1, at_nb1}));
}

TEST_F(CasesTest, ResidentListsTheirOwnCasesWithCursors) {
  for (int i = 0; i < 5; ++i) Submit(res1_, Complaint(b1_, "诉求" + std::to_string(i)));
  Submit(res2_, Complaint(b2_));
  CaseFilter mine;
  mine.mine = true;
  ASSERT_OK_AND_ASSIGN(auto first, service().List(res1_, mine, "", 3));
  ASSERT_EQ(first.items.size(), 3u);
  EXPECT_EQ(first.items[0].title, "诉求4");
  ASSERT_FALSE(first.next_cursor.empty());
  ASSERT_OK_AND_ASSIGN(auto second, service().List(res1_, mine, first.next_cursor, 3));
  ASSERT_EQ(second.items.size(), 2u);
  EXPECT_TRUE(second.next_cursor.empty());
  EXPECT_THAT(service().List(auth::Principal{}, mine, "", 3), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(service().List(res1_, mine, "garbage", 3), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service().List(res1_, mine, "", 0), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(CasesTest, IntakeValidatesAndAuthorizesTheChannel) {
  auth::Principal anonymous;
  NewCase n = Complaint(b1_);
  n.contact_phone = "";
  auto no_phone = service().Submit(anonymous, n);
  EXPECT_THAT(no_phone, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(no_phone.status().field(), "contact_phone");
  n = Complaint(b1_);
  n.channel = "door_qr";
  ASSERT_OK_AND_ASSIGN(Case qr, service().Submit(anonymous, n));
  EXPECT_EQ(qr.channel, "door_qr");
  EXPECT_EQ(qr.building_id, b1_);
  EXPECT_EQ(qr.neighborhood_id, nb1_);
  EXPECT_EQ(qr.subdistrict_id, sd1_);
  EXPECT_FALSE(qr.reporter_id.has_value());
  n.channel = "phone";
  EXPECT_THAT(service().Submit(res1_, n), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service().Submit(sd2_staff_, n), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK_AND_ASSIGN(Case by_phone, service().Submit(nb1_staff_, n));
  EXPECT_FALSE(by_phone.reporter_id.has_value());
  n.channel = "api";
  EXPECT_THAT(service().Submit(anonymous, n), StatusIs(StatusCode::kUnauthenticated));
  auto field_of = [&](NewCase bad) { return service().Submit(res1_, bad).status().field(); };
  NewCase bad = Complaint(b1_);
  bad.category = "unicorns";
  EXPECT_EQ(field_of(bad), "category");
  bad = Complaint(b1_);
  bad.title = std::string(101, 'x');
  EXPECT_EQ(field_of(bad), "title");
  bad = Complaint(b1_);
  bad.area_id = sd1_;
  EXPECT_EQ(field_of(bad), "area_id");
  bad = Complaint(b1_);
  bad.type = "rumour";
  EXPECT_EQ(field_of(bad), "type");
  bad = Complaint(b1_);
  bad.contact_phone = "call me";
  EXPECT_EQ(field_of(bad), "contact_phone");
  bad = Complaint(b1_);
  bad.latitude = 31.2;
  EXPECT_EQ(field_of(bad), "latitude");
  bad = Complaint(b1_);
  bad.description = "\xff";
  EXPECT_EQ(field_of(bad), "description");
}

TEST_F(CasesTest, DeadlinesFollowTheTimeLimitsAndTheCalendar) {
  // Submitted Monday 09:00: dispatch within 24 hours, emergencies within 1 hour.
  ASSERT_OK_AND_ASSIGN(Case normal, service().Submit(res1_, Complaint(b1_)));
  EXPECT_EQ(normal.due_at, Shanghai("2026-03-10", 9));
  NewCase e = Complaint(b1_);
  e.urgency = "emergency";
  ASSERT_OK_AND_ASSIGN(Case emergency, service().Submit(res1_, e));
  EXPECT_EQ(emergency.due_at, Shanghai("2026-03-09", 10));

  // Dispatched Friday 2026-02-13 before the Spring Festival: 5 working days are 14 (Saturday 调休), 24, 25, 26, 27.
  clock_.Set(Shanghai("2026-02-13", 10));
  const int64_t id = Submit(res1_, Complaint(b1_));
  ASSERT_OK_AND_ASSIGN(Case d, Do(nb1_staff_, id, CaseAction::kDispatch, Dispatch(unit_a_)));
  EXPECT_EQ(d.due_at, Shanghai("2026-02-14", 10));  // sign within 24 hours
  EXPECT_EQ(d.reply_due_at, EndOfShanghaiDay(D("2026-02-27")));
  // Signing moves the current deadline to the reply deadline.
  ASSERT_OK_AND_ASSIGN(Case s, Do(member_a_, id, CaseAction::kSign));
  EXPECT_EQ(s.due_at, EndOfShanghaiDay(D("2026-02-27")));
  // An approved extension of 3 working days counts from the old deadline: 28 February (Saturday 调休), 2, 3 March.
  ActionInput ext = Note("需要协调");
  ext.extension_days = 3;
  ASSERT_OK(Do(member_a_, id, CaseAction::kRequestExtension, ext));
  ASSERT_OK_AND_ASSIGN(Case x, Do(nb1_staff_, id, CaseAction::kApproveExtension));
  EXPECT_EQ(x.reply_due_at, EndOfShanghaiDay(D("2026-03-03")));
  EXPECT_EQ(x.due_at, x.reply_due_at);
  EXPECT_EQ(x.extension, ExtensionState::kApproved);

  // An enquiry: 1 working day, received Saturday the 14th: the 24th.
  clock_.Set(Shanghai("2026-02-14", 16));
  NewCase q = Complaint(b1_);
  q.type = "enquiry";
  const int64_t enquiry = Submit(res1_, q);
  ASSERT_OK_AND_ASSIGN(Case qd, Do(nb1_staff_, enquiry, CaseAction::kDispatch, Dispatch(unit_a_)));
  EXPECT_EQ(qd.reply_due_at, EndOfShanghaiDay(D("2026-02-24")));
  // A complex category (elevator retrofit): 15 working days from Wednesday 2026-09-30: 27 October.
  clock_.Set(Shanghai("2026-09-30", 15));
  NewCase lift = Complaint(b1_);
  lift.category = "elevator_retrofit";
  const int64_t lift_id = Submit(res1_, lift);
  ASSERT_OK_AND_ASSIGN(Case ld, Do(nb1_staff_, lift_id, CaseAction::kDispatch, Dispatch(unit_a_)));
  EXPECT_TRUE(ld.complex);
  EXPECT_EQ(ld.reply_due_at, EndOfShanghaiDay(D("2026-10-27")));
  // Staff may mark an ordinary case complex at dispatch.
  const int64_t marked = Submit(res1_, Complaint(b1_));
  ActionInput cx = Dispatch(unit_a_);
  cx.complex = true;
  ASSERT_OK_AND_ASSIGN(Case md, Do(nb1_staff_, marked, CaseAction::kDispatch, cx));
  EXPECT_EQ(md.reply_due_at, EndOfShanghaiDay(D("2026-10-27")));
}

TEST_F(CasesTest, TimeLimitsAreConfigurable) {
  EXPECT_THAT(service().SetTimeLimit(sd1_staff_, "dispatch", "*", "noise", "*", "*", 2, "hours"),
              StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(service().SetTimeLimit(admin_, "dispatch", "*", "noise", "*", "*", 2, "hours"));
  EXPECT_THAT(service().SetTimeLimit(admin_, "dispatch", "*", "noise", "*", "*", 2, "weeks"),
              StatusIs(StatusCode::kInvalidArgument));
  NewCase n = Complaint(b1_);
  n.category = "noise";
  ASSERT_OK_AND_ASSIGN(Case c, service().Submit(res1_, n));
  EXPECT_EQ(c.due_at, Shanghai("2026-03-09", 11));
}

TEST_F(CasesTest, OverdueMarksRemindsAndEscalatesAfterTwice) {
  const int64_t id = Submit(res1_, Complaint(b1_));
  ASSERT_OK(Do(nb1_staff_, id, CaseAction::kDispatch, Dispatch(unit_a_, {unit_c_})));
  // Nothing is due yet.
  ASSERT_OK_AND_ASSIGN(OverdueReport none, service().RunOverdue());
  EXPECT_EQ(none.marked, 0);
  clock_.Advance(std::chrono::hours(25));  // past the 24-hour sign limit
  ASSERT_OK_AND_ASSIGN(OverdueReport first, service().RunOverdue());
  EXPECT_EQ(first.marked, 1);
  EXPECT_EQ(first.reminders, 2);  // the lead unit and the co-unit
  EXPECT_EQ(first.escalated, 0);
  ASSERT_OK_AND_ASSIGN(OverdueReport again, service().RunOverdue());
  EXPECT_EQ(again.marked, 0);  // idempotent
  CaseFilter overdue;
  overdue.overdue = true;
  ASSERT_OK_AND_ASSIGN(auto listed, service().List(nb1_staff_, overdue, "", 10));
  ASSERT_EQ(listed.items.size(), 1u);
  EXPECT_TRUE(listed.items[0].overdue_since.has_value());
  {
    auto conn = db_->Acquire();
    ASSERT_OK(conn);
    ASSERT_OK_AND_ASSIGN(auto unit_events, record::ListEvents(**conn, record::Ref("handling_unit", unit_a_)));
    ASSERT_EQ(unit_events.size(), 1u);
    EXPECT_EQ(unit_events[0].kind, "reminder");
  }
  // Signing late clears the mark for the new stage; missing the reply deadline too is the second time.
  ASSERT_OK_AND_ASSIGN(Case signed_late, Do(member_a_, id, CaseAction::kSign));
  EXPECT_FALSE(signed_late.overdue_since.has_value());
  EXPECT_EQ(signed_late.overdue_count, 1);
  clock_.Set(*signed_late.due_at + std::chrono::seconds(1));
  ASSERT_OK_AND_ASSIGN(OverdueReport second, service().RunOverdue());
  EXPECT_EQ(second.marked, 1);
  EXPECT_EQ(second.escalated, 1);
  ASSERT_OK_AND_ASSIGN(CaseDetail d, service().Get(nb1_staff_, id));
  EXPECT_EQ(d.c.overdue_count, 2);
  EXPECT_TRUE(d.c.escalated_at.has_value());
  ASSERT_EQ(d.consultations.size(), 1u);
  EXPECT_EQ(d.consultations[0].reason, "overdue_twice");
  EXPECT_EQ(d.consultations[0].unit_ids, (std::vector<int64_t>{unit_a_, unit_c_}));
  EXPECT_EQ(d.timeline.back().kind, "consultation_called");
  ASSERT_OK_AND_ASSIGN(OverdueReport third, service().RunOverdue());
  EXPECT_EQ(third.escalated, 0);  // once
  // The outcome: staff only, once.
  const int64_t k = d.consultations[0].id;
  EXPECT_THAT(service().RecordConsultationOutcome(member_a_, id, k, "x"), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK_AND_ASSIGN(Consultation done,
                       service().RecordConsultationOutcome(sd1_staff_, id, k, "房管局牵头，两周内清理"));
  EXPECT_EQ(done.outcome, "房管局牵头，两周内清理");
  EXPECT_THAT(service().RecordConsultationOutcome(sd1_staff_, id, k, "again"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service().RecordConsultationOutcome(sd1_staff_, id, k + 100, "x"), StatusIs(StatusCode::kNotFound));
}

TEST_F(CasesTest, ReopenedTwiceEscalates) {
  const int64_t id = Submit(res1_, Complaint(b1_));
  for (int round = 0; round < 2; ++round) {
    ASSERT_OK(Do(nb1_staff_, id, CaseAction::kDispatch, Dispatch(unit_a_)));
    ASSERT_OK(Do(member_a_, id, CaseAction::kSign));
    ASSERT_OK(Do(member_a_, id, CaseAction::kReply, Note("已处理")));
    ASSERT_OK(Do(res1_, id, CaseAction::kFollowUp, Rating(false, "dissatisfied")));
  }
  ASSERT_OK_AND_ASSIGN(OverdueReport r, service().RunOverdue());
  EXPECT_EQ(r.escalated, 1);
  ASSERT_OK_AND_ASSIGN(CaseDetail d, service().Get(nb1_staff_, id));
  EXPECT_EQ(d.c.reopen_count, 2);
  ASSERT_EQ(d.consultations.size(), 1u);
  EXPECT_EQ(d.consultations[0].reason, "reopened_twice");
}

TEST_F(CasesTest, InboxSortsByDeadlineAndCountsOverdueAndDueToday) {
  NewCase e = Complaint(b1_, "紧急");
  e.urgency = "emergency";
  const int64_t later = Submit(res1_, Complaint(b1_, "普通"));
  const int64_t urgent = Submit(res1_, e);
  ASSERT_OK(Do(nb1_staff_, later, CaseAction::kDispatch, Dispatch(unit_a_)));
  ASSERT_OK(Do(nb1_staff_, urgent, CaseAction::kDispatch, Dispatch(unit_a_)));
  ASSERT_OK_AND_ASSIGN(InboxView inbox, service().Inbox(member_a_, unit_a_, "", 10));
  ASSERT_EQ(inbox.items.size(), 2u);
  EXPECT_EQ(inbox.items[0].id, urgent);  // sign within 1 hour comes first
  EXPECT_EQ(inbox.open, 2);
  EXPECT_EQ(inbox.overdue, 0);
  EXPECT_EQ(inbox.due_today, 1);  // 10:00 today; the other is due tomorrow 09:00
  clock_.Advance(std::chrono::hours(2));
  ASSERT_OK_AND_ASSIGN(InboxView later_view, service().Inbox(member_a_, unit_a_, "", 1));
  EXPECT_EQ(later_view.overdue, 1);
  EXPECT_EQ(later_view.due_today, 0);
  ASSERT_EQ(later_view.items.size(), 1u);
  ASSERT_OK_AND_ASSIGN(InboxView page2, service().Inbox(member_a_, unit_a_, later_view.next_cursor, 1));
  ASSERT_EQ(page2.items.size(), 1u);
  EXPECT_EQ(page2.items[0].id, later);
  EXPECT_THAT(service().Inbox(member_b_, unit_a_, "", 10), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_OK(service().Inbox(admin_, unit_a_, "", 10));
  EXPECT_THAT(service().Inbox(member_a_, 9999, "", 10), StatusIs(StatusCode::kNotFound));
}

TEST_F(CasesTest, InboxOfTheNeighborhoodCommitteeShowsCasesWaitingForTheIntake) {
  const int64_t fresh = Submit(res1_, Complaint(b1_, "新提交"));
  Submit(res2_, Complaint(b3_, "别的居民区"));
  clock_.Advance(std::chrono::hours(24 * 60));  // the dispatch deadline (24 hours) long past
  const int64_t today = Submit(res1_, Complaint(b2_, "今天提交"));
  const int64_t accepted = Submit(res1_, Complaint(b2_, "已受理"));
  ASSERT_OK(Do(nb1_staff_, accepted, CaseAction::kAccept));
  const int64_t dispatched = Submit(res1_, Complaint(b1_, "已派单"));
  ASSERT_OK(Do(nb1_staff_, dispatched, CaseAction::kDispatch, Dispatch(unit_a_)));

  ASSERT_OK_AND_ASSIGN(InboxView inbox, service().Inbox(nb1_staff_, unit_c_, "", 10));
  std::vector<int64_t> ids;
  for (const auto& c : inbox.items) ids.push_back(c.id);
  // By deadline: the one waiting two months first; the dispatched and the other neighborhood's are not the intake's.
  EXPECT_THAT(ids, ::testing::ElementsAre(fresh, today, accepted));
  EXPECT_EQ(inbox.open, 3);
  EXPECT_EQ(inbox.overdue, 1);
  EXPECT_EQ(inbox.items[0].state, CaseState::kSubmitted);
  // The lead unit's inbox keeps only its assignment; the subdistrict office sees none of a covered neighborhood's.
  ASSERT_OK_AND_ASSIGN(InboxView lead, service().Inbox(member_a_, unit_a_, "", 10));
  ASSERT_EQ(lead.items.size(), 1u);
  EXPECT_EQ(lead.items[0].id, dispatched);
  ASSERT_OK_AND_ASSIGN(InboxView office, service().Inbox(member_b_, unit_b_, "", 10));
  EXPECT_TRUE(office.items.empty());
  // Once dispatched, a case leaves the intake's inbox.
  ASSERT_OK(Do(nb1_staff_, fresh, CaseAction::kDispatch, Dispatch(unit_a_)));
  ASSERT_OK_AND_ASSIGN(InboxView after, service().Inbox(nb1_staff_, unit_c_, "", 10));
  EXPECT_EQ(after.open, 2);
  EXPECT_EQ(after.overdue, 0);
}

TEST_F(CasesTest, MetricsCountNumeratorsAndDenominators) {
  const Instant start = clock_.Now();
  auto dispatched = [&](int64_t unit) {
    const int64_t id = Submit(res1_, Complaint(b1_));
    EXPECT_OK(Do(nb1_staff_, id, CaseAction::kDispatch, Dispatch(unit)));
    return id;
  };
  // Unit A, case 1: signed in time, replied in time, resolved and satisfied.
  const int64_t c1 = dispatched(unit_a_);
  ASSERT_OK(Do(member_a_, c1, CaseAction::kSign));
  ASSERT_OK(Do(member_a_, c1, CaseAction::kReply, Note("ok")));
  ASSERT_OK(Do(res1_, c1, CaseAction::kFollowUp, Rating(true, "satisfied")));
  // Unit A, case 2: signed late, replied late, unresolved and dissatisfied (reopened).
  const int64_t c2 = dispatched(unit_a_);
  // Unit A, case 3: signed in time, never replied.
  const int64_t c3 = dispatched(unit_a_);
  ASSERT_OK(Do(member_a_, c3, CaseAction::kSign));
  // Unit B, case 4: resolved, basically satisfied.
  const int64_t c4 = dispatched(unit_b_);
  ASSERT_OK(Do(member_b_, c4, CaseAction::kSign));
  ASSERT_OK(Do(member_b_, c4, CaseAction::kReply, Note("ok")));
  ASSERT_OK(Do(res1_, c4, CaseAction::kFollowUp, Rating(true, "basically_satisfied")));
  clock_.Advance(std::chrono::hours(24 * 10));
  ASSERT_OK(Do(member_a_, c2, CaseAction::kSign));
  ASSERT_OK(Do(member_a_, c2, CaseAction::kReply, Note("late")));
  ASSERT_OK(Do(res1_, c2, CaseAction::kFollowUp, Rating(false, "dissatisfied")));
  // Dispatched after the period: not counted.
  dispatched(unit_a_);

  MetricsQuery q;
  q.from = start;
  q.to = start + std::chrono::hours(1);
  ASSERT_OK_AND_ASSIGN(auto rows, service().Metrics(sd1_staff_, q));
  ASSERT_EQ(rows.size(), 2u);
  const MetricsRow& a = rows[0];
  EXPECT_EQ(a.id, unit_a_);
  EXPECT_EQ(a.dispatched, 3);
  EXPECT_EQ(a.response.numerator, 2);
  EXPECT_EQ(a.response.denominator, 3);
  EXPECT_EQ(a.resolution.numerator, 1);
  EXPECT_EQ(a.resolution.denominator, 2);
  EXPECT_EQ(a.satisfaction.numerator, 1);
  EXPECT_EQ(a.satisfaction.denominator, 2);
  EXPECT_EQ(a.on_time.numerator, 1);
  EXPECT_EQ(a.on_time.denominator, 2);
  EXPECT_EQ(a.reopen.numerator, 1);
  EXPECT_EQ(a.reopen.denominator, 2);
  // 10 x 2/3 + 50 x 1/2 + 40 x 1/2, over 100.
  ASSERT_TRUE(a.score.has_value());
  EXPECT_NEAR(*a.score, 100.0 * (10.0 * 2 / 3 + 25 + 20) / 100, 1e-9);
  const MetricsRow& b = rows[1];
  EXPECT_EQ(b.response.numerator, 1);
  EXPECT_EQ(b.resolution.numerator, 1);
  EXPECT_EQ(b.satisfaction.numerator, 1);
  EXPECT_EQ(b.satisfaction.denominator, 1);
  EXPECT_EQ(b.reopen.numerator, 0);
  q.group = "area";
  ASSERT_OK_AND_ASSIGN(auto areas, service().Metrics(admin_, q));
  ASSERT_EQ(areas.size(), 1u);
  EXPECT_EQ(areas[0].id, sd1_);
  EXPECT_EQ(areas[0].dispatched, 4);
  EXPECT_EQ(areas[0].satisfaction.numerator, 2);
  EXPECT_EQ(areas[0].satisfaction.denominator, 3);
  EXPECT_THAT(service().Metrics(res1_, q), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_OK(service().Metrics(member_a_, q));
  q.group = "planet";
  EXPECT_THAT(service().Metrics(admin_, q), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(CasesTest, SimilarOpenCasesOfTheNeighborhoodSameBuildingFirst) {
  auto submit = [&](const auth::Principal& by, int64_t area, const char* title, const char* desc, bool pub) {
    NewCase n = Complaint(area, title, pub);
    n.description = desc;
    return Submit(by, n);
  };
  const int64_t lift_b2 = submit(res2_, b2_, "电梯故障", "2号楼电梯故障停运，老人下不了楼", true);
  const int64_t lift_b1 = submit(res2_, b1_, "1号楼电梯又坏了", "电梯故障停在三楼", true);
  submit(res2_, b1_, "垃圾桶满了", "垃圾没人清运，气味很大", true);
  const int64_t private_lift = submit(res2_, b1_, "电梯故障", "电梯故障，困人", false);
  submit(res2_, b3_, "电梯故障", "另一个居民区的电梯故障", true);
  SimilarQuery q;
  q.area_id = b1_;
  q.building_id = b1_;
  q.title = "电梯坏了";
  q.description = "电梯故障，没法上楼";
  ASSERT_OK_AND_ASSIGN(auto found, service().Similar(res1_, q));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].c.id, lift_b1);  // same building first
  EXPECT_TRUE(found[0].same_building);
  EXPECT_EQ(found[1].c.id, lift_b2);
  EXPECT_GT(found[1].score, 0.2);
  EXPECT_FALSE(found[0].c.personal_visible);
  // Staff see the private one too.
  ASSERT_OK_AND_ASSIGN(auto staff, service().Similar(nb1_staff_, q));
  ASSERT_EQ(staff.size(), 3u);
  EXPECT_TRUE(std::any_of(staff.begin(), staff.end(), [&](const SimilarCase& s) { return s.c.id == private_lift; }));
  SimilarQuery empty = q;
  empty.title = "";
  empty.description = "，。";
  ASSERT_OK_AND_ASSIGN(auto nothing, service().Similar(res1_, empty));
  EXPECT_TRUE(nothing.empty());
}

TEST_F(CasesTest, MeTooFollowsAndCountsOnce) {
  const int64_t id = Submit(res1_, Complaint(b1_, "路灯不亮", true));
  ASSERT_OK_AND_ASSIGN(Case c, service().MeToo(res2_, id));
  EXPECT_EQ(c.me_too_count, 1);
  EXPECT_FALSE(c.personal_visible);
  EXPECT_THAT(service().MeToo(res2_, id), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(service().MeToo(res1_, id), StatusIs(StatusCode::kAlreadyExists));  // the reporter follows already
  EXPECT_THAT(service().MeToo(auth::Principal{}, id), StatusIs(StatusCode::kUnauthenticated));
  CaseFilter mine;
  mine.mine = true;
  ASSERT_OK_AND_ASSIGN(auto followed, service().List(res2_, mine, "", 10));
  ASSERT_EQ(followed.items.size(), 1u);
  const int64_t private_case = Submit(res1_, Complaint(b1_));
  EXPECT_THAT(service().MeToo(res2_, private_case), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(Do(nb1_staff_, id, CaseAction::kReject, Note("重复")));
  EXPECT_THAT(service().MeToo(admin_, id), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(CasesTest, MergeKeepsBothHistories) {
  const int64_t kept = Submit(res1_, Complaint(b1_, "楼道堆物", true));
  const int64_t dup = Submit(res2_, Complaint(b1_, "楼道里堆了东西", true));
  EXPECT_THAT(service().Merge(res1_, dup, kept, ""), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service().Merge(nb1_staff_, kept, kept, ""), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(Case k, service().Merge(nb1_staff_, dup, kept, "同一问题"));
  EXPECT_EQ(k.me_too_count, 1);
  ASSERT_OK_AND_ASSIGN(CaseDetail d, service().Get(res2_, dup));
  EXPECT_EQ(d.c.state, CaseState::kClosed);
  EXPECT_EQ(d.c.merged_into, kept);
  EXPECT_EQ(d.timeline.front().kind, "submitted");
  EXPECT_EQ(d.timeline.back().kind, "merged");
  ASSERT_OK_AND_ASSIGN(CaseDetail kd, service().Get(nb1_staff_, kept));
  EXPECT_EQ(kd.duplicates, (std::vector<int64_t>{dup}));
  EXPECT_EQ(kd.timeline.back().kind, "duplicate_merged");
  {  // given back before the service takes one (no nested Acquire)
    auto conn = db_->Acquire();
    ASSERT_OK(conn);
    ASSERT_OK_AND_ASSIGN(auto links, record::ListLinks(**conn, record::Ref("case", dup)));
    ASSERT_EQ(links.size(), 1u);
    EXPECT_EQ(links[0].relation, "duplicate_of");
  }
  // The duplicate's reporter now follows the kept case.
  CaseFilter mine;
  mine.mine = true;
  ASSERT_OK_AND_ASSIGN(auto res2_cases, service().List(res2_, mine, "", 10));
  EXPECT_EQ(res2_cases.items.size(), 2u);
  EXPECT_THAT(service().Merge(nb1_staff_, dup, kept, ""), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(CasesTest, RoutingDeepestRuleWinsThenTheSubdistrictOffice) {
  const auth::Principal sys = auth::SystemPrincipal("test");
  ASSERT_OK(service().AddRoutingRule(sys, "parking", sd1_, unit_b_, {unit_c_}).status());
  ASSERT_OK(service().AddRoutingRule(sys, "parking", nb1_, unit_c_, {}).status());
  EXPECT_THAT(service().AddRoutingRule(sd2_staff_, "parking", nb1_, unit_a_, {}),
              StatusIs(StatusCode::kPermissionDenied));
  NewCase n = Complaint(b1_);
  n.category = "parking";
  const int64_t deep = Submit(res1_, n);
  ASSERT_OK_AND_ASSIGN(RoutingProposal p, service().ProposeRouting(nb1_staff_, deep));
  EXPECT_EQ(p.lead_unit_id, unit_c_);
  EXPECT_THAT(service().ProposeRouting(res1_, deep), StatusIs(StatusCode::kPermissionDenied));
  // Dispatch without a unit takes the proposal.
  ASSERT_OK_AND_ASSIGN(Case d, Do(nb1_staff_, deep, CaseAction::kDispatch));
  EXPECT_EQ(d.lead_unit_id, unit_c_);
  // No parking rule for this category: the subdistrict office (属地兜底).
  const int64_t noise = Submit(res1_, Complaint(b1_));
  ASSERT_OK_AND_ASSIGN(RoutingProposal fallback, service().ProposeRouting(nb1_staff_, noise));
  EXPECT_EQ(fallback.lead_unit_id, unit_b_);
  EXPECT_EQ(fallback.rule_id, 0);
  // In the other subdistrict there is no office and no rule: staff must choose.
  const int64_t far = Submit(res1_, Complaint(b3_));
  EXPECT_THAT(Do(admin_, far, CaseAction::kDispatch), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(CasesTest, EveryChangeIsAuditedAndTheChainHolds) {
  const int64_t id = Submit(res1_, Complaint(b1_));
  ASSERT_OK(Do(nb1_staff_, id, CaseAction::kDispatch, Dispatch(unit_a_)));
  ASSERT_OK(Do(member_a_, id, CaseAction::kSign));
  {  // given back before VerifyAudit takes one (no nested Acquire)
    auto conn = db_->Acquire();
    ASSERT_OK(conn);
    ASSERT_OK_AND_ASSIGN(auto audit, record::ListAudit(**conn, record::Ref("case", id), 100));
    ASSERT_EQ(audit.size(), 3u);
    EXPECT_EQ(audit[0].action, "case.submit");
    EXPECT_THAT(audit[0].summary, Not(HasSubstr("13812345678")));
  }
  ASSERT_OK_AND_ASSIGN(auto verification, record::VerifyAudit(*db_));
  EXPECT_TRUE(verification.problems.empty());
}

}  // namespace
}  // namespace ningju::cases

namespace ningju::cases {
namespace {

std::string ReadSource(const std::string& relative) {
  std::ifstream in(::ningju::testing::SourcePath(relative), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST_F(CasesTest, FilesAreStoredWithTheCaseAndShownToThoseWhoSeeItsPersonalData) {
  record::AttachmentLimits limits;
  limits.max_bytes = 64 * 1024;
  const std::string png = ReadSource("tests/record/photo.png");
  ASSERT_FALSE(png.empty());
  ASSERT_OK_AND_ASSIGN(Case c, service().SubmitWithFiles(
                                   res1_, Complaint(b1_, "外墙脱落", true),
                                   {{"墙面.png", png}, {"说明.pdf", ReadSource("tests/record/sheet.pdf")}}, limits));
  ASSERT_OK_AND_ASSIGN(auto files, service().Files(res1_, c.id));
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].content_type, "image/png");
  EXPECT_TRUE(files[0].has_thumbnail);
  EXPECT_EQ(files[1].content_type, "application/pdf");
  ASSERT_OK_AND_ASSIGN(auto bytes, service().File(res1_, c.id, files[0].id, false));
  EXPECT_EQ(bytes.second, png);
  ASSERT_OK_AND_ASSIGN(auto thumb, service().File(nb1_staff_, c.id, files[0].id, true));
  EXPECT_FALSE(thumb.second.empty());
  // The case is public, its files are not: strangers, anonymous or signed in, get nothing.
  EXPECT_THAT(service().Files(res2_, c.id), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service().File(auth::Principal{}, c.id, files[0].id, false), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(service().File(sd2_staff_, c.id, files[0].id, false), StatusIs(StatusCode::kPermissionDenied));
  // A file of another case is not found through this one.
  ASSERT_OK_AND_ASSIGN(Case other,
                       service().SubmitWithFiles(res1_, Complaint(b1_, "另一件"), {{"a.png", png}}, limits));
  EXPECT_THAT(service().File(res1_, other.id, files[0].id, false), StatusIs(StatusCode::kNotFound));
}

TEST_F(CasesTest, RefusedFilesStoreNoCase) {
  record::AttachmentLimits limits;
  limits.max_bytes = 1024;
  ASSERT_OK_AND_ASSIGN(auto before, service().List(res1_, {}, "", 50));
  // Not an image or PDF, whatever its name says.
  auto text = service().SubmitWithFiles(res1_, Complaint(b1_), {{"photo.jpg", "plain text, not a photo"}}, limits);
  EXPECT_THAT(text, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(text.status().message(), HasSubstr("text/plain"));
  // Larger than the per-file limit.
  EXPECT_THAT(
      service().SubmitWithFiles(res1_, Complaint(b1_), {{"big.png", ReadSource("tests/record/photo.png")}}, limits),
      StatusIs(StatusCode::kInvalidArgument));
  // More than six.
  std::vector<CaseFile> seven(7, {"s.pdf", ReadSource("tests/record/sheet.pdf")});
  limits.max_bytes = 64 * 1024;
  auto many = service().SubmitWithFiles(res1_, Complaint(b1_), seven, limits);
  EXPECT_THAT(many, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(many.status().message(), HasSubstr("at most 6"));
  ASSERT_OK_AND_ASSIGN(auto after, service().List(res1_, {}, "", 50));
  EXPECT_EQ(after.items.size(), before.items.size());
}

TEST_F(CasesTest, PublicCountsByBuilding) {
  Submit(res1_, Complaint(b1_, "一", true));
  Submit(res1_, Complaint(b1_, "二", true));
  Submit(res1_, Complaint(b2_, "三", false));
  Submit(res1_, Complaint(nb1_, "四", true));  // no building: not plotted
  ASSERT_OK_AND_ASSIGN(auto counts, service().PublicCountsByBuilding(nb1_));
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].building_id, b1_);
  EXPECT_EQ(counts[0].open, 2);
  EXPECT_EQ(counts[0].total, 2);
  const std::string svg = BuildingPlotSvg({{b1_, "1号楼<b>"}, {b2_, "2号楼"}}, counts, "示意图 & 说明", "desc");
  EXPECT_THAT(svg, HasSubstr("1号楼&lt;b&gt;"));
  EXPECT_THAT(svg, HasSubstr("示意图 &amp; 说明"));
  EXPECT_THAT(svg, HasSubstr(">2</text>"));
  EXPECT_THAT(svg, Not(HasSubstr("<b>")));
  EXPECT_THAT(svg, Not(HasSubstr("style=")));
}

}  // namespace
}  // namespace ningju::cases

namespace ningju::cases {
namespace {

// Privacy rules of docs/CASES.md "Who sees what" (the apartment, ended assignments, the inbox).
class CasePrivacyTest : public CasesTest {
 protected:
  // An apartment of building 1 (entrance 1单元).
  int64_t Apartment(const std::string& number) {
    int64_t unit = 0;
    EXPECT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
      ASSIGN_OR_RETURN(int64_t entrance,
                       areas::InsertArea(tx, Area(b1_, "entrance", ("e-" + number).c_str(), "1单元"), clock_.Now()));
      ASSIGN_OR_RETURN(storage::Row row, tx.QueryOne("INSERT INTO units (entrance_id, building_id, number, floor, "
                                                     "area_centi) VALUES (?, ?, ?, 1, 6000) RETURNING id",
                                                     {entrance, b1_, number}));
      unit = row.Int(0);
      return OkStatus();
    }));
    return unit;
  }
};

TEST_F(CasePrivacyTest, APublicCaseShowsTheBuildingNotTheApartmentUnlessTheReporterAllows) {
  const int64_t apartment = Apartment("101");
  NewCase hidden = Complaint(b1_, "楼上漏水", true);
  hidden.unit_id = apartment;
  const int64_t id = Submit(res1_, hidden);
  NewCase shown = hidden;
  shown.title = "楼上又漏水";
  shown.unit_public = true;
  const int64_t allowed = Submit(res1_, shown);

  const auth::Principal anonymous;
  ASSERT_OK_AND_ASSIGN(CaseDetail stranger, service().Get(anonymous, id));
  EXPECT_EQ(stranger.c.building_id, b1_);
  EXPECT_FALSE(stranger.c.unit_id.has_value());
  EXPECT_FALSE(stranger.c.ToJson()["unit_id"].is_number());
  ASSERT_OK_AND_ASSIGN(CaseDetail neighbour, service().Get(res2_, id));
  EXPECT_FALSE(neighbour.c.unit_id.has_value());
  // The reporter and staff over the area see it; so does everyone when the reporter allowed it.
  EXPECT_EQ(service().Get(res1_, id)->c.unit_id, apartment);
  EXPECT_EQ(service().Get(nb1_staff_, id)->c.unit_id, apartment);
  ASSERT_OK_AND_ASSIGN(CaseDetail consented, service().Get(anonymous, allowed));
  EXPECT_EQ(consented.c.unit_id, apartment);
  EXPECT_TRUE(consented.c.ToJson()["unit_public"].get<bool>());
  // The public list and the search (Open311) alike.
  CaseFilter pub;
  pub.public_only = true;
  ASSERT_OK_AND_ASSIGN(Page<Case> list, service().List(nb1_staff_, pub, "", 50));
  std::map<int64_t, std::optional<int64_t>> units;
  for (const Case& c : list.items) units[c.id] = c.unit_id;
  EXPECT_EQ(units.at(id), std::nullopt);
  EXPECT_EQ(units.at(allowed), apartment);
  CaseSearch search;
  search.ids = {id};
  ASSERT_OK_AND_ASSIGN(std::vector<Case> found, service().Search(anonymous, search));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_FALSE(found[0].unit_id.has_value());
  // "Me too" answers with the case as the neighbour may see it.
  ASSERT_OK_AND_ASSIGN(Case followed, service().MeToo(res2_, id));
  EXPECT_FALSE(followed.unit_id.has_value());
}

TEST_F(CasePrivacyTest, AUnitWhosePartEndedSeesTheCaseButNotTheReporter) {
  const int64_t id = Submit(res1_, Complaint(b1_));
  ASSERT_OK(Do(nb1_staff_, id, CaseAction::kDispatch, Dispatch(unit_b_, {unit_a_})));
  ASSERT_OK_AND_ASSIGN(CaseDetail during, service().Get(member_a_, id));
  EXPECT_TRUE(during.c.personal_visible);
  EXPECT_EQ(during.c.contact_phone, "13812345678");
  // The lead returns it; staff send it to the lead alone: the co-unit's part ended.
  ASSERT_OK(Do(member_b_, id, CaseAction::kReturn, Note("需单独办理")));
  ASSERT_OK(Do(nb1_staff_, id, CaseAction::kRedispatch, Dispatch(unit_b_)));
  ASSERT_OK_AND_ASSIGN(CaseDetail after, service().Get(member_a_, id));
  EXPECT_FALSE(after.c.personal_visible);
  EXPECT_EQ(after.c.contact_phone, "");
  EXPECT_EQ(after.c.contact_name, "");
  EXPECT_FALSE(after.c.reporter_id.has_value());
  for (const TimelineEntry& t : after.timeline) EXPECT_FALSE(t.actor_id.has_value()) << t.kind;
  EXPECT_THAT(service().Files(member_a_, id), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK_AND_ASSIGN(Page<Case> listed, service().List(member_a_, CaseFilter{}, "", 50));
  ASSERT_EQ(listed.items.size(), 1u);
  EXPECT_FALSE(listed.items[0].personal_visible);
  EXPECT_EQ(listed.items[0].contact_phone, "");
  // The current lead still sees them.
  EXPECT_EQ(service().Get(member_b_, id)->c.contact_phone, "13812345678");
}

TEST_F(CasePrivacyTest, TheInboxShowsPersonalDataByTheCasesAreaNotTheUnits) {
  // 江苏路's office, co-assigned to a case of 华阳路: 江苏路's staff keep the office's inbox, not 华阳路's cases.
  auto office = service().CreateUnit(auth::SystemPrincipal("test"),
                                     {0, "s2-office", "江苏路街道办事处", "subdistrict_office", sd2_, true});
  ASSERT_OK(office);
  const int64_t id = Submit(res1_, Complaint(b1_));
  ASSERT_OK(Do(nb1_staff_, id, CaseAction::kDispatch, Dispatch(unit_b_, {office->id})));
  ASSERT_OK_AND_ASSIGN(InboxView theirs, service().Inbox(sd2_staff_, office->id, "", 50));
  ASSERT_EQ(theirs.items.size(), 1u);
  EXPECT_EQ(theirs.items[0].id, id);
  EXPECT_FALSE(theirs.items[0].personal_visible);
  EXPECT_EQ(theirs.items[0].contact_phone, "");
  EXPECT_EQ(theirs.items[0].contact_name, "");
  // Staff over the case's area and the unit's members see them in the inbox as on the case page.
  ASSERT_OK_AND_ASSIGN(InboxView staff, service().Inbox(sd1_staff_, unit_b_, "", 50));
  ASSERT_EQ(staff.items.size(), 1u);
  EXPECT_EQ(staff.items[0].contact_phone, "13812345678");
  ASSERT_OK_AND_ASSIGN(InboxView member, service().Inbox(member_b_, unit_b_, "", 50));
  ASSERT_EQ(member.items.size(), 1u);
  EXPECT_EQ(member.items[0].contact_phone, "13812345678");
}

}  // namespace
}  // namespace ningju::cases
