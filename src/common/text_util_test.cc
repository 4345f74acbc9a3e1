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

}  // namespace
}  // namespace ningju
