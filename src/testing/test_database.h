// A fresh, migrated database for a test. The backend is SQLite in a new temporary directory, or PostgreSQL when
// NINGJU_TEST_BACKEND=postgres (then NINGJU_TEST_POSTGRES_URL names the server; each call gets a schema of its own).
#ifndef NINGJU_TESTING_TEST_DATABASE_H_
#define NINGJU_TESTING_TEST_DATABASE_H_

#include <memory>
#include <string>

#include "common/status.h"
#include "storage/database.h"

namespace ningju::testing {

// "sqlite" or "postgres", from NINGJU_TEST_BACKEND.
std::string TestBackend();

// A new empty database with every migration applied, with a pool of 4 connections.
StatusOr<std::unique_ptr<storage::Database>> OpenTestDatabase();
// The same with the pool and timeouts of `options` (concurrency tests: a pool as large as their threads).
StatusOr<std::unique_ptr<storage::Database>> OpenTestDatabase(const storage::DatabaseOptions& options);

// The URL of a new empty database without migrations (for tests of the migration runner itself).
StatusOr<std::string> NewTestDatabaseUrl();

}  // namespace ningju::testing

#endif  // NINGJU_TESTING_TEST_DATABASE_H_
