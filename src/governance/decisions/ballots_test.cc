// The ballot service over a real database: thresholds at their boundaries, casting rules, permissions, audit.
#include "governance/decisions/ballots.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/text_util.h"
#include "governance/areas/area_writer.h"
#include "governance/decisions/test_tree.h"
#include "record/record.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace ningju::decisions {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::HasSubstr;

// A minimal PDF: libmagic sniffs it as application/pdf, an allowed attachment type.
const std::string kSheet = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

class BallotsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = ::ningju::testing::OpenTestDatabase();
    ASSERT_OK(db);
    db_ = std::move(db).value();
    service_ = std::make_unique<BallotService>(*db_, clock_);
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

  int64_t Unit(int64_t entrance, int64_t building, const std::string& number, int64_t area_centi,
               bool developer = false) {
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne(
        "INSERT INTO units (entrance_id, building_id, number, floor, area_centi, "
        "developer_unsold) VALUES (?, ?, ?, 1, ?, ?) RETURNING id",
        {entrance, building, number, area_centi, int64_t{developer ? 1 : 0}});
    EXPECT_OK(row);
    return row->Int(0);
  }

  // An owner with a login, owning `units`.
  auth::Principal Owner(const std::string& name, const std::vector<int64_t>& units) {
    auth::Principal p = User("owner-" + name, auth::Role::kResident, neighborhood_);
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    auto o = (*conn)->QueryOne("INSERT INTO owners (name, user_id, created_at) VALUES (?, ?, 0) RETURNING id",
                               {name, p.user_id});
    EXPECT_OK(o);
    for (int64_t u : units) {
      EXPECT_OK((*conn)->Execute("INSERT INTO unit_owners (unit_id, owner_id) VALUES (?, ?)", {u, o->Int(0)}));
    }
    return p;
  }

  // `n` units of `area_centi` in building 1, each with its own owner.
  std::vector<auth::Principal> Owners(int n, int64_t area_centi = 6000) {
    std::vector<auth::Principal> out;
    for (int i = 0; i < n; ++i) {
      const std::string number = "1-" + std::to_string(101 + i);
      out.push_back(Owner("业主" + std::to_string(i), {Unit(entrance_, building_, number, area_centi)}));
    }
    return out;
  }

  OwnersBallot OpenBallot(int64_t matter, int64_t area = 0) {
    NewBallot nb;
    nb.title = "加装电梯";
    nb.matter = matter;
    nb.area_id = area ? area : building_;
    nb.closes_at = clock_.Now() + std::chrono::hours(24 * 7);
    auto b = service_->Create(staff_, nb);
    EXPECT_OK(b);
    auto opened = service_->Open(staff_, b->id);
    EXPECT_OK(opened);
    return *opened;
  }

  nlohmann::json CloseAndResult(int64_t id) {
    EXPECT_OK(service_->Close(staff_, id));
    auto r = service_->Result(id);
    EXPECT_OK(r);
    return r.ok() ? r->stored : nlohmann::json();
  }

  void CastAll(int64_t id, const std::vector<auth::Principal>& owners, int agree, int disagree, int abstain) {
    int i = 0;
    for (int k = 0; k < agree; ++k) EXPECT_OK(service_->Cast(owners[i++], id, Choice::kAgree));
    for (int k = 0; k < disagree; ++k) EXPECT_OK(service_->Cast(owners[i++], id, Choice::kDisagree));
    for (int k = 0; k < abstain; ++k) EXPECT_OK(service_->Cast(owners[i++], id, Choice::kAbstain));
  }

  FakeClock clock_{FromUnix(1'780'000'000)};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<BallotService> service_;
  int64_t neighborhood_ = 0, other_neighborhood_ = 0, building_ = 0, entrance_ = 0, building2_ = 0, entrance2_ = 0;
  auth::Principal staff_, other_staff_;
};

TEST_F(BallotsTest, ExactlyTwoThirdsAndExactlyThreeQuartersPass) {
  auto owners = Owners(18);
  OwnersBallot b = OpenBallot(7);
  CastAll(b.id, owners, 9, 2, 1);  // 12 of 18 take part, 9 of 12 agree
  nlohmann::json r = CloseAndResult(b.id);
  EXPECT_EQ(r["passed"], true);
  EXPECT_EQ(r["total"], nlohmann::json({{"area", "1080.00"}, {"heads", 18}}));
  EXPECT_EQ(r["participating"], nlohmann::json({{"area", "720.00"}, {"heads", 12}}));
  EXPECT_EQ(r["consenting"], nlohmann::json({{"area", "540.00"}, {"heads", 9}}));
  EXPECT_EQ(r["consent_rule"], "three_quarters");
  EXPECT_EQ(r["conditions"][0]["threshold"], "2/3");
  EXPECT_EQ(r["conditions"][2]["numerator"], "540.00");
  EXPECT_EQ(r["conditions"][2]["denominator"], "720.00");
}

TEST_F(BallotsTest, OneOwnerBelowTwoThirdsFailsParticipation) {
  auto owners = Owners(18);
  OwnersBallot b = OpenBallot(7);
  CastAll(b.id, owners, 9, 1, 1);  // 11 of 18
  nlohmann::json r = CloseAndResult(b.id);
  EXPECT_EQ(r["passed"], false);
  EXPECT_EQ(r["participation_met"], false);
  EXPECT_EQ(r["consent_met"], true);
  EXPECT_THAT(r["reason"].get<std::string>(), HasSubstr("participation"));
}

TEST_F(BallotsTest, OneAgreeBelowThreeQuartersFailsConsent) {
  auto owners = Owners(18);
  OwnersBallot b = OpenBallot(7);
  CastAll(b.id, owners, 8, 3, 1);  // 8 of 12: 32 < 36
  nlohmann::json r = CloseAndResult(b.id);
  EXPECT_EQ(r["participation_met"], true);
  EXPECT_EQ(r["consent_met"], false);
}

TEST_F(BallotsTest, ExactlyHalfIsNoMajority) {
  auto owners = Owners(6);
  OwnersBallot b = OpenBallot(4);
  CastAll(b.id, owners, 3, 3, 0);
  nlohmann::json r = CloseAndResult(b.id);
  EXPECT_EQ(r["consent_rule"], "majority");
  EXPECT_EQ(r["consent_met"], false);
  EXPECT_EQ(r["passed"], false);
}

TEST_F(BallotsTest, AreaMetHeadcountNotAndTheReverse) {
  // One unit of 200.00 m² and five of 20.00 m²: 300.00 m², 6 heads.
  auto big = Owner("大户", {Unit(entrance_, building_, "1-101", 20000)});
  std::vector<auth::Principal> small;
  for (int i = 0; i < 5; ++i) {
    small.push_back(Owner("小户" + std::to_string(i), {Unit(entrance_, building_, "1-2" + std::to_string(i), 2000)}));
  }
  OwnersBallot area_only = OpenBallot(4);
  OwnersBallot heads_only = OpenBallot(4);
  EXPECT_OK(service_->Cast(big, area_only.id, Choice::kAgree));
  EXPECT_OK(service_->Cast(small[0], area_only.id, Choice::kAgree));
  EXPECT_OK(service_->Cast(small[1], area_only.id, Choice::kAgree));
  for (int i = 0; i < 4; ++i) EXPECT_OK(service_->Cast(small[i], heads_only.id, Choice::kAgree));
  nlohmann::json a = CloseAndResult(area_only.id);
  EXPECT_EQ(a["conditions"][0]["met"], true);   // 240.00 of 300.00 m²
  EXPECT_EQ(a["conditions"][1]["met"], false);  // 3 of 6 heads
  EXPECT_EQ(a["passed"], false);
  nlohmann::json h = CloseAndResult(heads_only.id);
  EXPECT_EQ(h["conditions"][0]["met"], false);  // 80.00 of 300.00 m²
  EXPECT_EQ(h["conditions"][1]["met"], true);   // 4 of 6 heads
  EXPECT_EQ(h["passed"], false);
}

TEST_F(BallotsTest, OwnerOfSeveralUnitsIsOneHeadAndOneBallotCoversAllTheirUnits) {
  auto many = Owner("多套", {Unit(entrance_, building_, "1-101", 6000), Unit(entrance_, building_, "1-102", 6000),
                             Unit(entrance_, building_, "1-103", 6000)});
  auto o2 = Owner("二", {Unit(entrance_, building_, "1-201", 6000)});
  auto o3 = Owner("三", {Unit(entrance_, building_, "1-202", 6000)});
  Owner("四", {Unit(entrance_, building_, "1-203", 6000)});
  OwnersBallot b = OpenBallot(7);
  auto totals = service_->ElectorateTotals(b.id);
  ASSERT_OK(totals);
  EXPECT_EQ(totals->heads, 4);
  EXPECT_EQ(totals->area.ToString(), "360.00");
  EXPECT_OK(service_->Cast(many, b.id, Choice::kAgree));
  EXPECT_OK(service_->Cast(o2, b.id, Choice::kAgree));
  EXPECT_OK(service_->Cast(o3, b.id, Choice::kDisagree));
  nlohmann::json r = CloseAndResult(b.id);
  EXPECT_EQ(r["participating"], nlohmann::json({{"area", "300.00"}, {"heads", 3}}));
  EXPECT_EQ(r["consenting"], nlohmann::json({{"area", "240.00"}, {"heads", 2}}));
  EXPECT_EQ(r["conditions"][2]["met"], true);   // 960.00 >= 900.00
  EXPECT_EQ(r["conditions"][3]["met"], false);  // 8 < 9
}

TEST_F(BallotsTest, CoOwnersOfOneUnitAreOneHead) {
  const int64_t unit = Unit(entrance_, building_, "1-101", 6000);
  auto wife = Owner("妻", {unit});
  auto husband = Owner("夫", {unit});
  Owner("邻居", {Unit(entrance_, building_, "1-102", 6000)});
  OwnersBallot b = OpenBallot(4);
  EXPECT_EQ(service_->ElectorateTotals(b.id)->heads, 2);
  EXPECT_OK(service_->Cast(wife, b.id, Choice::kAgree));
  EXPECT_OK(service_->Cast(husband, b.id, Choice::kDisagree));  // the same voter: replaces the first
  nlohmann::json r = CloseAndResult(b.id);
  EXPECT_EQ(r["participating"]["heads"], 1);
  EXPECT_EQ(r["consenting"]["heads"], 0);
}

TEST_F(BallotsTest, DeveloperUnitsCountOnceAndVoteByPaper) {
  auto sold = Owners(4);
  for (int i = 0; i < 4; ++i) Unit(entrance_, building_, "1-3" + std::to_string(i), 6000, /*developer=*/true);
  OwnersBallot b = OpenBallot(7);
  EXPECT_EQ(service_->ElectorateTotals(b.id)->heads, 5);
  CastAll(b.id, sold, 3, 0, 0);
  ASSERT_OK(
      service_->Enter(staff_, b.id, {"developer", Choice::kDisagree, Channel::kPaper, "", "dev.pdf", kSheet, ""}));
  nlohmann::json r = CloseAndResult(b.id);
  EXPECT_EQ(r["participating"], nlohmann::json({{"area", "420.00"}, {"heads", 4}}));
  EXPECT_EQ(r["conditions"][3]["met"], true);   // 3 of 4 heads
  EXPECT_EQ(r["conditions"][2]["met"], false);  // 180.00 of 420.00 m²
  EXPECT_EQ(r["passed"], false);
}

TEST_F(BallotsTest, ChangedBallotsKeepHistoryAndOnlyTheLatestCounts) {
  auto owners = Owners(3);
  OwnersBallot b = OpenBallot(4);
  ASSERT_OK(service_->Cast(owners[0], b.id, Choice::kAgree));
  clock_.Advance(std::chrono::seconds(60));
  ASSERT_OK(service_->Cast(owners[0], b.id, Choice::kDisagree));
  auto viewer = service_->ViewerOf(owners[0], b.id);
  ASSERT_OK(viewer);
  ASSERT_TRUE(viewer->own_vote);
  EXPECT_EQ(viewer->own_vote->choice, Choice::kDisagree);
  // A paper sheet entered later replaces the online ballot (with the reason staff must give): one current ballot per
  // owner across channels.
  ASSERT_OK(service_->Enter(
      staff_, b.id, {*viewer->own_voter, Choice::kAgree, Channel::kPaper, "", "s.pdf", kSheet, "业主交回纸质票"}));
  auto history = service_->History(owners[0], b.id, *viewer->own_voter);
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 3u);
  EXPECT_FALSE((*history)[0].current);
  EXPECT_FALSE((*history)[1].current);
  EXPECT_TRUE((*history)[2].current);
  EXPECT_EQ((*history)[2].channel, Channel::kPaper);
  CastAll(b.id, {owners[1], owners[2]}, 1, 1, 0);
  nlohmann::json r = CloseAndResult(b.id);
  EXPECT_EQ(r["participating"]["heads"], 3);
  EXPECT_EQ(r["consenting"]["heads"], 2);
  EXPECT_EQ(r["ballots_by_channel"], nlohmann::json({{"online", 2}, {"paper", 1}, {"proxy", 0}}));
}

TEST_F(BallotsTest, ProxyBallotNeedsAProxyNameAndAWrittenAuthorization) {
  auto owners = Owners(2);
  OwnersBallot b = OpenBallot(4);
  auto viewer = service_->ViewerOf(owners[0], b.id);
  const std::string voter = *viewer->own_voter;
  EXPECT_THAT(service_->Enter(staff_, b.id, {voter, Choice::kAgree, Channel::kProxy, "", "a.pdf", kSheet, ""}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->Enter(staff_, b.id, {voter, Choice::kAgree, Channel::kProxy, "王五", "", "", ""}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->Enter(staff_, b.id, {"o999999", Choice::kAgree, Channel::kPaper, "", "a.pdf", kSheet, ""}),
              StatusIs(StatusCode::kInvalidArgument));
  auto vote = service_->Enter(staff_, b.id, {voter, Choice::kAgree, Channel::kProxy, "王五", "auth.pdf", kSheet, ""});
  ASSERT_OK(vote);
  EXPECT_EQ(vote->channel, Channel::kProxy);
  EXPECT_EQ(vote->proxy_name, "王五");
  ASSERT_TRUE(vote->attachment_id);
  auto file = service_->AttachmentOf(staff_, b.id, *vote->attachment_id);
  ASSERT_OK(file);
  EXPECT_EQ(file->second, kSheet);
  EXPECT_THAT(service_->AttachmentOf(owners[1], b.id, *vote->attachment_id), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(BallotsTest, ClosedOrExpiredOrDraftBallotRefusesVotes) {
  auto owners = Owners(3);
  NewBallot nb{"草稿", "", 4, building_, clock_.Now() + std::chrono::hours(48), 7};
  auto draft = service_->Create(staff_, nb);
  ASSERT_OK(draft);
  EXPECT_THAT(service_->Cast(owners[0], draft->id, Choice::kAgree), StatusIs(StatusCode::kFailedPrecondition));
  OwnersBallot b = OpenBallot(4);
  clock_.Advance(std::chrono::hours(24 * 7));  // closes_at reached, not yet closed by staff
  EXPECT_THAT(service_->Cast(owners[0], b.id, Choice::kAgree), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK(service_->Close(staff_, b.id));
  EXPECT_THAT(service_->Cast(owners[0], b.id, Choice::kAgree), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->Enter(staff_, b.id, {"developer", Choice::kAgree, Channel::kPaper, "", "s.pdf", kSheet, ""}),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->Close(staff_, b.id), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->Open(staff_, b.id), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(BallotsTest, ResultsAndNoticeAreHiddenUntilClosing) {
  auto owners = Owners(3);
  OwnersBallot b = OpenBallot(4);
  CastAll(b.id, owners, 2, 1, 0);
  EXPECT_THAT(service_->Result(b.id), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->Notice(staff_, b.id), StatusIs(StatusCode::kFailedPrecondition));
  // Not in the audit chain either: no record of this ballot names a choice.
  {  // given back before Close takes one (no nested Acquire)
    auto conn = db_->Acquire();
    ASSERT_OK(conn);
    auto audit = record::ListAudit(**conn, record::Ref("ballot", b.id), 100);
    ASSERT_OK(audit);
    for (const auto& a : *audit) {
      EXPECT_THAT(a.summary, ::testing::Not(HasSubstr("agree"))) << a.action;
    }
  }
  ASSERT_OK(service_->Close(staff_, b.id));
  EXPECT_OK(service_->Result(b.id));
}

TEST_F(BallotsTest, OnlyOwnersInScopeVoteAndOnlyStaffOverTheScopeManage) {
  auto inside = Owners(2);
  auto outside = Owner("二号楼", {Unit(entrance2_, building2_, "1-101", 6000)});
  OwnersBallot b = OpenBallot(4);
  EXPECT_THAT(service_->Cast(outside, b.id, Choice::kAgree), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->Cast(auth::Principal{}, b.id, Choice::kAgree), StatusIs(StatusCode::kUnauthenticated));
  const std::string voter = *service_->ViewerOf(inside[0], b.id)->own_voter;
  EXPECT_THAT(service_->Enter(inside[1], b.id, {voter, Choice::kAgree, Channel::kPaper, "", "s.pdf", kSheet, ""}),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->Enter(other_staff_, b.id, {voter, Choice::kAgree, Channel::kPaper, "", "s.pdf", kSheet, ""}),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->Close(inside[0], b.id), StatusIs(StatusCode::kPermissionDenied));
  NewBallot nb{"越权", "", 4, building_, clock_.Now() + std::chrono::hours(48), 7};
  EXPECT_THAT(service_->Create(other_staff_, nb), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(BallotsTest, StaffPaperEntryIsAuditedWithWhoEnteredIt) {
  auto owners = Owners(2);
  OwnersBallot b = OpenBallot(4);
  const std::string voter = *service_->ViewerOf(owners[0], b.id)->own_voter;
  auto vote = service_->Enter(staff_, b.id, {voter, Choice::kAgree, Channel::kPaper, "", "sheet.pdf", kSheet, ""});
  ASSERT_OK(vote);
  EXPECT_EQ(vote->cast_by, staff_.user_id);
  auto conn = db_->Acquire();
  auto audit = record::ListAudit(**conn, record::Ref("ballot", b.id), 100);
  ASSERT_OK(audit);
  const record::AuditRecord* paper = nullptr;
  for (const auto& a : *audit) {
    if (a.action == "ballot.vote.paper") paper = &a;
  }
  ASSERT_NE(paper, nullptr);
  EXPECT_EQ(paper->actor_id, staff_.user_id);
  EXPECT_THAT(paper->summary, HasSubstr(voter));
  EXPECT_THAT(paper->summary, HasSubstr("\"attachment\":" + std::to_string(*vote->attachment_id)));
}

TEST_F(BallotsTest, ElectorateIsFrozenAtOpening) {
  auto owners = Owners(3);
  OwnersBallot b = OpenBallot(4);
  auto late = Owner("后来", {Unit(entrance_, building_, "1-999", 6000)});
  EXPECT_EQ(service_->ElectorateTotals(b.id)->heads, 3);
  EXPECT_THAT(service_->Cast(late, b.id, Choice::kAgree), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(BallotsTest, EstateScopeCoversEveryBuildingOfTheNeighborhood) {
  Owners(2);
  Owner("二号楼", {Unit(entrance2_, building2_, "1-101", 6000)});
  OwnersBallot b = OpenBallot(4, neighborhood_);
  EXPECT_EQ(service_->ElectorateTotals(b.id)->heads, 3);
  auto list = service_->ListForNeighborhood(neighborhood_, "", 10);
  ASSERT_OK(list);
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].id, b.id);
}

TEST_F(BallotsTest, NoticeMasksNamesAndTakesObjectionsWhileItRuns) {
  auto owners = Owners(3);
  OwnersBallot b = OpenBallot(4);
  CastAll(b.id, owners, 2, 0, 0);
  EXPECT_THAT(service_->Object(owners[2], b.id, "有异议"), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK(service_->Close(staff_, b.id));
  auto notice = service_->Notice(owners[0], b.id);
  ASSERT_OK(notice);
  ASSERT_EQ(notice->size(), 3u);
  EXPECT_EQ((*notice)[0].owners_masked, "业**");
  EXPECT_EQ((*notice)[0].choice, Choice::kAgree);
  EXPECT_FALSE((*notice)[2].choice.has_value());
  EXPECT_THAT(service_->Object(owners[2], b.id, "   "), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->Object(owners[2], b.id, std::string(kMaxObjectionBytes + 1, 'x')),
              StatusIs(StatusCode::kInvalidArgument));
  // An owner whose phone still waits for its code (auth::RequireSettledPhone) does not object yet.
  {
    auto conn = db_->Acquire();
    ASSERT_OK(conn);
    ASSERT_OK((*conn)->Execute("UPDATE users SET phone = '13911112222', phone_state = 'pending' WHERE id = ?",
                               {owners[2].user_id}));
  }
  EXPECT_THAT(service_->Object(owners[2], b.id, "我未收到表决票"), StatusIs(StatusCode::kFailedPrecondition));
  {
    auto conn = db_->Acquire();
    ASSERT_OK(conn);
    ASSERT_OK((*conn)->Execute("UPDATE users SET phone_state = 'verified' WHERE id = ?", {owners[2].user_id}));
  }
  ASSERT_OK(service_->Object(owners[2], b.id, "我未收到表决票"));
  auto masked = service_->Objections(owners[0], b.id);
  ASSERT_OK(masked);
  ASSERT_EQ(masked->size(), 1u);
  EXPECT_EQ((*masked)[0].name, MaskName(owners[2].display_name));
  EXPECT_NE((*masked)[0].name, owners[2].display_name);
  EXPECT_EQ((*service_->Objections(staff_, b.id))[0].name, owners[2].display_name);
  clock_.Advance(std::chrono::hours(24 * 7));
  EXPECT_THAT(service_->Object(owners[2], b.id, "太晚了"), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(BallotsTest, CreateRefusesBadInputNamingTheField) {
  NewBallot nb{"", "", 7, building_, clock_.Now() + std::chrono::hours(1), 7};
  EXPECT_THAT(service_->Create(staff_, nb), StatusIs(StatusCode::kInvalidArgument));
  nb.title = "ok";
  nb.matter = 10;
  auto bad_matter = service_->Create(staff_, nb);
  EXPECT_EQ(bad_matter.status().field(), "matter");
  nb.matter = 7;
  nb.closes_at = clock_.Now();
  EXPECT_EQ(service_->Create(staff_, nb).status().field(), "closes_at");
  nb.closes_at = clock_.Now() + std::chrono::hours(1);
  nb.notice_days = 0;
  EXPECT_EQ(service_->Create(staff_, nb).status().field(), "notice_days");
  nb.notice_days = 7;
  nb.area_id = entrance_;
  EXPECT_OK(service_->Create(staff_, nb));
  auto empty = service_->Create(staff_, nb);
  ASSERT_OK(empty);
  EXPECT_THAT(service_->Open(staff_, empty->id), StatusIs(StatusCode::kFailedPrecondition));  // no units yet
}

TEST_F(BallotsTest, NoticeIsForTheOwnersOfTheScopeAndStaff) {
  auto owners = Owners(2);
  auto outside = Owner("二号楼", {Unit(entrance2_, building2_, "1-101", 6000)});
  OwnersBallot b = OpenBallot(4);
  CastAll(b.id, owners, 2, 0, 0);
  ASSERT_OK(service_->Close(staff_, b.id));
  EXPECT_THAT(service_->Notice(auth::Principal{}, b.id), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(service_->Notice(outside, b.id), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->Notice(other_staff_, b.id), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_OK(service_->Notice(owners[1], b.id));
  EXPECT_OK(service_->Notice(staff_, b.id));
  EXPECT_OK(service_->Notice(auth::SystemPrincipal("cli"), b.id));
}

TEST_F(BallotsTest, NoticeShowsAnOrganizationsNameInFull) {
  auto person = Owners(1);
  const int64_t unit = Unit(entrance_, building_, "1-201", 6000);
  {
    auto conn = db_->Acquire();
    ASSERT_OK(conn);
    auto o = (*conn)->QueryOne("INSERT INTO owners (name, kind, created_at) VALUES (?, ?, 0) RETURNING id",
                               {std::string("上海长宁物业有限公司"), std::string(kOwnerOrganization)});
    ASSERT_OK(o);
    ASSERT_OK((*conn)->Execute("INSERT INTO unit_owners (unit_id, owner_id) VALUES (?, ?)", {unit, o->Int(0)}));
  }
  OwnersBallot b = OpenBallot(4);
  ASSERT_OK(service_->Close(staff_, b.id));
  auto notice = service_->Notice(person[0], b.id);
  ASSERT_OK(notice);
  ASSERT_EQ(notice->size(), 2u);
  EXPECT_EQ((*notice)[0].owners_masked, "业**");
  EXPECT_EQ((*notice)[1].owners_masked, "上海长宁物业有限公司");
}

TEST_F(BallotsTest, ReplacingAnOwnersOnlineBallotNeedsAReasonAndTellsTheOwner) {
  auto owners = Owners(2);
  OwnersBallot b = OpenBallot(4);
  ASSERT_OK(service_->Cast(owners[0], b.id, Choice::kAgree));
  const std::string voter = *service_->ViewerOf(owners[0], b.id)->own_voter;
  Entry entry{voter, Choice::kDisagree, Channel::kPaper, "", "sheet.pdf", kSheet, ""};
  auto refused = service_->Enter(staff_, b.id, entry);
  EXPECT_THAT(refused, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(refused.status().field(), "reason");
  EXPECT_EQ(service_->ViewerOf(owners[0], b.id)->own_vote->channel, Channel::kOnline);  // nothing written
  entry.reason = "业主本人到居委会交回纸质表决票，要求以纸质票为准";
  auto vote = service_->Enter(staff_, b.id, entry);
  ASSERT_OK(vote);
  EXPECT_EQ(vote->replace_reason, entry.reason);
  // The owner sees that, when, by whom (the role) and why.
  auto seen = service_->ViewerOf(owners[0], b.id);
  ASSERT_OK(seen);
  ASSERT_EQ(seen->replacements.size(), 1u);
  EXPECT_EQ(seen->replacements[0].by_role, "neighborhood_staff");
  EXPECT_EQ(seen->replacements[0].channel, "paper");
  EXPECT_EQ(seen->replacements[0].reason, entry.reason);
  EXPECT_EQ(seen->replacements[0].at, FromUnix(ToUnix(clock_.Now())));
  EXPECT_EQ(seen->own_vote->replace_reason, entry.reason);
  EXPECT_TRUE(service_->ViewerOf(owners[1], b.id)->replacements.empty());
  // Over a paper ballot (not the owner's own) no reason is asked, and none is stored.
  entry.reason = "";
  auto again = service_->Enter(staff_, b.id, entry);
  ASSERT_OK(again);
  EXPECT_EQ(again->replace_reason, "");
  EXPECT_EQ(service_->ViewerOf(owners[0], b.id)->replacements.size(), 1u);
  // A first paper ballot for a voter who never voted online needs none either.
  const std::string second = *service_->ViewerOf(owners[1], b.id)->own_voter;
  EXPECT_OK(service_->Enter(staff_, b.id, {second, Choice::kAgree, Channel::kPaper, "", "sheet.pdf", kSheet, ""}));
  // The reason is bounded.
  ASSERT_OK(service_->Cast(owners[1], b.id, Choice::kAgree));
  Entry too_long{
      second, Choice::kAgree, Channel::kPaper, "", "sheet.pdf", kSheet, std::string(kMaxReasonBytes + 1, 'x')};
  EXPECT_THAT(service_->Enter(staff_, b.id, too_long), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace ningju::decisions
