#include "record/record.h"

#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace ningju::record {
namespace {

using ::ningju::testing::OpenTestDatabase;

class RecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenTestDatabase();
    ASSERT_OK(db);
    db_ = std::move(db).value();
  }
  void AuditMany(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) {
        return Audit(tx, FromUnix(1700000000 + i), Actor::User(1), "area.edit", Ref("area", i),
                     {{"after", {{"name", "楼" + std::to_string(i)}}}});
      }));
    }
  }
  std::unique_ptr<storage::Database> db_;
};

TEST_F(RecordTest, AnIntactChainVerifies) {
  AuditMany(5);
  ASSERT_OK_AND_ASSIGN(auto v, VerifyAudit(*db_));
  EXPECT_EQ(v.records, 5);
  EXPECT_TRUE(v.problems.empty());
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(auto records, ListAudit(*conn, "area:2", 10));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].id, 3);
  EXPECT_EQ(records[0].actor, "user:1");
  EXPECT_EQ(records[0].hash, AuditHash(records[0]));
}

TEST_F(RecordTest, AuditOutsideATransactionIsRefused) {
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  EXPECT_THAT(Audit(*conn, FromUnix(1), Actor::System("cli"), "x", "area:1", nlohmann::json::object()),
              ::ningju::testing::StatusIs(StatusCode::kInternal));
}

TEST_F(RecordTest, RollbackTakesTheRecordWithIt) {
  AuditMany(1);
  EXPECT_FALSE(db_->InTransaction(
                      [&](storage::Connection& tx) {
                        RETURN_IF_ERROR(Audit(tx, FromUnix(5), Actor::System("cli"), "x", "area:1", {}));
                        return AbortedError("changed my mind");
                      },
                      1)
                   .ok());
  AuditMany(1);
  ASSERT_OK_AND_ASSIGN(auto v, VerifyAudit(*db_));
  EXPECT_EQ(v.records, 2);
  EXPECT_TRUE(v.problems.empty());
}

TEST_F(RecordTest, VerifyNamesAnEditedRecord) {
  AuditMany(4);
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK(conn->Execute("UPDATE audit_log SET summary = '{}' WHERE id = 3"));
  ASSERT_OK_AND_ASSIGN(auto v, VerifyAudit(*db_));
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0].id, 3);
  EXPECT_THAT(v.problems[0].problem, ::testing::HasSubstr("edited"));
}

TEST_F(RecordTest, VerifyNamesADeletedRecordInTheMiddleAndAtTheEnd) {
  AuditMany(5);
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK(conn->Execute("DELETE FROM audit_log WHERE id IN (2, 5)"));
  ASSERT_OK_AND_ASSIGN(auto v, VerifyAudit(*db_));
  ASSERT_EQ(v.problems.size(), 2u);
  EXPECT_EQ(v.problems[0].id, 2);
  EXPECT_EQ(v.problems[0].problem, "deleted");
  EXPECT_EQ(v.problems[1].id, 5);
  EXPECT_EQ(v.problems[1].problem, "deleted");
}

TEST_F(RecordTest, VerifyFindsARecordRewrittenWithAFreshHash) {
  // A forger who recomputes the edited record's own hash still breaks the link to the next record.
  AuditMany(3);
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(auto records, ListAudit(*conn, "", 10));
  AuditRecord forged = records[1];
  forged.summary = "{}";
  forged.hash = AuditHash(forged);
  ASSERT_OK(conn->Execute("UPDATE audit_log SET summary = ?, hash = ? WHERE id = 2", {forged.summary, forged.hash}));
  ASSERT_OK_AND_ASSIGN(auto v, VerifyAudit(*db_));
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0].id, 3);
  EXPECT_THAT(v.problems[0].problem, ::testing::HasSubstr("chain broken"));
}

TEST_F(RecordTest, EventsAndLinks) {
  ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) {
    RETURN_IF_ERROR(AddEvent(tx, "case:1", FromUnix(10), Actor::User(7), "submitted", "电梯坏了"));
    RETURN_IF_ERROR(AddEvent(tx, "case:1", FromUnix(20), Actor::System("system"), "accepted", ""));
    RETURN_IF_ERROR(AddLink(tx, "case:1", "became", "suggestion:4", FromUnix(30), Actor::User(7)));
    return AddLink(tx, "case:1", "became", "suggestion:4", FromUnix(31), Actor::User(7));  // idempotent
  }));
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(auto events, ListEvents(*conn, "case:1"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, "submitted");
  EXPECT_EQ(events[0].note, "电梯坏了");
  EXPECT_EQ(events[0].actor_id, 7);
  EXPECT_EQ(events[1].actor_id, std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto links, ListLinks(*conn, "suggestion:4"));
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].from_ref, "case:1");
  EXPECT_EQ(links[0].relation, "became");
  EXPECT_FALSE(db_->InTransaction([&](storage::Connection& tx) {
                    return AddLink(tx, "case:1", "likes", "case:2", FromUnix(1), Actor::User(1));
                  })
                   .ok());
}

}  // namespace
}  // namespace ningju::record
