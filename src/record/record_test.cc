#include "record/record.h"

#include <gmock/gmock.h>

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
  // One statement on a connection of its own, given back at once (the services take theirs: no nested Acquire).
  Status Run(const std::string& sql, const storage::Params& params = {}) {
    ASSIGN_OR_RETURN(storage::PooledConnection conn, db_->Acquire());
    return conn->Execute(sql, params).status();
  }
  StatusOr<std::vector<AuditRecord>> List() {
    ASSIGN_OR_RETURN(storage::PooledConnection conn, db_->Acquire());
    return ListAudit(*conn, "", 100);
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
  ASSERT_OK(Run("UPDATE audit_log SET summary = '{}' WHERE id = 3"));
  ASSERT_OK_AND_ASSIGN(auto v, VerifyAudit(*db_));
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0].id, 3);
  EXPECT_THAT(v.problems[0].problem, ::testing::HasSubstr("edited"));
}

TEST_F(RecordTest, VerifyNamesADeletedRecordInTheMiddleAndAtTheEnd) {
  AuditMany(5);
  ASSERT_OK(Run("DELETE FROM audit_log WHERE id IN (2, 5)"));
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
  ASSERT_OK_AND_ASSIGN(auto records, List());
  AuditRecord forged = records[1];
  forged.summary = "{}";
  forged.hash = AuditHash(forged);
  ASSERT_OK(Run("UPDATE audit_log SET summary = ?, hash = ? WHERE id = 2", {forged.summary, forged.hash}));
  ASSERT_OK_AND_ASSIGN(auto v, VerifyAudit(*db_));
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0].id, 3);
  EXPECT_THAT(v.problems[0].problem, ::testing::HasSubstr("chain broken"));
}

TEST_F(RecordTest, APublishedHeadFindsARewriteWithEveryHashRecomputed) {
  AuditMany(5);
  AuditHead published;
  {
    ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
    ASSERT_OK_AND_ASSIGN(published, ReadAuditHead(*conn));
  }
  EXPECT_EQ(published.seq, 5);
  ASSERT_OK_AND_ASSIGN(auto intact, VerifyAudit(*db_, published));
  EXPECT_TRUE(intact.problems.empty());
  AuditMany(2);  // records after the publication do not matter to it
  ASSERT_OK_AND_ASSIGN(auto later, VerifyAudit(*db_, published));
  EXPECT_TRUE(later.problems.empty());

  // Whoever can write the database edits record 2 and recomputes every hash from there on, and the head row.
  ASSERT_OK_AND_ASSIGN(auto records, List());
  std::string prev = records[0].hash;
  for (size_t i = 1; i < records.size(); ++i) {
    AuditRecord r = records[i];
    if (r.id == 2) r.summary = R"({"after":{"name":"forged"}})";
    r.prev_hash = prev;
    r.hash = AuditHash(r);
    ASSERT_OK(Run("UPDATE audit_log SET summary = ?, prev_hash = ?, hash = ? WHERE id = ?",
                  {r.summary, r.prev_hash, r.hash, r.id}));
    prev = r.hash;
  }
  ASSERT_OK(Run("UPDATE audit_head SET last_hash = ? WHERE singleton = 1", {prev}));
  ASSERT_OK_AND_ASSIGN(auto alone, VerifyAudit(*db_));
  EXPECT_TRUE(alone.problems.empty()) << "the chain alone cannot tell";
  ASSERT_OK_AND_ASSIGN(auto v, VerifyAudit(*db_, published));
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0].id, 5);
  EXPECT_THAT(v.problems[0].problem, ::testing::HasSubstr("does not reach the published head " + published.ToString()));

  // Cut short before the published head: that is found too.
  ASSERT_OK(Run("DELETE FROM audit_log WHERE id >= 5"));
  ASSERT_OK(Run("UPDATE audit_head SET last_id = 4, last_hash = (SELECT hash FROM audit_log WHERE id = 4)"));
  ASSERT_OK_AND_ASSIGN(auto cut, VerifyAudit(*db_, published));
  ASSERT_EQ(cut.problems.size(), 1u);
  EXPECT_THAT(cut.problems[0].problem, ::testing::HasSubstr("record 5 is missing"));
}

TEST(AuditHeadTest, PrintsAndParsesOneStableLine) {
  const AuditHead head{1042, std::string(64, 'a')};
  EXPECT_EQ(head.ToString(), "1042:" + std::string(64, 'a'));
  ASSERT_OK_AND_ASSIGN(AuditHead parsed, AuditHead::Parse(head.ToString()));
  EXPECT_EQ(parsed.seq, 1042);
  EXPECT_EQ(parsed.hash, head.hash);
  ASSERT_OK_AND_ASSIGN(AuditHead empty, AuditHead::Parse("0:"));
  EXPECT_EQ(empty.seq, 0);
  for (const char* bad : {"", "1042", ":abc",
                          "x:"
                          "aaaa",
                          "12:xyz", "12:ABCDEF", "-1:aa"}) {
    EXPECT_THAT(AuditHead::Parse(bad), ::ningju::testing::StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(AuditHead::Parse("12:" + std::string(63, 'a')),
              ::ningju::testing::StatusIs(StatusCode::kInvalidArgument));
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
