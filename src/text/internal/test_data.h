// Test helpers: paths of the fixtures in tests/text. Tests only.
#ifndef NINGJU_TEXT_INTERNAL_TEST_DATA_H_
#define NINGJU_TEXT_INTERNAL_TEST_DATA_H_

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "testing/source_path.h"

namespace ningju::text::testing {

// tests/text/<name> under the source tree.
inline std::string FixturePath(const std::string& name) { return ::ningju::testing::SourcePath("tests/text/" + name); }

inline std::string ReadFixture(const std::string& name) {
  std::ifstream in(FixturePath(name), std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace ningju::text::testing

#endif  // NINGJU_TEXT_INTERNAL_TEST_DATA_H_
