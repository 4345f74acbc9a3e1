#include "http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ningju::http {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using Kind = Router::Match::Kind;

// A handler that answers with its own name, so a test can tell which route matched.
Handler Named(std::string name) {
  return [name](Request&) { return Response::Text(200, name); };
}

std::string Call(const Router::Match& match) {
  Request request;
  return (*match.handler)(request).body;
}

TEST(Router, MatchesLiteralRoutes) {
  Router router;
  router.Add("GET", "/", Named("root"));
  router.Add("GET", "/areas", Named("areas"));
  router.Add("GET", "/api/v1/areas", Named("api areas"));

  Router::Match m = router.Find("GET", "/areas");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(Call(m), "areas");
  EXPECT_TRUE(m.params.empty());
  EXPECT_EQ(Call(router.Find("GET", "/")), "root");
  EXPECT_EQ(Call(router.Find("GET", "/api/v1/areas")), "api areas");
  EXPECT_EQ(router.Find("GET", "/api/v1").kind, Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/api/v1/areas/x").kind, Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/AREAS").kind, Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "").kind, Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "areas").kind, Kind::kNotFound);
}

TEST(Router, CapturesParameters) {
  Router router;
  router.Add("GET", "/api/v1/areas/{id}/children", Named("children"));
  router.Add("GET", "/cases/{case_id}/replies/{reply_id}", Named("reply"));

  Router::Match m = router.Find("GET", "/api/v1/areas/42/children");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(Call(m), "children");
  EXPECT_THAT(m.params, ElementsAre(Pair("id", "42")));

  m = router.Find("GET", "/cases/7/replies/9");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_THAT(m.params, ElementsAre(Pair("case_id", "7"), Pair("reply_id", "9")));

  // A parameter is one non-empty segment.
  EXPECT_EQ(router.Find("GET", "/api/v1/areas//children").kind, Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/api/v1/areas/4/2/children").kind, Kind::kNotFound);
}

TEST(Router, ParametersOfDifferentNamesAtTheSameDepth) {
  Router router;
  router.Add("GET", "/areas/{id}", Named("area"));
  router.Add("GET", "/areas/{slug}/map", Named("map"));
  Router::Match m = router.Find("GET", "/areas/3");
  EXPECT_THAT(m.params, ElementsAre(Pair("id", "3")));
  m = router.Find("GET", "/areas/huashan/map");
  EXPECT_THAT(m.params, ElementsAre(Pair("slug", "huashan")));
}

TEST(Router, LiteralBeatsParameter) {
  Router router;
  router.Add("GET", "/areas/{id}", Named("area"));
  router.Add("GET", "/areas/new", Named("new"));  // registered later, still wins
  router.Add("GET", "/areas/{id}/edit", Named("edit"));

  EXPECT_EQ(Call(router.Find("GET", "/areas/new")), "new");
  EXPECT_EQ(Call(router.Find("GET", "/areas/17")), "area");
  // The literal "new" leads nowhere for ".../edit": the parameter branch is tried next.
  Router::Match m = router.Find("GET", "/areas/new/edit");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(Call(m), "edit");
  EXPECT_THAT(m.params, ElementsAre(Pair("id", "new")));
}

TEST(Router, RestParameterTakesTheRemainder) {
  Router router;
  router.Add("GET", "/static/{path...}", Named("static"));
  router.Add("GET", "/static/special.css", Named("special"));

  Router::Match m = router.Find("GET", "/static/css/app.css");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(Call(m), "static");
  EXPECT_THAT(m.params, ElementsAre(Pair("path", "css/app.css")));
  EXPECT_THAT(router.Find("GET", "/static/app.css").params, ElementsAre(Pair("path", "app.css")));
  EXPECT_EQ(Call(router.Find("GET", "/static/special.css")), "special");
  EXPECT_EQ(router.Find("GET", "/static/").kind, Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/static").kind, Kind::kNotFound);
}

TEST(Router, TrailingSlashIsExact) {
  Router router;
  router.Add("GET", "/areas", Named("areas"));
  router.Add("GET", "/docs/", Named("docs"));
  EXPECT_EQ(router.Find("GET", "/areas").kind, Kind::kFound);
  EXPECT_EQ(router.Find("GET", "/areas/").kind, Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/docs/").kind, Kind::kFound);
  EXPECT_EQ(router.Find("GET", "/docs").kind, Kind::kNotFound);
}

TEST(Router, WrongMethodIs405WithAllow) {
  Router router;
  router.Add("POST", "/cases", Named("create"));
  router.Add("GET", "/cases", Named("list"));
  router.Add("DELETE", "/cases/{id}", Named("delete"));

  Router::Match m = router.Find("PUT", "/cases");
  EXPECT_EQ(m.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");

  m = router.Find("GET", "/cases/3");
  EXPECT_EQ(m.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "DELETE");
  EXPECT_EQ(router.Find("GET", "/nothing").kind, Kind::kNotFound);
}

TEST(Router, PathPicksTheRouteBeforeTheMethod) {
  Router router;
  router.Add("GET", "/areas/new", Named("new"));
  router.Add("DELETE", "/areas/{id}", Named("delete"));
  Router::Match m = router.Find("DELETE", "/areas/new");
  EXPECT_EQ(m.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD");
}

TEST(Router, HeadUsesGetUnlessRegistered) {
  Router router;
  router.Add("GET", "/areas", Named("get areas"));
  router.Add("GET", "/cases", Named("get cases"));
  router.Add("HEAD", "/cases", Named("head cases"));
  router.Add("POST", "/votes", Named("vote"));

  Router::Match m = router.Find("HEAD", "/areas");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(Call(m), "get areas");
  EXPECT_EQ(Call(router.Find("HEAD", "/cases")), "head cases");
  m = router.Find("HEAD", "/votes");
  EXPECT_EQ(m.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST");
}

TEST(Router, OptionsTravelWithTheMatch) {
  Router router;
  RouteOptions big;
  big.max_body_bytes = 10 << 20;
  router.Add("POST", "/uploads", Named("upload"), big);
  router.Add("POST", "/cases", Named("case"));
  EXPECT_EQ(router.Find("POST", "/uploads").options->max_body_bytes, 10u << 20);
  EXPECT_EQ(router.Find("POST", "/cases").options->max_body_bytes, RouteOptions{}.max_body_bytes);
}

TEST(Router, BlockingKeepsTheDefaults) {
  Router router(RouteOptions{.max_body_bytes = 777});
  router.Add("POST", "/cases", Named("case"), router.Blocking());
  router.Add("POST", "/other", Named("other"));
  const RouteOptions* blocking = router.Find("POST", "/cases").options;
  EXPECT_TRUE(blocking->blocking);
  EXPECT_EQ(blocking->max_body_bytes, 777u);
  EXPECT_FALSE(router.Find("POST", "/other").options->blocking);
}

TEST(Router, RoutesInRegistrationOrder) {
  Router router;
  router.Add("GET", "/b", Named("b"));
  router.Add("POST", "/a", Named("a"), RouteOptions{.max_body_bytes = 5});
  router.Add("GET", "/a/{id}", Named("a id"));
  std::vector<RouteInfo> routes = router.Routes();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].method, "GET");
  EXPECT_EQ(routes[0].pattern, "/b");
  EXPECT_EQ(routes[1].method, "POST");
  EXPECT_EQ(routes[1].pattern, "/a");
  EXPECT_EQ(routes[1].options.max_body_bytes, 5u);
  EXPECT_EQ(routes[2].pattern, "/a/{id}");
}

TEST(RouterDeathTest, RefusesDuplicatesAndMalformedPatterns) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Router router;
        router.Add("GET", "/a", Named("1"));
        router.Add("GET", "/a", Named("2"));
      },
      "already registered");
  EXPECT_DEATH({ Router().Add("GET", "a", Named("x")); }, "start with '/'");
  EXPECT_DEATH({ Router().Add("GET", "/a/{id", Named("x")); }, "whole segment");
  EXPECT_DEATH({ Router().Add("GET", "/a/x{id}", Named("x")); }, "whole segment");
  EXPECT_DEATH({ Router().Add("GET", "/a/{}", Named("x")); }, "whole segment");
  EXPECT_DEATH({ Router().Add("GET", "/a/{rest...}/b", Named("x")); }, "last segment");
  EXPECT_DEATH({ Router().Add("GET", "/a/{id}/{id}", Named("x")); }, "appears twice");
  EXPECT_DEATH({ Router().Add("get", "/a", Named("x")); }, "upper-case");
}

}  // namespace
}  // namespace ningju::http
