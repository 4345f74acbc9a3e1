#include "governance/areas/csv.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace ningju::areas {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Cells = std::vector<std::string>;

TEST(ColumnLetters, BijectiveBase26) {
  EXPECT_EQ(ColumnLetters(0), "A");
  EXPECT_EQ(ColumnLetters(25), "Z");
  EXPECT_EQ(ColumnLetters(26), "AA");
  EXPECT_EQ(ColumnLetters(51), "AZ");
  EXPECT_EQ(ColumnLetters(52), "BA");
  EXPECT_EQ(ColumnLetters(701), "ZZ");
  EXPECT_EQ(ColumnLetters(702), "AAA");
  EXPECT_EQ(ColumnLetters(16383), "XFD");
}

TEST(ParseCsv, QuotedFieldsHoldCommasQuotesAndNewlines) {
  ASSERT_OK_AND_ASSIGN(std::vector<SheetRow> rows,
                       ParseCsv("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",x,\"\"\r\nlast,row"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (SheetRow{1, Cells{"a", "b,c", "say \"hi\""}}));
  EXPECT_EQ(rows[1], (SheetRow{2, Cells{"two\nlines", "x"}}));  // the empty quoted field is trailing: dropped
  EXPECT_EQ(rows[2], (SheetRow{3, Cells{"last", "row"}}));
}

TEST(ParseCsv, RecordsAreNumberedByRecordNotLine) {
  ASSERT_OK_AND_ASSIGN(std::vector<SheetRow> rows, ParseCsv("h\n\"multi\nline\nvalue\"\nnext\n"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].number, 2);
  EXPECT_EQ(rows[2].number, 3);
}

TEST(ParseCsv, AcceptsBomAndEveryLineEnd) {
  ASSERT_OK_AND_ASSIGN(std::vector<SheetRow> rows, ParseCsv("\xEF\xBB\xBFh1,h2\r\na,b\nc,d\re,f"));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].cells, (Cells{"h1", "h2"}));
  EXPECT_EQ(rows[3], (SheetRow{4, Cells{"e", "f"}}));
}

TEST(ParseCsv, SkipsBlankRowsButCountsThem) {
  ASSERT_OK_AND_ASSIGN(std::vector<SheetRow> rows, ParseCsv("h\r\n\r\n,,,\r\nx,,\r\n\r\n"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1], (SheetRow{4, Cells{"x"}}));
}

TEST(ParseCsv, EmptyInputHasNoRows) {
  ASSERT_OK_AND_ASSIGN(std::vector<SheetRow> rows, ParseCsv(""));
  EXPECT_TRUE(rows.empty());
  ASSERT_OK_AND_ASSIGN(rows, ParseCsv("\xEF\xBB\xBF"));
  EXPECT_TRUE(rows.empty());
}

TEST(ParseCsv, QuoteInsideUnquotedFieldIsLiteral) {
  ASSERT_OK_AND_ASSIGN(std::vector<SheetRow> rows, ParseCsv("5\"号,x"));
  EXPECT_THAT(rows, ElementsAre(SheetRow{1, Cells{"5\"号", "x"}}));
}

TEST(ParseCsv, UnterminatedQuoteNamesTheRowWhereItStarts) {
  const auto rows = ParseCsv("h\nok\n\"open\nstill open\n");
  ASSERT_THAT(rows, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(rows.status().field(), "row 3, column A");
  EXPECT_THAT(rows.status().message(), HasSubstr("not closed"));
}

TEST(ParseCsv, TextAfterClosingQuoteIsAnError) {
  const auto rows = ParseCsv("a,\"b\"c,d");
  ASSERT_THAT(rows, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(rows.status().field(), "row 1, column B");
}

TEST(ParseCsv, InvalidUtf8NamesRowColumnAndByte) {
  // D6 D0 is 中 in GBK, the encoding of Excel's plain "CSV" in Chinese Windows: not UTF-8.
  const std::string text = "h1,h2\r\nok,ok\r\nfine,\xD6\xD0\r\n";
  const auto rows = ParseCsv(text);
  ASSERT_THAT(rows, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(rows.status().field(), "row 3, column B");
  EXPECT_THAT(rows.status().message(), HasSubstr("byte offset 19"));
}

TEST(ParseCsv, InvalidUtf8InsideQuotedField) {
  const auto rows = ParseCsv("\"a\nb\xFF\"");
  ASSERT_THAT(rows, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(rows.status().field(), "row 1, column A");
  EXPECT_THAT(rows.status().message(), HasSubstr("byte offset 4"));
}

TEST(ParseCsv, RowLimit) {
  SheetLimits limits;
  limits.max_rows = 3;
  EXPECT_OK(ParseCsv("a\nb\n\n\nc\n", limits));
  EXPECT_THAT(ParseCsv("a\nb\nc\nd\n", limits), StatusIs(StatusCode::kResourceExhausted));
}

TEST(ParseCsv, ColumnLimitCountsOnlyValues) {
  SheetLimits limits;
  limits.max_columns = 3;
  ASSERT_OK_AND_ASSIGN(std::vector<SheetRow> rows, ParseCsv("a,b,c,,,,,,,\n", limits));
  EXPECT_EQ(rows[0].cells, (Cells{"a", "b", "c"}));
  const auto wide = ParseCsv("a,b,c,d\n", limits);
  ASSERT_THAT(wide, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(wide.status().message(), HasSubstr("row 1, column D"));
}

TEST(AppendCsvRecord, QuotesOnlyWhatNeedsIt) {
  std::string out;
  AppendCsvRecord({"plain", "a,b", "say \"hi\"", "two\nlines", ""}, out);
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n");
}

TEST(AppendCsvRecord, RoundTripsThroughParseCsv) {
  const Cells fields = {"楼栋", "x,y", "\"", "\r\n", "end"};
  std::string out;
  AppendCsvRecord(fields, out);
  ASSERT_OK_AND_ASSIGN(std::vector<SheetRow> rows, ParseCsv(out));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].cells, fields);
}

}  // namespace
}  // namespace ningju::areas
