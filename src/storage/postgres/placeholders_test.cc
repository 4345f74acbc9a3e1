// The `?` -> $n rewriting and URL redaction of the PostgreSQL backend; no server needed.
#include <gtest/gtest.h>

#include "storage/postgres/postgres_database.h"

namespace ningju::storage::internal {
namespace {

TEST(RewritePlaceholders, NumbersEachPlaceholder) {
  const RewrittenSql r = RewritePlaceholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?)");
  EXPECT_EQ(r.sql, "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
  EXPECT_EQ(r.placeholders, 3);
  EXPECT_FALSE(r.several_statements);
}

TEST(RewritePlaceholders, LeavesStringLiteralsAlone) {
  EXPECT_EQ(RewritePlaceholders("SELECT '?', ?").sql, "SELECT '?', $1");
  EXPECT_EQ(RewritePlaceholders("SELECT 'it''s ?', ?").sql, "SELECT 'it''s ?', $1");
  // Standard strings: a backslash is an ordinary character, so 'a\' ends the literal.
  EXPECT_EQ(RewritePlaceholders("SELECT 'a\\', ?").sql, "SELECT 'a\\', $1");
  // E-strings: a backslash escapes the quote.
  EXPECT_EQ(RewritePlaceholders("SELECT E'it\\'s ?', ?").sql, "SELECT E'it\\'s ?', $1");
  EXPECT_EQ(RewritePlaceholders("SELECT e'\\\\', ?").sql, "SELECT e'\\\\', $1");
  // An identifier ending in E before a quote is not an E-string prefix.
  EXPECT_EQ(RewritePlaceholders("SELECT * FROM t WHERE'a\\'=?").sql, "SELECT * FROM t WHERE'a\\'=$1");
}

TEST(RewritePlaceholders, LeavesQuotedIdentifiersAlone) {
  EXPECT_EQ(RewritePlaceholders("SELECT ? AS \"what?\", \"a\"\"?\" FROM t").sql,
            "SELECT $1 AS \"what?\", \"a\"\"?\" FROM t");
}

TEST(RewritePlaceholders, LeavesCommentsAlone) {
  EXPECT_EQ(RewritePlaceholders("SELECT ? -- what?\n, ?").sql, "SELECT $1 -- what?\n, $2");
  EXPECT_EQ(RewritePlaceholders("SELECT ? -- what?").sql, "SELECT $1 -- what?");
  EXPECT_EQ(RewritePlaceholders("SELECT /* a /* nested? */ still? */ ?").sql, "SELECT /* a /* nested? */ still? */ $1");
}

TEST(RewritePlaceholders, LeavesDollarQuotesAlone) {
  EXPECT_EQ(RewritePlaceholders("SELECT $$?$$, $tag$ ? $$ ? $tag$, ?").sql, "SELECT $$?$$, $tag$ ? $$ ? $tag$, $1");
  const RewrittenSql numbered = RewritePlaceholders("SELECT $1, a$b FROM t");
  EXPECT_EQ(numbered.sql, "SELECT $1, a$b FROM t");
  EXPECT_EQ(numbered.placeholders, 0);
}

TEST(RewritePlaceholders, SurvivesUnterminatedQuotes) {
  EXPECT_EQ(RewritePlaceholders("SELECT 'abc ?").sql, "SELECT 'abc ?");
  EXPECT_EQ(RewritePlaceholders("SELECT \"abc ?").sql, "SELECT \"abc ?");
  EXPECT_EQ(RewritePlaceholders("SELECT /* ?").sql, "SELECT /* ?");
  EXPECT_EQ(RewritePlaceholders("SELECT E'\\").sql, "SELECT E'\\");
}

TEST(RewritePlaceholders, DetectsSeveralStatements) {
  EXPECT_TRUE(RewritePlaceholders("SELECT 1; SELECT 2").several_statements);
  EXPECT_FALSE(RewritePlaceholders("SELECT 1;").several_statements);
  EXPECT_FALSE(RewritePlaceholders("SELECT 1;;  \n").several_statements);
  EXPECT_FALSE(RewritePlaceholders("SELECT 1; -- done\n/* really */").several_statements);
  EXPECT_FALSE(RewritePlaceholders("SELECT ';' AS \";\"").several_statements);
}

TEST(RedactPostgresUrl, RemovesPasswords) {
  EXPECT_EQ(RedactPostgresUrl("postgresql://ningju:s3cret@db.example:5432/ningju?sslmode=require"),
            "postgresql://ningju@db.example:5432/ningju?sslmode=require");
  EXPECT_EQ(RedactPostgresUrl("postgres://u@h/db?password=s3cret&sslmode=disable"),
            "postgres://u@h/db?sslmode=disable");
  EXPECT_EQ(RedactPostgresUrl("postgres://u@h/db?password=s3cret"), "postgres://u@h/db");
  EXPECT_EQ(RedactPostgresUrl("postgresql://h:5432/db"), "postgresql://h:5432/db");
  EXPECT_EQ(RedactPostgresUrl("postgresql://u@h"), "postgresql://u@h");
}

}  // namespace
}  // namespace ningju::storage::internal
