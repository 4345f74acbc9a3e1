#include "http/message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ningju::http {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;
using ::testing::Pair;

TEST(HeaderLess, IgnoresAsciiCase) {
  HeaderLess less;
  EXPECT_FALSE(less("Content-Type", "content-type"));
  EXPECT_FALSE(less("content-type", "CONTENT-TYPE"));
  EXPECT_TRUE(less("Accept", "content-type"));
  EXPECT_TRUE(less("a", "ab"));
}

TEST(Request, HeaderIsCaseInsensitiveAndEmptyWhenMissing) {
  Request r;
  r.headers.emplace("Content-Type", "text/html");
  r.headers.emplace("X-Two", "first");
  r.headers.emplace("x-two", "second");
  EXPECT_EQ(r.Header("content-type"), "text/html");
  EXPECT_EQ(r.Header("CONTENT-TYPE"), "text/html");
  EXPECT_EQ(r.Header("X-TWO"), "first");
  EXPECT_EQ(r.Header("Accept"), "");
}

TEST(Request, CookieFindsByNameAcrossHeaders) {
  Request r;
  r.headers.emplace("Cookie", "a=1; session=abc ;theme=\"dark\"");
  r.headers.emplace("cookie", "late=2");
  EXPECT_THAT(r.Cookie("a"), Optional(std::string("1")));
  EXPECT_THAT(r.Cookie("session"), Optional(std::string("abc")));
  EXPECT_THAT(r.Cookie("theme"), Optional(std::string("dark")));
  EXPECT_THAT(r.Cookie("late"), Optional(std::string("2")));
  EXPECT_EQ(r.Cookie("sess"), std::nullopt);
  EXPECT_EQ(r.Cookie("missing"), std::nullopt);
}

TEST(Request, CookieWithoutHeaderOrMalformedPairs) {
  Request r;
  EXPECT_EQ(r.Cookie("a"), std::nullopt);
  r.headers.emplace("Cookie", "garbage; ; =x; a=");
  EXPECT_THAT(r.Cookie("a"), Optional(std::string("")));
  EXPECT_EQ(r.Cookie("garbage"), std::nullopt);
}

TEST(Request, QueryReturnsFirstValue) {
  Request r;
  r.query.emplace("kind", "subdistrict");
  r.query.emplace("kind", "building");
  EXPECT_THAT(r.Query("kind"), Optional(std::string("subdistrict")));
  EXPECT_EQ(r.Query("page"), std::nullopt);
}

TEST(Response, HelpersSetContentType) {
  Response text = Response::Text(404, "nope");
  EXPECT_EQ(text.status, 404);
  EXPECT_EQ(text.body, "nope");
  EXPECT_EQ(text.headers.find("content-type")->second, "text/plain; charset=utf-8");
  EXPECT_EQ(Response::Html(200, "<p>").headers.find("Content-Type")->second, "text/html; charset=utf-8");
  EXPECT_EQ(Response::Json(201, "{}").headers.find("Content-Type")->second, "application/json; charset=utf-8");
  Response redirect = Response::Redirect("/areas/3");
  EXPECT_EQ(redirect.status, 303);
  EXPECT_EQ(redirect.headers.find("Location")->second, "/areas/3");
  EXPECT_EQ(Response::Redirect("/", 302).status, 302);
}

TEST(Response, SetHeaderReplacesAllOfThatName) {
  Response r;
  r.headers.emplace("X-A", "1");
  r.headers.emplace("x-a", "2");
  r.SetHeader("X-a", "3");
  EXPECT_EQ(r.headers.count("X-A"), 1u);
  EXPECT_EQ(r.headers.find("x-A")->second, "3");
}

TEST(Response, SetCookieWritesAttributes) {
  Response r;
  r.SetCookie("session", "abc123", CookieOptions{});
  CookieOptions options;
  options.path = "/admin";
  options.max_age_seconds = 3600;
  options.http_only = false;
  options.secure = true;
  options.same_site = "Strict";
  r.SetCookie("pref", "zh", options);
  options.max_age_seconds = 0;
  r.SetCookie("old", "", options);
  std::vector<std::string> values;
  auto [first, last] = r.headers.equal_range(std::string_view("Set-Cookie"));
  for (auto it = first; it != last; ++it) values.push_back(it->second);
  EXPECT_THAT(values, ElementsAre("session=abc123; Path=/; HttpOnly; SameSite=Lax",
                                  "pref=zh; Path=/admin; Max-Age=3600; Secure; SameSite=Strict",
                                  "old=; Path=/admin; Max-Age=0; Secure; SameSite=Strict"));
}

TEST(ReasonPhrase, KnownAndUnknown) {
  EXPECT_EQ(ReasonPhrase(200), "OK");
  EXPECT_EQ(ReasonPhrase(404), "Not Found");
  EXPECT_EQ(ReasonPhrase(405), "Method Not Allowed");
  EXPECT_EQ(ReasonPhrase(413), "Content Too Large");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(799), "Unknown");
}

TEST(PercentDecode, DecodesEscapes) {
  EXPECT_THAT(PercentDecode("/areas/%E5%87%9D%E8%81%9A", false), Optional(std::string("/areas/凝聚")));
  EXPECT_THAT(PercentDecode("a%2fb%2Fc", false), Optional(std::string("a/b/c")));
  EXPECT_THAT(PercentDecode("", false), Optional(std::string("")));
  EXPECT_THAT(PercentDecode("%00", false), Optional(std::string("\0", 1)));
}

TEST(PercentDecode, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_THAT(PercentDecode("a+b", true), Optional(std::string("a b")));
  EXPECT_THAT(PercentDecode("a+b", false), Optional(std::string("a+b")));
  EXPECT_THAT(PercentDecode("a%2Bb", true), Optional(std::string("a+b")));
}

TEST(PercentDecode, MalformedEscapesFail) {
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("abc%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%4", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%zz", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%4g", false), std::nullopt);
  EXPECT_EQ(PercentDecode("100%!", true), std::nullopt);
}

TEST(PercentEncode, KeepsOnlyUnreserved) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
  EXPECT_EQ(PercentEncode("凝"), "%E5%87%9D");
  EXPECT_EQ(PercentEncode(std::string("\0\xff", 2)), "%00%FF");
}

TEST(PercentEncode, RoundTrips) {
  const std::string original = "社区 100% ok/&=+?#";
  EXPECT_THAT(PercentDecode(PercentEncode(original), false), Optional(original));
  EXPECT_THAT(PercentDecode(PercentEncode(original), true), Optional(original));
}

TEST(ParseUrlEncoded, ParsesPairs) {
  auto parsed = ParseUrlEncoded("kind=subdistrict&q=%E9%95%BF%E5%AE%81+%E5%8C%BA&flag&empty=&kind=building");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_THAT(*parsed, ElementsAre(Pair("empty", ""), Pair("flag", ""), Pair("kind", "subdistrict"),
                                   Pair("kind", "building"), Pair("q", "长宁 区")));
}

TEST(ParseUrlEncoded, EmptyAndDegenerateInputs) {
  EXPECT_THAT(ParseUrlEncoded(""), Optional(std::multimap<std::string, std::string>{}));
  EXPECT_THAT(ParseUrlEncoded("&&"), Optional(std::multimap<std::string, std::string>{}));
  auto parsed = ParseUrlEncoded("a=1&&b=2&=3&c=x=y");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_THAT(*parsed, ElementsAre(Pair("", "3"), Pair("a", "1"), Pair("b", "2"), Pair("c", "x=y")));
}

TEST(ParseUrlEncoded, MalformedIsNullopt) {
  EXPECT_EQ(ParseUrlEncoded("a=%"), std::nullopt);
  EXPECT_EQ(ParseUrlEncoded("a=%2"), std::nullopt);
  EXPECT_EQ(ParseUrlEncoded("a=%GG&b=1"), std::nullopt);
  EXPECT_EQ(ParseUrlEncoded("%zz=1"), std::nullopt);
  EXPECT_EQ(ParseUrlEncoded("q=100%"), std::nullopt);
}

TEST(ParseUrlEncoded, InvalidUtf8IsNullopt) {
  EXPECT_EQ(ParseUrlEncoded("a=%FF"), std::nullopt);
  EXPECT_EQ(ParseUrlEncoded("%C0%AF=1"), std::nullopt);     // overlong '/'
  EXPECT_EQ(ParseUrlEncoded("a=%ED%A0%80"), std::nullopt);  // a UTF-16 surrogate
}

TEST(Response, FileOffersItsNameSafely) {
  Response r = Response::File("image/png", "楼道\"照片\".png", "bytes", true);
  EXPECT_EQ(r.status, 200);
  auto disposition = r.headers.find("Content-Disposition");
  ASSERT_NE(disposition, r.headers.end());
  EXPECT_EQ(disposition->second,
            "inline; filename=\"______________.png\"; filename*=UTF-8''%E6%A5%BC%E9%81%93%22%E7%85%A7%E7%89%87%22.png");
  EXPECT_EQ(r.headers.find("Content-Type")->second, "image/png");
  EXPECT_EQ(Response::File("application/pdf", "a.pdf", "", false).headers.find("Content-Disposition")->second,
            "attachment; filename=\"a.pdf\"; filename*=UTF-8''a.pdf");
}

}  // namespace
}  // namespace ningju::http
