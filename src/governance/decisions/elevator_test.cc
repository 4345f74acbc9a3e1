// The elevator retrofit: cost shares and notice dates as pure arithmetic, then the service over a real database
// (step order and refusals, the ballot gate, permissions, audit).
#include "governance/decisions/elevator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "governance/areas/area_writer.h"
#include "governance/decisions/ballots.h"
#include "governance/decisions/meetings.h"
#include "governance/decisions/test_tree.h"
#include "record/record.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace ningju::decisions {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::HasSubstr;

// A status with `code` whose message mentions `text`.
MATCHER_P2(FailsWith, code, text, "fails with " + std::string(StatusCodeName(code)) + " mentioning " + text) {
  const Status s = ::ningju::internal::AsStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code && s.message().find(text) != std::string::npos;
}

Percent P(const char* text) { return *Percent::Parse(text); }
Money M(const char* text) { return *Money::Parse(text); }

// Two units on each of floors 1..n.
std::vector<UnitOnFloor> TwoPerFloor(int floors) {
  std::vector<UnitOnFloor> out;
  int64_t id = 1;
  for (int f = 1; f <= floors; ++f) {
    for (int k = 1; k <= 2; ++k) out.push_back({id++, std::to_string(f) + "0" + std::to_string(k), f});
  }
  return out;
}

int64_t Sum(const CostTable& t) {
  int64_t sum = 0;
  for (const auto& f : t.floors) {
    for (const auto& u : f.units) sum += u.amount.hundredths();
  }
  return sum;
}

TEST(CostShares, SharesMustSumToExactlyOneHundredPercent) {
  const auto units = TwoPerFloor(3);
  EXPECT_OK(AllocateCosts(M("900.00"), {{1, P("0")}, {2, P("40")}, {3, P("60.00")}}, units));
  auto under = AllocateCosts(M("900.00"), {{1, P("0")}, {2, P("39.99")}, {3, P("60.00")}}, units);
  EXPECT_THAT(under, FailsWith(StatusCode::kInvalidArgument, "99.99%, not exactly 100.00%"));
  EXPECT_EQ(under.status().field(), "shares");
  EXPECT_THAT(AllocateCosts(M("900.00"), {{1, P("0.01")}, {2, P("40")}, {3, P("60")}}, units),
              FailsWith(StatusCode::kInvalidArgument, "100.01%"));
  // Every floor that holds a unit, once; no other floor.
  EXPECT_THAT(AllocateCosts(M("900.00"), {{2, P("40")}, {3, P("60")}}, units),
              FailsWith(StatusCode::kInvalidArgument, "floor 1 has no share"));
  EXPECT_THAT(AllocateCosts(M("900.00"), {{1, P("0")}, {2, P("40")}, {3, P("30")}, {3, P("30")}}, units),
              FailsWith(StatusCode::kInvalidArgument, "floor 3 appears twice"));
  EXPECT_THAT(AllocateCosts(M("900.00"), {{1, P("0")}, {2, P("40")}, {3, P("50")}, {7, P("10")}}, units),
              FailsWith(StatusCode::kInvalidArgument, "floor 7 holds no unit"));
  EXPECT_THAT(AllocateCosts(M("900.00"), {{1, P("0")}, {2, P("0")}, {3, P("100.01")}}, units),
              FailsWith(StatusCode::kInvalidArgument, "0.00% to 100.00%"));
  auto zero = AllocateCosts(M("0.00"), {{1, P("0")}, {2, P("40")}, {3, P("60")}}, units);
  EXPECT_THAT(zero, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(zero.status().field(), "total_cost");
  // Three thirds in two decimals are 99.99%: refused, never rounded up.
  EXPECT_THAT(AllocateCosts(M("900.00"), {{1, P("33.33")}, {2, P("33.33")}, {3, P("33.33")}}, units),
              FailsWith(StatusCode::kInvalidArgument, "99.99%"));
}

TEST(CostShares, AmountsPerFloorAndUnitSumToTheTotal) {
  // A six-floor building, two units a floor, 600,000.00 yuan: the upper floors pay more, the ground floor nothing.
  auto t =
      AllocateCosts(M("600000.00"), {{1, P("0")}, {2, P("5")}, {3, P("10")}, {4, P("20")}, {5, P("30")}, {6, P("35")}},
                    TwoPerFloor(6));
  ASSERT_OK(t);
  ASSERT_EQ(t->floors.size(), 6u);
  EXPECT_EQ(t->floors[0].amount.ToString(), "0.00");
  EXPECT_EQ(t->floors[1].amount.ToString(), "30000.00");
  EXPECT_EQ(t->floors[5].amount.ToString(), "210000.00");
  EXPECT_EQ(t->floors[5].per_unit.ToString(), "105000.00");
  EXPECT_EQ(t->floors[5].units[0].number, "601");
  EXPECT_EQ(t->floors[5].units[1].amount.ToString(), "105000.00");
  EXPECT_EQ(t->total_remainder_cents, 0);
  EXPECT_EQ(Sum(*t), 60000000);
}

TEST(CostShares, RemaindersGoToTheLargestDroppedFractionThenByUnitNumber) {
  // 0.10 yuan at 33.33 / 33.33 / 33.34 %: 3.333, 3.333 and 3.334 fen; the one fen left goes to floor 3 (largest
  // dropped fraction). Floor 3's 4 fen split 2 + 2; floors 1 and 2 split 3 fen as 2 + 1, the first unit by number
  // carrying the extra fen.
  auto t = AllocateCosts(M("0.10"), {{1, P("33.33")}, {2, P("33.33")}, {3, P("33.34")}}, TwoPerFloor(3));
  ASSERT_OK(t);
  EXPECT_EQ(t->total_remainder_cents, 1);
  EXPECT_EQ(t->floors[0].amount.ToString(), "0.03");
  EXPECT_FALSE(t->floors[0].extra_cent);
  EXPECT_EQ(t->floors[2].amount.ToString(), "0.04");
  EXPECT_TRUE(t->floors[2].extra_cent);
  EXPECT_EQ(t->floors[0].per_unit.ToString(), "0.01");
  EXPECT_EQ(t->floors[0].remainder_cents, 1);
  EXPECT_EQ(t->floors[0].units[0].number, "101");
  EXPECT_EQ(t->floors[0].units[0].amount.ToString(), "0.02");
  EXPECT_TRUE(t->floors[0].units[0].extra_cent);
  EXPECT_EQ(t->floors[0].units[1].amount.ToString(), "0.01");
  EXPECT_EQ(t->floors[2].units[0].amount.ToString(), "0.02");
  EXPECT_EQ(t->floors[2].units[1].amount.ToString(), "0.02");
  EXPECT_EQ(Sum(*t), 10);

  // A tie in the dropped fraction: the higher floor takes the fen.
  auto tie = AllocateCosts(M("0.01"), {{1, P("50")}, {2, P("50")}}, TwoPerFloor(2));
  ASSERT_OK(tie);
  EXPECT_EQ(tie->floors[0].amount.ToString(), "0.00");
  EXPECT_EQ(tie->floors[1].amount.ToString(), "0.01");
  EXPECT_EQ(Sum(*tie), 1);

  // The same input in another order gives the same table.
  auto again = AllocateCosts(M("0.10"), {{3, P("33.34")}, {1, P("33.33")}, {2, P("33.33")}}, TwoPerFloor(3));
  ASSERT_OK(again);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(again->floors[i].amount, t->floors[i].amount);
}

TEST(CostShares, AwkwardTotalStaysExact) {
  // 123,456.79 yuan over seven floors, three units a floor.
  std::vector<UnitOnFloor> units;
  for (int f = 1; f <= 7; ++f) {
    for (int k = 1; k <= 3; ++k) units.push_back({f * 10 + k, std::to_string(f) + "0" + std::to_string(k), f});
  }
  auto t = AllocateCosts(
      M("123456.79"),
      {{1, P("0")}, {2, P("3.33")}, {3, P("8.88")}, {4, P("14.29")}, {5, P("19.05")}, {6, P("23.81")}, {7, P("30.64")}},
      units);
  ASSERT_OK(t);
  EXPECT_EQ(Sum(*t), 12345679);
  int64_t floors = 0;
  for (const auto& f : t->floors) {
    floors += f.amount.hundredths();
    EXPECT_LT(f.remainder_cents, 3);
  }
  EXPECT_EQ(floors, 12345679);
}

TEST(NoticeDates, TenDaysThenSevenFromTheNextDay) {
  auto d = ParseCivilDate("2026-05-01", "d");
  ASSERT_OK(d);
  NoticeDates n = NoticeDatesFrom(*d);
  EXPECT_EQ(FormatCivilDate(n.notice_first), "2026-05-02");
  EXPECT_EQ(FormatCivilDate(n.notice_last), "2026-05-11");
  EXPECT_EQ(FormatCivilDate(n.objections_last), "2026-05-18");
  EXPECT_EQ(FormatUtc(n.window_ends), "2026-05-18T16:00:00Z");  // 2026-05-19 00:00 in Shanghai
  // Across the end of February (2026 is not a leap year; 2028 is).
  EXPECT_EQ(FormatCivilDate(NoticeDatesFrom(*ParseCivilDate("2026-02-25", "d")).notice_last), "2026-03-07");
  EXPECT_EQ(FormatCivilDate(NoticeDatesFrom(*ParseCivilDate("2026-02-25", "d")).objections_last), "2026-03-14");
  EXPECT_EQ(FormatCivilDate(NoticeDatesFrom(*ParseCivilDate("2028-02-25", "d")).notice_last), "2028-03-06");
}

TEST(Dates, ParseAndShanghaiDay) {
  for (const char* bad : {"2026-02-30", "2026-13-01", "2026-5-01", "20260501", "", "2026-05-01x", "abcd-ef-gh"}) {
    EXPECT_THAT(ParseCivilDate(bad, "done_on"), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  // 2026-05-01T16:00Z is already 2 May in Shanghai.
  EXPECT_EQ(FormatCivilDate(ShanghaiDate(FromUnix(1777651200))), "2026-05-02");
  EXPECT_EQ(FormatCivilDate(ShanghaiDate(FromUnix(1777651199))), "2026-05-01");
}

TEST(Survey, SharePercentRoundsHalfUpForDisplay) {
  EXPECT_EQ(SharePercent(2, 3), "66.67%");
  EXPECT_EQ(SharePercent(1, 3), "33.33%");
  EXPECT_EQ(SharePercent(1, 8), "12.50%");
  EXPECT_EQ(SharePercent(0, 0), "0.00%");
  EXPECT_EQ(SharePercent(12, 12), "100.00%");
}

// ---- The service.

const std::string kPdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

class ElevatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = ::ningju::testing::OpenTestDatabase();
    ASSERT_OK(db);
    db_ = std::move(db).value();
    service_ = std::make_unique<ElevatorService>(*db_, clock_);
    ballots_ = std::make_unique<BallotService>(*db_, clock_);
    auto tree = testing::AddSmallTree(*db_, clock_.Now());
    ASSERT_OK(tree);
    neighborhood_ = tree->neighborhood;
    other_neighborhood_ = tree->other_neighborhood;
    building_ = tree->building;
    entrance_ = tree->entrance;
    building2_ = tree->building2;
    entrance2_ = tree->entrance2;
    staff_ = User("staff", auth::Role::kNeighborhoodStaff, neighborhood_);
    other_staff_ = User("other-staff", auth::Role::kNeighborhoodStaff, other_neighborhood_);
    // Building 1: floors 1-3, two units a floor of 60.00 m², one owner each.
    for (int f = 1; f <= 3; ++f) {
      for (int k = 1; k <= 2; ++k) {
        const std::string number = std::to_string(f) + "0" + std::to_string(k);
        const int64_t unit = Unit(entrance_, building_, number, f, 6000);
        units_.push_back(unit);
        owners_.push_back(Owner("业主" + number, unit));
      }
    }
    outside_unit_ = Unit(entrance2_, building2_, "101", 1, 6000);
  }

  auth::Principal User(const std::string& login, auth::Role role, int64_t area) {
    auth::Principal p;
    EXPECT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
      ASSIGN_OR_RETURN(storage::Row u, tx.QueryOne("INSERT INTO users (username, display_name, password_hash, "
                                                   "created_at) VALUES (?, ?, 'x', 0) RETURNING id",
                                                   {login, "用户" + login}));
      ASSIGN_OR_RETURN(storage::Row g, tx.QueryOne("INSERT INTO role_grants (user_id, role, area_id, granted_at) "
                                                   "VALUES (?, ?, ?, 0) RETURNING id",
                                                   {u.Int(0), std::string(auth::RoleName(role)), area}));
      p.user_id = u.Int(0);
      p.display_name = "用户" + login;
      p.grants.push_back({g.Int(0), role, area});
      p.kind = auth::PrincipalKind::kUser;
      p.via = "session";
      return OkStatus();
    }));
    return p;
  }

  int64_t Unit(int64_t entrance, int64_t building, const std::string& number, int64_t floor, int64_t area_centi) {
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne(
        "INSERT INTO units (entrance_id, building_id, number, floor, area_centi) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id",
        {entrance, building, number, floor, area_centi});
    EXPECT_OK(row);
    return row->Int(0);
  }

  auth::Principal Owner(const std::string& name, int64_t unit) {
    auth::Principal p = User("owner-" + name, auth::Role::kResident, neighborhood_);
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    auto o = (*conn)->QueryOne("INSERT INTO owners (name, user_id, created_at) VALUES (?, ?, 0) RETURNING id",
                               {name, p.user_id});
    EXPECT_OK(o);
    EXPECT_OK((*conn)->Execute("INSERT INTO unit_owners (unit_id, owner_id) VALUES (?, ?)", {unit, o->Int(0)}));
    return p;
  }

  Completion With(const std::string& notes = "") {
    Completion c;
    c.notes = notes;
    return c;
  }

  // A project past feasibility (A) and the survey, at its plan.
  int64_t AtPlan() {
    auto p = service_->Create(staff_, building_, "");
    EXPECT_OK(p);
    Completion c;
    c.grade = "A";
    EXPECT_OK(service_->Complete(staff_, p->id, Step::kFeasibility, c));
    EXPECT_OK(service_->Answer(owners_[0], p->id, units_[0], Intention::kWilling));
    EXPECT_OK(service_->Complete(staff_, p->id, Step::kSurvey, With()));
    return p->id;
  }

  int64_t AtBuildingBallot(bool common = false) {
    const int64_t id = AtPlan();
    EXPECT_OK(service_->SavePlan(staff_, id, "楼北侧加装一部电梯，平层入户。", common));
    EXPECT_OK(service_->AddDrawing(staff_, id, "plan.pdf", kPdf));
    EXPECT_OK(service_->Complete(staff_, id, Step::kPlan, With()));
    return id;
  }

  // Starts the current step's ballot, lets `agree` owners agree and the rest disagree, closes it.
  int64_t Ballot(int64_t id, int agree, int voters = 6) {
    auto ballot = service_->StartBallot(staff_, id, clock_.Now() + std::chrono::hours(24 * 7));
    EXPECT_OK(ballot);
    for (int i = 0; i < voters; ++i) {
      EXPECT_OK(
          ballots_->Cast(owners_[static_cast<size_t>(i)], *ballot, i < agree ? Choice::kAgree : Choice::kDisagree));
    }
    EXPECT_OK(ballots_->Close(staff_, *ballot));
    return *ballot;
  }

  int64_t AtCostShares() {
    const int64_t id = AtBuildingBallot();
    Ballot(id, 6);
    EXPECT_OK(service_->Complete(staff_, id, Step::kBuildingBallot, With()));
    return id;
  }

  std::vector<FloorShare> Shares() { return {{1, P("0")}, {2, P("40")}, {3, P("60")}}; }

  std::vector<std::string> AuditActions(int64_t id) {
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    auto records = record::ListAudit(**conn, record::Ref("elevator", id), 1000);
    EXPECT_OK(records);
    std::vector<std::string> out;
    for (const auto& r : *records) out.push_back(r.action);
    return out;
  }

  FakeClock clock_{FromUnix(1'780'000'000)};  // 2026-05-29 04:26 in Shanghai
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<ElevatorService> service_;
  std::unique_ptr<BallotService> ballots_;
  int64_t neighborhood_ = 0, other_neighborhood_ = 0, building_ = 0, entrance_ = 0, building2_ = 0, entrance2_ = 0;
  int64_t outside_unit_ = 0;
  std::vector<int64_t> units_;
  std::vector<auth::Principal> owners_;
  auth::Principal staff_, other_staff_;
};

TEST_F(ElevatorTest, CreatesOneProjectPerBuildingForItsStaffOnly) {
  auto p = service_->Create(staff_, building_, "");
  ASSERT_OK(p);
  EXPECT_EQ(p->title, "1号楼加装电梯");
  EXPECT_EQ(p->current(), Step::kFeasibility);
  EXPECT_EQ(p->steps.size(), 10u);
  EXPECT_THAT(service_->Create(staff_, building_, ""), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(service_->Create(other_staff_, building2_, ""), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->Create(owners_[0], building2_, ""), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->Create(auth::Principal{}, building2_, ""), StatusIs(StatusCode::kUnauthenticated));
  auto not_building = service_->Create(staff_, entrance_, "");
  EXPECT_THAT(not_building, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(not_building.status().field(), "building_id");
  EXPECT_THAT(AuditActions(p->id), ::testing::Contains("elevator.create"));
}

TEST_F(ElevatorTest, StepsCompleteInOrderOnly) {
  auto p = service_->Create(staff_, building_, "");
  ASSERT_OK(p);
  auto early = service_->Complete(staff_, p->id, Step::kSurvey, With());
  EXPECT_THAT(early, FailsWith(StatusCode::kFailedPrecondition, "before feasibility is complete"));
  EXPECT_EQ(early.status().field(), "step");
  EXPECT_THAT(service_->Complete(staff_, p->id, Step::kRegistration, With()),
              StatusIs(StatusCode::kFailedPrecondition));
  // Feasibility needs a grade; only staff complete it.
  EXPECT_THAT(service_->Complete(staff_, p->id, Step::kFeasibility, With()), StatusIs(StatusCode::kInvalidArgument));
  Completion a;
  a.grade = "A";
  EXPECT_THAT(service_->Complete(owners_[0], p->id, Step::kFeasibility, a), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->Complete(other_staff_, p->id, Step::kFeasibility, a), StatusIs(StatusCode::kPermissionDenied));
  a.done_on = "2026-06-30";  // after today
  EXPECT_THAT(service_->Complete(staff_, p->id, Step::kFeasibility, a), StatusIs(StatusCode::kInvalidArgument));
  a.done_on = "2026-05-20";
  auto done = service_->Complete(staff_, p->id, Step::kFeasibility, a);
  ASSERT_OK(done);
  EXPECT_EQ(done->record(Step::kFeasibility).done_on, "2026-05-20");
  EXPECT_EQ(done->record(Step::kFeasibility).state, StepState::kDone);
  EXPECT_EQ(done->current(), Step::kSurvey);
  auto twice = service_->Complete(staff_, p->id, Step::kFeasibility, a);
  EXPECT_THAT(twice, FailsWith(StatusCode::kFailedPrecondition, "is done"));
  // The survey cannot be dated before the assessment.
  EXPECT_OK(service_->Answer(owners_[0], p->id, units_[0], Intention::kWilling));
  Completion early_date;
  early_date.done_on = "2026-05-19";
  auto before = service_->Complete(staff_, p->id, Step::kSurvey, early_date);
  EXPECT_THAT(before, FailsWith(StatusCode::kInvalidArgument, "before the previous step"));
  EXPECT_EQ(before.status().field(), "done_on");
}

TEST_F(ElevatorTest, GradeCStopsTheProjectWithItsReason) {
  auto p = service_->Create(staff_, building_, "");
  ASSERT_OK(p);
  Completion c;
  c.grade = "C";
  auto no_reason = service_->Complete(staff_, p->id, Step::kFeasibility, c);
  EXPECT_THAT(no_reason, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(no_reason.status().field(), "reason");
  c.grade = "D";
  EXPECT_THAT(service_->Complete(staff_, p->id, Step::kFeasibility, c), StatusIs(StatusCode::kInvalidArgument));
  c.grade = "C";
  c.reason = "楼间距不足，消防通道无法保留";
  auto stopped = service_->Complete(staff_, p->id, Step::kFeasibility, c);
  ASSERT_OK(stopped);
  EXPECT_EQ(stopped->state, ProjectState::kStopped);
  EXPECT_EQ(stopped->stop_reason, "楼间距不足，消防通道无法保留");
  EXPECT_FALSE(stopped->current().has_value());
  EXPECT_THAT(service_->Complete(staff_, p->id, Step::kSurvey, With()),
              FailsWith(StatusCode::kFailedPrecondition, "stopped"));
  EXPECT_THAT(service_->Answer(owners_[0], p->id, units_[0], Intention::kWilling),
              StatusIs(StatusCode::kFailedPrecondition));
  // A new assessment later is a new project.
  EXPECT_OK(service_->Create(staff_, building_, ""));
  EXPECT_THAT(AuditActions(p->id), ::testing::Contains("elevator.stop"));
}

TEST_F(ElevatorTest, OwnersAnswerTheSurveyForTheirOwnUnits) {
  auto p = service_->Create(staff_, building_, "");
  ASSERT_OK(p);
  EXPECT_THAT(service_->Answer(owners_[0], p->id, units_[0], Intention::kWilling),
              StatusIs(StatusCode::kFailedPrecondition));  // not under way yet
  Completion a;
  a.grade = "B";
  ASSERT_OK(service_->Complete(staff_, p->id, Step::kFeasibility, a));
  auto empty = service_->Complete(staff_, p->id, Step::kSurvey, With());
  EXPECT_THAT(empty, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(empty.status().field(), "survey");
  EXPECT_OK(service_->Answer(owners_[0], p->id, units_[0], Intention::kUnwilling));
  EXPECT_OK(service_->Answer(owners_[0], p->id, units_[0], Intention::kWilling));  // the latest counts
  EXPECT_OK(service_->Answer(owners_[5], p->id, units_[5], Intention::kUndecided));
  EXPECT_THAT(service_->Answer(owners_[0], p->id, units_[1], Intention::kWilling),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->Answer(auth::Principal{}, p->id, units_[1], Intention::kWilling),
              StatusIs(StatusCode::kUnauthenticated));
  auto outside = service_->Answer(staff_, p->id, outside_unit_, Intention::kWilling);
  EXPECT_THAT(outside, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(outside.field(), "unit_id");
  EXPECT_OK(service_->Answer(staff_, p->id, units_[2], Intention::kWilling));  // a paper answer

  auto staff_view = service_->View(staff_, p->id);
  ASSERT_OK(staff_view);
  EXPECT_EQ(staff_view->survey.total.units, 6);
  EXPECT_EQ(staff_view->survey.total.area_centi, 36000);
  EXPECT_EQ(staff_view->survey.willing.units, 2);
  EXPECT_EQ(staff_view->survey.willing.area_centi, 12000);
  EXPECT_EQ(staff_view->survey.undecided.units, 1);
  EXPECT_EQ(staff_view->survey.unanswered.units, 3);
  EXPECT_EQ(SharePercent(staff_view->survey.willing.area_centi, staff_view->survey.total.area_centi), "33.33%");
  EXPECT_EQ(staff_view->answers.size(), 6u);
  auto owner_view = service_->View(owners_[0], p->id);
  ASSERT_OK(owner_view);
  ASSERT_EQ(owner_view->answers.size(), 1u);
  EXPECT_EQ(owner_view->answers[0].answer, Intention::kWilling);
  auto public_view = service_->View(auth::Principal{}, p->id);
  ASSERT_OK(public_view);
  EXPECT_TRUE(public_view->answers.empty());
  EXPECT_EQ(public_view->survey.willing.units, 2);  // the figures are public
  EXPECT_TRUE(public_view->project.record(Step::kFeasibility).completed_by.empty());
}

TEST_F(ElevatorTest, PlanNeedsTextAndAPdfDrawing) {
  const int64_t id = AtPlan();
  auto no_text = service_->Complete(staff_, id, Step::kPlan, With());
  EXPECT_THAT(no_text, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(no_text.status().field(), "plan");
  ASSERT_OK(service_->SavePlan(staff_, id, "北侧加装", false));
  auto no_drawing = service_->Complete(staff_, id, Step::kPlan, With());
  EXPECT_THAT(no_drawing, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(no_drawing.status().field(), "drawing");
  EXPECT_THAT(service_->AddDrawing(staff_, id, "plan.txt", "just text, not a drawing"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->AddDrawing(owners_[0], id, "plan.pdf", kPdf), StatusIs(StatusCode::kPermissionDenied));
  auto drawing = service_->AddDrawing(staff_, id, "plan.pdf", kPdf);
  ASSERT_OK(drawing);
  auto bytes = service_->Drawing(id, drawing->id);
  ASSERT_OK(bytes);
  EXPECT_EQ(bytes->second, kPdf);
  auto done = service_->Complete(staff_, id, Step::kPlan, With());
  ASSERT_OK(done);
  // No common part of the estate: the estate ballot does not apply.
  EXPECT_EQ(done->current(), Step::kBuildingBallot);
  EXPECT_EQ(done->record(Step::kEstateBallot).state, StepState::kPending);
  EXPECT_THAT(service_->SavePlan(staff_, id, "改了", false), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(ElevatorTest, AFailedBuildingBallotBlocksThePlanNotice) {
  const int64_t id = AtBuildingBallot();
  auto none = service_->Complete(staff_, id, Step::kBuildingBallot, With());
  EXPECT_THAT(none, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(none.status().field(), "ballot");
  auto ballot = service_->StartBallot(staff_, id, clock_.Now() + std::chrono::hours(48));
  ASSERT_OK(ballot);
  auto b = ballots_->Get(*ballot);
  ASSERT_OK(b);
  EXPECT_EQ(b->matter, Matter::kRebuild);
  EXPECT_EQ(b->area_id, building_);
  EXPECT_EQ(b->state, BallotState::kOpen);
  // While it is open: no second ballot, no completion.
  EXPECT_THAT(service_->StartBallot(staff_, id, clock_.Now() + std::chrono::hours(48)),
              FailsWith(StatusCode::kFailedPrecondition, "still open"));
  EXPECT_THAT(service_->Complete(staff_, id, Step::kBuildingBallot, With()),
              FailsWith(StatusCode::kFailedPrecondition, "still open"));
  // 4 of 6 agree: participation met, consent 4/6 < 3/4: failed.
  for (int i = 0; i < 6; ++i) {
    ASSERT_OK(ballots_->Cast(owners_[static_cast<size_t>(i)], *ballot, i < 4 ? Choice::kAgree : Choice::kDisagree));
  }
  ASSERT_OK(ballots_->Close(staff_, *ballot));
  auto failed = service_->Complete(staff_, id, Step::kBuildingBallot, With());
  EXPECT_THAT(failed, FailsWith(StatusCode::kFailedPrecondition, "failed"));
  EXPECT_EQ(failed.status().field(), "ballot");
  // The plan notice cannot start: every later step stays closed.
  EXPECT_THAT(service_->PublishNotice(staff_, id, ""), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->Complete(staff_, id, Step::kPlanNotice, With()), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->SetCostShares(staff_, id, M("1000.00"), Shares()), StatusIs(StatusCode::kFailedPrecondition));
  // After consultation, a new ballot passes (5 of 6: 5 x 4 = 20 >= 6 x 3 = 18) and the step completes.
  const int64_t second = Ballot(id, 5);
  EXPECT_NE(second, *ballot);
  EXPECT_THAT(service_->StartBallot(staff_, id, clock_.Now() + std::chrono::hours(48)),
              FailsWith(StatusCode::kFailedPrecondition, "passed"));
  auto done = service_->Complete(staff_, id, Step::kBuildingBallot, With());
  ASSERT_OK(done);
  EXPECT_EQ(done->record(Step::kBuildingBallot).refs.size(), 2u);
  EXPECT_EQ(done->record(Step::kEstateBallot).state, StepState::kSkipped);
  EXPECT_EQ(done->current(), Step::kCostShares);
  auto conn = db_->Acquire();
  ASSERT_OK(conn);
  auto links = record::ListLinks(**conn, record::Ref("elevator", id));
  ASSERT_OK(links);
  EXPECT_EQ(links->size(), 2u);
}

TEST_F(ElevatorTest, CommonPartsOfTheEstateAddAnEstateBallotByMajority) {
  const int64_t id = AtBuildingBallot(true);
  Ballot(id, 6);
  auto p = service_->Complete(staff_, id, Step::kBuildingBallot, With());
  ASSERT_OK(p);
  EXPECT_EQ(p->current(), Step::kEstateBallot);
  // Staff choose the matter: item 8 or item 9 of art. 278, nothing else, and not nothing.
  const Instant closes = clock_.Now() + std::chrono::hours(48);
  auto unchosen = service_->StartBallot(staff_, id, closes);
  EXPECT_THAT(unchosen, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(unchosen.status().field(), "matter");
  EXPECT_EQ(service_->StartBallot(staff_, id, closes, Matter::kRebuild).status().field(), "matter");
  auto ballot = service_->StartBallot(staff_, id, closes, Matter::kOtherMajorMatter);
  ASSERT_OK(ballot);
  auto b = ballots_->Get(*ballot);
  ASSERT_OK(b);
  EXPECT_EQ(b->matter, Matter::kOtherMajorMatter);
  EXPECT_EQ(ConsentRuleFor(b->matter), ConsentRule::kMajority);
  EXPECT_EQ(b->area_id, neighborhood_);
  // The estate: the six owners of building 1 and the unowned unit of building 2 (7 heads). 5 agree, 1 disagrees:
  // participation 6/7 >= 2/3; consent 5/6 > 1/2.
  for (int i = 0; i < 6; ++i) {
    ASSERT_OK(ballots_->Cast(owners_[static_cast<size_t>(i)], *ballot, i < 5 ? Choice::kAgree : Choice::kDisagree));
  }
  ASSERT_OK(ballots_->Close(staff_, *ballot));
  auto done = service_->Complete(staff_, id, Step::kEstateBallot, With());
  ASSERT_OK(done);
  EXPECT_EQ(done->current(), Step::kCostShares);
}

TEST_F(ElevatorTest, CostSharesThenNoticeWithObjectionsThenConstructionToRegistration) {
  const int64_t id = AtCostShares();
  auto empty = service_->Complete(staff_, id, Step::kCostShares, With());
  EXPECT_THAT(empty, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(empty.status().field(), "shares");
  EXPECT_THAT(service_->SetCostShares(staff_, id, M("300000.00"), {{1, P("0")}, {2, P("40")}, {3, P("59.99")}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->SetCostShares(owners_[0], id, M("300000.00"), Shares()),
              StatusIs(StatusCode::kPermissionDenied));
  auto table = service_->SetCostShares(staff_, id, M("300000.01"), Shares());
  ASSERT_OK(table);
  EXPECT_EQ(Sum(*table), 30000001);
  EXPECT_EQ(table->floors[2].amount.ToString(), "180000.01");  // 0.6 x 0.01 = 0.006 beats 0.4 x 0.01 = 0.004
  EXPECT_EQ(table->floors[2].units[0].amount.ToString(), "90000.01");
  EXPECT_EQ(table->floors[2].units[1].amount.ToString(), "90000.00");
  auto pub = service_->View(auth::Principal{}, id);
  ASSERT_OK(pub);
  ASSERT_TRUE(pub->costs.has_value());  // the public sees the table
  EXPECT_EQ(pub->costs->total.ToString(), "300000.01");
  EXPECT_FALSE(service_->View(staff_, id)->shares_fixed);
  ASSERT_OK(service_->Complete(staff_, id, Step::kCostShares, With()));
  // Agreed: the shares are fixed, and the step's record keeps them.
  auto changed = service_->SetCostShares(staff_, id, M("1.00"), Shares());
  EXPECT_THAT(changed, FailsWith(StatusCode::kFailedPrecondition, "fixed"));
  EXPECT_EQ(changed.status().field(), "shares");
  auto fixed = service_->View(auth::Principal{}, id);
  ASSERT_OK(fixed);
  EXPECT_TRUE(fixed->shares_fixed);
  EXPECT_EQ(fixed->costs->total.ToString(), "300000.01");
  const nlohmann::json& agreed = fixed->project.record(Step::kCostShares).data;
  EXPECT_EQ(agreed["total_cost"], "300000.01");
  ASSERT_EQ(agreed["shares"].size(), 3u);
  EXPECT_EQ(agreed["shares"][2]["floor"], 3);
  EXPECT_EQ(agreed["shares"][2]["share"], "60.00");

  // The notice: not in the future, not twice; objections by postmark inside the window.
  EXPECT_THAT(service_->PublishNotice(staff_, id, "2026-05-30"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->RecordObjection(staff_, id, "2026-05-29", "张三", "挡光"),
              StatusIs(StatusCode::kFailedPrecondition));
  auto dates = service_->PublishNotice(staff_, id, "2026-05-29");
  ASSERT_OK(dates);
  EXPECT_EQ(FormatCivilDate(dates->notice_last), "2026-06-08");
  EXPECT_EQ(FormatCivilDate(dates->objections_last), "2026-06-15");
  EXPECT_THAT(service_->PublishNotice(staff_, id, "2026-05-29"), StatusIs(StatusCode::kFailedPrecondition));
  auto early = service_->RecordObjection(staff_, id, "2026-05-28", "张三", "挡光");
  EXPECT_THAT(early, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(early.status().field(), "received_on");
  ASSERT_OK(service_->RecordObjection(staff_, id, "2026-05-29", "张三", "电梯井挡住二楼采光"));
  auto running = service_->Complete(staff_, id, Step::kPlanNotice, With());
  EXPECT_THAT(running, FailsWith(StatusCode::kFailedPrecondition, "2026-06-15"));
  EXPECT_EQ(running.status().field(), "notice");
  // On 2026-06-15 (the last day) it still runs; a letter postmarked that day is accepted, the next day's is not.
  clock_.Set(FromUnix(1'781'452'800));  // 2026-06-15 00:00 Shanghai
  EXPECT_THAT(service_->Complete(staff_, id, Step::kPlanNotice, With()), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK(service_->RecordObjection(staff_, id, "2026-06-15", "李四", "噪声"));
  clock_.Set(FromUnix(1'781'539'200));  // 2026-06-16 00:00 Shanghai
  EXPECT_THAT(service_->RecordObjection(staff_, id, "2026-06-16", "王五", "太晚"),
              StatusIs(StatusCode::kInvalidArgument));
  auto unhandled = service_->Complete(staff_, id, Step::kPlanNotice, With());
  EXPECT_THAT(unhandled, FailsWith(StatusCode::kFailedPrecondition, "2 objection"));
  EXPECT_EQ(unhandled.status().field(), "objections");
  // Owners see the objections with the names masked; the public sees only how many.
  auto owner_view = service_->View(owners_[1], id);
  ASSERT_OK(owner_view);
  ASSERT_EQ(owner_view->objections.size(), 2u);
  EXPECT_EQ(owner_view->objections[0].objector, "张*");
  auto public_view = service_->View(auth::Principal{}, id);
  ASSERT_OK(public_view);
  EXPECT_EQ(public_view->objection_count, 2);
  EXPECT_TRUE(public_view->objections.empty());
  ASSERT_OK(service_->Complete(staff_, id, Step::kPlanNotice, With("6月10日召开协调会，调整井道位置后两位业主无异议")));

  // The coordination meeting that settled them, related to the step.
  MeetingService meetings(*db_, clock_);
  MeetingInput in;
  in.kind = "coordination";
  in.subject = "1号楼加装电梯协调会";
  in.area_id = building_;
  in.starts_at = clock_.Now() + std::chrono::hours(2);
  in.ends_at = clock_.Now() + std::chrono::hours(3);
  in.place = "居委会会议室";
  in.agenda = {"听取异议", "调整井道位置"};
  auto meeting = meetings.Create(staff_, in);
  ASSERT_OK(meeting);
  auto missing = service_->LinkMeeting(staff_, id, Step::kPlanNotice, meeting->id + 1000);
  EXPECT_THAT(missing, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(missing.field(), "meeting_id");
  EXPECT_THAT(service_->LinkMeeting(owners_[0], id, Step::kPlanNotice, meeting->id),
              StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(service_->LinkMeeting(staff_, id, Step::kPlanNotice, meeting->id));
  const std::string meeting_ref = "meeting:" + std::to_string(meeting->id);
  EXPECT_THAT(service_->LinkMeeting(staff_, id, Step::kPlanNotice, meeting->id), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(service_->LinkMeeting(staff_, id, Step::kRegistration, meeting->id),
              StatusIs(StatusCode::kFailedPrecondition));
  auto with_meeting = service_->View(staff_, id);
  ASSERT_OK(with_meeting);
  EXPECT_EQ(with_meeting->meetings[meeting_ref]["subject"], "1号楼加装电梯协调会");
  EXPECT_EQ(with_meeting->meetings[meeting_ref]["kind_zh"], "协调会");
  auto public_meeting = service_->View(auth::Principal{}, id);
  ASSERT_OK(public_meeting);
  EXPECT_FALSE(public_meeting->meetings.contains(meeting_ref));  // a draft meeting stays with staff
  ASSERT_OK(service_->Complete(staff_, id, Step::kConstruction, With("开工信息已报送")));
  ASSERT_OK(service_->Complete(staff_, id, Step::kAcceptance, With()));
  auto finished = service_->Complete(staff_, id, Step::kRegistration, With("使用登记证已取得"));
  ASSERT_OK(finished);
  EXPECT_EQ(finished->state, ProjectState::kCompleted);
  EXPECT_FALSE(finished->current().has_value());
  EXPECT_EQ(finished->record(Step::kPlanNotice).refs, std::vector<std::string>{meeting_ref});
  EXPECT_THAT(service_->Complete(staff_, id, Step::kRegistration, With()),
              FailsWith(StatusCode::kFailedPrecondition, "completed"));

  // Every change is audited on the project, and the timeline has its events.
  const auto actions = AuditActions(id);
  for (const char* a : {"elevator.create", "elevator.step.complete", "elevator.survey.answer", "elevator.plan",
                        "elevator.drawing", "elevator.ballot", "elevator.cost_shares", "elevator.notice",
                        "elevator.objection", "elevator.meeting", "elevator.complete"}) {
    EXPECT_THAT(actions, ::testing::Contains(std::string(a)));
  }
  {  // given back before VerifyAudit takes one (no nested Acquire)
    auto conn = db_->Acquire();
    ASSERT_OK(conn);
    auto events = record::ListEvents(**conn, record::Ref("elevator", id));
    ASSERT_OK(events);
    EXPECT_GT(events->size(), 20u);
  }
  auto verified = record::VerifyAudit(*db_);
  ASSERT_OK(verified);
  EXPECT_TRUE(verified->problems.empty());
}

TEST_F(ElevatorTest, DemoSeedsAProjectAtTheSurvey) {
  ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(storage::Row u, tx.QueryOne("INSERT INTO users (username, display_name, password_hash, "
                                                 "created_at) VALUES ('resident1', '居民', 'x', 0) RETURNING id"));
    ASSIGN_OR_RETURN(storage::Row o, tx.QueryOne("INSERT INTO owners (name, user_id, created_at) VALUES "
                                                 "('王某', ?, 0) RETURNING id",
                                                 {u.Int(0)}));
    RETURN_IF_ERROR(tx.Execute("INSERT INTO unit_owners (unit_id, owner_id) VALUES (?, ?)", {units_[1], o.Int(0)}));
    return SeedDemoElevator(tx, clock_.Now());
  }));
  auto list = service_->ForBuilding(building_);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().current(), Step::kSurvey);
  EXPECT_EQ(list->front().record(Step::kFeasibility).data["grade"], "A");
  auto view = service_->View(auth::Principal{}, list->front().id);
  ASSERT_OK(view);
  EXPECT_EQ(view->survey.willing.units, 1);
}

TEST_F(ElevatorTest, TheEstatesBallotOnItemEightNeedsThreeQuarters) {
  const int64_t id = AtBuildingBallot(true);
  // The building's ballot is item 7 only.
  EXPECT_EQ(service_->StartBallot(staff_, id, clock_.Now() + std::chrono::hours(48), Matter::kCommonPartsUse)
                .status()
                .field(),
            "matter");
  Ballot(id, 6);
  ASSERT_OK(service_->Complete(staff_, id, Step::kBuildingBallot, With()));
  auto ballot = service_->StartBallot(staff_, id, clock_.Now() + std::chrono::hours(48), Matter::kCommonPartsUse);
  ASSERT_OK(ballot);
  auto b = ballots_->Get(*ballot);
  ASSERT_OK(b);
  EXPECT_EQ(b->matter, Matter::kCommonPartsUse);
  EXPECT_THAT(b->description, HasSubstr("第八项"));
  // The page's data says the rule: item 8, three quarters.
  auto view = service_->View(auth::Principal{}, id);
  ASSERT_OK(view);
  const nlohmann::json& shown = view->ballots[record::Ref("ballot", *ballot)];
  EXPECT_EQ(shown["matter"], 8);
  EXPECT_EQ(shown["consent_rule"], "three_quarters");
  // 5 of the 7 heads of the estate agree, 1 disagrees: 5/6 >= 3/4 passes; with 4 agreeing and 2 against, 4/6 fails.
  for (int i = 0; i < 6; ++i) {
    ASSERT_OK(ballots_->Cast(owners_[static_cast<size_t>(i)], *ballot, i < 4 ? Choice::kAgree : Choice::kDisagree));
  }
  ASSERT_OK(ballots_->Close(staff_, *ballot));
  EXPECT_THAT(service_->Complete(staff_, id, Step::kEstateBallot, With()),
              FailsWith(StatusCode::kFailedPrecondition, "failed"));
}

}  // namespace
}  // namespace ningju::decisions
