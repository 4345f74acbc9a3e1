#include "common/status.h"

#include <memory>

#include "testing/status_matchers.h"

namespace ningju {
namespace {

using ::ningju::testing::StatusIs;

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd", "x");
  return x / 2;
}

Status Chain(int x, int* out) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(*out, Half(h));
  return OkStatus();
}

TEST(Status, CarriesCodeMessageAndField) {
  Status s = NotFoundError("no such area 17");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not_found: no such area 17");
  EXPECT_EQ(InvalidArgumentError("bad", "phone").ToString(), "invalid_argument: bad [phone]");
  EXPECT_EQ(s.WithContext("areas").message(), "areas: no such area 17");
}

TEST(StatusOr, ValueOrError) {
  EXPECT_EQ(*Half(8), 4);
  EXPECT_THAT(Half(3), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(Half(3).value_or(-1), -1);
}

TEST(StatusOr, MacrosPropagate) {
  int out = 0;
  EXPECT_OK(Chain(8, &out));
  EXPECT_EQ(out, 2);
  EXPECT_THAT(Chain(6, &out), StatusIs(StatusCode::kInvalidArgument));
}

TEST(StatusOr, HoldsMoveOnlyValues) {
  StatusOr<std::unique_ptr<int>> p = std::make_unique<int>(5);
  ASSERT_TRUE(p.ok());
  std::unique_ptr<int> q = std::move(p).value();
  EXPECT_EQ(*q, 5);
}

TEST(Msg, FormatsTheEnglishAndKeepsTemplateAndArguments) {
  Msg m("no case {} in {}", 17, std::string("长宁区"));
  EXPECT_EQ(m.text(), "no case 17 in 长宁区");
  EXPECT_EQ(m.tmpl(), "no case {} in {}");
  ASSERT_EQ(m.args().size(), 2u);
  EXPECT_EQ(m.args()[0].text, "17");
  EXPECT_EQ(m.args()[1].text, "长宁区");
  EXPECT_EQ(m.args()[0].kind, MsgArg::Kind::kValue);
}

TEST(Msg, APlainMessageIsItsOwnTemplate) {
  Msg m("sign in first");
  EXPECT_EQ(m.text(), "sign in first");
  EXPECT_EQ(m.tmpl(), "sign in first");
  EXPECT_TRUE(m.args().empty());
  Msg braces(std::string("a {} that is not a template"));
  EXPECT_EQ(braces.tmpl(), "a {} that is not a template");
}

TEST(Msg, MarksFieldNamesAndMessagesAmongTheArguments) {
  Msg m("{} is required ({})", FieldName{"title"}, Msg("a reason"));
  EXPECT_EQ(m.text(), "title is required (a reason)");
  EXPECT_EQ(m.args()[0].kind, MsgArg::Kind::kField);
  EXPECT_EQ(m.args()[1].kind, MsgArg::Kind::kMessage);
  // A message with arguments of its own goes in as text.
  EXPECT_EQ(Msg("{}", Msg("no case {}", 3)).args()[0].kind, MsgArg::Kind::kValue);
}

TEST(Msg, SubstitutesTheArgumentsIntoATranslationInOrder) {
  Msg m("{} is required ({})", FieldName{"title"}, 7);
  auto translate = [](const MsgArg& a) { return "<" + a.text + ">"; };
  EXPECT_EQ(Msg::Substitute("{}为必填项（{}）", m.args(), translate), "<title>为必填项（7）");
  EXPECT_EQ(Msg::Substitute("{{{}}} {} {}", m.args(), translate), "{<title>} 7 {}");
}

TEST(Status, KeepsTheMessageTemplateThroughContextAndCopies) {
  Status s = NotFoundError(Msg("no case {}", 17));
  EXPECT_EQ(s.message(), "no case 17");
  EXPECT_EQ(s.msg().tmpl(), "no case {}");
  Status c = s.WithContext("loading");
  EXPECT_EQ(c.message(), "loading: no case 17");
  EXPECT_EQ(c.msg().tmpl(), "no case {}");
  EXPECT_EQ(c.msg().args(), s.msg().args());
  Status plain = FailedPreconditionError("ballot closed").WithContext("voting");
  EXPECT_EQ(plain.message(), "voting: ballot closed");
  EXPECT_EQ(plain.msg().tmpl(), "ballot closed");
  Status recoded = InvalidArgumentError(s.msg(), "case");
  EXPECT_EQ(recoded.msg().tmpl(), "no case {}");
  EXPECT_EQ(recoded.field(), "case");
}

}  // namespace
}  // namespace ningju
