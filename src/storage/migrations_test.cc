// Migration files, rendering and checksums; the runner itself is tested against both backends in database_test.cc.
#include "storage/migrations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "testing/source_path.h"
#include "testing/status_matchers.h"

namespace ningju::storage {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

std::string FixtureDir(const std::string& name) {
  return ::ningju::testing::SourcePath("tests/storage_migrations/" + name);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(LoadMigrations, ReadsSqlFilesInVersionOrder) {
  ASSERT_OK_AND_ASSIGN(std::vector<Migration> migrations, LoadMigrations(FixtureDir("valid")));
  ASSERT_EQ(migrations.size(), 2u);  // README.md is not a migration
  EXPECT_EQ(migrations[0].version, 1);
  EXPECT_EQ(migrations[0].name, "first");
  EXPECT_EQ(migrations[0].sql, ReadFile(FixtureDir("valid") + "/0001_first.sql"));
  EXPECT_EQ(migrations[1].version, 2);
  EXPECT_EQ(migrations[1].name, "second-step");
  // Bytes as they are, CRLF included: the checksum must match the file's.
  EXPECT_THAT(migrations[1].sql, HasSubstr("\r\n"));
  EXPECT_EQ(MigrationFileName(migrations[1]), "0002_second-step.sql");
}

TEST(LoadMigrations, DuplicateVersionIsInvalidArgument) {
  EXPECT_THAT(LoadMigrations(FixtureDir("duplicate")), StatusIs(StatusCode::kInvalidArgument));
  const Status status = LoadMigrations(FixtureDir("duplicate")).status();
  EXPECT_THAT(status.message(), AllOf(HasSubstr("0001_a.sql"), HasSubstr("0001_b.sql")));
}

TEST(LoadMigrations, MisnamedFileIsInvalidArgument) {
  const Status status = LoadMigrations(FixtureDir("misnamed")).status();
  EXPECT_THAT(status, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(status.message(), HasSubstr("001_short.sql"));
}

TEST(LoadMigrations, MissingDirectoryIsNotFound) {
  EXPECT_THAT(LoadMigrations(FixtureDir("no-such-directory")), StatusIs(StatusCode::kNotFound));
}

TEST(RenderMigration, ReplacesTokensPerDialect) {
  const std::string sql = "CREATE TABLE t (id {{id}}, b {{blob}}, at BIGINT NOT NULL DEFAULT {{now}});";
  EXPECT_EQ(RenderMigration(sql, Dialect::kSqlite),
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, b BLOB, at BIGINT NOT NULL DEFAULT "
            "(CAST(strftime('%s', 'now') AS INTEGER)));");
  EXPECT_EQ(RenderMigration(sql, Dialect::kPostgres),
            "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, b BYTEA, at BIGINT NOT NULL DEFAULT "
            "(CAST(FLOOR(EXTRACT(EPOCH FROM now())) AS BIGINT)));");
  EXPECT_EQ(RenderMigration("{{id}} {{id}}", Dialect::kPostgres), "BIGSERIAL PRIMARY KEY BIGSERIAL PRIMARY KEY");
}

TEST(RenderMigration, KeepsOnlyTheOwnDialectsBlocks) {
  const std::string sql = "A;{{sqlite}}S1;{{/sqlite}}{{postgres}}P;{{/postgres}}B;{{sqlite}}S2;{{/sqlite}}";
  EXPECT_EQ(RenderMigration(sql, Dialect::kSqlite), "A;S1;B;S2;");
  EXPECT_EQ(RenderMigration(sql, Dialect::kPostgres), "A;P;B;");
  // An unclosed block keeps its marker: the loader reports it as an unknown token rather than running half of it.
  EXPECT_EQ(RenderMigration("{{sqlite}}S;", Dialect::kPostgres), "{{sqlite}}S;");
}

TEST(MigrationChecksum, IsTheSha256OfTheFileBytes) {
  // `printf abc | sha256sum`
  EXPECT_EQ(MigrationChecksum("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(EmbeddedMigrations, AreSortedAndNamedLikeTheirFiles) {
  const std::vector<Migration> migrations = EmbeddedMigrations();
  std::set<int> versions;
  int previous = 0;
  for (const Migration& m : migrations) {
    EXPECT_GT(m.version, previous) << MigrationFileName(m);
    previous = m.version;
    EXPECT_TRUE(versions.insert(m.version).second);
    EXPECT_FALSE(m.name.empty());
  }
  // When the source tree is at hand, the embedded bytes are exactly the files' bytes.
  {
    ASSERT_OK_AND_ASSIGN(std::vector<Migration> on_disk, LoadMigrations(::ningju::testing::SourcePath("migrations")));
    ASSERT_EQ(on_disk.size(), migrations.size());
    for (size_t i = 0; i < on_disk.size(); ++i) {
      EXPECT_EQ(on_disk[i].version, migrations[i].version);
      EXPECT_EQ(on_disk[i].name, migrations[i].name);
      EXPECT_EQ(MigrationChecksum(on_disk[i].sql), MigrationChecksum(migrations[i].sql)) << on_disk[i].name;
    }
  }
}

TEST(Migrate, RefusesUnknownTokensAndUnsortedInput) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open("sqlite::memory:"));
  const Status unknown = Migrate(*db, {{1, "typo", "CREATE TABLE t (id {{idd}});"}}).status();
  EXPECT_THAT(unknown, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(unknown.message(), AllOf(HasSubstr("{{idd}}"), HasSubstr("0001_typo.sql")));
  EXPECT_THAT(Migrate(*db, {{2, "b", "SELECT 1;"}, {1, "a", "SELECT 1;"}}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Migrate(*db, {{1, "a", "SELECT 1;"}, {1, "b", "SELECT 1;"}}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Migrate(*db, {{0, "zero", "SELECT 1;"}}), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace ningju::storage
