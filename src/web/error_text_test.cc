// I18n::ErrorText and FieldText: a Status's message in the visitor's language, from the real translation table.
#include <cstdlib>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "common/status.h"
#include "web/i18n.h"

namespace ningju::web {
namespace {

class ErrorTextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* env = std::getenv("NINGJU_SOURCE_DIR");
    auto loaded = I18n::Load(std::string(env != nullptr ? env : NINGJU_SOURCE_DIR_FALLBACK) + "/templates/i18n");
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    i18n_ = std::move(loaded).value().release();
  }
  static void TearDownTestSuite() { delete i18n_; }
  static inline I18n* i18n_ = nullptr;
};

TEST_F(ErrorTextTest, TranslatesTheTemplateAndPutsTheArgumentsIn) {
  Status s = NotFoundError(Msg("no case {}", 17));
  EXPECT_EQ(s.message(), "no case 17");
  EXPECT_EQ(i18n_->ErrorText("zh-CN", s), "诉求 17 不存在");
  EXPECT_EQ(i18n_->ErrorText("en", s), "no case 17");
}

TEST_F(ErrorTextTest, TranslatesAPlainMessage) {
  Status s = UnauthenticatedError("sign in first");
  EXPECT_EQ(i18n_->ErrorText("zh-CN", s), "请先登录");
  EXPECT_EQ(i18n_->ErrorText("en", s), "sign in first");
}

TEST_F(ErrorTextTest, KeepsTheOrderOfSeveralArguments) {
  Status s = InvalidArgumentError(Msg("row {} has {} cells for {} columns", 4, 7, 6));
  EXPECT_EQ(i18n_->ErrorText("zh-CN", s), "第 4 行有 7 个单元格，但共有 6 列");
}

TEST_F(ErrorTextTest, TranslatesFieldNameArgumentsAndFields) {
  Status s = InvalidArgumentError(Msg("{} must not be empty", FieldName{"title"}), "title");
  EXPECT_EQ(s.message(), "title must not be empty");
  EXPECT_EQ(i18n_->ErrorText("zh-CN", s), "标题不能为空");
  EXPECT_EQ(i18n_->ErrorText("en", s), "title must not be empty");
  EXPECT_EQ(i18n_->FieldText("zh-CN", "contact_phone"), "联系电话");
  EXPECT_EQ(i18n_->FieldText("en", "contact_phone"), "contact_phone");
}

// An error shown in a form names its field in the page's parentheses (Site::ErrorTextWithField): full-width in
// zh-CN, with no ASCII "(", ")", ":" or "," left.
TEST_F(ErrorTextTest, NamesTheFieldInTheLanguagesParentheses) {
  Status s = InvalidArgumentError(Msg("{} must not be empty", FieldName{"title"}), "title");
  const std::string zh =
      i18n_->Punct("zh-CN").Parenthesized(i18n_->ErrorText("zh-CN", s), i18n_->FieldText("zh-CN", s.field()));
  EXPECT_EQ(zh, "标题不能为空（标题）");
  for (char ascii : {'(', ')', ':', ','}) EXPECT_EQ(zh.find(ascii), std::string::npos) << ascii;
  const std::string en = i18n_->Punct("en").Parenthesized(i18n_->ErrorText("en", s), i18n_->FieldText("en", s.field()));
  EXPECT_EQ(en, "title must not be empty (title)");
  const std::string built =
      i18n_->Punct("zh-CN").Parenthesized("表格有误", i18n_->FieldText("zh-CN", "row 7, column C"));
  EXPECT_EQ(built, "表格有误（第 7 行第 C 列）");
}

TEST_F(ErrorTextTest, MatchesBuiltFieldsAgainstPatterns) {
  EXPECT_EQ(i18n_->FieldText("zh-CN", "row 7, column C"), "第 7 行第 C 列");
  EXPECT_EQ(i18n_->FieldText("zh-CN", "row 12, column AB"), "第 12 行第 AB 列");
  EXPECT_EQ(i18n_->FieldText("zh-CN", "row 7"), "row 7");
  EXPECT_EQ(i18n_->FieldText("zh-CN", "no_such_field"), "no_such_field");
  EXPECT_EQ(i18n_->FieldText("zh-CN", ""), "");
}

TEST_F(ErrorTextTest, TranslatesAMessageGivenAsAnArgument) {
  Status s = FailedPreconditionError(Msg("{} (the meeting is {})", Msg("only a draft can be noticed"), "held"));
  EXPECT_EQ(s.message(), "only a draft can be noticed (the meeting is held)");
  EXPECT_EQ(i18n_->ErrorText("zh-CN", s), "只有草稿状态的会议可以发出通知（会议当前状态：held）");
}

TEST_F(ErrorTextTest, FallsBackToTheEnglishWithoutATranslation) {
  Status s = NotFoundError(Msg("a message nobody translated {}", 3));
  EXPECT_EQ(i18n_->ErrorText("zh-CN", s), "a message nobody translated 3");
  EXPECT_EQ(i18n_->ErrorText("zh-CN", FailedPreconditionError("plain and untranslated")), "plain and untranslated");
}

TEST_F(ErrorTextTest, LeavesTheContextToTheLogs) {
  Status s = NotFoundError(Msg("no case {}", 17)).WithContext("loading the inbox");
  EXPECT_EQ(s.message(), "loading the inbox: no case 17");
  EXPECT_EQ(i18n_->ErrorText("zh-CN", s), "诉求 17 不存在");
  EXPECT_EQ(i18n_->ErrorText("en", s), "no case 17");
}

TEST_F(ErrorTextTest, InternalErrorsReadAsAGeneralSentence) {
  Status s = InternalError("sqlite: disk I/O error");
  EXPECT_EQ(i18n_->ErrorText("zh-CN", s), i18n_->Get("zh-CN", "error_internal"));
  EXPECT_EQ(i18n_->ErrorText("en", s), i18n_->Get("en", "error_internal"));
  EXPECT_EQ(i18n_->ErrorText("zh-CN", s).find("sqlite"), std::string::npos);
  EXPECT_EQ(i18n_->ErrorText("zh-CN", UnavailableError("connection refused")),
            i18n_->Get("zh-CN", "error_unavailable"));
  EXPECT_NE(i18n_->Get("zh-CN", "error_unavailable"), "error_unavailable");
}

}  // namespace
}  // namespace ningju::web
