// Test fixtures and templates are read from the source tree: NINGJU_SOURCE_DIR when set (CTest sets it), else the
// tree the test was built from.
#ifndef NINGJU_TESTING_SOURCE_PATH_H_
#define NINGJU_TESTING_SOURCE_PATH_H_

#include <cstdlib>
#include <string>

namespace ningju::testing {

// REQUIRES: built through ningju_test(), which defines NINGJU_SOURCE_DIR_FALLBACK.
inline std::string SourceDir() {
  const char* dir = std::getenv("NINGJU_SOURCE_DIR");
  return dir && *dir ? dir : NINGJU_SOURCE_DIR_FALLBACK;
}

// "tests/roster/good.csv" -> "<source dir>/tests/roster/good.csv".
inline std::string SourcePath(const std::string& relative) { return SourceDir() + "/" + relative; }

}  // namespace ningju::testing

#endif  // NINGJU_TESTING_SOURCE_PATH_H_
