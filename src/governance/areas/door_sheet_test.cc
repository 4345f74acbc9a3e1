#include "governance/areas/door_sheet.h"

#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "governance/areas/area_writer.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace ningju::areas {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

NewArea Area(std::optional<int64_t> parent, std::string kind, std::string code, std::string name,
             int64_t sort_key = 0) {
  NewArea area;
  area.parent_id = parent;
  area.kind = std::move(kind);
  area.code = std::move(code);
  area.name = std::move(name);
  area.sort_key = sort_key;
  return area;
}

int CountDark(const QrMatrix& m) {
  int n = 0;
  for (bool d : m.dark) n += d ? 1 : 0;
  return n;
}

TEST(EncodeQr, VersionFollowsLengthInByteModeAtLevelM) {
  // Byte-mode capacities at level M: version 1 holds 14 bytes, version 2 26, version 3 42, version 40 2331.
  ASSERT_OK_AND_ASSIGN(QrMatrix v1, EncodeQr(std::string(14, 'a')));
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v1.width, 21);
  EXPECT_EQ(v1.dark.size(), 21u * 21u);
  ASSERT_OK_AND_ASSIGN(QrMatrix v2, EncodeQr(std::string(15, 'a')));
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v2.width, 25);
  // A door-sheet URL: 38 bytes.
  ASSERT_OK_AND_ASSIGN(QrMatrix url, EncodeQr("https://ningju.example/buildings/12345"));
  EXPECT_EQ(url.version, 3);
  EXPECT_EQ(url.width, 29);
  // Digits alone would fit version 1 in numeric mode; byte mode keeps what the reader gets exactly the bytes.
  ASSERT_OK_AND_ASSIGN(QrMatrix digits, EncodeQr("123456789012345678"));
  EXPECT_EQ(digits.version, 2);
  ASSERT_OK_AND_ASSIGN(QrMatrix max, EncodeQr(std::string(2331, 'a')));
  EXPECT_EQ(max.version, 40);
  EXPECT_EQ(max.width, 177);
  EXPECT_THAT(EncodeQr(std::string(2332, 'a')), StatusIs(StatusCode::kOutOfRange));
}

TEST(EncodeQr, FinderPatternsInTheCorners) {
  ASSERT_OK_AND_ASSIGN(QrMatrix m, EncodeQr("华阳路街道"));  // 15 UTF-8 bytes
  const int w = m.width;
  for (auto [x0, y0] : {std::pair{0, 0}, std::pair{w - 7, 0}, std::pair{0, w - 7}}) {
    for (int i = 0; i < 7; ++i) {
      EXPECT_TRUE(m.Dark(x0 + i, y0)) << x0 << "," << y0;  // outer ring
      EXPECT_TRUE(m.Dark(x0 + i, y0 + 6)) << x0 << "," << y0;
    }
    EXPECT_FALSE(m.Dark(x0 + 1, y0 + 1));  // light ring
    EXPECT_TRUE(m.Dark(x0 + 3, y0 + 3));   // centre
  }
}

TEST(EncodeQr, Deterministic) {
  ASSERT_OK_AND_ASSIGN(QrMatrix a, EncodeQr("https://ningju.example/buildings/7"));
  ASSERT_OK_AND_ASSIGN(QrMatrix b, EncodeQr("https://ningju.example/buildings/7"));
  EXPECT_EQ(a.dark, b.dark);
  ASSERT_OK_AND_ASSIGN(QrMatrix c, EncodeQr("https://ningju.example/buildings/8"));
  EXPECT_NE(a.dark, c.dark);
}

TEST(QrSvg, WellFormedCompactAndDeterministic) {
  const std::string text = "https://ningju.example/buildings/12345";
  const std::string svg = QrSvg(text);
  EXPECT_EQ(svg, QrSvg(text));

  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_string(svg.c_str());
  ASSERT_TRUE(parsed) << parsed.description();
  const pugi::xml_node root = doc.document_element();
  EXPECT_STREQ(root.name(), "svg");
  EXPECT_STREQ(root.attribute("xmlns").value(), "http://www.w3.org/2000/svg");
  EXPECT_STREQ(root.attribute("viewBox").value(), "0 0 37 37");  // 29 modules + 2 x 4 quiet zone
  EXPECT_STREQ(root.attribute("shape-rendering").value(), "crispEdges");
  EXPECT_EQ(std::distance(root.children("path").begin(), root.children("path").end()), 1);

  // The path covers exactly the dark modules: parse "M x y h n v1 h-n z" runs back into a matrix.
  ASSERT_OK_AND_ASSIGN(QrMatrix m, EncodeQr(text));
  std::string d = root.child("path").attribute("d").value();
  for (char& c : d) {
    if (c == 'M' || c == 'h' || c == 'v' || c == 'z') c = ' ';
  }
  std::istringstream in(d);
  std::vector<bool> drawn(m.dark.size(), false);
  int x = 0, y = 0, len = 0, one = 0, back = 0;
  int runs = 0;
  while (in >> x >> y >> len >> one >> back) {
    ++runs;
    ASSERT_EQ(one, 1);
    ASSERT_EQ(back, -len);
    ASSERT_GE(x, 4);
    ASSERT_GE(y, 4);
    for (int i = 0; i < len; ++i) {
      const size_t k = static_cast<size_t>(y - 4) * static_cast<size_t>(m.width) + static_cast<size_t>(x - 4 + i);
      ASSERT_LT(k, drawn.size());
      ASSERT_FALSE(drawn[k]);
      drawn[k] = true;
    }
  }
  EXPECT_GT(runs, 0);
  EXPECT_EQ(drawn, m.dark);
  EXPECT_GT(CountDark(m), 0);
}

TEST(QrSvg, TooLongGivesNothing) { EXPECT_EQ(QrSvg(std::string(3000, 'x')), ""); }

class DoorSheetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, ::ningju::testing::OpenTestDatabase());
    const Instant at = FromUnix(1'700'000'000);
    ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
      ASSIGN_OR_RETURN(int64_t district, InsertArea(tx, Area(std::nullopt, "district", "CN", "长宁区"), at));
      ASSIGN_OR_RETURN(int64_t sub, InsertArea(tx, Area(district, "subdistrict", "CN-HY", "华阳路街道"), at));
      NewArea nb = Area(sub, "neighborhood", "CN-HY-001", "华院居民区");
      nb.address = "长宁区华阳路100弄";
      ASSIGN_OR_RETURN(neighborhood_, InsertArea(tx, nb, at));
      ASSIGN_OR_RETURN(building_, InsertArea(tx, Area(neighborhood_, "building", "CN-HY-001-b3", "3号楼"), at));
      // Inserted in the wrong order: the sheet lists them by sort_key.
      ASSIGN_OR_RETURN(int64_t entrance2, InsertArea(tx, Area(building_, "entrance", "CN-HY-001-b3-e2", "2", 2), at));
      ASSIGN_OR_RETURN(int64_t entrance1, InsertArea(tx, Area(building_, "entrance", "CN-HY-001-b3-e1", "1", 1), at));
      for (const auto& [entrance, number] :
           {std::pair{entrance1, "101"}, std::pair{entrance1, "102"}, std::pair{entrance2, "201"}}) {
        RETURN_IF_ERROR(
            tx.Execute("INSERT INTO units (entrance_id, building_id, number, area_centi) VALUES (?, ?, ?, ?)",
                       {entrance, building_, std::string(number), int64_t{8000}}));
      }
      return OkStatus();
    }));
  }

  std::unique_ptr<storage::Database> db_;
  int64_t neighborhood_ = 0;
  int64_t building_ = 0;
};

TEST_F(DoorSheetTest, LoadsTheBuildingAndItsPlace) {
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(DoorSheetData d, LoadDoorSheet(*conn, building_, "https://ningju.example/"));
  EXPECT_EQ(d.building_id, building_);
  EXPECT_EQ(d.building_name, "3号楼");
  EXPECT_EQ(d.building_code, "CN-HY-001-b3");
  EXPECT_EQ(d.neighborhood_name, "华院居民区");
  EXPECT_EQ(d.subdistrict_name, "华阳路街道");
  EXPECT_EQ(d.district_name, "长宁区");
  EXPECT_EQ(d.address, "长宁区华阳路100弄");  // the building has none: its neighborhood's
  EXPECT_EQ(d.url, "https://ningju.example/buildings/" + std::to_string(building_));
  EXPECT_EQ(d.unit_count, 3);
  EXPECT_THAT(d.entrances, ElementsAre(Field(&DoorSheetEntrance::name, "1"), Field(&DoorSheetEntrance::name, "2")));
  EXPECT_EQ(d.entrances[0].units, 2);
  EXPECT_EQ(d.entrances[1].units, 1);
  EXPECT_EQ(d.qr_svg, QrSvg(d.url));
  EXPECT_TRUE(d.qr_svg.starts_with("<svg "));
}

TEST_F(DoorSheetTest, Errors) {
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  EXPECT_THAT(LoadDoorSheet(*conn, 999999, "https://x.example"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(LoadDoorSheet(*conn, neighborhood_, "https://x.example"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(LoadDoorSheet(*conn, building_, "ningju.example"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(LoadDoorSheet(*conn, building_, "javascript:alert(1)"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace ningju::areas
