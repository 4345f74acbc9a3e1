// Error messages in the visitor's language (fixture: app_fixture.h): the error page and a form's inline error read
// in zh-CN or English as the request asks, while the JSON API keeps the English message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app_fixture.h"
#include "testing/status_matchers.h"

namespace ningju::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

class ErrorsTest : public AppTest {
 protected:
  // The first building of the first neighborhood of 华阳路街道.
  int64_t Building() { return HomeArea().second; }
};

TEST_F(ErrorsTest, ErrorPageSpeaksTheVisitorsLanguage) {
  HttpResult zh = Client().Get("/cases/987654", {{"Accept-Language", "zh-CN,zh;q=0.9"}});
  EXPECT_EQ(zh.status, 404);
  EXPECT_THAT(zh.body, HasSubstr("诉求 987654 不存在"));
  EXPECT_THAT(zh.body, Not(HasSubstr("no case 987654")));
  HttpResult en = Client().Get("/cases/987654", {{"Accept-Language", "en-US,en;q=0.9"}});
  EXPECT_EQ(en.status, 404);
  EXPECT_THAT(en.body, HasSubstr("no case 987654"));
  EXPECT_THAT(en.body, Not(HasSubstr("诉求 987654 不存在")));
  // Without a header the page is zh-CN, the default.
  EXPECT_THAT(Client().Get("/cases/987654").body, HasSubstr("诉求 987654 不存在"));
}

TEST_F(ErrorsTest, TheApiKeepsTheEnglishMessage) {
  HttpResult r = Client().Get("/api/v1/areas/987654", {{"Accept-Language", "zh-CN"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["error"]["message"], "no area 987654");
}

TEST_F(ErrorsTest, FormErrorSpeaksTheVisitorsLanguage) {
  const int64_t building = Building();
  auto report = [&](const std::string& lang) {
    HttpClient c = Client();
    c.cookies()["nj_lang"] = lang;
    c.Get("/buildings/" + std::to_string(building) + "/report");
    return c.PostForm("/cases", {{"type", "complaint"},
                                 {"category", "property_management"},
                                 {"area_id", std::to_string(building)},
                                 {"title", "楼道堆物"},
                                 {"description", "楼道里堆满纸箱。"},
                                 {"urgency", "normal"},
                                 {"channel", "door_qr"},
                                 {"contact_name", "陆小凤"},
                                 {"contact_phone", "139-abc"}});
  };
  HttpResult zh = report("zh-CN");
  EXPECT_EQ(zh.status, 400) << zh.body;
  EXPECT_THAT(zh.body, HasSubstr("联系电话只能包含数字、“+”、“-”和空格"));
  EXPECT_THAT(zh.body, Not(HasSubstr("holds digits")));
  HttpResult en = report("en");
  EXPECT_EQ(en.status, 400) << en.body;
  EXPECT_THAT(en.body, HasSubstr("contact_phone holds digits"));
}

}  // namespace
}  // namespace ningju::testing

namespace ningju::testing {
namespace {

// A 401 page's sign-in link comes back where the visitor was: the page asked for (a GET), or the page the form was on
// (a POST, from its Referer); a Referer whose path is not a plain local one ("//host") falls back to the home page.
TEST_F(ErrorsTest, TheSignInLinkOfA401PageReturnsToWhereTheVisitorWas) {
  int64_t ballot = 0;
  {
    auto conn = app_->db().Acquire();
    ASSERT_OK(conn);
    auto row = (*conn)->QueryOne("SELECT id FROM ballots ORDER BY id LIMIT 1");
    ASSERT_OK(row);
    ballot = row->Int(0);
  }
  const std::string id = std::to_string(ballot);
  HttpResult get = Client().Get("/ballots/" + id + "/notice?print=1");
  EXPECT_EQ(get.status, 401);
  EXPECT_THAT(get.body, HasSubstr("href=\"/sign-in?next=%2Fballots%2F" + id + "%2Fnotice%3Fprint%3D1\""));
  const std::string base = "http://127.0.0.1:" + std::to_string(app_->port());
  HttpResult post = Client().Send(
      "POST", "/notifications/read-all", "",
      {{"Referer", base + "/notifications?unread=1"}, {"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(post.status, 401);
  EXPECT_THAT(post.body, HasSubstr("href=\"/sign-in?next=%2Fnotifications%3Funread%3D1\""));
  HttpResult elsewhere = Client().Send(
      "POST", "/notifications/read-all", "",
      {{"Referer", "https://evil.example//evil.example/x"}, {"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(elsewhere.status, 401);
  EXPECT_THAT(elsewhere.body, HasSubstr("href=\"/sign-in?next=%2F\""));
}

}  // namespace
}  // namespace ningju::testing
