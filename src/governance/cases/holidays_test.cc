// Entering next year's State Council notice: the preview of the deadlines it moves, the import that stores it,
// recomputes open deadlines in one audited transaction and takes effect without a restart, in this process and in
// another one sharing the database; who may enter it; what is refused.
#include "governance/cases/holidays.h"

#include <gtest/gtest.h>

#include <string>

#include "governance/areas/area_writer.h"
#include "governance/cases/cases.h"
#include "record/record.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"
#include "testing/test_principal.h"

namespace ningju::cases {
namespace {

using ::ningju::testing::StatusIs;

CivilDate D(const char* text) { return *ParseCivilDate(text); }
Instant Shanghai(const char* date, int hour) { return StartOfShanghaiDay(D(date)) + std::chrono::hours(hour); }

// 2027's New Year holiday and a Saturday made a working day (enough to move the deadlines below).
constexpr const char* kNotice2027 =
    "# 国务院办公厅关于2027年部分节假日安排的通知（摘录）\n"
    "years 2027\n"
    "2027-01-01 holiday 元旦\n"
    "2027-01-02 holiday 元旦\n"
    "2027-01-03 holiday 元旦\n"
    "2027-01-09 workday 元旦调休\n";

class HolidaysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, ::ningju::testing::OpenTestDatabase());
    ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
      const Instant t = clock_.Now();
      auto area = [&](std::optional<int64_t> parent, const char* kind, const char* code) {
        areas::NewArea a;
        a.parent_id = parent;
        a.kind = kind;
        a.code = code;
        a.name = code;
        return areas::InsertArea(tx, a, t);
      };
      ASSIGN_OR_RETURN(district_, area(std::nullopt, "district", "d"));
      ASSIGN_OR_RETURN(subdistrict_, area(district_, "subdistrict", "s"));
      ASSIGN_OR_RETURN(neighborhood_, area(subdistrict_, "neighborhood", "n"));
      return OkStatus();
    }));
    admin_ = User("admin", auth::Role::kDistrictAdmin, district_);
    staff_ = User("staff", auth::Role::kSubdistrictStaff, subdistrict_);
    member_ = User("member", std::nullopt, 0);
    resident_ = User("resident", auth::Role::kResident, neighborhood_);
    holidays_ = std::make_unique<HolidayService>(*db_, clock_, WorkingCalendar::BuiltIn(), holder_);
    ASSERT_OK(holidays_->Refresh());
    cases_ = std::make_unique<CaseService>(*db_, clock_, holder_);
    const auth::Principal sys = auth::SystemPrincipal("test");
    ASSERT_OK_AND_ASSIGN(HandlingUnit unit,
                         cases_->CreateUnit(sys, {0, "housing", "区房管局", "department", district_, true}));
    unit_ = unit.id;
    ASSERT_OK(cases_->AddUnitMember(sys, unit_, member_.user_id));
  }

  auth::Principal User(const std::string& login, std::optional<auth::Role> role, int64_t area) {
    return ::ningju::testing::NewPrincipal(*db_, login, role, area);
  }

  // A complaint dispatched to the unit now (sign in 24 hours, reply in 5 working days); signed when `sign`.
  int64_t Dispatched(bool sign) {
    NewCase n;
    n.type = "complaint";
    n.category = "property_management";
    n.title = "楼道堆物";
    n.description = "楼道里堆满了杂物，存在消防隐患。";
    n.area_id = neighborhood_;
    n.contact_name = "张三丰";
    n.contact_phone = "13812345678";
    auto c = cases_->Submit(resident_, n);
    EXPECT_OK(c);
    ActionInput in;
    in.lead_unit_id = unit_;
    EXPECT_OK(cases_->Act(staff_, c->id, CaseAction::kDispatch, in));
    if (sign) EXPECT_OK(cases_->Act(member_, c->id, CaseAction::kSign, {}));
    return c->id;
  }

  Case Load(int64_t id) {
    auto d = cases_->Get(admin_, id);
    EXPECT_OK(d);
    return d->c;
  }

  int64_t AssignmentReplyDue(int64_t id) {
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne(
        "SELECT reply_due_at FROM case_assignments WHERE case_id = ? AND role = 'lead' AND ended_at IS NULL", {id});
    EXPECT_OK(row);
    return row->Int(0);
  }

  // Monday 28 December 2026, 10:00 Shanghai: 2027 is not in the built-in calendar.
  FakeClock clock_{Shanghai("2026-12-28", 10)};
  std::unique_ptr<storage::Database> db_;
  CalendarHolder holder_{WorkingCalendar::BuiltIn()};
  std::unique_ptr<HolidayService> holidays_;
  std::unique_ptr<CaseService> cases_;
  int64_t district_ = 0, subdistrict_ = 0, neighborhood_ = 0, unit_ = 0;
  auth::Principal admin_, staff_, member_, resident_;
};

TEST_F(HolidaysTest, WithoutNextYearADeadlineCountsNewYearsDayAsWorking) {
  const int64_t id = Dispatched(true);
  // Dec 29, 30, 31, Jan 1 (a plain Friday without 2027), Jan 4.
  EXPECT_EQ(Load(id).reply_due_at, EndOfShanghaiDay(D("2027-01-04")));
  EXPECT_EQ(holder_.Get()->MissingYear(ShanghaiDate(clock_.Now())), 2027);
}

TEST_F(HolidaysTest, PreviewShowsTheMovesAndWritesNothing) {
  const int64_t signed_case = Dispatched(true);
  const int64_t waiting = Dispatched(false);
  ASSERT_OK_AND_ASSIGN(HolidayImport r, holidays_->Import(admin_, kNotice2027, /*dry_run=*/true));
  EXPECT_FALSE(r.stored);
  EXPECT_EQ(r.years, std::vector<int>{2027});
  EXPECT_EQ(r.holidays, 3);
  EXPECT_EQ(r.working_days, 1);
  // Both replies move from Monday 4 to Tuesday 5 January; the 24-hour sign deadline does not move.
  ASSERT_EQ(r.moves.size(), 2u);
  EXPECT_EQ(r.moves[0].case_id, signed_case);
  EXPECT_EQ(r.moves[0].deadline, "reply_due_at");
  EXPECT_EQ(r.moves[0].old_due, EndOfShanghaiDay(D("2027-01-04")));
  EXPECT_EQ(r.moves[0].new_due, EndOfShanghaiDay(D("2027-01-05")));
  EXPECT_EQ(r.moves[1].case_id, waiting);
  EXPECT_EQ(r.moves[1].deadline, "reply_due_at");
  // Nothing was written: the case, the calendar in effect, the stored years.
  EXPECT_EQ(Load(signed_case).reply_due_at, EndOfShanghaiDay(D("2027-01-04")));
  EXPECT_FALSE(holder_.Get()->Covers(2027));
  ASSERT_OK_AND_ASSIGN(auto years, holidays_->Years());
  EXPECT_EQ(years.back().year, 2026);
}

TEST_F(HolidaysTest, ImportMovesOpenDeadlinesAuditsAndTakesEffectAtOnce) {
  const int64_t signed_case = Dispatched(true);
  const int64_t waiting = Dispatched(false);
  const Instant waiting_sign_due = *Load(waiting).due_at;
  ASSERT_OK_AND_ASSIGN(HolidayImport r, holidays_->Import(admin_, kNotice2027, /*dry_run=*/false));
  EXPECT_TRUE(r.stored);
  ASSERT_EQ(r.moves.size(), 2u);

  // The signed case: its current deadline (due_at) is the reply's, moved with it.
  const Case s = Load(signed_case);
  EXPECT_EQ(s.reply_due_at, EndOfShanghaiDay(D("2027-01-05")));
  EXPECT_EQ(s.due_at, EndOfShanghaiDay(D("2027-01-05")));
  EXPECT_EQ(AssignmentReplyDue(signed_case), ToUnix(EndOfShanghaiDay(D("2027-01-05"))));
  // The case waiting to be signed keeps its 24-hour sign deadline as due_at; its reply moved.
  const Case w = Load(waiting);
  EXPECT_EQ(w.due_at, waiting_sign_due);
  EXPECT_EQ(w.reply_due_at, EndOfShanghaiDay(D("2027-01-05")));

  // The timeline says so, and one audit record names the years and the cases.
  ASSERT_OK_AND_ASSIGN(CaseDetail detail, cases_->Get(admin_, signed_case));
  ASSERT_FALSE(detail.timeline.empty());
  EXPECT_EQ(detail.timeline.back().kind, "deadline_moved");
  EXPECT_EQ(detail.timeline.back().note, "2027-01-04 23:59 → 2027-01-05 23:59");
  {
    ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
    ASSERT_OK_AND_ASSIGN(auto audit, record::ListAudit(*conn, "holidays:2027", 10));
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_EQ(audit[0].action, "holidays.import");
    EXPECT_EQ(audit[0].actor_id, admin_.user_id);
    const auto summary = nlohmann::json::parse(audit[0].summary);
    EXPECT_EQ(summary["deadlines_moved"], 2);
    EXPECT_EQ(summary["cases"], nlohmann::json::array({signed_case, waiting}));
  }

  // In effect without a restart: the calendar covers 2027, and a case dispatched now counts with it.
  EXPECT_TRUE(holder_.Get()->Covers(2027));
  EXPECT_EQ(holder_.Get()->MissingYear(ShanghaiDate(clock_.Now())), std::nullopt);
  EXPECT_EQ(Load(Dispatched(true)).reply_due_at, EndOfShanghaiDay(D("2027-01-05")));
  ASSERT_OK_AND_ASSIGN(auto years, holidays_->Years());
  ASSERT_EQ(years.back().year, 2027);
  EXPECT_EQ(years.back().source, "stored");
  EXPECT_EQ(years.back().holidays, 3);

  // Importing the same notice again moves nothing.
  ASSERT_OK_AND_ASSIGN(HolidayImport again, holidays_->Import(admin_, kNotice2027, /*dry_run=*/false));
  EXPECT_TRUE(again.moves.empty());
}

TEST_F(HolidaysTest, AnotherProcessPicksUpTheStoredYearOnItsNextPoll) {
  // A second server on the same database: its own holder and service.
  CalendarHolder other_holder(WorkingCalendar::BuiltIn());
  HolidayService other(*db_, clock_, WorkingCalendar::BuiltIn(), other_holder);
  ASSERT_OK(other.Refresh());
  EXPECT_FALSE(other_holder.Get()->Covers(2027));
  ASSERT_OK(holidays_->Import(admin_, kNotice2027, false).status());
  EXPECT_FALSE(other_holder.Get()->Covers(2027));  // not until it looks
  ASSERT_OK(other.Refresh());
  EXPECT_TRUE(other_holder.Get()->Covers(2027));
  EXPECT_FALSE(other_holder.Get()->IsWorkingDay(D("2027-01-01")));
  EXPECT_TRUE(other_holder.Get()->IsWorkingDay(D("2027-01-09")));
  const int64_t version = other_holder.version();
  ASSERT_OK(other.Refresh());  // nothing changed: the same calendar stays
  EXPECT_EQ(other_holder.version(), version);
}

TEST_F(HolidaysTest, OnlyDistrictAdminsEnterTheCalendar) {
  auth::Principal anonymous;
  EXPECT_THAT(holidays_->Import(anonymous, kNotice2027, true), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(holidays_->Import(staff_, kNotice2027, true), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(holidays_->Import(resident_, kNotice2027, false), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(holidays_->CheckManage(staff_), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_OK(holidays_->CheckManage(admin_));
  EXPECT_FALSE(holder_.Get()->Covers(2027));
  EXPECT_OK(holidays_->Import(auth::SystemPrincipal("cli"), kNotice2027, true).status());
}

TEST_F(HolidaysTest, RefusesOtherYearsMalformedAndOversizedTexts) {
  EXPECT_THAT(holidays_->Import(admin_, "years 2029\n2029-01-01 holiday 元旦\n", true),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(holidays_->Import(admin_, "years 2025\n2025-01-01 holiday 元旦\n", false),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(holidays_->Import(admin_, "years 2027\n2027-01-04 workday 不是周末\n", false),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(holidays_->Import(admin_, "", false), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(holidays_->Import(admin_, std::string(kMaxHolidayTextBytes + 1, '#'), false),
              StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto years, holidays_->Years());
  EXPECT_EQ(years.back().year, 2026);
}

TEST(HolidayYearText, RoundTripsThroughTheParser) {
  ASSERT_OK_AND_ASSIGN(WorkingCalendar cal, WorkingCalendar::Parse(kNotice2027));
  const std::string text = FormatHolidayYear(cal, 2027);
  EXPECT_EQ(text,
            "years 2027\n2027-01-01 holiday 元旦\n2027-01-02 holiday 元旦\n2027-01-03 holiday 元旦\n"
            "2027-01-09 workday 元旦调休\n");
  ASSERT_OK_AND_ASSIGN(WorkingCalendar back, WorkingCalendar::Parse(text));
  EXPECT_EQ(back.DaysOf(2027).size(), 4u);
}

}  // namespace
}  // namespace ningju::cases
