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

}  // namespace
}  // namespace ningju
