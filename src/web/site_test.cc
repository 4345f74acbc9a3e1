// The redirect and JSON-body rules every route shares (Site's static helpers; the routes are tested over HTTP in
// tests/integration).
#include "web/site.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "web/public_error.h"

namespace ningju::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SafeLocalPath, KeepsPathsOnThisSite) {
  for (const char* ok : {"/", "/account", "/cases/12?done=me_too#timeline", "/search?q=%E6%A5%BC%E9%81%93",
                         "/areas/3/roster", "/a/b%20c", "/@user"}) {
    EXPECT_EQ(SafeLocalPath(ok), ok) << ok;
  }
}

TEST(SafeLocalPath, RefusesEveryOffSiteForm) {
  for (const std::string& bad : std::vector<std::string>{
           "",
           "evil.example",
           "https://evil.example/",
           "//evil.example",
           "/\\evil.example",
           "\\\\evil.example",
           "/a\\b",
           "/\r/evil.example",  // a browser drops the CR and reads "//evil.example"
           "/\n/evil.example",
           "/\t/evil.example",
           std::string("/\0/evil", 7),
           "/\x7F/evil",
           "/%0d/evil.example",  // decoded once
           "/%0D%0ALocation:%20x",
           "/%2F/evil.example",
           "/%2f%2fevil.example",
           "/%5Cevil.example",
           "/%252F/evil.example",  // decoded twice
           "/%25252F%25252Fevil",  // three times
           "/%zz",                 // a malformed escape
           "/\xEF\xBC\x8F\xEF\xBC\x8F"
           "evil.example",  // fullwidth solidi: non-ASCII
           "/caf\xC3\xA9",
           std::string(2001, '/').replace(0, 2, "/a"),
       }) {
    EXPECT_EQ(SafeLocalPath(bad), "/") << ::testing::PrintToString(bad);
  }
}

http::Request JsonRequest(std::string body) {
  http::Request req;
  req.method = "POST";
  req.headers.emplace("Content-Type", "application/json");
  req.body = std::move(body);
  return req;
}

TEST(JsonBody, NumbersOutOfRangeAre400NotAnException) {
  for (const char* body :
       {R"({"n": 1e999})", R"({"n": -1e999})", R"({"n": [1, {"m": 1E400}]})", R"({"n": 9223372036854775808})",
        R"({"n": 18446744073709551615})", R"({"n": [[{"deep": 10000000000000000000}]]})"}) {
    const StatusOr<nlohmann::json> parsed = Site::JsonBody(JsonRequest(body), {"n"});  // no exception
    EXPECT_THAT(parsed, testing::StatusIs(StatusCode::kInvalidArgument)) << body;
    EXPECT_EQ(parsed.status().message(), "a number in the JSON body is out of range") << body;
    EXPECT_EQ(parsed.status().field(), "body");
  }
  // The largest int64 and the smallest are fine; a huge integer that nlohmann keeps as a double is left to the
  // route, which asks for an integer and refuses it.
  EXPECT_OK(Site::JsonBody(JsonRequest(R"({"n": 9223372036854775807})"), {"n"}));
  EXPECT_OK(Site::JsonBody(JsonRequest(R"({"n": -9223372036854775808})"), {"n"}));
  auto big = Site::JsonBody(JsonRequest(R"({"n": 123456789012345678901234567890})"), {"n"});
  ASSERT_OK(big);
  EXPECT_FALSE((*big)["n"].is_number_integer());
}

TEST(JsonBody, MalformedJsonNamesTheByteButNotTheLibrary) {
  auto parsed = Site::JsonBody(JsonRequest(R"({"n": )"), {"n"});
  EXPECT_THAT(parsed, testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(parsed.status().message(), HasSubstr("malformed JSON at byte"));
  EXPECT_THAT(parsed.status().message(), Not(HasSubstr("json.exception")));
}

TEST(JsonError, InternalErrorsReadAsTheGeneralSentenceWithTheRequestId) {
  http::Response r =
      Site::JsonError(InternalError("sqlite: no such table: cases [in: SELECT * FROM cases]", "sql"), "ab12-0001");
  EXPECT_EQ(r.status, 500);
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], "internal");
  EXPECT_EQ(body["error"]["message"], PublicMessage(InternalError("x")));
  EXPECT_TRUE(body["error"]["field"].is_null());
  EXPECT_EQ(body["error"]["request_id"], "ab12-0001");
  EXPECT_THAT(r.body, Not(HasSubstr("sqlite")));
  EXPECT_THAT(r.body, Not(HasSubstr("SELECT")));
  EXPECT_THAT(r.log_note, HasSubstr("no such table: cases"));

  for (const Status& s : {UnavailableError("postgres: could not connect to server: /run/postgresql/.s.PGSQL"),
                          AbortedError("postgres: could not serialize access due to concurrent update"),
                          Status(StatusCode::kDeadlineExceeded, "postgres: canceling statement")}) {
    http::Response other = Site::JsonError(s, "id");
    EXPECT_THAT(other.body, Not(HasSubstr("postgres"))) << s.ToString();
    EXPECT_THAT(other.log_note, HasSubstr("postgres")) << s.ToString();
  }
  // The services' own messages are for the client, and no log note is needed.
  http::Response own = Site::JsonError(NotFoundError("no area 7"), "id");
  EXPECT_EQ(nlohmann::json::parse(own.body)["error"]["message"], "no area 7");
  EXPECT_EQ(own.log_note, "");
}

}  // namespace
}  // namespace ningju::web
