// The storage contract, run against both backends: every TEST_P here must pass on SQLite and on PostgreSQL alike.
//
// PostgreSQL comes from NINGJU_TEST_POSTGRES_URL (start one with `scripts/pg-test-server.sh start`). Without it the
// PostgreSQL cases are skipped, except under CI=true or NINGJU_REQUIRE_POSTGRES=1, where they fail.
// Each test gets a database of its own: a new SQLite file, or a new PostgreSQL schema set as the search_path of
// every pooled connection (dropped afterwards).
#include "storage/database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/locking.h"
#include "storage/migrations.h"
#include "testing/status_matchers.h"

namespace ningju::storage {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

MATCHER(IsError, "is an error") { return !::ningju::internal::AsStatus(arg).ok(); }

constexpr char kSqlite[] = "sqlite";
constexpr char kPostgres[] = "postgres";

bool PostgresRequired() {
  const char* ci = std::getenv("CI");
  const char* require = std::getenv("NINGJU_REQUIRE_POSTGRES");
  return (ci != nullptr && std::string_view(ci) == "true") || (require != nullptr && std::string_view(require) == "1");
}

std::string PostgresBaseUrl() {
  const char* url = std::getenv("NINGJU_TEST_POSTGRES_URL");
  return url != nullptr ? url : "";
}

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
  return std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(ticks % 1000000);
}

// Adds `-c search_path=<schema>` to the URI's options; libpq wants the '=' percent-encoded in a query value.
std::string WithSearchPath(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

// The same URI naming another database.
std::string WithDatabase(const std::string& url, const std::string& database) {
  const size_t authority = url.find("://") + 3;
  const size_t path = url.find('/', authority);
  const size_t query = url.find('?', authority);
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  return url.substr(0, path == std::string::npos ? std::min(query, url.size()) : path) + "/" + database + tail;
}

Status Exec(Database& db, const std::string& sql, const Params& params = {}) {
  ASSIGN_OR_RETURN(PooledConnection conn, db.Acquire());
  return conn->Execute(sql, params).status();
}

StatusOr<Result> Query(Database& db, const std::string& sql, const Params& params = {}) {
  ASSIGN_OR_RETURN(PooledConnection conn, db.Acquire());
  return conn->Execute(sql, params);
}

StatusOr<int64_t> Count(Database& db, const std::string& table) {
  ASSIGN_OR_RETURN(PooledConnection conn, db.Acquire());
  ASSIGN_OR_RETURN(Row row, conn->QueryOne("SELECT COUNT(*) FROM " + table));
  return row.Int(0);
}

// Written with the migration tokens, so it runs on both backends.
constexpr char kSchema[] = R"sql(
CREATE TABLE owners (
  id {{id}},
  email TEXT NOT NULL UNIQUE,
  name TEXT
);
CREATE TABLE items (
  id {{id}},
  owner_id BIGINT REFERENCES owners (id),
  count BIGINT,
  ratio DOUBLE PRECISION,
  label TEXT,
  payload {{blob}},
  quantity BIGINT CHECK (quantity IS NULL OR quantity >= 0)
);
)sql";

// Sets up one backend for one test; see the file comment.
class BackendFixture : public ::testing::Test {
 protected:
  void StartBackend(const std::string& backend) {
    backend_ = backend;
    std::string dir_template = (std::filesystem::temp_directory_path() / "ningju-storage-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
    dir_ = dir_template;
    if (backend == kSqlite) {
      url_ = "sqlite:" + dir_ + "/test.db";
    } else {
      const std::string base = PostgresBaseUrl();
      if (base.empty()) {
        if (PostgresRequired()) {
          FAIL() << "NINGJU_TEST_POSTGRES_URL is not set, and CI=true or NINGJU_REQUIRE_POSTGRES=1 forbids skipping "
                    "PostgreSQL. Start one: export NINGJU_TEST_POSTGRES_URL=$(scripts/pg-test-server.sh start)";
        }
        GTEST_SKIP() << "PostgreSQL tests skipped: NINGJU_TEST_POSTGRES_URL is not set (export "
                        "NINGJU_TEST_POSTGRES_URL=$(scripts/pg-test-server.sh start))";
      }
      ASSERT_OK_AND_ASSIGN(admin_, Database::Open(base, {.pool_size = 2}));
      schema_ = "ningju_test_" + UniqueSuffix();
      ASSERT_OK(Exec(*admin_, "CREATE SCHEMA " + schema_));
      url_ = WithSearchPath(base, schema_);
    }
    ASSERT_OK_AND_ASSIGN(db_, Database::Open(url_, options_));
  }

  // PostgreSQL only: a database of its own, for what a schema cannot isolate (pg_dump reads the whole database and
  // fails when another test drops its schema mid-dump).
  StatusOr<std::unique_ptr<Database>> OpenDedicatedDatabase() {
    dedicated_database_ = "ningju_test_db_" + UniqueSuffix();
    ASSIGN_OR_RETURN(PooledConnection conn, admin_->Acquire());
    RETURN_IF_ERROR(conn->ExecuteScript("CREATE DATABASE " + dedicated_database_));
    return Database::Open(WithDatabase(PostgresBaseUrl(), dedicated_database_), options_);
  }

  void TearDown() override {
    db_.reset();
    if (admin_ && !dedicated_database_.empty()) {
      StatusOr<PooledConnection> conn = admin_->Acquire();
      if (conn.ok()) (*conn)->ExecuteScript("DROP DATABASE " + dedicated_database_ + " WITH (FORCE)").IgnoreError();
    }
    if (admin_ && !schema_.empty()) Exec(*admin_, "DROP SCHEMA " + schema_ + " CASCADE").IgnoreError();
    admin_.reset();
    if (!dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
  }

  Dialect dialect() const { return backend_ == kSqlite ? Dialect::kSqlite : Dialect::kPostgres; }

  Status CreateSchema() {
    ASSIGN_OR_RETURN(PooledConnection conn, db_->Acquire());
    return conn->ExecuteScript(RenderMigration(kSchema, dialect()));
  }

  StatusOr<int64_t> AddOwner(Connection& conn, const std::string& email) {
    ASSIGN_OR_RETURN(Row row, conn.QueryOne("INSERT INTO owners (email) VALUES (?) RETURNING id", {email}));
    return row.Int(0);
  }

  // Another Database on the same storage (another process, as far as the engine can tell).
  StatusOr<std::unique_ptr<Database>> OpenAgain(const DatabaseOptions& options = {}) {
    return Database::Open(url_, options);
  }

  std::string backend_;
  std::string dir_;
  std::string url_;
  std::string schema_;
  std::string dedicated_database_;
  DatabaseOptions options_{.pool_size = 4, .busy_timeout_ms = 5000, .acquire_timeout_ms = 30000};
  std::unique_ptr<Database> admin_;  // PostgreSQL only: outside the test's schema
  std::unique_ptr<Database> db_;
};

class DatabaseTest : public BackendFixture, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override { StartBackend(GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest, ::testing::Values(kSqlite, kPostgres),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST_P(DatabaseTest, OpensTheRequestedDialect) {
  EXPECT_EQ(db_->dialect(), dialect());
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  EXPECT_EQ(conn->dialect(), dialect());
  EXPECT_FALSE(conn->InTransaction());
}

TEST_P(DatabaseTest, RoundTripsEveryParamType) {
  ASSERT_OK(CreateSchema());
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  const std::string invalid_utf8("\xff\xfe\x00\x80\xc3(", 6);
  const std::string chinese = "凝聚 ningju ✓ 全过程人民民主";

  const std::string insert = "INSERT INTO items (count, ratio, label, payload) VALUES (?, ?, ?, ?) RETURNING id";
  std::vector<int64_t> ids;
  for (const Params& params : std::vector<Params>{
           {int64_t{9223372036854775807}, 0.1, chinese, Blob{all_bytes}},
           {int64_t{-9223372036854775807 - 1}, -1e300, std::string(), Blob{""}},
           {nullptr, nullptr, nullptr, nullptr},
           {int64_t{0}, 5e-324, std::string("it's \"quoted\" ? -- not a comment"), Blob{invalid_utf8}},
       }) {
    ASSERT_OK_AND_ASSIGN(Result inserted, conn->Execute(insert, params));
    ASSERT_EQ(inserted.rows.size(), 1u);
    EXPECT_EQ(inserted.rows_affected, 1);
    ids.push_back(inserted.rows[0].Int(0));
  }
  EXPECT_GT(ids[0], 0);
  EXPECT_LT(ids[0], ids[1]);

  ASSERT_OK_AND_ASSIGN(Result result, conn->Execute("SELECT count, ratio, label, payload FROM items ORDER BY id"));
  EXPECT_THAT(result.columns, ElementsAre("count", "ratio", "label", "payload"));
  EXPECT_EQ(result.rows_affected, 0);
  ASSERT_EQ(result.rows.size(), 4u);

  const Row& first = result.rows[0];
  EXPECT_EQ(first.Int(0), 9223372036854775807);
  EXPECT_EQ(first.Double(1), 0.1);
  EXPECT_EQ(first.Text(2), chinese);
  EXPECT_EQ(first.Text(3), all_bytes);

  const Row& second = result.rows[1];
  EXPECT_EQ(second.Int(0), -9223372036854775807 - 1);
  EXPECT_EQ(second.Double(1), -1e300);
  EXPECT_FALSE(second.IsNull(2));  // the empty string is not NULL
  EXPECT_EQ(second.OptText(2), std::optional<std::string>(""));
  EXPECT_FALSE(second.IsNull(3));  // nor is the empty blob
  EXPECT_EQ(second.Text(3), "");

  const Row& third = result.rows[2];
  for (size_t c = 0; c < 4; ++c) EXPECT_TRUE(third.IsNull(c)) << c;
  EXPECT_EQ(third.Int(0), 0);
  EXPECT_EQ(third.OptInt(0), std::nullopt);
  EXPECT_EQ(third.Double(1), 0.0);
  EXPECT_EQ(third.Text(2), "");
  EXPECT_EQ(third.OptText(2), std::nullopt);

  const Row& fourth = result.rows[3];
  EXPECT_EQ(fourth.OptInt(0), std::optional<int64_t>(0));
  EXPECT_EQ(fourth.Double(1), 5e-324);
  EXPECT_EQ(fourth.Text(2), "it's \"quoted\" ? -- not a comment");
  EXPECT_EQ(fourth.Text(3), invalid_utf8);

  // A blob is found again by equality with the same bytes.
  ASSERT_OK_AND_ASSIGN(Row found, conn->QueryOne("SELECT id FROM items WHERE payload = ?", {Blob{invalid_utf8}}));
  EXPECT_EQ(found.Int(0), ids[3]);
}

TEST_P(DatabaseTest, ReportsRowsAffectedForWritesOnly) {
  ASSERT_OK(CreateSchema());
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  for (int64_t i = 1; i <= 3; ++i) {
    ASSERT_OK(conn->Execute("INSERT INTO items (count) VALUES (?)", {i}).status());
  }
  ASSERT_OK_AND_ASSIGN(Result updated,
                       conn->Execute("UPDATE items SET label = ? WHERE count >= ?", {std::string("x"), int64_t{2}}));
  EXPECT_EQ(updated.rows_affected, 2);
  ASSERT_OK_AND_ASSIGN(Result none, conn->Execute("UPDATE items SET label = 'y' WHERE count > 100"));
  EXPECT_EQ(none.rows_affected, 0);
  ASSERT_OK_AND_ASSIGN(Result selected, conn->Execute("SELECT * FROM items"));
  EXPECT_EQ(selected.rows.size(), 3u);
  EXPECT_EQ(selected.rows_affected, 0);
  ASSERT_OK_AND_ASSIGN(Result deleted, conn->Execute("DELETE FROM items WHERE count = ?", {int64_t{1}}));
  EXPECT_EQ(deleted.rows_affected, 1);
  ASSERT_OK_AND_ASSIGN(Result created, conn->Execute("CREATE TABLE other (x BIGINT)"));
  EXPECT_EQ(created.rows_affected, 0);
}

TEST_P(DatabaseTest, BooleansAndAggregatesReadAlike) {
  ASSERT_OK(CreateSchema());
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(Row truth, conn->QueryOne("SELECT 1 = 1, 1 = 2"));
  EXPECT_EQ(truth.Int(0), 1);
  EXPECT_TRUE(truth.Bool(0));
  EXPECT_EQ(truth.Text(1), "0");
  EXPECT_FALSE(truth.Bool(1));
  for (int64_t i = 1; i <= 4; ++i) {
    ASSERT_OK(conn->Execute("INSERT INTO items (count) VALUES (?)", {i}).status());
  }
  ASSERT_OK_AND_ASSIGN(Row stats, conn->QueryOne("SELECT COUNT(*), SUM(count), AVG(count), MAX(count) FROM items"));
  EXPECT_EQ(stats.Int(0), 4);
  EXPECT_EQ(stats.Int(1), 10);  // NUMERIC on PostgreSQL
  EXPECT_DOUBLE_EQ(stats.Double(2), 2.5);
  EXPECT_EQ(stats.Int(3), 4);
  ASSERT_OK_AND_ASSIGN(Row exists, conn->QueryOne("SELECT EXISTS (SELECT 1 FROM items WHERE count = ?)", {int64_t{3}}));
  EXPECT_TRUE(exists.Bool(0));
}

TEST_P(DatabaseTest, UniqueViolationIsAlreadyExists) {
  ASSERT_OK(CreateSchema());
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(int64_t id, AddOwner(*conn, "a@example.org"));
  const Status duplicate = AddOwner(*conn, "a@example.org").status();
  EXPECT_THAT(duplicate, StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(duplicate.message(), HasSubstr("owners"));  // the engine's text names the constraint
  EXPECT_THAT(conn->Execute("INSERT INTO owners (id, email) VALUES (?, ?)", {id, std::string("b@example.org")}),
              StatusIs(StatusCode::kAlreadyExists));
  // The connection is still good for the next statement.
  ASSERT_OK_AND_ASSIGN(int64_t other, Count(*db_, "owners"));
  EXPECT_EQ(other, 1);
}

TEST_P(DatabaseTest, ForeignKeyNotNullAndCheckViolationsAreFailedPrecondition) {
  ASSERT_OK(CreateSchema());
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  EXPECT_THAT(conn->Execute("INSERT INTO items (owner_id) VALUES (?)", {int64_t{999}}),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(conn->Execute("INSERT INTO owners (email) VALUES (?)", {nullptr}),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(conn->Execute("INSERT INTO items (quantity) VALUES (?)", {int64_t{-1}}),
              StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(int64_t owner, AddOwner(*conn, "owner@example.org"));
  EXPECT_OK(conn->Execute("INSERT INTO items (owner_id, quantity) VALUES (?, ?)", {owner, int64_t{0}}));
  EXPECT_THAT(conn->Execute("DELETE FROM owners WHERE id = ?", {owner}), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(DatabaseTest, MisuseIsInvalidArgument) {
  ASSERT_OK(CreateSchema());
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  EXPECT_THAT(conn->Execute("INSERT INTO owners (email) VALUES (?)", {std::string("a\0b", 3)}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(conn->Execute("SELECT 1; SELECT 2"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(conn->Execute("SELECT ?, ?", {int64_t{1}}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(conn->Execute("SELECT 1", {int64_t{1}}), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(Row one, conn->QueryOne("SELECT 1; -- a trailing comment is fine\n"));
  EXPECT_EQ(one.Int(0), 1);
}

TEST_P(DatabaseTest, QueryOneAndQueryOptional) {
  ASSERT_OK(CreateSchema());
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  EXPECT_THAT(conn->QueryOne("SELECT id FROM owners WHERE email = ?", {std::string("nobody")}),
              StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(std::optional<Row> missing,
                       conn->QueryOptional("SELECT id FROM owners WHERE email = ?", {std::string("nobody")}));
  EXPECT_FALSE(missing.has_value());
  ASSERT_OK_AND_ASSIGN(int64_t id, AddOwner(*conn, "somebody@example.org"));
  ASSERT_OK_AND_ASSIGN(std::optional<Row> found, conn->QueryOptional("SELECT id, name FROM owners WHERE email = ?",
                                                                     {std::string("somebody@example.org")}));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->Int(0), id);
  EXPECT_TRUE(found->IsNull(1));
}

TEST_P(DatabaseTest, QuestionMarksInLiteralsIdentifiersAndCommentsAreNotPlaceholders) {
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(Result result, conn->Execute("SELECT '?', ? AS \"what?\", 'it''s ?' /* why? */, ? -- ok?\n",
                                                    {std::string("x"), std::string("y")}));
  ASSERT_EQ(result.rows.size(), 1u);
  const Row& row = result.rows[0];
  EXPECT_EQ(row.Text(0), "?");
  EXPECT_EQ(row.Text(1), "x");
  EXPECT_EQ(row.Text(2), "it's ?");
  EXPECT_EQ(row.Text(3), "y");
  EXPECT_EQ(result.columns[1], "what?");
}

TEST_P(DatabaseTest, InTransactionCommits) {
  ASSERT_OK(CreateSchema());
  int64_t id = 0;
  ASSERT_OK(db_->InTransaction([&](Connection& conn) -> Status {
    EXPECT_TRUE(conn.InTransaction());
    ASSIGN_OR_RETURN(id, AddOwner(conn, "committed@example.org"));
    return conn.Execute("INSERT INTO items (owner_id) VALUES (?)", {id}).status();
  }));
  ASSERT_OK_AND_ASSIGN(PooledConnection other, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(Row row, other->QueryOne("SELECT COUNT(*) FROM items WHERE owner_id = ?", {id}));
  EXPECT_EQ(row.Int(0), 1);
}

// The locking read of a read-modify-write: a second transaction's locking read of the same row waits for the first
// to commit and then reads its write, so no increment is lost. Without the clause, PostgreSQL's second read sees the
// old value (READ COMMITTED) and the count ends at 1.
TEST_P(DatabaseTest, ForUpdateMakesASecondReadModifyWriteWaitAndReadTheFirst) {
  EXPECT_EQ(ForUpdate(Dialect::kSqlite), "");
  EXPECT_EQ(ForUpdate(Dialect::kSqlite, "m"), "");
  EXPECT_EQ(ForUpdate(Dialect::kPostgres), " FOR NO KEY UPDATE");
  EXPECT_EQ(ForUpdate(Dialect::kPostgres, "m"), " FOR NO KEY UPDATE OF m");
  ASSERT_OK(CreateSchema());
  int64_t id = 0;
  {
    ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
    ASSERT_OK_AND_ASSIGN(Row row, conn->QueryOne("INSERT INTO items (count) VALUES (0) RETURNING id"));
    id = row.Int(0);
  }
  std::atomic<bool> locked{false};
  auto increment = [&](bool first) {
    return db_->InTransaction(
        [&](Connection& tx) -> Status {
          ASSIGN_OR_RETURN(Row r, tx.QueryOne("SELECT count FROM items WHERE id = ?" + ForUpdate(tx.dialect()), {id}));
          if (first) {
            locked = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
          }
          return tx.Execute("UPDATE items SET count = ? WHERE id = ?", {r.Int(0) + 1, id}).status();
        },
        /*max_attempts=*/1);
  };
  std::thread first([&] { EXPECT_OK(increment(true)); });
  while (!locked) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_OK(increment(false));
  first.join();
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(Row row, conn->QueryOne("SELECT count FROM items WHERE id = ?", {id}));
  EXPECT_EQ(row.Int(0), 2);
}

TEST_P(DatabaseTest, InTransactionRollsBackWhenFnFails) {
  ASSERT_OK(CreateSchema());
  const Status status = db_->InTransaction([&](Connection& conn) -> Status {
    RETURN_IF_ERROR(AddOwner(conn, "rolled-back@example.org").status());
    return FailedPreconditionError("ballot closed");
  });
  EXPECT_EQ(status, FailedPreconditionError("ballot closed"));  // fn's own status, untouched
  ASSERT_OK_AND_ASSIGN(int64_t owners, Count(*db_, "owners"));
  EXPECT_EQ(owners, 0);
}

TEST_P(DatabaseTest, InTransactionRollsBackOnException) {
  ASSERT_OK(CreateSchema());
  EXPECT_THROW(db_->InTransaction([&](Connection& conn) -> Status {
                    EXPECT_OK(AddOwner(conn, "thrown@example.org"));
                    throw std::runtime_error("boom");
                  })
                   .IgnoreError(),
               std::runtime_error);
  ASSERT_OK_AND_ASSIGN(int64_t owners, Count(*db_, "owners"));
  EXPECT_EQ(owners, 0);
  // The connection went back to the pool usable, not stuck in the transaction.
  EXPECT_OK(db_->InTransaction([&](Connection& conn) { return AddOwner(conn, "after@example.org").status(); }));
  ASSERT_OK_AND_ASSIGN(owners, Count(*db_, "owners"));
  EXPECT_EQ(owners, 1);
}

TEST_P(DatabaseTest, InTransactionRetriesAborted) {
  ASSERT_OK(CreateSchema());
  int calls = 0;
  ASSERT_OK(db_->InTransaction([&](Connection& conn) -> Status {
    ++calls;
    RETURN_IF_ERROR(AddOwner(conn, "retried@example.org").status());
    if (calls < 3) return AbortedError("simulated serialization failure");
    return OkStatus();
  }));
  EXPECT_EQ(calls, 3);
  ASSERT_OK_AND_ASSIGN(int64_t owners, Count(*db_, "owners"));
  EXPECT_EQ(owners, 1);  // the aborted attempts left nothing behind

  calls = 0;
  EXPECT_THAT(db_->InTransaction(
                  [&](Connection&) {
                    ++calls;
                    return AbortedError("always");
                  },
                  2),
              StatusIs(StatusCode::kAborted));
  EXPECT_EQ(calls, 2);
}

// PostgreSQL aborts a transaction at its first failed statement; SQLite is held to the same rule.
TEST_P(DatabaseTest, FailedStatementAbortsTheTransaction) {
  ASSERT_OK(CreateSchema());
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  ASSERT_OK(AddOwner(*conn, "first@example.org"));
  ASSERT_OK(conn->Begin());
  ASSERT_OK(AddOwner(*conn, "second@example.org"));
  EXPECT_THAT(AddOwner(*conn, "first@example.org"), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_TRUE(conn->InTransaction());
  EXPECT_THAT(conn->Execute("SELECT 1"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(conn->ExecuteScript("SELECT 1;"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(conn->Commit(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_FALSE(conn->InTransaction());
  ASSERT_OK_AND_ASSIGN(Row count, conn->QueryOne("SELECT COUNT(*) FROM owners"));
  EXPECT_EQ(count.Int(0), 1);  // "second" went with the failed transaction
}

TEST_P(DatabaseTest, TransactionMisuseIsFailedPrecondition) {
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  EXPECT_THAT(conn->Commit(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_OK(conn->Rollback());  // nothing to roll back is fine
  ASSERT_OK(conn->Begin());
  EXPECT_THAT(conn->Begin(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_TRUE(conn->InTransaction());
  EXPECT_OK(conn->Rollback());
  EXPECT_FALSE(conn->InTransaction());
}

TEST_P(DatabaseTest, ReleasedConnectionIsRolledBack) {
  ASSERT_OK(CreateSchema());
  {
    ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
    ASSERT_OK(conn->Begin());
    ASSERT_OK(AddOwner(*conn, "abandoned@example.org"));
  }
  ASSERT_OK_AND_ASSIGN(int64_t owners, Count(*db_, "owners"));
  EXPECT_EQ(owners, 0);
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  EXPECT_FALSE(conn->InTransaction());
}

TEST_P(DatabaseTest, MoveAssigningAPooledConnectionReturnsTheOldOne) {
  DatabaseOptions one{.pool_size = 1, .busy_timeout_ms = 5000, .acquire_timeout_ms = 200};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, OpenAgain(one));
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db->Acquire());
  EXPECT_THAT(db->Acquire(), StatusIs(StatusCode::kUnavailable));  // the pool of one is empty
  conn = PooledConnection(nullptr, nullptr);                       // gives the connection back
  ASSERT_OK_AND_ASSIGN(PooledConnection again, db->Acquire());
  EXPECT_OK(again->Execute("SELECT 1"));
}

TEST_P(DatabaseTest, ConcurrentInsertsThroughThePool) {
  ASSERT_OK(CreateSchema());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string email = "t" + std::to_string(t) + "-" + std::to_string(i) + "@example.org";
        const Status status = db_->InTransaction(
            [&](Connection& conn) -> Status {
              ASSIGN_OR_RETURN(int64_t id, AddOwner(conn, email));
              return conn.Execute("INSERT INTO items (owner_id, count) VALUES (?, ?)", {id, int64_t{i}}).status();
            },
            10);
        if (!status.ok()) {
          ++failures;
          ADD_FAILURE() << status.ToString();
        }
        if (i % 5 == 0) {  // readers interleaved with the writers
          StatusOr<int64_t> seen = Count(*db_, "items");
          if (!seen.ok()) ADD_FAILURE() << seen.status().ToString();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(int64_t owners, Count(*db_, "owners"));
  ASSERT_OK_AND_ASSIGN(int64_t items, Count(*db_, "items"));
  EXPECT_EQ(owners, kThreads * kPerThread);
  EXPECT_EQ(items, kThreads * kPerThread);
}

TEST_P(DatabaseTest, NestedAcquireFailsAtOnceNamingTheCallSite) {
  DatabaseOptions strict{.pool_size = 2, .acquire_timeout_ms = 30000, .nested_acquire = NestedAcquire::kFail};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, OpenAgain(strict));
  const int64_t opened_with = db->pool_stats().acquires;  // Open checks one connection
  {
    ASSERT_OK_AND_ASSIGN(PooledConnection held, db->Acquire());
    // The same thread asking again: refused without waiting, with the line that asked.
    StatusOr<PooledConnection> second = db->Acquire();
    EXPECT_THAT(second, StatusIs(StatusCode::kInternal));
    EXPECT_THAT(second.status().message(), HasSubstr("database_test.cc"));
    EXPECT_THAT(second.status().message(), HasSubstr("already holds a connection"));
    // InTransaction takes a connection too, and names its own caller.
    Status nested_tx = db->InTransaction([](Connection&) { return OkStatus(); });
    EXPECT_THAT(nested_tx, StatusIs(StatusCode::kInternal));
    EXPECT_THAT(nested_tx.message(), HasSubstr("database_test.cc"));
    // Another thread may take the pool's other connection meanwhile.
    std::thread other([&] { EXPECT_OK(db->Acquire()); });
    other.join();
  }
  // Once given back, the thread may acquire again; a connection handed to another thread and released there counts
  // as given back too.
  ASSERT_OK_AND_ASSIGN(PooledConnection again, db->Acquire());
  std::thread releaser([moved = std::move(again)]() mutable { PooledConnection gone = std::move(moved); });
  releaser.join();
  EXPECT_OK(db->Acquire());
  const PoolStats stats = db->pool_stats();
  EXPECT_EQ(stats.nested, 2);
  EXPECT_EQ(stats.waits, 0);
  EXPECT_EQ(stats.timeouts, 0);
  EXPECT_EQ(stats.acquires, opened_with + 4);
}

TEST_P(DatabaseTest, NestedAcquireIsLoggedAndCountedByDefault) {
  DatabaseOptions lenient{.pool_size = 2, .acquire_timeout_ms = 30000};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, OpenAgain(lenient));
  ASSERT_OK_AND_ASSIGN(PooledConnection held, db->Acquire());
  ASSERT_OK_AND_ASSIGN(PooledConnection second, db->Acquire());  // production: warned about, then served
  EXPECT_EQ(db->pool_stats().nested, 1);
}

TEST_P(DatabaseTest, AcquireTimesOutWhenThePoolIsExhausted) {
  DatabaseOptions two{.pool_size = 2, .busy_timeout_ms = 5000, .acquire_timeout_ms = 100};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, OpenAgain(two));
  ASSERT_OK_AND_ASSIGN(PooledConnection a, db->Acquire());
  ASSERT_OK_AND_ASSIGN(PooledConnection b, db->Acquire());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(db->Acquire(), StatusIs(StatusCode::kUnavailable));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(90));
  // A waiter gets a connection as soon as one comes back.
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    PooledConnection gone = std::move(a);
  });
  ASSERT_OK_AND_ASSIGN(PooledConnection c, db->Acquire());
  releaser.join();
  EXPECT_OK(c->Execute("SELECT 1"));
}

const std::vector<Migration> kMigrations = {
    {1, "first",
     "CREATE TABLE m_one (\n  id {{id}},\n  data {{blob}},\n  created_at BIGINT NOT NULL DEFAULT {{now}}\n);\n"},
    {2, "second",
     "CREATE TABLE m_two (id {{id}}, one_id BIGINT NOT NULL REFERENCES m_one (id), note TEXT);\n"
     "-- a comment with a ? and a ;\n"
     "CREATE INDEX m_two_one ON m_two (one_id);\n"},
};

TEST_P(DatabaseTest, MigrationsApplyOnceAndAgainIsANoOp) {
  ASSERT_OK_AND_ASSIGN(MigrationReport first, Migrate(*db_, kMigrations));
  EXPECT_THAT(first.applied, ElementsAre(1, 2));
  EXPECT_EQ(first.current_version, 2);

  ASSERT_OK_AND_ASSIGN(MigrationReport second, Migrate(*db_, kMigrations));
  EXPECT_THAT(second.applied, IsEmpty());
  EXPECT_EQ(second.current_version, 2);

  ASSERT_OK_AND_ASSIGN(
      Result recorded,
      Query(*db_, "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"));
  ASSERT_EQ(recorded.rows.size(), 2u);
  EXPECT_EQ(recorded.rows[0].Int(0), 1);
  EXPECT_EQ(recorded.rows[0].Text(1), "first");
  EXPECT_EQ(recorded.rows[0].Text(2), MigrationChecksum(kMigrations[0].sql));
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(recorded.rows[0].Int(3), now, 120);

  // {{now}} works as a column default on both backends, {{blob}} holds bytes.
  ASSERT_OK(Exec(*db_, "INSERT INTO m_one (data) VALUES (?)", {Blob{std::string("\x00\x01", 2)}}));
  ASSERT_OK_AND_ASSIGN(Result rows, Query(*db_, "SELECT data, created_at FROM m_one"));
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(rows.rows[0].Text(0), std::string("\x00\x01", 2));
  EXPECT_NEAR(rows.rows[0].Int(1), now, 120);

  // A new migration later on is applied alone.
  std::vector<Migration> more = kMigrations;
  more.push_back({3, "third", "ALTER TABLE m_two ADD COLUMN extra TEXT;"});
  ASSERT_OK_AND_ASSIGN(MigrationReport third, Migrate(*db_, more));
  EXPECT_THAT(third.applied, ElementsAre(3));
  EXPECT_EQ(third.current_version, 3);
}

TEST_P(DatabaseTest, ChangedMigrationIsRefused) {
  ASSERT_OK(Migrate(*db_, kMigrations));
  std::vector<Migration> changed = kMigrations;
  changed[0].sql += "CREATE TABLE m_sneaky (id BIGINT);\n";
  changed.push_back({3, "third", "CREATE TABLE m_three (id BIGINT);"});
  const Status status = Migrate(*db_, changed).status();
  EXPECT_THAT(status, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(status.message(), HasSubstr("0001_first.sql"));
  // Refused before anything was applied.
  EXPECT_THAT(Query(*db_, "SELECT 1 FROM m_three"), StatusIs(StatusCode::kInternal));
  ASSERT_OK_AND_ASSIGN(Row current, [&]() -> StatusOr<Row> {
    ASSIGN_OR_RETURN(PooledConnection conn, db_->Acquire());
    return conn->QueryOne("SELECT MAX(version) FROM schema_migrations");
  }());
  EXPECT_EQ(current.Int(0), 2);
}

TEST_P(DatabaseTest, MigrationUnknownToTheProgramIsRefused) {
  ASSERT_OK(Migrate(*db_, kMigrations));
  const Status status = Migrate(*db_, {kMigrations[0]}).status();
  EXPECT_THAT(status, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(status.message(), HasSubstr("0002_second.sql"));
}

TEST_P(DatabaseTest, MigrationOlderThanTheAppliedOnesIsRefused) {
  const Migration third{3, "third", "CREATE TABLE m_three (id BIGINT);"};
  ASSERT_OK(Migrate(*db_, {kMigrations[0], third}));
  const Status status = Migrate(*db_, {kMigrations[0], kMigrations[1], third}).status();
  EXPECT_THAT(status, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(status.message(), HasSubstr("0002_second.sql"));
}

TEST_P(DatabaseTest, FailingMigrationLeavesNoTraceAndNamesItsFile) {
  std::vector<Migration> migrations = {
      kMigrations[0],
      {2, "broken", "CREATE TABLE m_half (id BIGINT);\nSELECT no_such_column FROM m_half;\n"},
  };
  const Status status = Migrate(*db_, migrations).status();
  EXPECT_THAT(status, StatusIs(StatusCode::kInternal));
  EXPECT_THAT(status.message(), HasSubstr("0002_broken.sql"));
  EXPECT_THAT(Query(*db_, "SELECT 1 FROM m_half"), StatusIs(StatusCode::kInternal));  // DDL rolled back too
  ASSERT_OK_AND_ASSIGN(Result recorded, Query(*db_, "SELECT version FROM schema_migrations"));
  ASSERT_EQ(recorded.rows.size(), 1u);
  EXPECT_EQ(recorded.rows[0].Int(0), 1);

  migrations[1].sql = "CREATE TABLE m_half (id BIGINT);\n";
  ASSERT_OK_AND_ASSIGN(MigrationReport fixed, Migrate(*db_, migrations));
  EXPECT_THAT(fixed.applied, ElementsAre(2));
}

TEST_P(DatabaseTest, ConcurrentMigrateAppliesEachMigrationOnce) {
  constexpr int kProcesses = 4;
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < kProcesses; ++i) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, OpenAgain({.pool_size = 2}));
    dbs.push_back(std::move(db));
  }
  std::vector<StatusOr<MigrationReport>> reports(kProcesses, StatusOr<MigrationReport>(InternalError("not run")));
  std::vector<std::thread> threads;
  for (int i = 0; i < kProcesses; ++i) {
    threads.emplace_back([&, i] { reports[i] = Migrate(*dbs[i], kMigrations); });
  }
  for (std::thread& thread : threads) thread.join();
  size_t applied = 0;
  for (const auto& report : reports) {
    ASSERT_OK(report);
    applied += report->applied.size();
    EXPECT_EQ(report->current_version, 2);
  }
  EXPECT_EQ(applied, kMigrations.size());
}

TEST_P(DatabaseTest, EmbeddedMigrationsApply) {
  const std::vector<Migration> embedded = EmbeddedMigrations();
  ASSERT_OK_AND_ASSIGN(MigrationReport report, Migrate(*db_, embedded));
  EXPECT_EQ(report.applied.size(), embedded.size());
  EXPECT_EQ(report.current_version, embedded.empty() ? 0 : embedded.back().version);
  ASSERT_OK_AND_ASSIGN(MigrationReport again, Migrate(*db_, embedded));
  EXPECT_THAT(again.applied, IsEmpty());
}

TEST_P(DatabaseTest, BackupWritesAUsableCopy) {
  if (backend_ == kPostgres) {
    db_.reset();
    ASSERT_OK_AND_ASSIGN(db_, OpenDedicatedDatabase());
  }
  ASSERT_OK(CreateSchema());
  ASSERT_OK(db_->InTransaction([&](Connection& conn) -> Status {
    for (int i = 0; i < 50; ++i) RETURN_IF_ERROR(AddOwner(conn, "o" + std::to_string(i) + "@example.org").status());
    return OkStatus();
  }));
  const std::string destination = dir_ + (backend_ == kSqlite ? "/backup.db" : "/backup.dump");
  ASSERT_OK(db_->Backup(destination));
  EXPECT_FALSE(std::filesystem::exists(destination + ".partial"));
  ASSERT_TRUE(std::filesystem::exists(destination));
  EXPECT_GT(std::filesystem::file_size(destination), 0u);
  if (backend_ == kSqlite) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> copy, Database::Open("sqlite:" + destination));
    ASSERT_OK_AND_ASSIGN(int64_t owners, Count(*copy, "owners"));
    EXPECT_EQ(owners, 50);
  } else {
    std::ifstream in(destination, std::ios::binary);
    char magic[5] = {};
    in.read(magic, 5);
    EXPECT_EQ(std::string(magic, 5), "PGDMP");  // pg_dump's custom format
  }
  // A destination that cannot be written is an error, not a crash.
  EXPECT_THAT(db_->Backup(dir_ + "/no/such/dir/backup"), IsError());
}

// Tests of one backend's own behaviour.
class SqliteTest : public BackendFixture {
 protected:
  void SetUp() override { StartBackend(kSqlite); }
};

class PostgresTest : public BackendFixture {
 protected:
  void SetUp() override { StartBackend(kPostgres); }
};

TEST_F(SqliteTest, ConnectionsUseWalForeignKeysAndFullSync) {
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(Row mode, conn->QueryOne("PRAGMA journal_mode"));
  EXPECT_EQ(mode.Text(0), "wal");
  ASSERT_OK_AND_ASSIGN(Row fk, conn->QueryOne("PRAGMA foreign_keys"));
  EXPECT_EQ(fk.Int(0), 1);
  ASSERT_OK_AND_ASSIGN(Row sync, conn->QueryOne("PRAGMA synchronous"));
  EXPECT_EQ(sync.Int(0), 2);  // FULL
}

TEST_F(SqliteTest, BusyWriterIsAborted) {
  ASSERT_OK(CreateSchema());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> other,
                       OpenAgain({.pool_size = 1, .busy_timeout_ms = 50, .acquire_timeout_ms = 1000}));
  ASSERT_OK_AND_ASSIGN(PooledConnection writer, db_->Acquire());
  ASSERT_OK(writer->Begin());
  ASSERT_OK_AND_ASSIGN(PooledConnection blocked, other->Acquire());
  EXPECT_THAT(blocked->Begin(), StatusIs(StatusCode::kAborted));
  EXPECT_THAT(AddOwner(*blocked, "busy@example.org"), StatusIs(StatusCode::kAborted));
  // Readers are not blocked by the writer (WAL).
  EXPECT_OK(blocked->Execute("SELECT COUNT(*) FROM owners"));
  ASSERT_OK(writer->Commit());
  EXPECT_OK(AddOwner(*blocked, "free@example.org"));
}

TEST_F(SqliteTest, InMemoryDatabaseServesAPoolOfOne) {
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Database> memory,
      Database::Open("sqlite::memory:", {.pool_size = 8, .busy_timeout_ms = 5000, .acquire_timeout_ms = 30000}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> unrelated, Database::Open("sqlite::memory:"));
  ASSERT_OK(Exec(*memory, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BIGINT)"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        EXPECT_OK(memory->InTransaction([&](Connection& conn) {
          return conn.Execute("INSERT INTO t (v) VALUES (?)", {int64_t{t * 100 + i}}).status();
        }));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_OK_AND_ASSIGN(int64_t rows, Count(*memory, "t"));
  EXPECT_EQ(rows, 100);
  // Every Open of ":memory:" is a database of its own.
  EXPECT_THAT(Count(*unrelated, "t"), StatusIs(StatusCode::kInternal));
  ASSERT_OK(memory->Backup(dir_ + "/memory.db"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> copy, Database::Open(dir_ + "/memory.db"));
  ASSERT_OK_AND_ASSIGN(rows, Count(*copy, "t"));
  EXPECT_EQ(rows, 100);
}

TEST_F(SqliteTest, UrlForms) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> triple_slash, Database::Open("sqlite://" + dir_ + "/a.db"));
  EXPECT_EQ(triple_slash->DisplayUrl(), "sqlite:" + dir_ + "/a.db");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> bare, Database::Open(dir_ + "/b.sqlite"));
  EXPECT_EQ(bare->dialect(), Dialect::kSqlite);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/b.sqlite"));
  EXPECT_THAT(Database::Open("sqlite:"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Database::Open("sqlite:" + dir_ + "/missing-dir/c.db"), StatusIs(StatusCode::kUnavailable));
}

TEST(OpenTest, UnknownSchemeIsInvalidArgumentWithoutThePassword) {
  const Status status = Database::Open("mysql://root:s3cret@localhost/db").status();
  EXPECT_THAT(status, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(status.message(), Not(HasSubstr("s3cret")));
}

TEST(OpenTest, BadPostgresUrls) {
  EXPECT_THAT(Database::Open("postgresql://h/db?no_such_option=1"), StatusIs(StatusCode::kInvalidArgument));
  // Nothing listens on port 1.
  const Status status = Database::Open("postgresql://u:s3cret@127.0.0.1:1/db?connect_timeout=2").status();
  EXPECT_THAT(status, StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(status.message(), Not(HasSubstr("s3cret")));
}

TEST_F(PostgresTest, DisplayUrlHasNoPassword) {
  EXPECT_THAT(db_->DisplayUrl(), HasSubstr("postgres"));
  EXPECT_THAT(db_->DisplayUrl(), Not(HasSubstr("password")));
}

// Every connection runs in UTC, with hex bytea, and without JIT (short index reads; see postgres_database.cc).
TEST_F(PostgresTest, SessionSettings) {
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(Row row, conn->QueryOne("SELECT current_setting('TimeZone'), current_setting('bytea_output'), "
                                               "current_setting('jit')"));
  EXPECT_EQ(row.Text(0), "UTC");
  EXPECT_EQ(row.Text(1), "hex");
  EXPECT_EQ(row.Text(2), "off");
}

// A pooled connection that the server closed while it sat idle (restart, pg_terminate_backend, idle timeout) is
// replaced by Acquire, so the next user does not see the failure.
TEST_F(PostgresTest, IdleConnectionLostIsReplaced) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db,
                       OpenAgain({.pool_size = 1, .busy_timeout_ms = 5000, .acquire_timeout_ms = 5000}));
  int64_t pid = 0;
  {
    ASSERT_OK_AND_ASSIGN(PooledConnection conn, db->Acquire());
    ASSERT_OK_AND_ASSIGN(Row row, conn->QueryOne("SELECT pg_backend_pid()"));
    pid = row.Int(0);
  }
  ASSERT_OK_AND_ASSIGN(Result killed, Query(*admin_, "SELECT pg_terminate_backend(CAST(? AS INTEGER), 5000)", {pid}));
  ASSERT_TRUE(killed.rows.at(0).Bool(0));

  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db->Acquire());
  ASSERT_OK_AND_ASSIGN(Row row, conn->QueryOne("SELECT pg_backend_pid(), current_schema()"));
  EXPECT_NE(row.Int(0), pid);
  EXPECT_EQ(row.Text(1), schema_);  // the replacement got the URL's session options again
}

// A connection lost while in use reports kUnavailable; it is dropped on release and the pool recovers.
TEST_F(PostgresTest, ConnectionLostInUseIsUnavailableThenRecovered) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db,
                       OpenAgain({.pool_size = 1, .busy_timeout_ms = 5000, .acquire_timeout_ms = 5000}));
  {
    ASSERT_OK_AND_ASSIGN(PooledConnection conn, db->Acquire());
    ASSERT_OK_AND_ASSIGN(Row row, conn->QueryOne("SELECT pg_backend_pid()"));
    ASSERT_OK(Query(*admin_, "SELECT pg_terminate_backend(CAST(? AS INTEGER), 5000)", {row.Int(0)}));
    EXPECT_THAT(conn->Execute("SELECT 1"), StatusIs(StatusCode::kUnavailable));
  }
  {
    ASSERT_OK_AND_ASSIGN(PooledConnection conn, db->Acquire());
    EXPECT_OK(conn->Execute("SELECT 1"));
  }
  EXPECT_OK(db->InTransaction([](Connection& c) { return c.Execute("SELECT 1").status(); }));
}

TEST_F(PostgresTest, DeadlockIsAborted) {
  ASSERT_OK(Exec(*db_, "CREATE TABLE locks (id BIGINT PRIMARY KEY, v BIGINT)"));
  ASSERT_OK(Exec(*db_, "INSERT INTO locks (id, v) VALUES (1, 0), (2, 0)"));
  ASSERT_OK_AND_ASSIGN(PooledConnection a, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(PooledConnection b, db_->Acquire());
  ASSERT_OK(a->Begin());
  ASSERT_OK(b->Begin());
  ASSERT_OK(a->Execute("UPDATE locks SET v = 1 WHERE id = 1"));
  ASSERT_OK(b->Execute("UPDATE locks SET v = 2 WHERE id = 2"));
  Status a_status;
  std::thread waiter([&] {
    a_status = a->Execute("UPDATE locks SET v = 1 WHERE id = 2").status();
    if (!a_status.ok()) a->Rollback().IgnoreError();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Status b_status = b->Execute("UPDATE locks SET v = 2 WHERE id = 1").status();
  if (!b_status.ok()) b->Rollback().IgnoreError();
  waiter.join();
  // The server picks one victim; the other goes through.
  EXPECT_NE(a_status.ok(), b_status.ok()) << a_status.ToString() << " / " << b_status.ToString();
  EXPECT_THAT(a_status.ok() ? b_status : a_status, StatusIs(StatusCode::kAborted));
  EXPECT_OK(a->Rollback());
  EXPECT_OK(b->Rollback());
}

TEST_F(PostgresTest, ServerSideTypesReadAsText) {
  ASSERT_OK_AND_ASSIGN(PooledConnection conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(Row row, conn->QueryOne("SELECT CAST('2026-05-01 10:00:00+08' AS TIMESTAMPTZ), "
                                               "CAST(12.50 AS NUMERIC(10, 2)), CAST(? AS BYTEA)",
                                               {Blob{std::string("\x00\xff", 2)}}));
  EXPECT_EQ(row.Text(0), "2026-05-01 02:00:00+00");  // the session runs in UTC
  EXPECT_EQ(row.Text(1), "12.50");
  EXPECT_EQ(row.Text(2), std::string("\x00\xff", 2));
}

}  // namespace
}  // namespace ningju::storage
