#include "governance/areas/roster.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/roles.h"
#include "governance/areas/area_writer.h"
#include "governance/areas/areas.h"
#include "governance/areas/csv.h"
#include "record/record.h"
#include "testing/source_path.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace ningju::areas {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

using ::ningju::testing::SourcePath;

std::string FixturePath(const std::string& name) { return SourcePath("tests/roster/" + name); }

RosterTable Csv(std::string_view text) {
  StatusOr<RosterTable> table = ReadRosterBytes(text, "test.csv");
  EXPECT_OK(table);
  return table.ok() ? *table : RosterTable{};
}

constexpr std::string_view kHeader = "building,entrance,unit,floor,area_m2,owner_name,owner_phone,developer_unsold\n";

NewArea Area(std::optional<int64_t> parent, std::string kind, std::string code, std::string name) {
  NewArea area;
  area.parent_id = parent;
  area.kind = std::move(kind);
  area.code = std::move(code);
  area.name = std::move(name);
  return area;
}

// The counts that are not zero, for compact expectations.
nlohmann::json NonZero(const RosterPlan& plan) {
  const nlohmann::json counts = RosterPlanJson(plan, 0)["counts"];
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : counts.items()) {
    if (value != 0) out[key] = value;
  }
  return out;
}

// (row, column letters, code) of each problem, for compact expectations.
std::vector<std::tuple<int64_t, std::string, std::string>> Brief(const std::vector<RosterProblem>& problems) {
  std::vector<std::tuple<int64_t, std::string, std::string>> out;
  for (const RosterProblem& p : problems) out.emplace_back(p.row, p.column, p.code);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

TEST(ReadRoster, ChoosesTheReaderByExtension) {
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterBytes("a,b\n1,2\n", "Roster.CSV"));
  EXPECT_EQ(table.source, "Roster.CSV");
  EXPECT_THAT(table.rows, SizeIs(2));
  EXPECT_THAT(ReadRosterBytes("a,b\n", "roster.xls"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ReadRosterBytes("a,b\n", "roster.txt"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ReadRosterBytes("a,b\n", "roster"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ReadRosterBytes("a,b\n", "roster.xlsx"), StatusIs(StatusCode::kInvalidArgument));  // not a zip
  EXPECT_THAT(ReadRosterBytes("PK\x03\x04 zip", "roster.csv"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ReadRoster, GbkCsvGetsAHint) {
  const auto table = ReadRosterBytes("楼栋\n\xC2\xA5\xB6\xB0\n", "gbk.csv");
  ASSERT_THAT(table, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(table.status().field(), "row 2, column A");
  EXPECT_THAT(table.status().message(), HasSubstr("CSV UTF-8"));
}

TEST(ReadRoster, Utf16CsvIsRefused) {
  EXPECT_THAT(ReadRosterBytes(std::string("\xFF\xFE"
                                          "a\0",
                                          4),
                              "u.csv"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(ReadRoster, TooLarge) {
  EXPECT_THAT(ReadRosterBytes(std::string(kMaxRosterFileBytes + 1, 'a'), "big.csv"),
              StatusIs(StatusCode::kResourceExhausted));
}

TEST(ReadRoster, TooManyRows) {
  std::string text(kHeader);
  for (size_t i = 0; i <= kMaxRosterRows; ++i) text += "1号楼,1," + std::to_string(i) + ",1,50,张伟,,\n";
  EXPECT_THAT(ReadRosterBytes(text, "many.csv"), StatusIs(StatusCode::kResourceExhausted));
}

TEST(ReadRoster, File) {
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterFile(FixturePath("good.csv")));
  EXPECT_EQ(table.source, "good.csv");
  EXPECT_THAT(table.rows, SizeIs(9));
  EXPECT_THAT(ReadRosterFile("/nonexistent/roster.csv"), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(RosterTable xlsx, ReadRosterFile(FixturePath("handmade.xlsx")));
  EXPECT_THAT(xlsx.rows, SizeIs(4));
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

TEST(ValidateRoster, GoodFixture) {
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterFile(FixturePath("good.csv")));
  const RosterValidation v = ValidateRoster(table);
  EXPECT_THAT(v.problems, IsEmpty());
  ASSERT_THAT(v.entries, SizeIs(8));
  EXPECT_EQ(v.entries[0], (RosterEntry{2, "1号楼", "1", "101", 1, 8950, "张伟", "13812345678", false}));
  EXPECT_EQ(v.entries[1].owner_phone, "13912345678");  // spaces removed
  EXPECT_EQ(v.entries[3].row, 5);
  EXPECT_EQ(v.entries[4], (RosterEntry{7, "1号楼", "2", "202", 2, 6666, "", "", true}));  // row 6 is blank
  EXPECT_EQ(v.entries[5], (RosterEntry{8, "10号楼(A,B座)", "1", "101", 1, 10203, "刘\"小\"强", "", false}));
  EXPECT_EQ(v.entries[6], (RosterEntry{9, "2号楼", "1", "-101", -1, 3500, "陈静", "", false}));
  EXPECT_EQ(v.entries[7], (RosterEntry{10, "2号楼", "1", "101", 1, 9500, "赵敏", "15000000001", false}));  // trimmed
}

TEST(ValidateRoster, HandmadeXlsxIsValid) {
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterFile(FixturePath("handmade.xlsx")));
  const RosterValidation v = ValidateRoster(table);
  EXPECT_THAT(v.problems, IsEmpty());
  ASSERT_THAT(v.entries, SizeIs(3));
  EXPECT_EQ(v.entries[0], (RosterEntry{2, "1号楼", "1", "0101", 1, 8951, "张伟", "13812345678", false}));
  EXPECT_EQ(v.entries[1], (RosterEntry{3, "1号楼", "1", "102", 1, 6650, "", "", true}));
  EXPECT_EQ(v.entries[2], (RosterEntry{5, "2号楼", "A_x0042_&C", "201", 0, 12000, "李娜", "", false}));
}

TEST(ValidateRoster, BadFixtureListsEveryBadRow) {
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterFile(FixturePath("bad.csv")));
  const RosterValidation v = ValidateRoster(table);
  using P = std::tuple<int64_t, std::string, std::string>;
  EXPECT_THAT(Brief(v.problems), ElementsAreArray(std::vector<P>{
                                     {2, "E", "malformed_area"},
                                     {3, "E", "malformed_area"},
                                     {4, "E", "area_not_positive"},
                                     {5, "A", "empty"},
                                     {6, "D", "malformed_floor"},
                                     {6, "G", "malformed_phone"},
                                     {7, "G", "masked_value"},
                                     {7, "H", "malformed_flag"},
                                     {8, "F", "masked_value"},
                                     {9, "F", "owner_of_unsold"},
                                     {10, "F", "empty"},
                                     {12, "F", "duplicate_row"},
                                     {14, "B", "unit_disagrees"},
                                     {14, "E", "unit_disagrees"},
                                     {15, "F", "formula_like"},
                                     {16, "A", "control_character"},
                                 }));
  // Rows 11, 13 and 17 (the record after the two-line one) are good.
  std::vector<int64_t> good_rows;
  for (const RosterEntry& e : v.entries) good_rows.push_back(e.row);
  EXPECT_THAT(good_rows, ElementsAre(11, 13, 17));
  EXPECT_EQ(v.problems[0].column_name, "area_m2");
  EXPECT_EQ(v.problems[0].ToString(),
            "row 2, column E (area_m2): malformed area \"89,5\" (only digits and one decimal point)");
  EXPECT_THAT(v.problems[12].reason, HasSubstr("row 13"));
}

TEST(ValidateRoster, HeaderProblems) {
  const RosterValidation v =
      ValidateRoster(Csv("楼栋,unit,building,area_m2,remark,,owner_name\n1号楼,101,1号楼,50,x,y,张伟\n"));
  using P = std::tuple<int64_t, std::string, std::string>;
  EXPECT_THAT(Brief(v.problems),
              ElementsAre(P{1, "", "missing_column"},  // entrance
                          P{1, "C", "duplicate_column"}, P{1, "E", "unknown_column"}, P{1, "F", "unnamed_column"}));
  EXPECT_EQ(v.problems[0].column_name, "entrance");
  EXPECT_THAT(v.problems[1].reason, HasSubstr("also column A"));
  EXPECT_THAT(v.problems[2].reason, HasSubstr("\"remark\""));
}

TEST(ValidateRoster, TitleRowsAboveTheHeaderAreIgnored) {
  const RosterValidation v =
      ValidateRoster(Csv("华院居民区业主花名册\n\n2024年3月,,制表：居委会\n" + std::string(kHeader) +
                         "1号楼,1,101,1,50,张伟,,\n1号楼,1,102,1,abc,李娜,,\n"));
  using P = std::tuple<int64_t, std::string, std::string>;
  EXPECT_THAT(Brief(v.problems), ElementsAre(P{6, "E", "malformed_area"}));
  EXPECT_EQ(v.data_rows, 2);
  ASSERT_THAT(v.entries, SizeIs(1));
  EXPECT_EQ(v.entries[0].row, 5);
  // Without a recognizable header, the first row is the header.
  EXPECT_THAT(Brief(ValidateRoster(Csv("title\nfoo,bar\n1,2\n")).problems),
              ::testing::Contains(P{1, "A", "unknown_column"}));
}

TEST(ValidateRoster, ColumnsInAnyOrderAndOptionalOnesMayBeAbsent) {
  const RosterValidation v = ValidateRoster(Csv("业主姓名,建筑面积,室号,门洞,楼栋\n张伟,50,101,1,1号楼\n"));
  EXPECT_THAT(v.problems, IsEmpty());
  ASSERT_THAT(v.entries, SizeIs(1));
  EXPECT_EQ(v.entries[0], (RosterEntry{2, "1号楼", "1", "101", 0, 5000, "张伟", "", false}));
}

TEST(ValidateRoster, EmptyFileAndHeaderOnly) {
  EXPECT_THAT(Brief(ValidateRoster(RosterTable{}).problems),
              ElementsAre(std::make_tuple(int64_t{0}, std::string(), std::string("empty_file"))));
  EXPECT_THAT(Brief(ValidateRoster(Csv(kHeader)).problems),
              ElementsAre(std::make_tuple(int64_t{1}, std::string(), std::string("no_data_rows"))));
}

TEST(ValidateRoster, Flags) {
  std::string text(kHeader);
  const std::vector<std::string> flags = {"1", "是", "true", "TRUE", "0", "否", "false", "", "yes", "2"};
  for (size_t i = 0; i < flags.size(); ++i) {
    const bool unsold = i < 4;
    text += "1号楼,1," + std::to_string(100 + i) + ",1,50," + (unsold ? "" : "张伟") + ",," + flags[i] + "\n";
  }
  const RosterValidation v = ValidateRoster(Csv(text));
  using P = std::tuple<int64_t, std::string, std::string>;
  EXPECT_THAT(Brief(v.problems), ElementsAre(P{10, "H", "malformed_flag"}, P{11, "H", "malformed_flag"}));
  ASSERT_THAT(v.entries, SizeIs(8));
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(v.entries[i].developer_unsold, i < 4) << i;
}

TEST(ValidateRoster, Phones) {
  const std::vector<std::string> good = {"13812345678", "19912345678",  "021-62345678",  "62345678",
                                         "02162345678", "400-820-8820", "138 1234 5678", "021-6234-5678-801"};
  const std::vector<std::string> bad = {"1381234567", "138123456789", "12012345678", "+8613812345678", "021--62345678",
                                        "-62345678",  "123456",       "6234567a",    "021 6234 567x"};
  std::string text(kHeader);
  int unit = 100;
  for (const std::string& p : good) text += "1号楼,1," + std::to_string(unit++) + ",1,50,张伟," + p + ",\n";
  for (const std::string& p : bad) text += "1号楼,1," + std::to_string(unit++) + ",1,50,张伟," + p + ",\n";
  const RosterValidation v = ValidateRoster(Csv(text));
  EXPECT_THAT(v.entries, SizeIs(good.size()));
  ASSERT_THAT(v.problems, SizeIs(bad.size()));
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_EQ(v.problems[i].row, static_cast<int64_t>(good.size() + 2 + i)) << bad[i];
    EXPECT_EQ(v.problems[i].code, "malformed_phone") << bad[i];
  }
}

TEST(ValidateRoster, AreasAndFloors) {
  const std::string text = std::string(kHeader) +
                           "1号楼,1,101,1,0.01,张伟,,\n"
                           "1号楼,1,102,200,100000,张伟,,\n"
                           "1号楼,1,103,1,100000.01,张伟,,\n"
                           "1号楼,1,104,0,50,张伟,,\n"
                           "1号楼,1,105,201,50,张伟,,\n"
                           "1号楼,1,106,-10,50,张伟,,\n"
                           "1号楼,1,107,1,-5,张伟,,\n"
                           "1号楼,1,108,1,.5,张伟,,\n"
                           "1号楼,1,109,1,,张伟,,\n"
                           "1号楼,1,110,1.5,50,张伟,,\n";
  const RosterValidation v = ValidateRoster(Csv(text));
  using P = std::tuple<int64_t, std::string, std::string>;
  EXPECT_THAT(Brief(v.problems),
              ElementsAre(P{4, "E", "area_too_large"}, P{5, "D", "floor_out_of_range"}, P{6, "D", "floor_out_of_range"},
                          P{7, "D", "floor_out_of_range"}, P{8, "E", "malformed_area"}, P{9, "E", "malformed_area"},
                          P{10, "E", "empty"}, P{11, "D", "malformed_floor"}));
  EXPECT_THAT(v.problems[4].reason, HasSubstr("negative"));
  ASSERT_THAT(v.entries, SizeIs(2));
  EXPECT_EQ(v.entries[0].area_centi, 1);
  EXPECT_EQ(v.entries[1].area_centi, 10000000);
}

TEST(ValidateRoster, CellLength) {
  std::string name200, name201;
  for (int i = 0; i < 200; ++i) name200 += "张";
  name201 = name200 + "三";
  const RosterValidation v = ValidateRoster(
      Csv(std::string(kHeader) + "1号楼,1,101,1,50," + name200 + ",,\n" + "1号楼,1,102,1,50," + name201 + ",,\n"));
  using P = std::tuple<int64_t, std::string, std::string>;
  EXPECT_THAT(Brief(v.problems), ElementsAre(P{3, "F", "too_long"}));
}

TEST(ValidateRoster, FormulaLikeValues) {
  const RosterValidation v = ValidateRoster(Csv(std::string(kHeader) + "+1号楼,1,101,1,50,张伟,,\n"
                                                                       "1号楼,@1,102,1,50,张伟,,\n"
                                                                       "1号楼,1,-1a,1,50,张伟,,\n"
                                                                       "1号楼,1,-103,1,50,张伟,,\n"));
  using P = std::tuple<int64_t, std::string, std::string>;
  EXPECT_THAT(Brief(v.problems),
              ElementsAre(P{2, "A", "formula_like"}, P{3, "B", "formula_like"}, P{4, "C", "formula_like"}));
}

TEST(ValidateRoster, DeveloperUnsoldUnitIsListedOnce) {
  const RosterValidation v = ValidateRoster(Csv(std::string(kHeader) + "1号楼,1,101,1,50,,,1\n"
                                                                       "1号楼,1,101,1,50,,,1\n"
                                                                       "1号楼,1,102,1,50,,,1\n"
                                                                       "1号楼,1,102,1,50,张伟,,0\n"));
  using P = std::tuple<int64_t, std::string, std::string>;
  EXPECT_THAT(Brief(v.problems), ElementsAre(P{3, "C", "duplicate_row"}, P{5, "H", "unit_disagrees"}));
}

TEST(ValidateRoster, SameNameDifferentPhonesAreTwoOwners) {
  const RosterValidation v = ValidateRoster(Csv(std::string(kHeader) + "1号楼,1,101,1,50,王伟,13800000001,\n"
                                                                       "1号楼,1,101,1,50,王伟,13800000002,\n"));
  EXPECT_THAT(v.problems, IsEmpty());
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

TEST(NaturalLess, NumbersInsideNamesCompareAsNumbers) {
  std::vector<std::string> names = {"10号楼", "2号楼", "1号楼", "1号楼A", "01号楼", "B3", "B12", "-101", "101", ""};
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) { return NaturalLess(a, b); });
  EXPECT_THAT(names, ElementsAre("", "-101", "01号楼", "1号楼", "1号楼A", "2号楼", "10号楼", "101", "B3", "B12"));
  EXPECT_FALSE(NaturalLess("a", "a"));
}

TEST(AreaCodes, Slugs) {
  EXPECT_EQ(AreaCodeSlug("12号楼"), "12");
  EXPECT_EQ(AreaCodeSlug("12栋"), "12");
  EXPECT_EQ(AreaCodeSlug("A3"), "A3");
  EXPECT_EQ(AreaCodeSlug("A座"), "A");
  EXPECT_EQ(AreaCodeSlug("东1号楼"), "1-936d70ae");  // documented in area_writer.h and docs/ROSTER.md
  EXPECT_EQ(AreaCodeSlug("甲"), "-92ae36ec");
  EXPECT_EQ(AreaCodeSlug("3单元"), "3");
  EXPECT_EQ(AreaCodeSlug("2"), "2");
  EXPECT_EQ(AreaCodeSlug("号楼"), AreaCodeSlug("号楼"));  // deterministic
  const std::string east = AreaCodeSlug("东1号楼");
  const std::string west = AreaCodeSlug("西1号楼");
  EXPECT_NE(east, west);
  EXPECT_TRUE(east.starts_with("1-")) << east;
  EXPECT_EQ(east.size(), 10u) << east;
  EXPECT_EQ(BuildingCode("CN-HY-007", "12号楼"), "CN-HY-007-b12");
  EXPECT_EQ(EntranceCode("CN-HY-007-b12", "2"), "CN-HY-007-b12-e2");
  EXPECT_EQ(NameSortKey("12号楼"), 12);
  EXPECT_EQ(NameSortKey("东区3号"), 3);
  EXPECT_EQ(NameSortKey("东楼"), 0);
}

// ---------------------------------------------------------------------------------------------------------------
// With a database

class RosterDbTest : public ::testing::Test {
 protected:
  static constexpr int64_t kAt = 1'700'000'000;

  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, ::ningju::testing::OpenTestDatabase());
    ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
      ASSIGN_OR_RETURN(district_, InsertArea(tx, Area(std::nullopt, "district", "CN", "长宁区"), At()));
      NewArea sub = Area(district_, "subdistrict", "CN-HY", "华阳路街道");
      sub.subkind = "street";
      ASSIGN_OR_RETURN(subdistrict_, InsertArea(tx, sub, At()));
      ASSIGN_OR_RETURN(neighborhood_, NewNeighborhood(tx, "CN-HY-001", "华院居民区"));
      ASSIGN_OR_RETURN(other_neighborhood_, NewNeighborhood(tx, "CN-HY-002", "大西别墅居民区"));
      return OkStatus();
    }));
  }

  StatusOr<int64_t> NewNeighborhood(storage::Connection& tx, std::string code, std::string name) {
    NewArea area = Area(subdistrict_, "neighborhood", std::move(code), std::move(name));
    area.address = "长宁区华阳路1号";
    return InsertArea(tx, area, At());
  }

  static Instant At() { return FromUnix(kAt); }

  storage::PooledConnection Conn() {
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    return std::move(conn).value();
  }

  int64_t Count(std::string_view sql, const storage::Params& params = {}) {
    auto conn = Conn();
    StatusOr<storage::Row> row = conn->QueryOne(sql, params);
    EXPECT_OK(row);
    return row.ok() ? row->Int(0) : -1;
  }

  StatusOr<RosterPlan> Plan(int64_t neighborhood, const RosterTable& table) {
    auto conn = Conn();
    return PlanRosterImport(*conn, neighborhood, table);
  }

  // Plans and applies; the plan must be clean.
  RosterCounts Import(int64_t neighborhood, const RosterTable& table) {
    StatusOr<RosterPlan> plan = Plan(neighborhood, table);
    EXPECT_OK(plan);
    if (!plan.ok()) return {};
    EXPECT_THAT(plan->problems, IsEmpty());
    EXPECT_OK(ApplyRosterImport(*db_, *plan, At(), record::Actor::System("test")));
    return plan->counts;
  }

  std::string ExportCsv(int64_t neighborhood, bool unmasked) {
    auto conn = Conn();
    StatusOr<std::string> csv = ExportRosterCsv(*conn, neighborhood, {.unmasked = unmasked});
    EXPECT_OK(csv);
    return csv.ok() ? *csv : "";
  }

  std::unique_ptr<storage::Database> db_;
  int64_t district_ = 0;
  int64_t subdistrict_ = 0;
  int64_t neighborhood_ = 0;
  int64_t other_neighborhood_ = 0;
};

TEST_F(RosterDbTest, InsertAreaWritesTheClosure) {
  auto conn = Conn();
  ASSERT_OK_AND_ASSIGN(storage::Result paths,
                       conn->Execute("SELECT ancestor_id, depth FROM area_paths WHERE descendant_id = ? ORDER BY depth",
                                     {neighborhood_}));
  ASSERT_THAT(paths.rows, SizeIs(3));
  EXPECT_EQ(paths.rows[0].Int(0), neighborhood_);
  EXPECT_EQ(paths.rows[0].Int(1), 0);
  EXPECT_EQ(paths.rows[1].Int(0), subdistrict_);
  EXPECT_EQ(paths.rows[2].Int(0), district_);
  EXPECT_EQ(paths.rows[2].Int(1), 2);
}

TEST_F(RosterDbTest, InsertAreaChecksTheTree) {
  auto conn = Conn();
  ASSERT_OK(conn->Begin());
  EXPECT_THAT(InsertArea(*conn, Area(district_, "building", "x", "x"), At()), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(InsertArea(*conn, Area(std::nullopt, "building", "x", "x"), At()),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(InsertArea(*conn, Area(999999, "building", "x", "x"), At()), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(InsertArea(*conn, Area(neighborhood_, "tower", "x", "x"), At()), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(InsertArea(*conn, Area(neighborhood_, "building", "CN", "x"), At()),
              StatusIs(StatusCode::kAlreadyExists));
  ASSERT_OK(conn->Rollback());
}

TEST_F(RosterDbTest, PlanAndApplyGoodRoster) {
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterFile(FixturePath("good.csv")));
  ASSERT_OK_AND_ASSIGN(RosterPlan plan, Plan(neighborhood_, table));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(NonZero(plan), nlohmann::json({{"rows", 8},
                                           {"buildings_created", 3},
                                           {"entrances_created", 4},
                                           {"units_created", 7},
                                           {"owners_created", 6},
                                           {"owner_links_added", 7}}));
  EXPECT_EQ(plan.buildings[0].code, "CN-HY-001-b1");
  EXPECT_EQ(plan.entrances[1].code, "CN-HY-001-b1-e2");
  EXPECT_EQ(plan.buildings[2].code, "CN-HY-001-b2");
  EXPECT_TRUE(plan.buildings[1].code.starts_with("CN-HY-001-b10AB-")) << plan.buildings[1].code;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM areas"), 4);  // the dry run wrote nothing

  ASSERT_OK(ApplyRosterImport(*db_, plan, At(), record::Actor::User(42)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM areas WHERE kind = 'building'"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM areas WHERE kind = 'entrance'"), 4);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM units"), 7);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM owners"), 6);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM unit_owners"), 7);
  // 张伟 owns two units; unit 202 is the developer's.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM unit_owners uo JOIN owners o ON o.id = uo.owner_id WHERE o.name = ?",
                  {std::string("张伟")}),
            2);
  EXPECT_EQ(Count("SELECT developer_unsold FROM units WHERE number = '202'"), 1);
  EXPECT_EQ(Count("SELECT area_centi FROM units u JOIN areas b ON b.id = u.building_id "
                  "WHERE b.name = '2号楼' AND u.number = '-101'"),
            3500);
  // Every new area has its closure: an entrance has 5 rows (itself, building, neighborhood, subdistrict, district).
  EXPECT_EQ(Count("SELECT COUNT(*) FROM area_paths p JOIN areas a ON a.id = p.descendant_id "
                  "WHERE a.kind = 'entrance'"),
            4 * 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM area_paths WHERE ancestor_id = ?", {neighborhood_}), 1 + 3 + 4);
  EXPECT_EQ(Count("SELECT floors FROM areas WHERE code = 'CN-HY-001-b1'"), 2);
  EXPECT_EQ(Count("SELECT sort_key FROM areas WHERE code = 'CN-HY-001-b1'"), 1);

  auto conn = Conn();
  ASSERT_OK_AND_ASSIGN(std::vector<record::AuditRecord> audit,
                       record::ListAudit(*conn, record::Ref("area", neighborhood_), 10));
  ASSERT_THAT(audit, SizeIs(1));
  EXPECT_EQ(audit[0].action, "roster.import");
  EXPECT_EQ(audit[0].actor_id, 42);
  const nlohmann::json summary = nlohmann::json::parse(audit[0].summary);
  EXPECT_EQ(summary["units_created"], 7);
  EXPECT_EQ(summary["source"], "good.csv");
  EXPECT_EQ(audit[0].summary.find("张伟"), std::string::npos);  // no personal data in the audit chain
}

TEST_F(RosterDbTest, ExampleOfTheDocumentation) {
  std::ifstream in(SourcePath("docs/ROSTER.md"));
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t start = doc.find("```csv\n");
  ASSERT_NE(start, std::string::npos);
  const size_t end = doc.find("```", start + 7);
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterBytes(doc.substr(start + 7, end - start - 7), "example.csv"));
  ASSERT_OK_AND_ASSIGN(RosterPlan plan, Plan(neighborhood_, table));
  EXPECT_THAT(plan.problems, IsEmpty());
  // docs/ROSTER.md: "3 buildings, 4 entrances, 6 units and 5 owners".
  EXPECT_EQ(NonZero(plan), nlohmann::json({{"rows", 7},
                                           {"buildings_created", 3},
                                           {"entrances_created", 4},
                                           {"units_created", 6},
                                           {"owners_created", 5},
                                           {"owner_links_added", 6}}));
}

TEST_F(RosterDbTest, AnOwnerNamedLikeACompanyIsAnOrganization) {
  const std::string csv =
      "building,entrance,unit,floor,area_m2,owner_name,owner_phone,developer_unsold\n"
      "1号楼,1,101,1,80.00,张伟,13800000001,0\n"
      "1号楼,1,102,1,80.00,上海长宁物业有限公司,021-62345678,0\n";
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterBytes(csv, "kinds.csv"));
  Import(neighborhood_, table);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM owners WHERE name = '上海长宁物业有限公司' AND kind = 'organization'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM owners WHERE name = '张伟' AND kind = 'person'"), 1);
}

TEST_F(RosterDbTest, ImportingTheSameRosterAgainChangesNothing) {
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterFile(FixturePath("good.csv")));
  Import(neighborhood_, table);
  ASSERT_OK_AND_ASSIGN(RosterPlan again, Plan(neighborhood_, table));
  EXPECT_EQ(NonZero(again), nlohmann::json({{"rows", 8}, {"units_unchanged", 7}}));
  ASSERT_OK(ApplyRosterImport(*db_, again, At(), record::Actor::System("cli")));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM units"), 7);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM owners"), 6);
}

TEST_F(RosterDbTest, UpdatesUnitsAndOwnersOfListedUnitsOnly) {
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterFile(FixturePath("good.csv")));
  Import(neighborhood_, table);
  // 101 loses 李娜; 102 changes area and floor; 103 is new and owned by 李娜; 201 moves to entrance 3 (new).
  const RosterTable update = Csv(std::string(kHeader) +
                                 "1号楼,1,101,1,89.50,张伟,13812345678,\n"
                                 "1号楼,1,102,2,76,王芳,021-62345678,\n"
                                 "1号楼,1,103,1,70,李娜,13912345678,\n"
                                 "1号楼,3,201,2,120,张伟,13812345678,\n");
  ASSERT_OK_AND_ASSIGN(RosterPlan plan, Plan(neighborhood_, update));
  EXPECT_EQ(NonZero(plan), nlohmann::json({{"rows", 4},
                                           {"entrances_created", 1},
                                           {"units_created", 1},
                                           {"units_updated", 2},
                                           {"units_unchanged", 1},
                                           {"owner_links_added", 1},
                                           {"owner_links_removed", 1},
                                           {"units_not_in_roster", 4}}));
  ASSERT_OK(ApplyRosterImport(*db_, plan, At(), record::Actor::System("cli")));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM units"), 8);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM owners"), 6);  // 李娜 is the same owner record
  EXPECT_EQ(Count("SELECT area_centi FROM units u JOIN areas b ON b.id = u.building_id "
                  "WHERE b.name = '1号楼' AND u.number = '102'"),
            7600);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM units u JOIN areas e ON e.id = u.entrance_id "
                  "WHERE e.name = '3' AND u.number = '201'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM unit_owners uo JOIN units u ON u.id = uo.unit_id "
                  "JOIN areas b ON b.id = u.building_id WHERE b.name = '1号楼' AND u.number = '101'"),
            1);
}

TEST_F(RosterDbTest, BadRosterWritesNothing) {
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterFile(FixturePath("bad.csv")));
  ASSERT_OK_AND_ASSIGN(RosterPlan plan, Plan(neighborhood_, table));
  EXPECT_FALSE(plan.ok());
  EXPECT_THAT(plan.problems, SizeIs(16));
  EXPECT_THAT(plan.units, IsEmpty());
  EXPECT_THAT(ApplyRosterImport(*db_, plan, At(), record::Actor::System("cli")),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM areas"), 4);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log"), 0);
  const nlohmann::json json = RosterPlanJson(plan, 2);
  EXPECT_EQ(json["ok"], false);
  EXPECT_EQ(json["problems_total"], 16);
  ASSERT_EQ(json["problems"].size(), 2u);
  EXPECT_EQ(json["problems"][0]["column"], "E");
  EXPECT_EQ(json["problems"][0]["row"], 2);
}

TEST_F(RosterDbTest, StalePlanIsRefused) {
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterFile(FixturePath("good.csv")));
  ASSERT_OK_AND_ASSIGN(RosterPlan plan, Plan(neighborhood_, table));
  // Someone adds building 1号楼 between the dry run and the import.
  ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
    return InsertArea(tx, Area(neighborhood_, "building", "manual", "1号楼"), At()).status();
  }));
  EXPECT_THAT(ApplyRosterImport(*db_, plan, At(), record::Actor::System("cli")),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM units"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log"), 0);
}

TEST_F(RosterDbTest, TakenCodesGetASuffix) {
  ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
    return InsertArea(tx, Area(neighborhood_, "building", "CN-HY-001-b1", "1栋"), At()).status();
  }));
  const RosterTable table = Csv(std::string(kHeader) + "1号楼,1,101,1,50,张伟,,\n");
  ASSERT_OK_AND_ASSIGN(RosterPlan plan, Plan(neighborhood_, table));
  ASSERT_THAT(plan.buildings, SizeIs(1));
  EXPECT_FALSE(plan.buildings[0].id);
  EXPECT_EQ(plan.buildings[0].code, "CN-HY-001-b1-2");
  EXPECT_EQ(plan.entrances[0].code, "CN-HY-001-b1-2-e1");
  ASSERT_OK(ApplyRosterImport(*db_, plan, At(), record::Actor::System("cli")));
}

TEST_F(RosterDbTest, PlanNeedsANeighborhood) {
  const RosterTable table = Csv(std::string(kHeader) + "1号楼,1,101,1,50,张伟,,\n");
  EXPECT_THAT(Plan(999999, table), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(Plan(subdistrict_, table), StatusIs(StatusCode::kInvalidArgument));
  auto conn = Conn();
  EXPECT_THAT(ExportRosterCsv(*conn, district_), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ExportRosterXlsx(*conn, 999999), StatusIs(StatusCode::kNotFound));
}

constexpr std::string_view kGoodExport =
    "\xEF\xBB\xBF"
    "楼栋,门洞,室号,楼层,建筑面积,业主姓名,业主电话,开发商未售\r\n"
    "1号楼,1,101,1,89.50,张伟,13812345678,否\r\n"
    "1号楼,1,101,1,89.50,李娜,13912345678,否\r\n"
    "1号楼,1,102,1,75.20,王芳,021-62345678,否\r\n"
    "1号楼,2,201,2,120.00,张伟,13812345678,否\r\n"
    "1号楼,2,202,2,66.66,,,是\r\n"
    "2号楼,1,-101,-1,35.00,陈静,,否\r\n"
    "2号楼,1,101,1,95.00,赵敏,15000000001,否\r\n"
    "\"10号楼(A,B座)\",1,101,1,102.03,\"刘\"\"小\"\"强\",,否\r\n";

TEST_F(RosterDbTest, ExportCsvUnmaskedAndMasked) {
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterFile(FixturePath("good.csv")));
  Import(neighborhood_, table);
  EXPECT_EQ(ExportCsv(neighborhood_, true), kGoodExport);
  const std::string masked = ExportCsv(neighborhood_, false);
  EXPECT_THAT(masked, HasSubstr("1号楼,1,101,1,89.50,张*,138****5678,否\r\n"));
  EXPECT_THAT(masked, HasSubstr("\"10号楼(A,B座)\",1,101,1,102.03,刘****,,否\r\n"));
  EXPECT_EQ(masked.find("13812345678"), std::string::npos);
  // A masked export does not import back.
  EXPECT_FALSE(ValidateRoster(Csv(masked)).problems.empty());
  // An empty neighborhood exports its header.
  EXPECT_EQ(ExportCsv(other_neighborhood_, true),
            "\xEF\xBB\xBF楼栋,门洞,室号,楼层,建筑面积,业主姓名,业主电话,开发商未售\r\n");
}

TEST_F(RosterDbTest, CsvRoundTripGivesTheSameBytes) {
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterFile(FixturePath("good.csv")));
  Import(neighborhood_, table);
  const std::string first = ExportCsv(neighborhood_, true);
  ASSERT_OK_AND_ASSIGN(RosterTable exported, ReadRosterBytes(first, "export.csv"));
  Import(other_neighborhood_, exported);
  EXPECT_EQ(ExportCsv(other_neighborhood_, true), first);
}

TEST_F(RosterDbTest, ExportXlsxReadsBackAsTheSameRoster) {
  ASSERT_OK_AND_ASSIGN(RosterTable table, ReadRosterFile(FixturePath("good.csv")));
  Import(neighborhood_, table);
  std::string xlsx;
  {  // given back before ExportCsv takes one (no nested Acquire)
    auto conn = Conn();
    ASSERT_OK_AND_ASSIGN(xlsx, ExportRosterXlsx(*conn, neighborhood_, {.unmasked = true}));
  }
  ASSERT_OK_AND_ASSIGN(RosterTable from_xlsx, ReadRosterBytes(xlsx, "export.xlsx"));
  ASSERT_OK_AND_ASSIGN(RosterTable from_csv, ReadRosterBytes(ExportCsv(neighborhood_, true), "export.csv"));
  const RosterValidation a = ValidateRoster(from_xlsx);
  const RosterValidation b = ValidateRoster(from_csv);
  EXPECT_THAT(a.problems, IsEmpty());
  EXPECT_EQ(a.entries, b.entries);
  // Import the workbook elsewhere: the CSV export is then the same.
  Import(other_neighborhood_, from_xlsx);
  EXPECT_EQ(ExportCsv(other_neighborhood_, true), kGoodExport);
}

TEST_F(RosterDbTest, ExportNeutralizesFormulaLikeTextFromElsewhere) {
  ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t b, InsertArea(tx, Area(neighborhood_, "building", "f", "=cmd|' /C calc'!A0"), At()));
    ASSIGN_OR_RETURN(int64_t e, InsertArea(tx, Area(b, "entrance", "f-e", "1"), At()));
    return tx
        .Execute("INSERT INTO units (entrance_id, building_id, number, floor, area_centi) VALUES (?, ?, '1', 0, 100)",
                 {e, b})
        .status();
  }));
  EXPECT_THAT(ExportCsv(neighborhood_, true), HasSubstr("\r\n'=cmd|' /C calc'!A0,1,1,,1.00,,,否\r\n"));
}

TEST_F(RosterDbTest, LargeRosterImportsInOneTransaction) {
  std::string text(kHeader);
  constexpr int kUnits = 3000;
  for (int i = 0; i < kUnits; ++i) {
    text += std::to_string(i / 100 + 1) + "号楼," + std::to_string(i % 4 + 1) + "," + std::to_string(i) + ",1,60.5," +
            "业主" + std::to_string(i % 1000) + ",,\n";
  }
  const RosterCounts counts = Import(neighborhood_, Csv(text));
  EXPECT_EQ(counts.units_created, kUnits);
  EXPECT_EQ(counts.owners_created, 1000);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM units"), kUnits);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM unit_owners"), kUnits);
  EXPECT_EQ(Count("SELECT SUM(area_centi) FROM units"), int64_t{6050} * kUnits);
}

// The tree is cached: the service's own writes show at once, another writer's within the time to live.
TEST_F(RosterDbTest, CachedTreeShowsOwnWritesAtOnceAndOthersAfterItsTimeToLive) {
  FakeClock clock(At());
  AreaService service(*db_, clock, /*cache_ttl_seconds=*/30);
  ASSERT_OK_AND_ASSIGN(auto before, service.Children(subdistrict_, "", 100));
  ASSERT_EQ(before.items.size(), 2u);
  ASSERT_OK_AND_ASSIGN(areas::Area named, service.Get(neighborhood_));
  EXPECT_EQ(named.name, "华院居民区");

  AreaUpdate rename;
  rename.name = "华院新村居民区";
  ASSERT_OK(service.Update(auth::SystemPrincipal("test"), neighborhood_, rename));
  ASSERT_OK_AND_ASSIGN(areas::Area renamed, service.Get(neighborhood_));
  EXPECT_EQ(renamed.name, "华院新村居民区");
  ASSERT_OK_AND_ASSIGN(auto again, service.Children(subdistrict_, "", 100));  // cached anew
  EXPECT_EQ(again.items.size(), 2u);

  // Another process adds a neighborhood: the cached page of children holds until the time to live has passed.
  ASSERT_OK(db_->InTransaction(
      [&](storage::Connection& tx) -> Status { return NewNeighborhood(tx, "CN-HY-003", "新居民区").status(); }));
  ASSERT_OK_AND_ASSIGN(auto cached, service.Children(subdistrict_, "", 100));
  EXPECT_EQ(cached.items.size(), 2u);
  clock.Advance(std::chrono::seconds(30));
  ASSERT_OK_AND_ASSIGN(auto fresh, service.Children(subdistrict_, "", 100));
  EXPECT_EQ(fresh.items.size(), 3u);
}

// Figures past their time to live are served stale while a background recount runs; the next read sees the recount.
TEST_F(RosterDbTest, StaleFiguresAreServedWhileRecounted) {
  FakeClock clock(At());
  AreaService service(*db_, clock, /*cache_ttl_seconds=*/30);
  ASSERT_OK_AND_ASSIGN(AreaFigures before, service.Figures(subdistrict_));
  EXPECT_EQ(before.neighborhoods, 2);

  // Another process adds a neighborhood.
  ASSERT_OK(db_->InTransaction(
      [&](storage::Connection& tx) -> Status { return NewNeighborhood(tx, "CN-HY-004", "又一居民区").status(); }));
  ASSERT_OK_AND_ASSIGN(AreaFigures cached, service.Figures(subdistrict_));
  EXPECT_EQ(cached.neighborhoods, 2);
  clock.Advance(std::chrono::seconds(30));
  ASSERT_OK_AND_ASSIGN(AreaFigures stale, service.Figures(subdistrict_));  // answered at once, recount queued
  EXPECT_EQ(stale.neighborhoods, 2);
  service.WaitForRefreshes();
  ASSERT_OK_AND_ASSIGN(AreaFigures recounted, service.Figures(subdistrict_));
  EXPECT_EQ(recounted.neighborhoods, 3);

  // After InvalidateCache (what the service's own writes call) the next read counts at once: nothing stale is served.
  ASSERT_OK(db_->InTransaction(
      [&](storage::Connection& tx) -> Status { return NewNeighborhood(tx, "CN-HY-005", "第五居民区").status(); }));
  service.InvalidateCache();
  ASSERT_OK_AND_ASSIGN(AreaFigures counted, service.Figures(subdistrict_));
  EXPECT_EQ(counted.neighborhoods, 4);
}

}  // namespace
}  // namespace ningju::areas
