// Invitation letters, claims and links by hand on a small tree: two neighborhoods, a building each, owners without
// accounts (as a roster import leaves them).
#include "governance/areas/owner_links.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "governance/areas/area_writer.h"
#include "governance/areas/join_requests.h"
#include "record/record.h"
#include "storage/locking.h"
#include "testing/db_checks.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"
#include "testing/test_principal.h"

namespace ningju::areas {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

NewArea A(std::optional<int64_t> parent, std::string kind, std::string code, std::string name) {
  NewArea area;
  area.parent_id = parent;
  area.kind = std::move(kind);
  area.code = std::move(code);
  area.name = std::move(name);
  return area;
}

// The status code and a part of the English message.
MATCHER_P2(FailsWith, code, part, "") {
  const Status& s = arg.status();
  return s.code() == code && s.message().find(part) != std::string::npos;
}

class OwnerLinksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, ::ningju::testing::OpenTestDatabase());
    service_ = std::make_unique<OwnerLinkService>(*db_, clock_, "https://ningju.example/");
    ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
      const Instant t = clock_.Now();
      ASSIGN_OR_RETURN(int64_t d, InsertArea(tx, A(std::nullopt, "district", "d", "长宁区"), t));
      ASSIGN_OR_RETURN(int64_t s, InsertArea(tx, A(d, "subdistrict", "s", "华阳路街道"), t));
      ASSIGN_OR_RETURN(nb1_, InsertArea(tx, A(s, "neighborhood", "n1", "安化一村居民区"), t));
      ASSIGN_OR_RETURN(nb2_, InsertArea(tx, A(s, "neighborhood", "n2", "愚园新村居民区"), t));
      ASSIGN_OR_RETURN(b1_, InsertArea(tx, A(nb1_, "building", "n1-b1", "1号楼"), t));
      ASSIGN_OR_RETURN(b2_, InsertArea(tx, A(nb2_, "building", "n2-b1", "5号楼"), t));
      ASSIGN_OR_RETURN(int64_t e1, InsertArea(tx, A(b1_, "entrance", "n1-b1-e1", "1号门"), t));
      ASSIGN_OR_RETURN(int64_t e2, InsertArea(tx, A(b2_, "entrance", "n2-b1-e1", "1号门"), t));
      ASSIGN_OR_RETURN(owner1_, Owner(tx, e1, b1_, "1-101", "张三丰"));
      ASSIGN_OR_RETURN(owner2_, Owner(tx, e1, b1_, "1-102", "李四"));
      ASSIGN_OR_RETURN(owner3_, Owner(tx, e2, b2_, "1-101", "王五"));
      return OkStatus();
    }));
    staff1_ = User("nb1", auth::Role::kNeighborhoodStaff, nb1_);
    staff2_ = User("nb2", auth::Role::kNeighborhoodStaff, nb2_);
    alice_ = User("alice", std::nullopt, 0);
    bob_ = User("bob", std::nullopt, 0);
  }

  StatusOr<int64_t> Owner(storage::Connection& tx, int64_t entrance, int64_t building, const char* number,
                          const char* name) {
    ASSIGN_OR_RETURN(storage::Row unit, tx.QueryOne("INSERT INTO units (entrance_id, building_id, number, floor, "
                                                    "area_centi) VALUES (?, ?, ?, 1, 8000) RETURNING id",
                                                    {entrance, building, std::string(number)}));
    ASSIGN_OR_RETURN(storage::Row owner, tx.QueryOne("INSERT INTO owners (name, created_at) VALUES (?, 0) RETURNING id",
                                                     {std::string(name)}));
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO unit_owners (unit_id, owner_id) VALUES (?, ?)", {unit.Int(0), owner.Int(0)}));
    return owner.Int(0);
  }

  // A principal as a session loads it (Authorize reads its grants).
  auth::Principal User(const std::string& login, std::optional<auth::Role> role, int64_t area) {
    return ::ningju::testing::NewPrincipal(*db_, login, role, area);
  }

  std::optional<int64_t> LinkedUser(int64_t owner) {
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne("SELECT user_id FROM owners WHERE id = ?", {owner});
    EXPECT_OK(row);
    return row->OptInt(0);
  }

  std::vector<int64_t> ResidentAreas(int64_t user) {
    return ::ningju::testing::RoleAreas(*db_, user, auth::Role::kResident);
  }
  int64_t Count(const std::string& sql, const storage::Params& params) {
    return ::ningju::testing::CountOf(*db_, sql, params);
  }
  std::vector<std::string> AuditActions(int64_t id) {
    return ::ningju::testing::AuditActionsOn(*db_, record::Ref("owner", id));
  }

  FakeClock clock_{FromUnix(1'790'000'000)};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<OwnerLinkService> service_;
  int64_t nb1_ = 0, nb2_ = 0, b1_ = 0, b2_ = 0, owner1_ = 0, owner2_ = 0, owner3_ = 0;
  auth::Principal staff1_, staff2_, alice_, bob_;
};

TEST(NormalizeInvitationCode, IgnoresCaseSpacesAndDashesAndReadsLookalikes) {
  EXPECT_EQ(NormalizeInvitationCode("abcd-efgh-jkmn"), "ABCDEFGHJKMN");
  EXPECT_EQ(NormalizeInvitationCode(" ABCD EFGH JKMN "), "ABCDEFGHJKMN");
  EXPECT_EQ(NormalizeInvitationCode("OIL0-0000-0000"), "011000000000");
  EXPECT_EQ(NormalizeInvitationCode("ABCD-EFGH-JKM"), std::nullopt);      // 11 symbols
  EXPECT_EQ(NormalizeInvitationCode("ABCD-EFGH-JKMNP"), std::nullopt);    // 13
  EXPECT_EQ(NormalizeInvitationCode("ABCD-EFGH-JKMU"), std::nullopt);     // U is not in the alphabet
  EXPECT_EQ(NormalizeInvitationCode("ABCD-EFGH-JKM\xE4"), std::nullopt);  // not ASCII
}

TEST_F(OwnerLinksTest, LetterThenClaimLinksTheAccountAndMakesItAResident) {
  ASSERT_OK_AND_ASSIGN(InvitationLetter letter, service_->IssueLetter(staff1_, owner1_));
  EXPECT_EQ(letter.owner_name, "张三丰");
  EXPECT_EQ(letter.units, "1号楼 1-101");
  EXPECT_EQ(letter.neighborhood_name, "安化一村居民区");
  EXPECT_THAT(letter.code,
              ::testing::MatchesRegex("[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}"));
  EXPECT_EQ(letter.url, "https://ningju.example/claim?code=" + letter.code);
  EXPECT_THAT(letter.qr_svg, HasSubstr("<svg"));
  EXPECT_EQ(letter.expires_at, clock_.Now() + std::chrono::hours(24 * 30));
  {
    // Only the hash is kept.
    ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
    ASSERT_OK_AND_ASSIGN(storage::Row row, conn->QueryOne("SELECT code_hash FROM owner_invitations"));
    EXPECT_THAT(row.Text(0), Not(HasSubstr(*NormalizeInvitationCode(letter.code))));
    EXPECT_EQ(row.Text(0).size(), 64u);
  }

  ASSERT_OK_AND_ASSIGN(ClaimResult claim, service_->Claim(alice_, letter.code));
  EXPECT_EQ(claim.owner_id, owner1_);
  EXPECT_EQ(claim.neighborhood_id, nb1_);
  EXPECT_EQ(LinkedUser(owner1_), alice_.user_id);
  {
    ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
    ASSERT_OK_AND_ASSIGN(auto grants, auth::LoadGrants(*conn, alice_.user_id));
    ASSERT_EQ(grants.size(), 1u);
    EXPECT_EQ(grants[0].role, auth::Role::kResident);
    EXPECT_EQ(grants[0].area_id, nb1_);
  }
  EXPECT_THAT(AuditActions(owner1_), ::testing::ElementsAre("owner.claim", "owner.invite"));
}

TEST_F(OwnerLinksTest, ClaimRefusalsSayWhatIsWrong) {
  ASSERT_OK_AND_ASSIGN(InvitationLetter first, service_->IssueLetter(staff1_, owner1_));
  ASSERT_OK_AND_ASSIGN(InvitationLetter second, service_->IssueLetter(staff1_, owner1_));
  // A new letter replaces the old code.
  EXPECT_THAT(service_->Claim(alice_, first.code), FailsWith(StatusCode::kFailedPrecondition, std::string("replaced")));
  // Anonymous; malformed; unknown.
  EXPECT_THAT(service_->Claim(auth::Principal{}, second.code), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(service_->Claim(alice_, "hello"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->Claim(alice_, "0000-0000-0000"), StatusIs(StatusCode::kNotFound));
  // Used: by the claimer again, and by another account; neither message names the owner.
  ASSERT_OK(service_->Claim(alice_, second.code));
  auto reused = service_->Claim(bob_, second.code);
  EXPECT_THAT(reused, FailsWith(StatusCode::kFailedPrecondition, std::string("already used")));
  EXPECT_THAT(reused.status().message(), Not(HasSubstr("张")));
  EXPECT_EQ(LinkedUser(owner1_), alice_.user_id);
  // Expired: 30 days and a second later.
  ASSERT_OK_AND_ASSIGN(InvitationLetter late, service_->IssueLetter(staff1_, owner2_));
  clock_.Advance(std::chrono::hours(24 * 30) + std::chrono::seconds(1));
  EXPECT_THAT(service_->Claim(bob_, late.code), FailsWith(StatusCode::kFailedPrecondition, std::string("expired")));
  EXPECT_EQ(LinkedUser(owner2_), std::nullopt);
}

TEST_F(OwnerLinksTest, AnOwnerLinkedToAnotherAccountIsNotTakenOverByALetter) {
  ASSERT_OK(service_->Link(staff1_, owner1_, "alice", "本人持房产证到居委会核对"));
  ASSERT_OK_AND_ASSIGN(InvitationLetter letter, service_->IssueLetter(staff1_, owner1_));
  EXPECT_THAT(service_->Claim(bob_, letter.code), FailsWith(StatusCode::kFailedPrecondition, std::string("another")));
  EXPECT_EQ(LinkedUser(owner1_), alice_.user_id);
}

TEST_F(OwnerLinksTest, WrongCodesAreLimitedPerAccount) {
  for (int i = 0; i < 10; ++i) {
    EXPECT_THAT(service_->Claim(bob_, "0000-0000-000" + std::to_string(i)), StatusIs(StatusCode::kNotFound));
  }
  ASSERT_OK_AND_ASSIGN(InvitationLetter letter, service_->IssueLetter(staff1_, owner1_));
  EXPECT_THAT(service_->Claim(bob_, letter.code), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_OK(service_->Claim(alice_, letter.code));  // another account is not held back
  ASSERT_OK_AND_ASSIGN(InvitationLetter other, service_->IssueLetter(staff1_, owner2_));
  clock_.Advance(std::chrono::hours(1) + std::chrono::seconds(1));
  EXPECT_OK(service_->Claim(bob_, other.code));  // an hour later
}

TEST_F(OwnerLinksTest, OnlyStaffOverTheOwnersBuildingPrintLinkAndUnlink) {
  EXPECT_THAT(service_->IssueLetter(staff2_, owner1_), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->IssueLetter(alice_, owner1_), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->IssueLetter(auth::Principal{}, owner1_), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(service_->IssueLetter(staff1_, 9999), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(service_->IssueBuildingLetters(staff2_, b1_), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->BuildingOwners(staff2_, b1_), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->Link(staff2_, owner1_, "alice", "理由"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->Link(staff1_, owner1_, "alice", "  "), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->Link(staff1_, owner1_, "nobody", "理由"), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(LinkedUser(owner1_), std::nullopt);

  ASSERT_OK(service_->Link(staff1_, owner1_, "alice", "本人到居委会核对"));
  EXPECT_THAT(service_->Link(staff1_, owner1_, "bob", "理由"), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(service_->Unlink(staff2_, owner1_, "理由"), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(service_->Unlink(staff1_, owner1_, "房屋已出售"));
  EXPECT_EQ(LinkedUser(owner1_), std::nullopt);
  EXPECT_THAT(service_->Unlink(staff1_, owner1_, "理由"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(AuditActions(owner1_), ::testing::ElementsAre("owner.link", "owner.unlink"));
  {
    ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
    ASSERT_OK_AND_ASSIGN(auto records, record::ListAudit(*conn, record::Ref("owner", owner1_), 10));
    bool reason = false;
    for (const auto& r : records) reason = reason || r.summary.find("房屋已出售") != std::string::npos;
    EXPECT_TRUE(reason);
  }
}

// Unlink takes back the resident role the claim gave, unless the account has another reason to hold it there.
TEST_F(OwnerLinksTest, UnlinkRevokesTheResidentRoleTheClaimGave) {
  ASSERT_OK_AND_ASSIGN(InvitationLetter letter, service_->IssueLetter(staff1_, owner1_));
  ASSERT_OK(service_->Claim(alice_, letter.code));
  EXPECT_THAT(ResidentAreas(alice_.user_id), ::testing::ElementsAre(nb1_));
  ASSERT_OK(service_->Unlink(staff1_, owner1_, "房屋已出售"));
  EXPECT_THAT(ResidentAreas(alice_.user_id), ::testing::IsEmpty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM residencies WHERE user_id = ?", {alice_.user_id}), 0);
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(auto records, record::ListAudit(*conn, record::Ref("user", alice_.user_id), 10));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].action, "role.revoke");
  ASSERT_OK_AND_ASSIGN(auto unlink, record::ListAudit(*conn, record::Ref("owner", owner1_), 10));
  bool said = false;
  for (const auto& r : unlink) said = said || r.summary.find("\"resident_role\":\"revoked\"") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST_F(OwnerLinksTest, UnlinkKeepsTheResidentRoleWhileAnotherReasonRemains) {
  // Two owners of the neighborhood linked to one account: the first unlink keeps the role, the second takes it.
  ASSERT_OK(service_->Link(staff1_, owner1_, "alice", "本人核对"));
  ASSERT_OK(service_->Link(staff1_, owner2_, "alice", "本人核对"));
  ASSERT_OK(service_->Unlink(staff1_, owner1_, "房屋已出售"));
  EXPECT_THAT(ResidentAreas(alice_.user_id), ::testing::ElementsAre(nb1_));
  ASSERT_OK(service_->Unlink(staff1_, owner2_, "房屋已出售"));
  EXPECT_THAT(ResidentAreas(alice_.user_id), ::testing::IsEmpty());

  // An approved join request is a reason of its own.
  JoinRequestService joins(*db_, clock_);
  NewJoinRequest ask;
  ask.neighborhood_id = nb1_;
  ASSERT_OK_AND_ASSIGN(JoinRequestView request, joins.Ask(bob_, ask));
  ASSERT_OK(joins.Approve(staff1_, request.id, owner2_));
  ASSERT_OK(service_->Unlink(staff1_, owner2_, "账号填错"));
  EXPECT_THAT(ResidentAreas(bob_.user_id), ::testing::ElementsAre(nb1_));

  // A role granted by hand (origin "") is never taken back by an unlink.
  auth::Principal carol = User("carol", std::nullopt, 0);
  {
    ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
    ASSERT_OK(conn->Execute("INSERT INTO role_grants (user_id, role, area_id, granted_at) VALUES (?, 'resident', ?, 0)",
                            {carol.user_id, nb1_}));
  }
  ASSERT_OK(service_->Link(staff1_, owner1_, "carol", "本人核对"));
  ASSERT_OK(service_->Unlink(staff1_, owner1_, "房屋已出售"));
  EXPECT_THAT(ResidentAreas(carol.user_id), ::testing::ElementsAre(nb1_));
}

// Two owners of one account unlinked at once (PostgreSQL, where transactions run side by side): each unlink alone
// would see the other owner still linked and keep the role; under the grant's lock the second sees the first's
// commit, so the role goes. A third connection holds the grant's lock while both start, so that both are inside
// their transactions when it lets go.
TEST_F(OwnerLinksTest, TwoUnlinksAtOnceStillTakeBackTheRole) {
  if (::ningju::testing::TestBackend() != "postgres") GTEST_SKIP() << "SQLite lets one writer in at a time";
  ASSERT_OK(service_->Link(staff1_, owner1_, "alice", "本人核对"));
  ASSERT_OK(service_->Link(staff1_, owner2_, "alice", "本人核对"));
  Status first, second;
  {
    ASSERT_OK_AND_ASSIGN(auto holder, db_->Acquire());
    ASSERT_OK(holder->Begin());
    ASSERT_OK(holder->Execute(
        "SELECT id FROM role_grants WHERE user_id = ? AND revoked_at = 0" + storage::ForUpdate(holder->dialect()),
        {alice_.user_id}));
    std::thread t1([&] { first = service_->Unlink(staff1_, owner1_, "房屋已出售"); });
    std::thread t2([&] { second = service_->Unlink(staff1_, owner2_, "房屋已出售"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_OK(holder->Commit());
    t1.join();
    t2.join();
  }
  ASSERT_OK(first);
  ASSERT_OK(second);
  EXPECT_EQ(LinkedUser(owner1_), std::nullopt);
  EXPECT_EQ(LinkedUser(owner2_), std::nullopt);
  EXPECT_THAT(ResidentAreas(alice_.user_id), ::testing::IsEmpty());
}

TEST_F(OwnerLinksTest, BuildingLettersGiveEveryOwnerACodeAndTheListShowsThem) {
  ASSERT_OK_AND_ASSIGN(auto letters, service_->IssueBuildingLetters(staff1_, b1_));
  ASSERT_EQ(letters.size(), 2u);
  EXPECT_EQ(letters[0].owner_id, owner1_);
  EXPECT_EQ(letters[1].owner_id, owner2_);
  EXPECT_NE(letters[0].code, letters[1].code);
  ASSERT_OK(service_->Claim(alice_, letters[1].code));
  ASSERT_OK_AND_ASSIGN(auto owners, service_->BuildingOwners(staff1_, b1_));
  ASSERT_EQ(owners.size(), 2u);
  EXPECT_EQ(owners[0].name, "张三丰");
  EXPECT_TRUE(owners[0].open_invitation_expires.has_value());
  EXPECT_EQ(owners[0].user_id, std::nullopt);
  EXPECT_EQ(owners[1].user_id, alice_.user_id);
  EXPECT_EQ(owners[1].account, "alice");
  EXPECT_FALSE(owners[1].open_invitation_expires.has_value());  // claimed
  EXPECT_THAT(service_->BuildingOwners(staff1_, nb1_), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace ningju::areas
