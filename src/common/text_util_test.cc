#include "common/text_util.h"

#include <gtest/gtest.h>

namespace ningju {
namespace {

TEST(Mask, NamesAndPhones) {
  EXPECT_EQ(MaskName("张三丰"), "张**");
  EXPECT_EQ(MaskName("Li"), "L*");
  EXPECT_EQ(MaskName(""), "");
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(MaskPhone("62123456"), "******56");
  EXPECT_EQ(MaskPhone(""), "");
}

TEST(OwnerKind, OrganizationsByTheirSuffixKeepTheirNames) {
  EXPECT_EQ(OwnerKindOfName("上海长宁物业有限公司"), kOwnerOrganization);
  EXPECT_EQ(OwnerKindOfName("长宁区房屋管理中心 "), kOwnerOrganization);
  EXPECT_EQ(OwnerKindOfName("Acme Co."), kOwnerOrganization);
  EXPECT_EQ(OwnerKindOfName("张伟"), kOwnerPerson);
  EXPECT_EQ(OwnerKindOfName("公司"), kOwnerPerson);  // a suffix alone names no one
  EXPECT_EQ(OwnerKindOfName(""), kOwnerPerson);
  EXPECT_EQ(MaskOwnerName("上海长宁物业有限公司", kOwnerOrganization), "上海长宁物业有限公司");
  EXPECT_EQ(MaskOwnerName("张三丰", kOwnerPerson), "张**");
}

TEST(Cursor, RoundTripsAndRefusesForgeries) {
  std::string c = EncodeCursor({12, 345678});
  EXPECT_EQ(DecodeCursor(c, 2), (std::vector<int64_t>{12, 345678}));
  EXPECT_EQ(DecodeCursor(c, 1), std::nullopt);
  EXPECT_EQ(DecodeCursor("x12", 1), std::nullopt);
  EXPECT_EQ(DecodeCursor("c", 1), std::nullopt);
  EXPECT_EQ(DecodeCursor("c1..2", 2), std::nullopt);
  EXPECT_EQ(DecodeCursor("c!", 1), std::nullopt);
  EXPECT_EQ(DecodeCursor(EncodeCursor({-5}), 1), (std::vector<int64_t>{-5}));
}

TEST(ParseId, AcceptsPositiveDecimalsOnly) {
  EXPECT_EQ(ParseId("42", "id").value_or(-1), 42);
  for (const char* bad : {"", "0", "-3", "+3", " 3", "3 ", "3a", "abc", "99999999999999999999"}) {
    auto id = ParseId(bad, "area_id");
    EXPECT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(id.status().field(), "area_id") << bad;
  }
}

TEST(XmlEscape, EscapesTheFiveCharacters) {
  EXPECT_EQ(XmlEscape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;");
  EXPECT_EQ(XmlEscape("华阳路"), "华阳路");
}

}  // namespace
}  // namespace ningju
