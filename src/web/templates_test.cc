#include "web/templates.h"

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "testing/source_path.h"
#include "testing/status_matchers.h"
#include "web/i18n.h"

namespace ningju::web {
namespace {

using ::ningju::testing::SourceDir;

TEST(Templates, EveryValueIsEscaped) {
  ASSERT_OK_AND_ASSIGN(auto templates, Templates::Load(SourceDir() + "/templates"));
  ASSERT_OK_AND_ASSIGN(std::string html, templates->Render("error", {{"code", 400},
                                                                     {"message", "<script>alert('x')</script> & \"q\""},
                                                                     {"t", {{"error_title", "错误"}}}}));
  EXPECT_THAT(html, ::testing::HasSubstr("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;q&quot;"));
  EXPECT_THAT(html, ::testing::Not(::testing::HasSubstr("<script>")));
}

TEST(Templates, UnescapedTagsOnlyForTrustedHtmlNames) {
  ASSERT_OK_AND_ASSIGN(auto templates, Templates::Load(SourceDir() + "/templates"));
  ASSERT_FALSE(templates->sources().empty());
  for (const auto& [name, source] : templates->sources()) {
    for (const std::string& tag : UnescapedNames(source)) {
      EXPECT_EQ(tag.rfind("html_", 0), 0u) << name << " renders {{{" << tag << "}}} unescaped";
    }
  }
  EXPECT_EQ(UnescapedNames("{{{html_a}}} {{& b}} {{c}}"), (std::vector<std::string>{"html_a", "b"}));
}

// zh-CN punctuates with full-width ：（），； and English with ": ", " (", ", ", "; ": after a value (or the end of an
// inline element holding one) and before one, a template writes the catalog's {{t.colon}}, {{t.lparen}},
// {{t.rparen}}, {{t.comma}}, {{t.semicolon}}, never the characters of one language. Text built in C++ takes the same
// entries through I18n::Punct.
TEST(Templates, PunctuationAfterAValueComesFromTheCatalog) {
  ASSERT_OK_AND_ASSIGN(auto templates, Templates::Load(SourceDir() + "/templates"));
  const std::regex one_language(
      R"((\{\{[a-z_][a-z0-9_.]*\}\}|</strong>|</a>|</code>)(: |：| \(|（|, |，|; |；)|( \(|（|: |：)\{\{(?!t\.))");
  for (const auto& [name, source] : templates->sources()) {
    std::smatch m;
    EXPECT_FALSE(std::regex_search(source, m, one_language)) << name << ": " << m.str(0);
  }
  EXPECT_TRUE(std::regex_search(std::string("<strong>#{{id}}</strong>：{{title}}"), one_language));
  EXPECT_TRUE(std::regex_search(std::string("<a>{{name}}</a> ({{size}} B)"), one_language));
  EXPECT_FALSE(std::regex_search(std::string("{{name}}{{t.lparen}}{{size}} B{{t.rparen}}"), one_language));
  ASSERT_OK_AND_ASSIGN(auto i18n, I18n::Load(SourceDir() + "/templates/i18n"));
  EXPECT_EQ(i18n->Get("zh-CN", "colon"), "：");
  EXPECT_EQ(i18n->Get("en", "colon"), ": ");
  EXPECT_EQ(i18n->Get("zh-CN", "lparen"), "（");
  for (const char* locale : {"zh-CN", "en"}) {
    const Punctuation p = i18n->Punct(locale);
    EXPECT_EQ(p.colon, i18n->Get(locale, "colon")) << locale;
    EXPECT_EQ(p.lparen, i18n->Get(locale, "lparen")) << locale;
    EXPECT_EQ(p.rparen, i18n->Get(locale, "rparen")) << locale;
    EXPECT_EQ(p.comma, i18n->Get(locale, "comma")) << locale;
    EXPECT_EQ(p.semicolon, i18n->Get(locale, "semicolon")) << locale;
  }
  const Punctuation zh = i18n->Punct("zh-CN");
  EXPECT_EQ(zh.Parenthesized("85.0%", "17/20"), "85.0%（17/20）");
  EXPECT_EQ(zh.Labeled("四项条件", "参与"), "四项条件：参与");
  const Punctuation en = i18n->Punct("en");
  EXPECT_EQ(en.Parenthesized("85.0%", "17/20"), "85.0% (17/20)");
  EXPECT_EQ(en.Labeled("Four conditions", "participation"), "Four conditions: participation");
}

TEST(Templates, UnknownTemplateIsNotFound) {
  ASSERT_OK_AND_ASSIGN(auto templates, Templates::Load(SourceDir() + "/templates"));
  EXPECT_THAT(templates->Render("no/such", {}), ::ningju::testing::StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(Templates::Load("/no/such/dir"), ::ningju::testing::StatusIs(StatusCode::kNotFound));
}

// A page's {{#error}} is its own value: the top-level template named "error" does not answer it (every form page
// showed an empty alert), while templates in folders stay includable as partials.
TEST(Templates, ATemplateNameNeverStandsInForAPagesValue) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("ningju-templates-" + std::to_string(getpid()));
  fs::create_directories(dir / "areas");
  auto write = [&](const std::string& name, const std::string& body) { std::ofstream(dir / name) << body; };
  write("error.mustache", "E");
  write("page.mustache", "[{{#error}}alert {{error}}{{/error}}]");
  write("areas/card.mustache", "card {{name}}");
  write("areas/page.mustache", "<{{> areas/card}}>");
  ASSERT_OK_AND_ASSIGN(auto templates, Templates::Load(dir.string()));
  EXPECT_EQ(*templates->Render("page", nlohmann::json::object()), "[]");
  EXPECT_EQ(*templates->Render("page", {{"error", "bad"}}), "[alert bad]");
  EXPECT_EQ(*templates->Render("areas/page", {{"name", "x"}}), "<card x>");
  fs::remove_all(dir);
}

TEST(I18n, MergesModuleCatalogsAndRefusesAKeyDefinedTwice) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("ningju-i18n-" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& body) { std::ofstream(dir / name) << body; };
  write("zh-CN.json", R"({"a": "甲"})");
  write("en.json", R"({"a": "A"})");
  write("cases.zh-CN.json", R"({"b": "乙"})");
  write("cases.en.json", R"({"b": "B"})");
  // The error translations are a table of their own, required for every locale but English.
  EXPECT_THAT(I18n::Load(dir.string()), ::ningju::testing::StatusIs(StatusCode::kNotFound));
  fs::create_directories(dir / "errors");
  write("errors/zh-CN.json", R"({"messages": {"no case {}": "诉求 {} 不存在"}, "fields": {}})");
  ASSERT_OK_AND_ASSIGN(auto i18n, I18n::Load(dir.string()));
  EXPECT_EQ(i18n->ErrorText("zh-CN", NotFoundError(Msg("no case {}", 5))), "诉求 5 不存在");
  EXPECT_EQ(i18n->Get("zh-CN", "b"), "乙");
  EXPECT_EQ(i18n->Get("en", "a"), "A");
  write("ballots.en.json", R"({"a": "again"})");
  auto twice = I18n::Load(dir.string());
  EXPECT_THAT(twice, ::ningju::testing::StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(twice.status().message(), ::testing::HasSubstr("ballots.en.json"));
  fs::remove_all(dir);
}

TEST(I18n, BothLanguagesHaveEveryKey) {
  ASSERT_OK_AND_ASSIGN(auto i18n, I18n::Load(SourceDir() + "/templates/i18n"));
  const auto& zh = i18n->Messages("zh-CN");
  const auto& en = i18n->Messages("en");
  for (const auto& [key, value] : zh.items()) EXPECT_TRUE(en.contains(key)) << "en lacks " << key;
  for (const auto& [key, value] : en.items()) EXPECT_TRUE(zh.contains(key)) << "zh-CN lacks " << key;
  EXPECT_EQ(i18n->Get("zh-CN", "sign_in"), "登录");
  EXPECT_EQ(i18n->Get("en", "sign_in"), "Sign in");
}

TEST(I18n, EveryKeyATemplateUsesExists) {
  ASSERT_OK_AND_ASSIGN(auto templates, Templates::Load(SourceDir() + "/templates"));
  ASSERT_OK_AND_ASSIGN(auto i18n, I18n::Load(SourceDir() + "/templates/i18n"));
  const auto& zh = i18n->Messages("zh-CN");
  for (const auto& [name, source] : templates->sources()) {
    for (size_t pos = source.find("{{t."); pos != std::string::npos; pos = source.find("{{t.", pos + 1)) {
      std::string key = source.substr(pos + 4, source.find("}}", pos) - pos - 4);
      EXPECT_TRUE(zh.contains(key)) << name << " uses t." << key;
    }
  }
}

TEST(I18n, NegotiatesTheLanguage) {
  ASSERT_OK_AND_ASSIGN(auto i18n, I18n::Load(SourceDir() + "/templates/i18n"));
  EXPECT_EQ(i18n->Negotiate("", ""), "zh-CN");
  EXPECT_EQ(i18n->Negotiate("", "en-US,en;q=0.9"), "en");
  EXPECT_EQ(i18n->Negotiate("", "fr-FR,en;q=0.5,zh-TW;q=0.8"), "zh-CN");
  EXPECT_EQ(i18n->Negotiate("en", "zh-CN"), "en");
  EXPECT_EQ(i18n->Negotiate("klingon", "en"), "en");
}

}  // namespace
}  // namespace ningju::web
