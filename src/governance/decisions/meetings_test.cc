#include "governance/decisions/meetings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "governance/areas/area_writer.h"
#include "record/record.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace ningju::decisions {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kDay = 24 * 3600;
// 2026-05-01T02:00:00Z = 10:00 in Shanghai.
const Instant kStart = FromUnix(1'777'600'800);

class MeetingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = ningju::testing::OpenTestDatabase();
    ASSERT_OK(db);
    db_ = std::move(db).value();
    ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
      auto area = [&](std::optional<int64_t> parent, const char* kind, const char* code, const char* name) {
        return areas::InsertArea(tx, {parent, kind, code, name, "", "", "", 0, 0}, kStart);
      };
      ASSIGN_OR_RETURN(district_, area(std::nullopt, "district", "d", "长宁区"));
      ASSIGN_OR_RETURN(int64_t sd, area(district_, "subdistrict", "d-s", "华阳路街道"));
      ASSIGN_OR_RETURN(nb_, area(sd, "neighborhood", "d-s-1", "安化一村居民区"));
      ASSIGN_OR_RETURN(other_nb_, area(sd, "neighborhood", "d-s-2", "安化二村居民区"));
      ASSIGN_OR_RETURN(building_, area(nb_, "building", "d-s-1-b1", "1号楼"));
      ASSIGN_OR_RETURN(int64_t entrance, area(building_, "entrance", "d-s-1-b1-e1", "1号门"));
      auto user = [&](const char* login, const char* name) -> StatusOr<int64_t> {
        ASSIGN_OR_RETURN(storage::Row r, tx.QueryOne("INSERT INTO users (username, display_name, password_hash, "
                                                     "created_at) VALUES (?, ?, 'x', 0) RETURNING id",
                                                     {std::string(login), std::string(name)}));
        return r.Int(0);
      };
      auto grant = [&](int64_t u, const char* role, int64_t a) {
        return tx
            .Execute("INSERT INTO role_grants (user_id, role, area_id, granted_at) VALUES (?, ?, ?, 0)",
                     {u, std::string(role), a})
            .status();
      };
      ASSIGN_OR_RETURN(int64_t admin, user("admin", "管理员"));
      RETURN_IF_ERROR(grant(admin, "district_admin", district_));
      ASSIGN_OR_RETURN(int64_t staff, user("staff", "居委会 赵敏"));
      RETURN_IF_ERROR(grant(staff, "neighborhood_staff", nb_));
      ASSIGN_OR_RETURN(int64_t other, user("other", "隔壁居委"));
      RETURN_IF_ERROR(grant(other, "neighborhood_staff", other_nb_));
      ASSIGN_OR_RETURN(int64_t resident, user("resident", "居民 钱芳"));
      RETURN_IF_ERROR(
          tx.Execute("INSERT INTO residencies (user_id, area_id, since) VALUES (?, ?, 0)", {resident, nb_}));
      ASSIGN_OR_RETURN(int64_t owner, user("owner", "业主 孙强"));
      ASSIGN_OR_RETURN(storage::Row unit, tx.QueryOne("INSERT INTO units (entrance_id, building_id, number, floor, "
                                                      "area_centi) VALUES (?, ?, '1-101', 1, 6540) RETURNING id",
                                                      {entrance, building_}));
      ASSIGN_OR_RETURN(storage::Row o, tx.QueryOne("INSERT INTO owners (name, user_id, created_at) VALUES "
                                                   "('孙强', ?, 0) RETURNING id",
                                                   {owner}));
      RETURN_IF_ERROR(tx.Execute("INSERT INTO unit_owners (unit_id, owner_id) VALUES (?, ?)", {unit.Int(0), o.Int(0)}));
      ASSIGN_OR_RETURN(int64_t deputy, user("deputy", "人大代表 沈"));
      RETURN_IF_ERROR(grant(deputy, "deputy", district_));
      RETURN_IF_ERROR(user("stranger", "路人 甲").status());
      return OkStatus();
    }));
    service_ = std::make_unique<MeetingService>(*db_, clock_);
  }

  auth::Principal As(const std::string& login) {
    auth::Principal p;
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne("SELECT id, display_name FROM users WHERE username = ?", {login});
    EXPECT_OK(row);
    p.user_id = row->Int(0);
    p.display_name = row->Text(1);
    p.kind = auth::PrincipalKind::kUser;
    p.via = "session";
    auto grants = auth::LoadGrants(**conn, p.user_id);
    EXPECT_OK(grants);
    p.grants = *grants;
    return p;
  }

  MeetingInput Input(const std::string& kind = "hearing") {
    MeetingInput in;
    in.kind = kind;
    in.subject = "停车收费方案听证会";
    in.area_id = nb_;
    in.starts_at = kStart;
    in.ends_at = kStart + std::chrono::minutes(90);
    in.place = "居委会议事厅";
    in.agenda = {"物业公司说明方案", "居民代表发言"};
    return in;
  }

  // A noticed meeting starting at kStart, created 10 days before.
  int64_t Noticed(const std::string& kind = "hearing") {
    clock_.Set(kStart - std::chrono::seconds(20 * kDay));
    auto m = service_->Create(As("staff"), Input(kind));
    EXPECT_OK(m);
    EXPECT_OK(service_->Notice(As("staff"), m->id));
    return m->id;
  }

  // Moves the clock to the start of the meeting and signs one walk-in in, which makes it held.
  int64_t Held() {
    int64_t id = Noticed();
    clock_.Set(kStart);
    EXPECT_OK(service_->SignIn(As("staff"), id, {0, "", "王某", "owner"}));
    return id;
  }

  std::vector<std::string> AuditActions(int64_t id) {
    auto conn = db_->Acquire();
    auto records = record::ListAudit(**conn, record::Ref("meeting", id), 100);
    EXPECT_OK(records);
    std::vector<std::string> out;
    for (const auto& r : *records) out.push_back(r.action);
    return out;
  }

  FakeClock clock_{kStart - std::chrono::seconds(30 * kDay)};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<MeetingService> service_;
  int64_t district_ = 0, nb_ = 0, other_nb_ = 0, building_ = 0;
};

TEST_F(MeetingsTest, TheDefaultKindsAreTheSixWithTheirNoticePeriods) {
  auto kinds = service_->Kinds(false);
  ASSERT_OK(kinds);
  std::vector<std::string> codes;
  for (const auto& k : *kinds) codes.push_back(k.code + ":" + std::to_string(k.notice_days));
  EXPECT_THAT(codes, ElementsAre("consultation:0", "hearing:3", "coordination:0", "review:0", "residents_meeting:3",
                                 "owners_assembly:15"));
  EXPECT_EQ((*kinds)[1].name_zh, "听证会");
}

TEST_F(MeetingsTest, WalksFromDraftToMinutedAndAuditsEveryStep) {
  auto staff = As("staff");
  auto m = service_->Create(staff, Input());
  ASSERT_OK(m);
  EXPECT_EQ(m->state, MeetingState::kDraft);
  EXPECT_EQ(m->neighborhood_id, nb_);
  EXPECT_EQ(m->convener.user_id, staff.user_id);
  const int64_t id = m->id;
  ASSERT_OK(service_->Notice(staff, id));
  ASSERT_OK(service_->Register(As("resident"), id));
  clock_.Set(kStart - std::chrono::minutes(30));
  auto held = service_->SignIn(staff, id, {0, "resident", "", ""});
  ASSERT_OK(held);
  EXPECT_EQ(held->state, MeetingState::kHeld);
  ASSERT_OK(service_->AddDecision(staff, id, {"同意方案", 1, 0, 0}));
  ASSERT_OK(service_->SaveMinutes(staff, id, "纪要草稿", false));
  ASSERT_OK(service_->AddAction(staff, id, {"张贴纪要", "staff", "2026-05-03"}));
  auto minuted = service_->SaveMinutes(staff, id, "会议纪要全文", true);
  ASSERT_OK(minuted);
  EXPECT_EQ(minuted->state, MeetingState::kMinuted);
  EXPECT_THAT(AuditActions(id),
              ElementsAre("meeting.create", "meeting.notice", "meeting.register", "meeting.hold", "meeting.sign_in",
                          "meeting.decide", "meeting.save_minutes", "meeting.add_action", "meeting.publish_minutes"));
  auto conn = db_->Acquire();
  auto events = record::ListEvents(**conn, record::Ref("meeting", id));
  ASSERT_OK(events);
  ASSERT_EQ(events->size(), 9u);
  EXPECT_EQ(events->front().kind, "created");
  EXPECT_EQ(events->back().kind, "minuted");
}

TEST_F(MeetingsTest, StateRulesRefuseWithFailedPrecondition) {
  auto staff = As("staff");
  clock_.Set(kStart - std::chrono::seconds(20 * kDay));
  auto m = service_->Create(staff, Input());
  ASSERT_OK(m);
  EXPECT_THAT(service_->AddDecision(staff, m->id, {"x", {}, {}, {}}), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->SaveMinutes(staff, m->id, "x", true), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->AddAction(staff, m->id, {"x", "staff", "2026-05-02"}),
              StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK(service_->Notice(staff, m->id));
  EXPECT_THAT(service_->Notice(staff, m->id), StatusIs(StatusCode::kFailedPrecondition));
  // Sign-in opens two hours before the start: one second earlier is refused, the boundary is accepted.
  clock_.Set(kStart - std::chrono::hours(2) - std::chrono::seconds(1));
  EXPECT_THAT(service_->SignIn(staff, m->id, {0, "", "王某", "owner"}), StatusIs(StatusCode::kFailedPrecondition));
  clock_.Set(kStart - std::chrono::hours(2));
  EXPECT_OK(service_->SignIn(staff, m->id, {0, "", "王某", "owner"}));
  EXPECT_THAT(service_->Cancel(staff, m->id, "改期"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->Update(staff, m->id, Input()), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->Register(As("resident"), m->id), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK(service_->SaveMinutes(staff, m->id, "纪要", true));
  EXPECT_THAT(service_->SaveMinutes(staff, m->id, "改写", true), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->AddDecision(staff, m->id, {"迟到的决定", {}, {}, {}}),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->SignIn(staff, m->id, {0, "", "李某", "owner"}), StatusIs(StatusCode::kFailedPrecondition));
  // Follow-up actions may still be added after the minutes.
  EXPECT_OK(service_->AddAction(staff, m->id, {"回访", "staff", "2026-05-10"}));
}

TEST_F(MeetingsTest, TheNoticeNeedsAnAgendaAndTheKindsNoticePeriod) {
  auto staff = As("staff");
  MeetingInput no_agenda = Input();
  no_agenda.agenda.clear();
  clock_.Set(kStart - std::chrono::seconds(20 * kDay));
  auto m = service_->Create(staff, no_agenda);
  ASSERT_OK(m);
  auto refused = service_->Notice(staff, m->id);
  EXPECT_THAT(refused, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(refused.status().message(), HasSubstr("agenda"));

  // An owners' assembly is noticed 15 days ahead: exactly 15 days is enough, one second less is not.
  auto assembly = service_->Create(staff, Input("owners_assembly"));
  ASSERT_OK(assembly);
  clock_.Set(kStart - std::chrono::seconds(15 * kDay) + std::chrono::seconds(1));
  EXPECT_THAT(service_->Notice(staff, assembly->id), StatusIs(StatusCode::kFailedPrecondition));
  clock_.Set(kStart - std::chrono::seconds(15 * kDay));
  EXPECT_OK(service_->Notice(staff, assembly->id));

  // A consultation (0 days) may be noticed until it starts, not after.
  auto late = service_->Create(staff, Input("consultation"));
  ASSERT_OK(late);
  clock_.Set(kStart);
  EXPECT_THAT(service_->Notice(staff, late->id), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(MeetingsTest, EditingANoticedMeetingRaisesItsSequenceAndKeepsTheNoticePeriod) {
  int64_t id = Noticed();
  auto staff = As("staff");
  MeetingInput moved = Input();
  moved.place = "社区活动中心";
  auto edited = service_->Update(staff, id, moved);
  ASSERT_OK(edited);
  EXPECT_EQ(edited->sequence, 1);
  EXPECT_EQ(edited->place, "社区活动中心");
  clock_.Set(kStart - std::chrono::seconds(2 * kDay));
  moved.starts_at = kStart + std::chrono::hours(1);
  moved.ends_at = moved.starts_at + std::chrono::hours(1);
  EXPECT_THAT(service_->Update(staff, id, moved), StatusIs(StatusCode::kFailedPrecondition));  // hearing: 3 days
  MeetingInput elsewhere = Input();
  elsewhere.area_id = other_nb_;
  EXPECT_EQ(service_->Update(staff, id, elsewhere).status().field(), "area_id");  // stays in its neighborhood
}

TEST_F(MeetingsTest, InputIsCheckedField) {
  auto staff = As("staff");
  auto field_of = [&](MeetingInput in) { return service_->Create(staff, in).status().field(); };
  MeetingInput in = Input();
  in.subject = "  ";
  EXPECT_EQ(field_of(in), "subject");
  in = Input();
  in.ends_at = in.starts_at;
  EXPECT_EQ(field_of(in), "ends_at");
  in = Input();
  in.kind = "party";
  EXPECT_EQ(field_of(in), "kind");
  in = Input();
  in.area_id = district_;
  EXPECT_THAT(service_->Create(As("admin"), in), StatusIs(StatusCode::kInvalidArgument));
  in = Input();
  in.links = {{"refers_to", "planet:3"}};
  EXPECT_EQ(field_of(in), "links");
  in = Input();
  in.links = {{"owns", "case:3"}};
  EXPECT_EQ(field_of(in), "links");
  in = Input();
  in.convener = "nobody";
  EXPECT_EQ(field_of(in), "convener");
  in = Input();
  in.agenda = std::vector<std::string>(21, "item");
  EXPECT_EQ(field_of(in), "agenda");
}

TEST_F(MeetingsTest, LinksGoToTheChain) {
  MeetingInput in = Input();
  in.links = {{"", "case:12"}, {"refers_to", "case:12"}, {"decided_by", "ballot:7"}};
  auto m = service_->Create(As("staff"), in);
  ASSERT_OK(m);
  ASSERT_EQ(m->links.size(), 2u);
  auto conn = db_->Acquire();
  auto links = record::ListLinks(**conn, "ballot:7");
  ASSERT_OK(links);
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ((*links)[0].from_ref, record::Ref("meeting", m->id));
  EXPECT_EQ((*links)[0].relation, "decided_by");
}

TEST_F(MeetingsTest, OnlyStaffOfTheAreaOrTheConvenerManage) {
  EXPECT_THAT(service_->Create(auth::Principal{}, Input()), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(service_->Create(As("resident"), Input()), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->Create(As("other"), Input()), StatusIs(StatusCode::kPermissionDenied));
  // Staff may name someone else (here a deputy) as the convener, who may then manage it.
  MeetingInput in = Input();
  in.convener = "deputy";
  clock_.Set(kStart - std::chrono::seconds(20 * kDay));
  auto m = service_->Create(As("staff"), in);
  ASSERT_OK(m);
  // A draft is invisible to others: kNotFound, not a hint that it exists.
  EXPECT_THAT(service_->Get(As("resident"), m->id), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(service_->Get(auth::Principal{}, m->id), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(service_->Notice(As("other"), m->id), StatusIs(StatusCode::kNotFound));
  EXPECT_OK(service_->Notice(As("deputy"), m->id));
  EXPECT_THAT(service_->Cancel(As("other"), m->id, "x"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->Cancel(As("resident"), m->id, "x"), StatusIs(StatusCode::kPermissionDenied));
  clock_.Set(kStart);
  EXPECT_THAT(service_->SignIn(As("resident"), m->id, {0, "", "王某", "owner"}),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->SignIn(auth::Principal{}, m->id, {0, "", "王某", "owner"}),
              StatusIs(StatusCode::kUnauthenticated));
  // Kinds are configured by the district's administrators only.
  EXPECT_THAT(service_->SaveKind(As("staff"), {"mediation", "调解会", "Mediation", 0, 7, true}),
              StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(MeetingsTest, ResidentsAndOwnersOfTheAreaRegisterOnce) {
  int64_t id = Noticed();
  auto registered = service_->Register(As("resident"), id);
  ASSERT_OK(registered);
  EXPECT_TRUE(registered->viewer_registered);
  EXPECT_FALSE(registered->can_register);
  EXPECT_THAT(service_->Register(As("resident"), id), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_OK(service_->Register(As("owner"), id));
  EXPECT_THAT(service_->Register(As("stranger"), id), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->Register(auth::Principal{}, id), StatusIs(StatusCode::kUnauthenticated));
  auto seen = service_->Get(As("staff"), id);
  ASSERT_OK(seen);
  ASSERT_EQ(seen->registrations.size(), 2u);
  EXPECT_EQ(seen->registrations[0].role, "resident");
  EXPECT_EQ(seen->registrations[1].role, "owner");
  clock_.Set(kStart);
  EXPECT_THAT(service_->Register(As("deputy"), id), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(MeetingsTest, OnlyOwnersRegisterForAnOwnersAssembly) {
  int64_t id = Noticed("owners_assembly");
  EXPECT_THAT(service_->Register(As("resident"), id), StatusIs(StatusCode::kPermissionDenied));
  auto owner = service_->Register(As("owner"), id);
  ASSERT_OK(owner);
  EXPECT_EQ(owner->registered_count, 1);
  auto resident_view = service_->Get(As("resident"), id);
  ASSERT_OK(resident_view);
  EXPECT_FALSE(resident_view->can_register);
}

TEST_F(MeetingsTest, AttendanceIsCountedByRole) {
  int64_t id = Noticed();
  auto staff = As("staff");
  clock_.Set(kStart - std::chrono::minutes(10));
  ASSERT_OK(service_->SignIn(staff, id, {0, "owner", "", ""}));     // owns a unit in the area
  ASSERT_OK(service_->SignIn(staff, id, {0, "resident", "", ""}));  // lives there
  ASSERT_OK(service_->SignIn(staff, id, {0, "deputy", "", ""}));    // by their role
  ASSERT_OK(service_->SignIn(staff, id, {0, "staff", "", ""}));
  ASSERT_OK(service_->SignIn(staff, id, {0, "", "物业公司 周某", "organization"}));
  ASSERT_OK(service_->SignIn(staff, id, {0, "", "施工单位 吴某", "organization"}));
  ASSERT_OK(service_->SignIn(staff, id, {0, "", "业主 郑某", "owner"}));
  ASSERT_OK(service_->SignIn(staff, id, {0, "stranger", "", "guest"}));
  EXPECT_THAT(service_->SignIn(staff, id, {0, "owner", "", ""}), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(service_->SignIn(staff, id, {0, "", "无身份", ""}).status().field(), "role");
  EXPECT_EQ(service_->SignIn(staff, id, {0, "", "某人", "king"}).status().field(), "role");
  EXPECT_EQ(service_->SignIn(staff, id, {0, "nobody", "", ""}).status().field(), "login");
  EXPECT_EQ(service_->SignIn(staff, id, {0, "owner", "也有名字", ""}).status().field(), "login");
  auto m = service_->Get(auth::Principal{}, id);
  ASSERT_OK(m);
  std::vector<std::string> counts;
  for (const auto& [role, n] : m->attendance)
    counts.push_back(std::string(AttendeeRoleName(role)) + "=" + std::to_string(n));
  EXPECT_THAT(counts, ElementsAre("resident=1", "owner=2", "deputy=1", "staff=1", "organization=2", "guest=1"));
  EXPECT_EQ(m->attendance_total, 8);
  // The public sees counts, never the names.
  EXPECT_THAT(m->attendees, IsEmpty());
  EXPECT_THAT(m->registrations, IsEmpty());
  EXPECT_FALSE(m->ToJson().contains("attendees"));
}

TEST_F(MeetingsTest, TheShowOfHandsIsCompleteAndNoLargerThanTheAttendance) {
  int64_t id = Held();  // one attendee
  auto staff = As("staff");
  EXPECT_EQ(service_->AddDecision(staff, id, {"决定", 1, {}, {}}).status().field(), "votes");
  EXPECT_EQ(service_->AddDecision(staff, id, {"决定", 1, 1, 0}).status().field(), "votes");
  EXPECT_EQ(service_->AddDecision(staff, id, {"决定", -1, 0, 0}).status().field(), "votes");
  EXPECT_EQ(service_->AddDecision(staff, id, {"", {}, {}, {}}).status().field(), "text");
  auto ok = service_->AddDecision(staff, id, {"同意", 0, 0, 1});
  ASSERT_OK(ok);
  ASSERT_EQ(ok->decisions.size(), 1u);
  EXPECT_EQ(ok->decisions[0].votes_abstain, 1);
  auto plain = service_->AddDecision(staff, id, {"请物业公司提交方案", {}, {}, {}});
  ASSERT_OK(plain);
  EXPECT_FALSE(plain->decisions[1].votes_for.has_value());
}

TEST_F(MeetingsTest, ActionsHaveAnAssigneeAndADueDateNotBeforeTheMeeting) {
  int64_t id = Held();
  auto staff = As("staff");
  EXPECT_EQ(service_->AddAction(staff, id, {"回访", "staff", "2026-04-30"}).status().field(), "due_date");
  EXPECT_EQ(service_->AddAction(staff, id, {"回访", "staff", "2026-02-30"}).status().field(), "due_date");
  EXPECT_EQ(service_->AddAction(staff, id, {"回访", "nobody", "2026-05-08"}).status().field(), "assignee");
  auto added = service_->AddAction(staff, id, {"回访", "resident", "2026-05-01"});
  ASSERT_OK(added);
  const int64_t action = added->actions.at(0).id;
  EXPECT_FALSE(added->actions[0].done);
  EXPECT_THAT(service_->SetActionDone(As("stranger"), id, action, true), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->SetActionDone(As("resident"), id, 999, true), StatusIs(StatusCode::kNotFound));
  // The assignee marks it done themselves.
  EXPECT_OK(service_->SetActionDone(As("resident"), id, action, true));
  auto m = service_->Get(staff, id);
  ASSERT_OK(m);
  EXPECT_TRUE(m->actions[0].done);
  EXPECT_OK(service_->SetActionDone(staff, id, action, false));
}

TEST_F(MeetingsTest, MinutesAndTheRecordArePublicOnlyOncePublished) {
  int64_t id = Held();
  auto staff = As("staff");
  ASSERT_OK(service_->SaveMinutes(staff, id, "草稿", false));
  ASSERT_OK(service_->AddDecision(staff, id, {"同意", {}, {}, {}}));
  auto before = service_->Get(auth::Principal{}, id);
  ASSERT_OK(before);
  EXPECT_FALSE(before->minutes.has_value());
  EXPECT_FALSE(before->record_visible);
  EXPECT_FALSE(before->ToJson().contains("decisions"));
  auto managers = service_->Get(staff, id);
  ASSERT_OK(managers);
  EXPECT_EQ(managers->minutes, "草稿");
  ASSERT_OK(service_->AddAction(staff, id, {"张贴", "staff", "2026-05-02"}));
  ASSERT_OK(service_->SaveMinutes(staff, id, "正式纪要", true));
  auto after = service_->Get(auth::Principal{}, id);
  ASSERT_OK(after);
  EXPECT_EQ(after->minutes, "正式纪要");
  ASSERT_EQ(after->decisions.size(), 1u);
  ASSERT_EQ(after->actions.size(), 1u);
  // Personal data is masked for the public: the assignee and the convener.
  EXPECT_EQ(after->actions[0].assignee.name, "居*****");
  EXPECT_EQ(after->convener.name, "居*****");
  auto full = service_->Get(staff, id);
  EXPECT_EQ(full->convener.name, "居委会 赵敏");
}

TEST_F(MeetingsTest, CancellingANoticedMeetingNeedsAReason) {
  int64_t id = Noticed();
  auto staff = As("staff");
  EXPECT_EQ(service_->Cancel(staff, id, " ").status().field(), "reason");
  auto cancelled = service_->Cancel(staff, id, "场地维修，改期举行");
  ASSERT_OK(cancelled);
  EXPECT_EQ(cancelled->state, MeetingState::kCancelled);
  EXPECT_EQ(cancelled->sequence, 1);
  EXPECT_THAT(service_->Register(As("resident"), id), StatusIs(StatusCode::kFailedPrecondition));
  // A draft may be dropped without a reason, and then stays out of the calendar.
  auto draft = service_->Create(staff, Input());
  ASSERT_OK(draft);
  EXPECT_OK(service_->Cancel(staff, draft->id, ""));
  auto calendar = service_->Calendar(nb_);
  ASSERT_OK(calendar);
  ASSERT_EQ(calendar->size(), 1u);
  EXPECT_EQ((*calendar)[0].id, id);
}

TEST_F(MeetingsTest, TheCalendarAndListShowDraftsOnlyToManagers) {
  int64_t noticed = Noticed();
  auto draft = service_->Create(As("staff"), Input("review"));
  ASSERT_OK(draft);
  MeetingInput in_building = Input("coordination");
  in_building.area_id = building_;
  auto building = service_->Create(As("staff"), in_building);
  ASSERT_OK(building);
  EXPECT_EQ(building->neighborhood_id, nb_);
  auto calendar = service_->Calendar(nb_);
  ASSERT_OK(calendar);
  ASSERT_EQ(calendar->size(), 1u);
  EXPECT_EQ((*calendar)[0].id, noticed);
  EXPECT_THAT((*calendar)[0].agenda, ElementsAre("物业公司说明方案", "居民代表发言"));
  auto pub = service_->List(auth::Principal{}, nb_, "", 50);
  ASSERT_OK(pub);
  EXPECT_EQ(pub->items.size(), 1u);
  auto staff = service_->List(As("staff"), nb_, "", 2);
  ASSERT_OK(staff);
  EXPECT_EQ(staff->items.size(), 2u);
  ASSERT_FALSE(staff->next_cursor.empty());
  auto rest = service_->List(As("staff"), nb_, staff->next_cursor, 2);
  ASSERT_OK(rest);
  EXPECT_EQ(rest->items.size(), 1u);
  EXPECT_TRUE(rest->next_cursor.empty());
  EXPECT_THAT(service_->List(auth::Principal{}, building_, "", 5), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->Calendar(99999), StatusIs(StatusCode::kNotFound));
}

TEST_F(MeetingsTest, KindsAreConfigurable) {
  auto admin = As("admin");
  ASSERT_OK(service_->SaveKind(admin, {"mediation", "调解会", "Mediation", 2, 7, true}));
  MeetingInput in = Input("mediation");
  clock_.Set(kStart - std::chrono::seconds(kDay));
  auto m = service_->Create(As("staff"), in);
  ASSERT_OK(m);
  EXPECT_THAT(service_->Notice(As("staff"), m->id), StatusIs(StatusCode::kFailedPrecondition));  // 2 days
  ASSERT_OK(service_->SaveKind(admin, {"mediation", "调解会", "Mediation", 0, 7, false}));
  EXPECT_EQ(service_->Create(As("staff"), in).status().field(), "kind");
  auto active = service_->Kinds(false);
  ASSERT_OK(active);
  EXPECT_EQ(active->size(), 6u);
  EXPECT_EQ(service_->SaveKind(admin, {"Bad Code", "x", "x", 0, 0, true}).status().field(), "code");
  EXPECT_EQ(service_->SaveKind(admin, {"ok_code", "x", "x", 91, 0, true}).status().field(), "notice_days");
}

TEST(ShanghaiTime, ParsesLocalDateAndTime) {
  auto t = ParseShanghaiTime("2026-05-01", "10:00", "start_time");
  ASSERT_OK(t);
  EXPECT_EQ(*t, kStart);
  EXPECT_EQ(FormatShanghaiDate(FromUnix(ToUnix(kStart) + 14 * 3600)), "2026-05-02");  // 00:00 the next day
  EXPECT_EQ(ParseShanghaiTime("2026-05-01", "25:00", "start_time").status().field(), "start_time");
  EXPECT_EQ(ParseShanghaiTime("5/1", "10:00", "start_time").status().field(), "start_time");
}

TEST(DemoMeetings, SeedsOneMeetingInEachState) {
  auto db = ningju::testing::OpenTestDatabase();
  ASSERT_OK(db);
  ASSERT_OK((*db)->InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t d, areas::InsertArea(tx, {std::nullopt, "district", "d", "区", "", "", "", 0, 0}, kStart));
    ASSIGN_OR_RETURN(int64_t s, areas::InsertArea(tx, {d, "subdistrict", "s", "街道", "", "", "", 0, 0}, kStart));
    ASSIGN_OR_RETURN(int64_t n, areas::InsertArea(tx, {s, "neighborhood", "n", "居民区", "", "", "", 0, 0}, kStart));
    RETURN_IF_ERROR(areas::InsertArea(tx, {n, "building", "b", "1号楼", "", "", "", 0, 0}, kStart).status());
    ASSIGN_OR_RETURN(storage::Row u, tx.QueryOne("INSERT INTO users (username, display_name, password_hash, "
                                                 "created_at) VALUES ('nb', '居委会', 'x', 0) RETURNING id"));
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO role_grants (user_id, role, area_id, granted_at) VALUES "
                   "(?, 'neighborhood_staff', ?, 0)",
                   {u.Int(0), n}));
    return SeedDemoMeetings(tx, kStart);
  }));
  auto conn = (*db)->Acquire();
  auto states = (*conn)->Execute("SELECT state, COUNT(*) FROM meetings GROUP BY state ORDER BY state");
  ASSERT_OK(states);
  std::vector<std::string> got;
  for (const auto& r : states->rows) got.push_back(r.Text(0) + "=" + std::to_string(r.Int(1)));
  EXPECT_THAT(got, ElementsAre("cancelled=1", "draft=1", "held=1", "minuted=1", "noticed=2"));
}

}  // namespace
}  // namespace ningju::decisions
