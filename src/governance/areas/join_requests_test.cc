// Residents asking to join a neighborhood and staff deciding, on a small tree: two neighborhoods with a building
// each, owners without accounts (as a roster import leaves them).
#include "governance/areas/join_requests.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "governance/areas/area_writer.h"
#include "governance/areas/owner_links.h"
#include "record/record.h"
#include "storage/locking.h"
#include "testing/db_checks.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"
#include "testing/test_principal.h"

namespace ningju::areas {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

NewArea A(std::optional<int64_t> parent, std::string kind, std::string code, std::string name) {
  NewArea area;
  area.parent_id = parent;
  area.kind = std::move(kind);
  area.code = std::move(code);
  area.name = std::move(name);
  return area;
}

class JoinRequestsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(storage::DatabaseOptions{}); }

  void Open(const storage::DatabaseOptions& options) {
    ASSERT_OK_AND_ASSIGN(db_, ::ningju::testing::OpenTestDatabase(options));
    service_ = std::make_unique<JoinRequestService>(*db_, clock_);
    owners_ = std::make_unique<OwnerLinkService>(*db_, clock_, "https://ningju.example");
    ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
      const Instant t = clock_.Now();
      ASSIGN_OR_RETURN(sd_, InsertArea(tx, A(std::nullopt, "district", "d", "长宁区"), t));
      ASSIGN_OR_RETURN(int64_t s, InsertArea(tx, A(sd_, "subdistrict", "s", "华阳路街道"), t));
      sd_ = s;
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
    ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
    ASSERT_OK(conn->Execute("UPDATE users SET phone = '13800001111' WHERE id = ?", {alice_.user_id}));
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

  auth::Principal User(const std::string& login, std::optional<auth::Role> role, int64_t area) {
    return ::ningju::testing::NewPrincipal(*db_, login, role, area);
  }

  NewJoinRequest Request(int64_t nb, std::string message = "我住1号楼101，租户") {
    NewJoinRequest r;
    r.neighborhood_id = nb;
    r.message = std::move(message);
    return r;
  }

  std::vector<int64_t> ResidentAreas(int64_t user) {
    return ::ningju::testing::RoleAreas(*db_, user, auth::Role::kResident);
  }
  int64_t Count(const std::string& sql, const storage::Params& params) {
    return ::ningju::testing::CountOf(*db_, sql, params);
  }
  std::vector<std::string> AuditActions(int64_t id) {
    return ::ningju::testing::AuditActionsOn(*db_, record::Ref("join_request", id));
  }

  FakeClock clock_{FromUnix(1'790'000'000)};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<JoinRequestService> service_;
  std::unique_ptr<OwnerLinkService> owners_;
  int64_t sd_ = 0, nb1_ = 0, nb2_ = 0, b1_ = 0, b2_ = 0, owner1_ = 0, owner2_ = 0, owner3_ = 0;
  auth::Principal staff1_, staff2_, alice_, bob_;
};

TEST_F(JoinRequestsTest, AskThenApproveMakesAResidentInOneAuditedStep) {
  NewJoinRequest r = Request(nb1_);
  r.building_id = b1_;
  r.unit = " 1-101 ";
  ASSERT_OK_AND_ASSIGN(JoinRequestView asked, service_->Ask(alice_, r));
  EXPECT_EQ(asked.state, JoinState::kPending);
  EXPECT_EQ(asked.neighborhood_name, "安化一村居民区");
  EXPECT_EQ(asked.building_name, "1号楼");
  EXPECT_EQ(asked.unit, "1-101");
  EXPECT_EQ(asked.phone, "");  // the requester does not need their own phone back

  // Staff see it with the phone; staff of the other neighborhood do not see it.
  ASSERT_OK_AND_ASSIGN(auto queue, service_->ForArea(staff1_, nb1_));
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].id, asked.id);
  EXPECT_EQ(queue[0].account, "alice");
  EXPECT_EQ(queue[0].phone, "13800001111");
  EXPECT_EQ(queue[0].message, "我住1号楼101，租户");
  EXPECT_THAT(service_->ForArea(staff2_, nb1_), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->ForArea(alice_, nb1_), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(service_->ForArea(auth::Principal{}, nb1_), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(service_->Get(staff2_, asked.id), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(service_->Get(bob_, asked.id), StatusIs(StatusCode::kNotFound));

  EXPECT_THAT(ResidentAreas(alice_.user_id), IsEmpty());
  EXPECT_THAT(service_->Approve(staff2_, asked.id), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(service_->Approve(staff1_, asked.id, owner1_));
  EXPECT_THAT(ResidentAreas(alice_.user_id), ElementsAre(nb1_));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM residencies WHERE user_id = ? AND area_id = ?", {alice_.user_id, nb1_}), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM owners WHERE id = ? AND user_id = ?", {owner1_, alice_.user_id}), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM role_grants WHERE user_id = ? AND origin = 'join' AND granted_by = ?",
                  {alice_.user_id, staff1_.user_id}),
            1);
  ASSERT_OK_AND_ASSIGN(auto mine, service_->Mine(alice_));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].state, JoinState::kApproved);
  EXPECT_EQ(mine[0].owner_id, owner1_);
  EXPECT_TRUE(mine[0].decided_at.has_value());
  EXPECT_THAT(AuditActions(asked.id), ElementsAre("join.approve", "join.ask"));
  {
    ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
    ASSERT_OK_AND_ASSIGN(auto records, record::ListAudit(*conn, record::Ref("owner", owner1_), 10));
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].action, "owner.link");
  }
  // Decided once: a second decision is refused.
  EXPECT_THAT(service_->Approve(staff1_, asked.id), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->Refuse(staff1_, asked.id, "重复"), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(auto pending, service_->ForArea(staff1_, nb1_));
  EXPECT_THAT(pending, IsEmpty());
  ASSERT_OK_AND_ASSIGN(auto all, service_->ForArea(staff1_, nb1_, /*all=*/true));
  EXPECT_EQ(all.size(), 1u);
  // A resident now: a new request there is refused.
  EXPECT_THAT(service_->Ask(alice_, Request(nb1_)), StatusIs(StatusCode::kAlreadyExists));
}

TEST_F(JoinRequestsTest, RefuseWithAReasonAndWithdraw) {
  ASSERT_OK_AND_ASSIGN(JoinRequestView a, service_->Ask(alice_, Request(nb1_)));
  EXPECT_THAT(service_->Refuse(staff1_, a.id, "  "), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->Refuse(staff2_, a.id, "不认识"), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(service_->Refuse(staff1_, a.id, "未能核实住址，请带身份证到居委会"));
  ASSERT_OK_AND_ASSIGN(JoinRequestView refused, service_->Get(alice_, a.id));
  EXPECT_EQ(refused.state, JoinState::kRefused);
  EXPECT_EQ(refused.reason, "未能核实住址，请带身份证到居委会");
  EXPECT_THAT(ResidentAreas(alice_.user_id), IsEmpty());
  EXPECT_THAT(AuditActions(a.id), ElementsAre("join.ask", "join.refuse"));

  // Asked again, then withdrawn by its author only.
  ASSERT_OK_AND_ASSIGN(JoinRequestView again, service_->Ask(alice_, Request(nb1_)));
  EXPECT_THAT(service_->Withdraw(bob_, again.id), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(service_->Withdraw(auth::Principal{}, again.id), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK(service_->Withdraw(alice_, again.id));
  EXPECT_THAT(service_->Withdraw(alice_, again.id), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(service_->Approve(staff1_, again.id), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(AuditActions(again.id), ElementsAre("join.ask", "join.withdraw"));
  EXPECT_THAT(ResidentAreas(alice_.user_id), IsEmpty());
}

TEST_F(JoinRequestsTest, LimitsOnWhatAStrangerSends) {
  EXPECT_THAT(service_->Ask(auth::Principal{}, Request(nb1_)), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(service_->Ask(alice_, Request(9999)), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(service_->Ask(alice_, Request(b1_)), StatusIs(StatusCode::kInvalidArgument));
  NewJoinRequest wrong_building = Request(nb1_);
  wrong_building.building_id = b2_;
  EXPECT_THAT(service_->Ask(alice_, wrong_building), StatusIs(StatusCode::kInvalidArgument));
  std::string long_message;
  for (int i = 0; i < 201; ++i) long_message += "字";
  EXPECT_THAT(service_->Ask(alice_, Request(nb1_, long_message)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(service_->Ask(alice_, Request(nb1_, long_message.substr(3))));  // 200 characters
  EXPECT_THAT(service_->Ask(bob_, Request(nb1_, "bad \xC3\x28 utf-8")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(service_->Ask(bob_, Request(nb1_, "bell \x07")), StatusIs(StatusCode::kInvalidArgument));
  NewJoinRequest long_unit = Request(nb1_);
  long_unit.unit = std::string(21, '1');
  EXPECT_THAT(service_->Ask(bob_, long_unit), StatusIs(StatusCode::kInvalidArgument));
  // One pending request per neighborhood; three in all.
  EXPECT_THAT(service_->Ask(alice_, Request(nb1_)), StatusIs(StatusCode::kAlreadyExists));
  ASSERT_OK(service_->Ask(alice_, Request(nb2_)));
  ASSERT_OK_AND_ASSIGN(int64_t nb3, [&]() -> StatusOr<int64_t> {
    int64_t id = 0;
    RETURN_IF_ERROR(db_->InTransaction([&](storage::Connection& tx) -> Status {
      ASSIGN_OR_RETURN(id, InsertArea(tx, A(sd_, "neighborhood", "n3", "三村"), clock_.Now()));
      ASSIGN_OR_RETURN(int64_t n4, InsertArea(tx, A(sd_, "neighborhood", "n4", "四村"), clock_.Now()));
      (void)n4;
      return OkStatus();
    }));
    return id;
  }());
  ASSERT_OK(service_->Ask(alice_, Request(nb3)));
  EXPECT_THAT(service_->Ask(alice_, Request(nb3 + 1)), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM join_requests WHERE user_id = ?", {alice_.user_id}), 3);
}

TEST_F(JoinRequestsTest, AskingAndWithdrawingIsLimitedPerDay) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK_AND_ASSIGN(JoinRequestView r, service_->Ask(alice_, Request(nb1_)));
    ASSERT_OK(service_->Withdraw(alice_, r.id));
  }
  EXPECT_THAT(service_->Ask(alice_, Request(nb1_)), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_OK(service_->Ask(bob_, Request(nb1_)));  // another account is not held back
  clock_.Advance(std::chrono::hours(24));
  EXPECT_OK(service_->Ask(alice_, Request(nb1_)));
}

TEST_F(JoinRequestsTest, SubdistrictStaffSeeEveryNeighborhoodOfTheirArea) {
  auth::Principal sub = User("sub", auth::Role::kSubdistrictStaff, sd_);
  ASSERT_OK(service_->Ask(alice_, Request(nb1_)));
  ASSERT_OK(service_->Ask(bob_, Request(nb2_)));
  ASSERT_OK_AND_ASSIGN(auto queue, service_->ForArea(sub, sd_));
  EXPECT_EQ(queue.size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto one, service_->ForArea(staff2_, nb2_));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].account, "bob");
  EXPECT_THAT(service_->ForArea(staff1_, b1_), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(JoinRequestsTest, ApprovingWithAnOwnerOfAnotherNeighborhoodOrAccountIsRefused) {
  ASSERT_OK_AND_ASSIGN(JoinRequestView a, service_->Ask(alice_, Request(nb1_)));
  EXPECT_THAT(service_->Approve(staff1_, a.id, owner3_), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(owners_->Link(staff1_, owner2_, "bob", "本人核对"));
  EXPECT_THAT(service_->Approve(staff1_, a.id, owner2_), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(service_->Approve(staff1_, a.id, 9999), StatusIs(StatusCode::kNotFound));
  // Nothing of a refused approval stays: still pending, no role.
  ASSERT_OK_AND_ASSIGN(JoinRequestView still, service_->Get(alice_, a.id));
  EXPECT_EQ(still.state, JoinState::kPending);
  EXPECT_THAT(ResidentAreas(alice_.user_id), IsEmpty());
  ASSERT_OK(service_->Approve(auth::SystemPrincipal("cli"), a.id));
  EXPECT_THAT(ResidentAreas(alice_.user_id), ElementsAre(nb1_));
}

// Two staff decide the same request at once (PostgreSQL, where transactions run side by side): one wins, the other
// is told it is no longer pending, and only the winner's decision is stored and audited. A third connection holds
// the request's row lock while both start, so that both are inside their transactions when it lets go.
TEST_F(JoinRequestsTest, TwoStaffDecidingAtOnceCannotBothWin) {
  if (::ningju::testing::TestBackend() != "postgres") GTEST_SKIP() << "SQLite lets one writer in at a time";
  storage::DatabaseOptions options;
  options.pool_size = 6;
  Open(options);
  for (int round = 0; round < 10; ++round) {
    auth::Principal asker = User("asker" + std::to_string(round), std::nullopt, 0);
    ASSERT_OK_AND_ASSIGN(JoinRequestView a, service_->Ask(asker, Request(nb1_)));
    auth::Principal other = User("other" + std::to_string(round), auth::Role::kNeighborhoodStaff, nb1_);
    Status approved, refused;
    {
      ASSERT_OK_AND_ASSIGN(auto holder, db_->Acquire());
      ASSERT_OK(holder->Begin());
      ASSERT_OK(
          holder->Execute("SELECT id FROM join_requests WHERE id = ?" + storage::ForUpdate(holder->dialect()), {a.id}));
      std::thread t1([&] { approved = service_->Approve(staff1_, a.id); });
      std::thread t2([&] { refused = service_->Refuse(other, a.id, "同时处理"); });
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ASSERT_OK(holder->Commit());
      t1.join();
      t2.join();
    }
    ASSERT_NE(approved.ok(), refused.ok()) << approved.ToString() << " / " << refused.ToString();
    const Status& loser = approved.ok() ? refused : approved;
    EXPECT_THAT(loser, StatusIs(StatusCode::kFailedPrecondition));
    ASSERT_OK_AND_ASSIGN(JoinRequestView after, service_->Get(staff1_, a.id));
    EXPECT_EQ(after.state, approved.ok() ? JoinState::kApproved : JoinState::kRefused);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE object_ref = ? AND action IN ('join.approve', "
                    "'join.refuse')",
                    {record::Ref("join_request", a.id)}),
              1);
    EXPECT_EQ(ResidentAreas(asker.user_id).size(), approved.ok() ? 1u : 0u);
  }
}

}  // namespace
}  // namespace ningju::areas
