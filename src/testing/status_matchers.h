// GoogleTest helpers for Status and StatusOr: EXPECT_OK, ASSERT_OK, StatusIs(code), ASSERT_OK_AND_ASSIGN.
#ifndef NINGJU_TESTING_STATUS_MATCHERS_H_
#define NINGJU_TESTING_STATUS_MATCHERS_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/status.h"

namespace ningju::testing {

MATCHER_P(StatusIs, code, "has status code " + std::string(::ningju::StatusCodeName(code))) {
  const ::ningju::Status s = ::ningju::internal::AsStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code;
}

}  // namespace ningju::testing

#define EXPECT_OK(expr)                                             \
  do {                                                              \
    const ::ningju::Status _s = ::ningju::internal::AsStatus(expr); \
    EXPECT_TRUE(_s.ok()) << #expr << " -> " << _s.ToString();       \
  } while (0)
#define ASSERT_OK(expr)                                             \
  do {                                                              \
    const ::ningju::Status _s = ::ningju::internal::AsStatus(expr); \
    ASSERT_TRUE(_s.ok()) << #expr << " -> " << _s.ToString();       \
  } while (0)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) ASSERT_OK_AND_ASSIGN_IMPL(NINGJU_CONCAT(_status_or_t_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)                      \
  auto tmp = (expr);                                                   \
  ASSERT_TRUE(tmp.ok()) << #expr << " -> " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

#endif  // NINGJU_TESTING_STATUS_MATCHERS_H_
