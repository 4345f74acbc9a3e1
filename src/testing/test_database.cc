#include "testing/test_database.h"

#include <sodium.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "storage/migrations.h"

namespace ningju::testing {
namespace {

std::string RandomSuffix() {
  if (sodium_init() < 0) return std::to_string(getpid());
  return std::to_string(getpid()) + "_" + std::to_string(randombytes_uniform(1u << 30));
}

}  // namespace

std::string TestBackend() {
  const char* b = std::getenv("NINGJU_TEST_BACKEND");
  return (b && std::string(b) == "postgres") ? "postgres" : "sqlite";
}

StatusOr<std::string> NewTestDatabaseUrl() {
  if (TestBackend() == "postgres") {
    const char* base = std::getenv("NINGJU_TEST_POSTGRES_URL");
    if (!base || !*base) return FailedPreconditionError("NINGJU_TEST_BACKEND=postgres needs NINGJU_TEST_POSTGRES_URL");
    const std::string schema = "t_" + RandomSuffix();
    {
      ASSIGN_OR_RETURN(auto admin, storage::Database::Open(base, {.pool_size = 1}));
      ASSIGN_OR_RETURN(auto conn, admin->Acquire());
      RETURN_IF_ERROR(conn->Execute("CREATE SCHEMA " + schema));
    }
    std::string url = base;
    url += (url.find('?') == std::string::npos) ? "?" : "&";
    url += "options=-csearch_path%3D" + schema;
    return url;
  }
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("ningju-test-" + RandomSuffix());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return InternalError(Msg("cannot create {}: {}", dir.string(), ec.message()));
  return "sqlite:" + (dir / "test.db").string();
}

StatusOr<std::unique_ptr<storage::Database>> OpenTestDatabase() {
  return OpenTestDatabase({.pool_size = 4, .nested_acquire = storage::NestedAcquire::kFail});
}

StatusOr<std::unique_ptr<storage::Database>> OpenTestDatabase(const storage::DatabaseOptions& options) {
  ASSIGN_OR_RETURN(std::string url, NewTestDatabaseUrl());
  ASSIGN_OR_RETURN(auto db, storage::Database::Open(url, options));
  RETURN_IF_ERROR(storage::Migrate(*db, storage::EmbeddedMigrations()).status());
  return db;
}

}  // namespace ningju::testing
