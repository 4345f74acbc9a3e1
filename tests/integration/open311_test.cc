// Open311 GeoReport v2 over HTTP (fixture: app_fixture.h), checked against the shapes of the specification's
// examples (https://wiki.open311.org/GeoReport_v2): field names and JSON types, arrays at the top, ISO 8601 times
// with an offset, the error array; POST needs an api_key; the filters of GET requests; no name or phone in any output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "app_fixture.h"
#include "http/message.h"

namespace ningju::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using json = nlohmann::json;

const std::regex kIsoWithOffset(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$)");

class Open311Test : public AppTest {
 protected:
  HttpResult PostRequest(std::vector<std::pair<std::string, std::string>> fields, const std::string& ext = "json") {
    return Client().PostForm("/open311/v2/requests." + ext, fields, /*with_csrf=*/false);
  }

  // Posts a public (or private) request as resident1 and returns its id.
  std::string Post(const std::string& code, const std::string& description, bool is_public) {
    auto [nb, building] = HomeArea();
    HttpResult r = PostRequest({{"api_key", Token("resident1")},
                                {"service_code", code},
                                {"address_id", std::to_string(building)},
                                {"description", description},
                                {"first_name", "小凤"},
                                {"last_name", "陆"},
                                {"phone", "13900002222"},
                                {"email", "lu@example.com"},
                                {"attribute[public]", is_public ? "true" : "false"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body)[0]["service_request_id"].get<std::string>();
  }

  static void ExpectError(const HttpResult& r, int code) {
    EXPECT_EQ(r.status, code) << r.body;
    json body = json::parse(r.body);
    ASSERT_TRUE(body.is_array()) << r.body;
    ASSERT_EQ(body.size(), 1u);
    EXPECT_EQ(body[0]["code"], code);
    EXPECT_TRUE(body[0]["description"].is_string());
  }
};

TEST_F(Open311Test, ServicesAreOurCategoriesInTheSpecShape) {
  HttpResult r = Client().Get("/open311/v2/services.json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.Header("content-type"), StartsWith("application/json"));
  json services = json::parse(r.body);
  ASSERT_TRUE(services.is_array());
  ASSERT_GE(services.size(), 10u);
  bool found = false;
  for (const auto& s : services) {
    ASSERT_TRUE(s["service_code"].is_string());
    ASSERT_TRUE(s["service_name"].is_string());
    ASSERT_TRUE(s["description"].is_string());
    ASSERT_TRUE(s["metadata"].is_boolean());
    EXPECT_EQ(s["type"], "realtime");
    ASSERT_TRUE(s["keywords"].is_string());
    ASSERT_TRUE(s["group"].is_string());
    if (s["service_code"] == "property_management") {
      found = true;
      EXPECT_EQ(s["service_name"], "物业管理");  // zh-CN by default
    }
  }
  EXPECT_TRUE(found);
  json en = json::parse(Client().Get("/open311/v2/services.json?lang=en").body);
  EXPECT_EQ(en[0]["service_name"], "Property management");
}

TEST_F(Open311Test, ServiceDefinitionListsTheOptionalAttributes) {
  HttpResult r = Client().Get("/open311/v2/services/sanitation.json");
  ASSERT_EQ(r.status, 200) << r.body;
  json def = json::parse(r.body);
  EXPECT_EQ(def["service_code"], "sanitation");
  ASSERT_TRUE(def["attributes"].is_array());
  std::vector<std::string> codes;
  for (const auto& a : def["attributes"]) {
    EXPECT_EQ(a["variable"], true);
    EXPECT_EQ(a["datatype"], "singlevaluelist");
    EXPECT_EQ(a["required"], false);
    EXPECT_TRUE(a.contains("datatype_description"));
    EXPECT_TRUE(a["order"].is_number_integer());
    EXPECT_TRUE(a["description"].is_string());
    ASSERT_TRUE(a["values"].is_array());
    for (const auto& v : a["values"]) {
      EXPECT_TRUE(v["key"].is_string());
      EXPECT_TRUE(v["name"].is_string());
    }
    codes.push_back(a["code"]);
  }
  EXPECT_THAT(codes, ::testing::ElementsAre("type", "urgency", "public"));
  ExpectError(Client().Get("/open311/v2/services/no_such_service.json"), 404);
  EXPECT_EQ(Client().Get("/open311/v2/services/sanitation.txt").status, 404);
}

TEST_F(Open311Test, PostNeedsAValidApiKey) {
  auto [nb, building] = HomeArea();
  std::vector<std::pair<std::string, std::string>> fields = {
      {"service_code", "sanitation"}, {"address_id", std::to_string(building)}, {"description", "垃圾桶满溢"}};
  ExpectError(PostRequest(fields), 403);
  fields.push_back({"api_key", "not-a-token"});
  ExpectError(PostRequest(fields), 403);
}

TEST_F(Open311Test, PostThenReadTheRequestAsTheSpecShowsIt) {
  auto [nb, building] = HomeArea();
  HttpResult posted = PostRequest({{"api_key", Token("resident1")},
                                   {"service_code", "public_facilities"},
                                   {"address_id", std::to_string(building)},
                                   {"lat", "31.2201"},
                                   {"long", "121.4245"},
                                   {"description", "小区门口的路灯坏了一个星期。\n晚上很黑。"},
                                   {"first_name", "小凤"},
                                   {"last_name", "陆"},
                                   {"phone", "13900002222"},
                                   {"email", "lu@example.com"},
                                   {"media_url", "https://example.com/lamp.jpg"},
                                   {"attribute[public]", "true"},
                                   {"attribute[urgency]", "urgent"}});
  ASSERT_EQ(posted.status, 201) << posted.body;
  json answer = json::parse(posted.body);
  ASSERT_TRUE(answer.is_array());
  ASSERT_EQ(answer.size(), 1u);
  ASSERT_TRUE(answer[0]["service_request_id"].is_string());
  ASSERT_TRUE(answer[0]["token"].is_string());
  EXPECT_TRUE(answer[0]["service_notice"].is_string());
  EXPECT_TRUE(answer[0]["account_id"].is_string());
  const std::string id = answer[0]["service_request_id"];
  const std::string token = answer[0]["token"];

  HttpResult got = Client().Get("/open311/v2/requests/" + id + ".json");  // anonymous: the case is public
  ASSERT_EQ(got.status, 200) << got.body;
  json list = json::parse(got.body);
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 1u);
  const json& req = list[0];
  for (const char* key : {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                          "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}) {
    EXPECT_TRUE(req.contains(key)) << key;
  }
  EXPECT_EQ(req["service_request_id"], id);
  EXPECT_EQ(req["status"], "open");
  EXPECT_EQ(req["service_code"], "public_facilities");
  EXPECT_EQ(req["description"], "小区门口的路灯坏了一个星期。\n晚上很黑。");
  EXPECT_EQ(req["media_url"], "https://example.com/lamp.jpg");
  EXPECT_TRUE(std::regex_match(req["requested_datetime"].get<std::string>(), kIsoWithOffset));
  EXPECT_TRUE(std::regex_match(req["updated_datetime"].get<std::string>(), kIsoWithOffset));
  EXPECT_TRUE(std::regex_match(req["expected_datetime"].get<std::string>(), kIsoWithOffset));
  EXPECT_NEAR(req["lat"].get<double>(), 31.2201, 1e-6);
  EXPECT_NEAR(req["long"].get<double>(), 121.4245, 1e-6);
  EXPECT_EQ(req["address_id"], std::to_string(building));
  EXPECT_TRUE(req["address"].is_string());
  EXPECT_EQ(req["extended_attributes"]["ningju_state"], "submitted");
  EXPECT_EQ(req["extended_attributes"]["urgency"], "urgent");
  EXPECT_EQ(req["status_notes"], "已提交");
  EXPECT_THAT(got.body, Not(HasSubstr("13900002222")));
  EXPECT_THAT(got.body, Not(HasSubstr("陆小凤")));
  EXPECT_THAT(got.body, Not(HasSubstr("lu@example.com")));
  // Even the reporter's own client gets no name or phone from Open311.
  HttpResult own = Client().Get("/open311/v2/requests/" + id + ".json?api_key=" + Token("resident1"));
  ASSERT_EQ(own.status, 200);
  EXPECT_THAT(own.body, Not(HasSubstr("13900002222")));
  // Staff see the contact through the JSON API.
  HttpResult staff = Client().Get("/api/v1/cases/" + id, {{"Authorization", "Bearer " + Token("nb-huayang")}});
  ASSERT_EQ(staff.status, 200) << staff.body;
  EXPECT_EQ(json::parse(staff.body)["contact_name"], "陆小凤");
  EXPECT_EQ(json::parse(staff.body)["channel"], "open311");

  HttpResult t = Client().Get("/open311/v2/tokens/" + token + ".json");
  ASSERT_EQ(t.status, 200) << t.body;
  json tok = json::parse(t.body);
  ASSERT_TRUE(tok.is_array());
  EXPECT_EQ(tok[0]["service_request_id"], id);
  EXPECT_EQ(tok[0]["token"], token);
  ExpectError(Client().Get("/open311/v2/tokens/" + id + "-0000000000000000.json"), 404);
}

TEST_F(Open311Test, PrivateRequestsStayHiddenFromAnonymousReaders) {
  const std::string id = Post("noise", "楼上每晚装修到十一点。", false);
  EXPECT_EQ(Client().Get("/open311/v2/requests/" + id + ".json").status, 401);
  json anon = json::parse(Client().Get("/open311/v2/requests.json?service_request_id=" + id).body);
  EXPECT_TRUE(anon.is_array());
  EXPECT_TRUE(anon.empty());
  json own = json::parse(
      Client().Get("/open311/v2/requests.json?service_request_id=" + id + "&api_key=" + Token("resident1")).body);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0]["service_request_id"], id);
  ExpectError(Client().Get("/open311/v2/requests/99999999.json"), 404);
}

TEST_F(Open311Test, RequestsFilters) {
  const std::string a = Post("greenery", "草坪被车压坏了。", true);
  const std::string b = Post("elderly_care", "独居老人需要助餐。", true);
  auto ids = [](const HttpResult& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    std::set<std::string> out;
    for (const auto& x : json::parse(r.body)) out.insert(x["service_request_id"].get<std::string>());
    return out;
  };
  // By id (comma list).
  EXPECT_EQ(ids(Client().Get("/open311/v2/requests.json?service_request_id=" + a + "," + b)),
            (std::set<std::string>{a, b}));
  // By service code.
  auto greenery = ids(Client().Get("/open311/v2/requests.json?service_code=greenery"));
  EXPECT_TRUE(greenery.count(a));
  EXPECT_FALSE(greenery.count(b));
  for (const auto& x : json::parse(Client().Get("/open311/v2/requests.json?service_code=greenery").body)) {
    EXPECT_EQ(x["service_code"], "greenery");
  }
  // By status: ours are open; reject b and it is closed, its detailed state in the extension.
  EXPECT_TRUE(ids(Client().Get("/open311/v2/requests.json?status=open")).count(a));
  HttpResult reject =
      Client().Send("POST", "/api/v1/cases/" + b + "/actions/reject", json({{"note", "不属于社区事务"}}).dump(),
                    {{"Authorization", "Bearer " + Token("nb-huayang")}, {"Content-Type", "application/json"}});
  ASSERT_EQ(reject.status, 200) << reject.body;
  json closed = json::parse(Client().Get("/open311/v2/requests.json?status=closed").body);
  bool seen = false;
  for (const auto& x : closed) {
    EXPECT_EQ(x["status"], "closed");
    if (x["service_request_id"] == b) {
      seen = true;
      EXPECT_EQ(x["extended_attributes"]["ningju_state"], "rejected");
    }
  }
  EXPECT_TRUE(seen);
  EXPECT_FALSE(ids(Client().Get("/open311/v2/requests.json?status=open")).count(b));
  // By date: a window in the future holds nothing; a window around now holds ours.
  EXPECT_TRUE(
      ids(Client().Get("/open311/v2/requests.json?start_date=2030-01-01T00:00:00Z&end_date=2030-01-02T00:00:00Z"))
          .empty());
  const std::string now = "2026-05-29T00:00:00+08:00";  // the fixture's clock is 2026-05-29T04:26:40+08:00
  EXPECT_TRUE(ids(Client().Get("/open311/v2/requests.json?start_date=" + http::PercentEncode(now))).count(a));
  // Refusals.
  ExpectError(Client().Get("/open311/v2/requests.json?status=pending"), 400);
  ExpectError(Client().Get("/open311/v2/requests.json?start_date=yesterday"), 400);
  ExpectError(Client().Get("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-05-01T00:00:00Z"),
              400);
  ExpectError(Client().Get("/open311/v2/requests.json?service_code=no_such"), 404);
  ExpectError(Client().Get("/open311/v2/requests.json?service_request_id=abc"), 400);
}

TEST_F(Open311Test, LocationByAddressStringAndRefusals) {
  auto [nb, building] = HomeArea();
  json area = json::parse(Client().Get("/api/v1/areas/" + std::to_string(building)).body);
  HttpResult r = PostRequest({{"api_key", Token("resident1")},
                              {"service_code", "sanitation"},
                              {"address_string", area["code"].get<std::string>()},
                              {"description", "垃圾房门坏了。"}});
  ASSERT_EQ(r.status, 201) << r.body;
  ExpectError(PostRequest({{"api_key", Token("resident1")},
                           {"service_code", "sanitation"},
                           {"lat", "31.2"},
                           {"long", "121.4"},
                           {"description", "垃圾房门坏了。"}}),
              400);
  ExpectError(PostRequest({{"api_key", Token("resident1")},
                           {"service_code", "no_such"},
                           {"address_id", std::to_string(building)},
                           {"description", "x"}}),
              404);
  ExpectError(
      PostRequest(
          {{"api_key", Token("resident1")}, {"service_code", "sanitation"}, {"address_id", std::to_string(building)}}),
      400);
  ExpectError(PostRequest({{"api_key", Token("resident1")},
                           {"service_code", "sanitation"},
                           {"address_id", std::to_string(building)},
                           {"description", "x"},
                           {"media_url", "javascript:alert(1)"}}),
              400);
}

TEST_F(Open311Test, XmlToo) {
  HttpResult r = Client().Get("/open311/v2/services.xml");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.Header("content-type"), StartsWith("text/xml"));
  EXPECT_THAT(r.body, StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?><services><service>"));
  EXPECT_THAT(r.body, HasSubstr("<service_code>sanitation</service_code>"));
  EXPECT_THAT(r.body, HasSubstr("<metadata>true</metadata>"));
  HttpResult def = Client().Get("/open311/v2/services/sanitation.xml");
  EXPECT_THAT(def.body, HasSubstr("<service_definition><attributes><attribute>"));
  EXPECT_THAT(def.body, HasSubstr("<values><value><key>"));
  EXPECT_THAT(def.body, HasSubstr("<service_code>sanitation</service_code></service_definition>"));
  HttpResult err = PostRequest({{"service_code", "sanitation"}}, "xml");
  EXPECT_EQ(err.status, 403);
  EXPECT_THAT(err.body, HasSubstr("<errors><error><code>403</code><description>"));
}

}  // namespace
}  // namespace ningju::testing
