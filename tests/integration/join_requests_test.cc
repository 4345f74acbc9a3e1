// Residents asking to join a neighborhood over real sockets: a new account asks from the neighborhood's page, the
// neighborhood's staff approve it from their queue, another asks through the API and is refused; and the refusals:
// anonymous 401, another subdistrict's staff 403, a form without its CSRF token 403 (fixture: app_fixture.h).
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

class JoinRequestsWebTest : public AppTest {
 protected:
  HttpResult Api(const std::string& method, const std::string& path, const std::string& token,
                 const json& body = nullptr) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.push_back({"Authorization", "Bearer " + token});
    if (method == "GET") return Client().Get(path, headers);
    headers.push_back({"Content-Type", "application/json"});
    return Client().Send(method, path, body.is_null() ? "" : body.dump(), headers);
  }

  HttpClient SignedUp(const std::string& login, const std::string& name) {
    HttpClient c = Client();
    c.Get("/sign-up");
    HttpResult r =
        c.PostForm("/sign-up", {{"login", login}, {"display_name", name}, {"password", "a long enough password"}});
    EXPECT_EQ(r.status, 303) << r.body;
    return c;
  }

  bool IsResident(const std::string& login, int64_t neighborhood) {
    auto conn = app_->db().Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne(
        "SELECT COUNT(*) FROM role_grants g JOIN users u ON u.id = g.user_id WHERE (u.username = ? OR u.phone = ?) "
        "AND g.role = 'resident' AND g.area_id = ? AND g.revoked_at = 0",
        {login, login, neighborhood});
    EXPECT_OK(row);
    return row->Int(0) == 1;
  }

  // The id in the first action="/join-requests/{id}/..." of a page.
  static int64_t FirstRequestOn(const std::string& page) {
    const std::string key = "action=\"/join-requests/";
    const size_t at = page.find(key);
    if (at == std::string::npos) return 0;
    return std::stoll(page.substr(at + key.size()));
  }
};

TEST_F(JoinRequestsWebTest, AResidentAsksOnThePageAndStaffApproveFromTheQueue) {
  const int64_t nb = DemoBuilding().second;
  const std::string ask = "/areas/" + std::to_string(nb) + "/join";
  const std::string queue = "/areas/" + std::to_string(nb) + "/join-requests";

  // Anonymous: the form asks to sign in first; a post is 401.
  HttpClient anonymous = Client();
  HttpResult landing = anonymous.Get(ask);
  ASSERT_EQ(landing.status, 200);
  EXPECT_THAT(landing.body, HasSubstr("/sign-in?next="));
  EXPECT_EQ(anonymous.PostForm(ask, {{"message", "你好"}}).status, 401);
  EXPECT_EQ(anonymous.Get(queue).status, 401);
  EXPECT_EQ(anonymous.Get("/account/join-requests").status, 401);

  // A new account: the neighborhood page links to the form; without the CSRF token nothing is asked.
  HttpClient me = SignedUp("13900008888", "新居民");
  EXPECT_THAT(me.Get("/areas/" + std::to_string(nb)).body, HasSubstr("href=\"" + ask + "\""));
  EXPECT_THAT(me.Get("/account").body, HasSubstr("href=\"/account/join-requests\""));
  HttpResult form = me.Get(ask);
  ASSERT_EQ(form.status, 200);
  EXPECT_THAT(form.body, HasSubstr("name=\"building_id\""));
  EXPECT_EQ(me.PostForm(ask, {{"unit_number", "1-101"}, {"message", "我是租户"}}, false).status, 403);
  HttpResult too_long = me.PostForm(ask, {{"message", std::string(201, 'x')}});
  EXPECT_EQ(too_long.status, 400);
  EXPECT_THAT(too_long.body, HasSubstr("role=\"alert\""));
  HttpResult asked = me.PostForm(ask, {{"unit_number", "1-101"}, {"message", "我是租户"}});
  ASSERT_EQ(asked.status, 303) << asked.body;
  EXPECT_EQ(asked.Header("location"), "/account/join-requests?done=asked");
  HttpResult mine = me.Get("/account/join-requests?done=asked");
  ASSERT_EQ(mine.status, 200);
  EXPECT_THAT(mine.body, HasSubstr("等待工作人员处理"));
  EXPECT_EQ(me.PostForm(ask, {{"message", "再问一次"}}).status, 409);  // one pending request per neighborhood

  // Staff of another subdistrict: 403 for the queue and a decision.
  HttpClient other = SignedIn("sd-xinjing");
  EXPECT_EQ(other.Get(queue).status, 403);
  HttpClient staff = SignedIn("nb-huayang");
  HttpResult list = staff.Get(queue);
  ASSERT_EQ(list.status, 200);
  EXPECT_THAT(list.body, HasSubstr("新居民"));
  EXPECT_THAT(list.body, HasSubstr("13900008888"));  // staff see the phone
  EXPECT_THAT(list.body, HasSubstr("我是租户"));
  const int64_t id = FirstRequestOn(list.body);
  ASSERT_GT(id, 0);
  const std::string approve = "/join-requests/" + std::to_string(id) + "/approve";
  other.Get("/account");
  // Anyone but staff and the requester does not learn that the request exists (as GET answers).
  EXPECT_EQ(other.PostForm(approve, {{"area_id", std::to_string(nb)}}).status, 404);
  // The staff's neighborhood page links to the queue.
  EXPECT_THAT(staff.Get("/areas/" + std::to_string(nb)).body, HasSubstr("href=\"" + queue + "\""));
  staff.Get(queue);
  EXPECT_EQ(staff.PostForm(approve, {{"area_id", std::to_string(nb)}}, false).status, 403);
  EXPECT_FALSE(IsResident("13900008888", nb));
  staff.Get(queue);
  HttpResult approved = staff.PostForm(approve, {{"area_id", std::to_string(nb)}, {"owner_id", ""}});
  ASSERT_EQ(approved.status, 303) << approved.body;
  EXPECT_EQ(approved.Header("location"), queue + "?done=approved");
  EXPECT_TRUE(IsResident("13900008888", nb));
  EXPECT_THAT(me.Get("/account/join-requests").body, HasSubstr("已批准"));
  // Decided once: a second approval is 409.
  staff.Get(queue);
  EXPECT_EQ(staff.PostForm(approve, {{"area_id", std::to_string(nb)}}).status, 409);
}

TEST_F(JoinRequestsWebTest, TheApiAsksListsRefusesAndWithdraws) {
  const int64_t nb = DemoBuilding().second;
  const std::string nb_queue = "/api/v1/areas/" + std::to_string(nb) + "/join-requests";
  SignedUp("13900009999", "API居民");
  const std::string mine = TokenFor("13900009999");
  const std::string staff = TokenFor("nb-huayang");

  EXPECT_EQ(Api("POST", "/api/v1/join-requests", "", {{"neighborhood_id", nb}}).status, 401);
  EXPECT_EQ(Api("POST", "/api/v1/join-requests", mine, {{"neighborhood_id", "x"}}).status, 400);
  EXPECT_EQ(Api("POST", "/api/v1/join-requests", mine, {{"neighborhood_id", nb}, {"colour", "red"}}).status, 400);
  HttpResult created = Api("POST", "/api/v1/join-requests", mine, {{"neighborhood_id", nb}, {"message", "家属"}});
  ASSERT_EQ(created.status, 201) << created.body;
  json request = json::parse(created.body);
  EXPECT_EQ(request["state"], "pending");
  EXPECT_FALSE(request.contains("phone"));
  const std::string path = "/api/v1/join-requests/" + std::to_string(request["id"].get<int64_t>());
  EXPECT_EQ(Api("POST", "/api/v1/join-requests", mine, {{"neighborhood_id", nb}}).status, 409);

  // The queue: staff of the neighborhood with the phone; another subdistrict's staff 403; anonymous 401.
  HttpResult listed = Api("GET", nb_queue, staff);
  ASSERT_EQ(listed.status, 200);
  bool found = false;
  const json items = json::parse(listed.body)["items"];  // kept: a loop over a temporary's member would dangle
  for (const auto& item : items) {
    if (item["id"] == request["id"]) {
      found = true;
      EXPECT_EQ(item["phone"], "13900009999");
      EXPECT_EQ(item["message"], "家属");
    }
  }
  EXPECT_TRUE(found) << listed.body;
  EXPECT_EQ(Api("GET", nb_queue, TokenFor("sd-xinjing")).status, 403);
  EXPECT_EQ(Api("GET", nb_queue, "").status, 401);
  EXPECT_EQ(Api("GET", nb_queue + "?state=bogus", staff).status, 400);
  EXPECT_EQ(Api("GET", path, TokenFor("resident2")).status, 404);  // another account's request

  // Refused: not by the requester, nor by another subdistrict's staff; a reason is required.
  EXPECT_EQ(Api("POST", path + "/refuse", mine, {{"reason", "自己批"}}).status, 403);
  // Another subdistrict's staff do not see it: 404, as GET answers them.
  EXPECT_EQ(Api("POST", path + "/refuse", TokenFor("sd-xinjing"), {{"reason", "不认识"}}).status, 404);
  EXPECT_EQ(Api("POST", path + "/approve", TokenFor("sd-xinjing")).status, 404);
  EXPECT_EQ(Api("POST", path + "/refuse", staff, json::object()).status, 400);
  HttpResult refused = Api("POST", path + "/refuse", staff, {{"reason", "请到居委会核实"}});
  ASSERT_EQ(refused.status, 200) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["state"], "refused");
  EXPECT_EQ(Api("POST", path + "/refuse", staff, {{"reason", "again"}}).status, 409);
  json seen = json::parse(Api("GET", path, mine).body);
  EXPECT_EQ(seen["reason"], "请到居委会核实");
  EXPECT_FALSE(IsResident("13900009999", nb));

  // Asked again and withdrawn.
  HttpResult again = Api("POST", "/api/v1/join-requests", mine, {{"neighborhood_id", nb}});
  ASSERT_EQ(again.status, 201);
  const std::string again_path =
      "/api/v1/join-requests/" + std::to_string(json::parse(again.body)["id"].get<int64_t>());
  EXPECT_EQ(Api("POST", again_path + "/withdraw", staff).status, 404);  // only its author withdraws
  HttpResult withdrawn = Api("POST", again_path + "/withdraw", mine);
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
  EXPECT_EQ(json::parse(withdrawn.body)["state"], "withdrawn");
  json all = json::parse(Api("GET", "/api/v1/join-requests", mine).body);
  EXPECT_EQ(all["items"].size(), 2u);

  // A cookie-authenticated API write needs the CSRF header.
  HttpClient web = SignedIn("resident2");
  HttpResult no_csrf = web.Send("POST", "/api/v1/join-requests", json({{"neighborhood_id", nb}}).dump(),
                                {{"Content-Type", "application/json"}});
  EXPECT_EQ(no_csrf.status, 403);
}

}  // namespace
}  // namespace ningju::testing
