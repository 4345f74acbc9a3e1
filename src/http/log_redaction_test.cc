#include "http/log_redaction.h"

#include <gtest/gtest.h>

namespace ningju::http {
namespace {

TEST(RedactTargetForLog, CredentialsLoseTheirValues) {
  EXPECT_EQ(RedactTargetForLog("/open311/v2/requests.json?api_key=abc123&service_code=x"),
            "/open311/v2/requests.json?api_key=[redacted]&service_code=x");
  EXPECT_EQ(RedactTargetForLog("/cb?code=s3cr3t&state=1&access_token=t&TOKEN=u&refresh_token=v&my_key=w&x_token=y"),
            "/cb?code=[redacted]&state=1&access_token=[redacted]&TOKEN=[redacted]&refresh_token=[redacted]"
            "&my_key=[redacted]&x_token=[redacted]");
  // An encoded name is still the name.
  EXPECT_EQ(RedactTargetForLog("/x?api%5Fkey=abc"), "/x?api%5Fkey=[redacted]");
  EXPECT_EQ(RedactTargetForLog("/x?password=hunter2&_csrf=zz"), "/x?password=[redacted]&_csrf=[redacted]");
  // Other parameters and the path stay as they are.
  EXPECT_EQ(RedactTargetForLog("/areas/3?limit=20&cursor=abc"), "/areas/3?limit=20&cursor=abc");
  EXPECT_EQ(RedactTargetForLog("/areas/3"), "/areas/3");
  EXPECT_EQ(RedactTargetForLog("/a?flag&b="), "/a?flag&b=");
}

TEST(RedactTargetForLog, MobileNumbersAreMaskedAnywhere) {
  EXPECT_EQ(RedactTargetForLog("/cases?phone=13812345678"), "/cases?phone=[phone]");
  EXPECT_EQ(RedactTargetForLog("/cases?q=call+13812345678+today"), "/cases?q=call%20%5Bphone%5D%20today");
  EXPECT_EQ(RedactTargetForLog("/cases?q=%E9%99%86138-1234-5678"), "/cases?q=%E9%99%86%5Bphone%5D");
  EXPECT_EQ(RedactTargetForLog("/cases?q=%31%33%38%31%32%33%34%35%36%37%38"), "/cases?q=%5Bphone%5D");
  EXPECT_EQ(RedactTargetForLog("/cases?phone=%2B86%20138%201234%205678"), "/cases?phone=%5Bphone%5D");
  EXPECT_EQ(RedactTargetForLog("/p/8613812345678/x"), "/p/[phone]/x");
  EXPECT_EQ(RedactTargetForLog("/search/13812345678"), "/search/[phone]");
  // Not a mobile: a longer run of digits, a second digit of 0-2, ten digits, an id.
  EXPECT_EQ(RedactTargetForLog("/x?id=138123456789"), "/x?id=138123456789");
  EXPECT_EQ(RedactTargetForLog("/x?id=12812345678"), "/x?id=12812345678");
  EXPECT_EQ(RedactTargetForLog("/x?id=1381234567"), "/x?id=1381234567");
  EXPECT_EQ(RedactTargetForLog("/x?t=1780000000000"), "/x?t=1780000000000");
}

TEST(RedactTargetForLog, AMalformedQueryIsNotLoggedAtAll) {
  EXPECT_EQ(RedactTargetForLog("/x?q=%zz13812345678"), "/x?[malformed query]");
}

TEST(MaskPhoneNumbers, KeepsTheTextAround) {
  EXPECT_EQ(MaskPhoneNumbers("陆小凤 139 0000 1111，楼下"), "陆小凤 [phone]，楼下");
  EXPECT_EQ(MaskPhoneNumbers("+86-13900001111"), "[phone]");
  EXPECT_EQ(MaskPhoneNumbers("room 1301"), "room 1301");
}

}  // namespace
}  // namespace ningju::http
