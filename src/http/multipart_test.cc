#include "http/multipart.h"

#include "testing/status_matchers.h"

namespace ningju::http {
namespace {

using ::ningju::testing::StatusIs;

TEST(Multipart, ParsesFieldsAndFiles) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"名册.csv\"\r\n"
      "Content-Type: text/csv\r\n\r\nbuilding,unit\r\n1号楼,101\r\n"
      "--XyZ--\r\n";
  ASSERT_OK_AND_ASSIGN(auto parts, ParseMultipart("multipart/form-data; boundary=XyZ", body));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "_csrf");
  EXPECT_EQ(parts[0].body, "abc");
  EXPECT_EQ(parts[1].filename, "名册.csv");
  EXPECT_EQ(parts[1].content_type, "text/csv");
  EXPECT_EQ(parts[1].body, "building,unit\r\n1号楼,101");
}

TEST(Multipart, RefusesMalformedBodies) {
  EXPECT_THAT(ParseMultipart("multipart/form-data", "x"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMultipart("text/plain; boundary=a", "--a--"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMultipart("multipart/form-data; boundary=a",
                             "--a\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\ntruncated"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMultipart("multipart/form-data; boundary=a", "--a\r\nX: y\r\n\r\nv\r\n--a--"),
              StatusIs(StatusCode::kInvalidArgument));
  std::string many;
  for (int i = 0; i < 30; ++i) many += "--a\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n";
  many += "--a--";
  EXPECT_THAT(ParseMultipart("multipart/form-data; boundary=a", many), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace ningju::http
