#include "governance/areas/xlsx.h"

#include <sys/resource.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/source_path.h"
#include "testing/status_matchers.h"

namespace ningju::areas {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::HasSubstr;

using Cells = std::vector<std::string>;

// tests/roster/<name> of the source tree.
std::string ReadFixture(const std::string& name) {
  std::filesystem::path path = ::ningju::testing::SourcePath("tests/roster/" + name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "fixture " << name << " not found: set NINGJU_SOURCE_DIR to the source tree";
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(ReadXlsx, HandmadeWorkbookFromAnotherProducer) {
  // See tests/roster/make_handmade_xlsx.py for what each cell exercises.
  ASSERT_OK_AND_ASSIGN(std::vector<SheetRow> rows, ReadXlsxFirstWorksheet(ReadFixture("handmade.xlsx")));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0],
            (SheetRow{1, Cells{"楼栋", "门洞", "室号", "楼层", "建筑面积", "业主姓名", " 业主电话 ", "开发商未售"}}));
  EXPECT_EQ(rows[1], (SheetRow{2, Cells{"1号楼", "1", "0101", "1", "89.51", "张伟", "13812345678", "0"}}));
  // A3 filled from the merged A2:A3; B..E placed without references; the formula's cached value.
  EXPECT_EQ(rows[2], (SheetRow{3, Cells{"1号楼", "1", "102", "1", "66.5", "", "", "1"}}));
  EXPECT_EQ(rows[3], (SheetRow{5, Cells{"2号楼", "A_x0042_&C", "201", "", "120", "李娜"}}));
}

TEST(ReadXlsx, SheetPartLimitIsAZipBombGuard) {
  SheetLimits limits;
  limits.max_sheet_bytes = 1000;  // the fixture's worksheet inflates to about 1.5 kB
  const auto rows = ReadXlsxFirstWorksheet(ReadFixture("handmade.xlsx"), limits);
  ASSERT_THAT(rows, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(rows.status().message(), HasSubstr("xl/worksheets/roster.xml"));
  limits = {};
  limits.max_shared_strings_bytes = 100;
  EXPECT_THAT(ReadXlsxFirstWorksheet(ReadFixture("handmade.xlsx"), limits), StatusIs(StatusCode::kResourceExhausted));
}

// AddressSanitizer pads and quarantines every allocation: a sanitized build (the test suite's) is given twice the
// memory bounds below.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kMemoryScale = 2;
#else
constexpr long kMemoryScale = 1;
#endif

// The peak resident memory of this process so far, in MB (it only grows).
long PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

// tests/roster/make_bomb_xlsx.py: small files that inflate to much, each refused by the limit it breaks, naming it,
// with the memory bounded: the reader streams, so not even the 192 MB of the bytes bomb's inflated text is held.
TEST(ReadXlsx, BombsAreRefusedByTheirLimitWithMemoryBounded) {
  long before = PeakRssMb();
  const auto bytes = ReadXlsxFirstWorksheet(ReadFixture("bytes_bomb.xlsx"));
  ASSERT_THAT(bytes, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(bytes.status().message(), ".xlsx part xl/worksheets/sheet1.xml is larger than 201326592 bytes");
  // Streamed in 64 KB pieces: the peak grows by far less than the 192 MB a whole inflated part would take.
  EXPECT_LT(PeakRssMb() - before, 16 * kMemoryScale) << "peak RSS grew from " << before << " MB";
  before = PeakRssMb();
  const auto cells = ReadXlsxFirstWorksheet(ReadFixture("cells_bomb.xlsx"));
  ASSERT_THAT(cells, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(cells.status().message(), ".xlsx worksheet: more than 1500000 cells");
  const auto strings = ReadXlsxFirstWorksheet(ReadFixture("strings_bomb.xlsx"));
  ASSERT_THAT(strings, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(strings.status().message(), ".xlsx shared strings: more than 1000000 entries");
  // What is kept is what the limits allow: up to a million (empty) shared strings, no text and no tree.
  EXPECT_LT(PeakRssMb() - before, 64 * kMemoryScale) << "peak RSS grew from " << before << " MB";
}

TEST(ReadXlsx, ADoctypeIsRefusedSoNoEntityExpands) {
  const auto laughs = ReadXlsxFirstWorksheet(ReadFixture("entities_bomb.xlsx"));
  ASSERT_THAT(laughs, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(laughs.status().message(),
            "damaged .xlsx file: xl/worksheets/sheet1.xml declares a DOCTYPE, which no workbook does");
}

TEST(ReadXlsx, CellAndSharedStringCountLimits) {
  SheetLimits limits;
  limits.max_cells = 20;  // the fixture has 28 cells
  const auto cells = ReadXlsxFirstWorksheet(ReadFixture("handmade.xlsx"), limits);
  ASSERT_THAT(cells, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(cells.status().message(), HasSubstr("more than 20 cells"));
  limits = {};
  limits.max_shared_strings = 2;
  EXPECT_THAT(ReadXlsxFirstWorksheet(ReadFixture("handmade.xlsx"), limits), StatusIs(StatusCode::kResourceExhausted));
  limits.max_shared_strings = 1000;
  limits.max_cells = 1000;
  EXPECT_OK(ReadXlsxFirstWorksheet(ReadFixture("handmade.xlsx"), limits));
}

TEST(ReadXlsx, RowAndColumnLimits) {
  SheetLimits limits;
  limits.max_rows = 3;
  EXPECT_THAT(ReadXlsxFirstWorksheet(ReadFixture("handmade.xlsx"), limits), StatusIs(StatusCode::kResourceExhausted));
  limits = {};
  limits.max_columns = 6;
  const auto rows = ReadXlsxFirstWorksheet(ReadFixture("handmade.xlsx"), limits);
  ASSERT_THAT(rows, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(rows.status().field(), "row 1, column G");
}

TEST(ReadXlsx, NotAnArchive) {
  EXPECT_THAT(ReadXlsxFirstWorksheet("building,unit\n"), StatusIs(StatusCode::kInvalidArgument));
  const auto ole = ReadXlsxFirstWorksheet(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest", 13));
  ASSERT_THAT(ole, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ole.status().message(), HasSubstr("password-protected"));
}

TEST(ReadXlsx, TruncatedArchive) {
  const std::string bytes = ReadFixture("handmade.xlsx");
  EXPECT_THAT(ReadXlsxFirstWorksheet(bytes.substr(0, bytes.size() / 2)), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ReadXlsx, CorruptedEntryFailsItsChecksum) {
  std::string bytes = ReadFixture("handmade.xlsx");
  // Flip a byte of the worksheet's compressed data: its local header holds the name (24 bytes, no extra field),
  // then the data.
  const size_t header = bytes.find("xl/worksheets/roster.xml");
  ASSERT_NE(header, std::string::npos);
  bytes[header + 24 + 40] ^= 0x55;
  EXPECT_THAT(ReadXlsxFirstWorksheet(bytes), StatusIs(StatusCode::kInvalidArgument));
}

std::vector<XlsxColumn> Columns() {
  return {{"name", XlsxColumn::Type::kText, 10},
          {"count", XlsxColumn::Type::kInteger, 8},
          {"area", XlsxColumn::Type::kDecimal2, 10},
          {"code", XlsxColumn::Type::kText, 10}};
}

void ExpectRoundTrip(bool shared_strings) {
  const std::vector<std::vector<std::string>> rows = {
      {"张伟", "3", "89.50", "0101"},
      {"x,\"y\"", "-1", "0.05", "13812345678"},
      {"", "", "120.00"},
      {"a & <b>", "not a number", "1.234", "=1+1"},
  };
  XlsxOptions options;
  options.sheet_name = "花名册";
  options.shared_strings = shared_strings;
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteXlsx(Columns(), rows, options));
  ASSERT_OK_AND_ASSIGN(std::vector<SheetRow> read, ReadXlsxFirstWorksheet(bytes));
  ASSERT_EQ(read.size(), 5u);
  EXPECT_EQ(read[0], (SheetRow{1, Cells{"name", "count", "area", "code"}}));
  EXPECT_EQ(read[1], (SheetRow{2, Cells{"张伟", "3", "89.5", "0101"}}));  // numbers come back as Excel shows them
  EXPECT_EQ(read[2], (SheetRow{3, Cells{"x,\"y\"", "-1", "0.05", "13812345678"}}));
  EXPECT_EQ(read[3], (SheetRow{4, Cells{"", "", "120"}}));
  EXPECT_EQ(read[4], (SheetRow{5, Cells{"a & <b>", "not a number", "1.234", "=1+1"}}));  // text stays text
}

TEST(WriteXlsx, RoundTripsWithInlineStrings) { ExpectRoundTrip(false); }
TEST(WriteXlsx, RoundTripsWithSharedStrings) { ExpectRoundTrip(true); }

TEST(WriteXlsx, RejectsBadSheetNameAndWideRows) {
  XlsxOptions options;
  options.sheet_name = "a/b";
  EXPECT_THAT(WriteXlsx(Columns(), {}, options), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(WriteXlsx(Columns(), {{"1", "2", "3", "4", "5"}}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(WriteXlsx, EmptySheetHasOnlyTheHeader) {
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteXlsx(Columns(), {}));
  ASSERT_OK_AND_ASSIGN(std::vector<SheetRow> read, ReadXlsxFirstWorksheet(bytes));
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].cells.size(), 4u);
}

}  // namespace
}  // namespace ningju::areas
