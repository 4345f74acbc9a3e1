#include "common/utf8.h"

#include "testing/status_matchers.h"

namespace ningju::utf8 {
namespace {

TEST(Utf8, AcceptsValidText) {
  EXPECT_EQ(FindInvalid("长宁区 Changning 🏠"), std::nullopt);
  EXPECT_EQ(CodePointCount("长宁区"), 3u);
}

TEST(Utf8, NamesTheOffsetOfTheFirstBadByte) {
  EXPECT_EQ(FindInvalid(std::string_view("ab\xff", 3)), 2u);
  EXPECT_EQ(FindInvalid("a\xC0\xAF"), 1u);         // overlong '/'
  EXPECT_EQ(FindInvalid("xy\xED\xA0\x80"), 2u);    // surrogate U+D800
  EXPECT_EQ(FindInvalid("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(FindInvalid("\xE9\x95"), 0u);          // truncated 长
  Status s = Validate("ok\x80", "title");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "invalid UTF-8 at byte 2");
  EXPECT_EQ(s.field(), "title");
}

}  // namespace
}  // namespace ningju::utf8
