// Status and StatusOr<T>: the result of every fallible call (abseil's shape, canonical codes).
// Expected outcomes are values: "not found" is kNotFound, "ballot closed" is kFailedPrecondition.
// Exceptions never cross a module boundary; adapters convert library errors into a Status.
#ifndef NINGJU_COMMON_STATUS_H_
#define NINGJU_COMMON_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/message.h"

namespace ningju {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // 400 (422 for a well-formed request that breaks a rule: see kFailedPrecondition)
  kUnauthenticated,     // 401
  kPermissionDenied,    // 403
  kNotFound,            // 404
  kAlreadyExists,       // 409
  kFailedPrecondition,  // 409: the object's state forbids the action
  kOutOfRange,          // 400
  kResourceExhausted,   // 429 (or 413 for bodies: the HTTP layer decides)
  kUnavailable,         // 503
  kAborted,             // 409: a conflict that a retry may resolve (busy database, serialization failure)
  kDeadlineExceeded,    // 504
  kUnimplemented,       // 501
  kInternal,            // 500
};

// The lower-case snake name of a code ("not_found"), used in the JSON error envelope.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, Msg message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // The English text: what logs, the CLI and the JSON API show. Web pages show web::I18n::ErrorText instead.
  const std::string& message() const { return message_.text(); }
  // The message's English template and arguments (see common/message.h).
  const Msg& msg() const { return message_; }
  // The input field or place the error is about ("phone", "row 7, column C"); empty when none.
  const std::string& field() const { return field_; }
  // "not_found: no such area 17 [field]".
  std::string ToString() const;
  // Returns a copy with "context: " prepended to the message. The context is for logs and the CLI: the translated
  // text that web pages show is the message's own (its template and arguments are kept).
  Status WithContext(std::string_view context) const;
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) { return a.code_ == b.code_ && a.message() == b.message(); }

 private:
  StatusCode code_ = StatusCode::kOk;
  Msg message_;
  std::string field_;
};

inline Status OkStatus() { return Status(); }
Status InvalidArgumentError(Msg message, std::string field = {});
Status UnauthenticatedError(Msg message, std::string field = {});
Status PermissionDeniedError(Msg message, std::string field = {});
Status NotFoundError(Msg message, std::string field = {});
Status AlreadyExistsError(Msg message, std::string field = {});
Status FailedPreconditionError(Msg message, std::string field = {});
Status OutOfRangeError(Msg message, std::string field = {});
Status ResourceExhaustedError(Msg message, std::string field = {});
Status UnavailableError(Msg message, std::string field = {});
Status AbortedError(Msg message, std::string field = {});
Status UnimplementedError(Msg message, std::string field = {});
Status InternalError(Msg message, std::string field = {});

// A value or the Status that explains why there is none. Never holds an OK status without a value.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : state_(value) {}            // NOLINT(google-explicit-constructor)
  StatusOr(T&& value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : state_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(state_).ok() && "StatusOr built from an OK status");
  }
  template <typename U>
  requires(std::is_convertible_v<U&&, T> && !std::is_same_v<std::decay_t<U>, Status> &&
           !std::is_same_v<std::decay_t<U>, T>) StatusOr(U&& value)
      : state_(T(std::forward<U>(value))) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  Status status() const { return ok() ? OkStatus() : std::get<Status>(state_); }

  // REQUIRES: ok().
  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T fallback) const& { return ok() ? std::get<T>(state_) : std::move(fallback); }

 private:
  std::variant<Status, T> state_;
};

namespace internal {
inline const Status& AsStatus(const Status& s) { return s; }
template <typename T>
Status AsStatus(const StatusOr<T>& s) {
  return s.status();
}
}  // namespace internal

}  // namespace ningju

#define NINGJU_CONCAT_INNER(a, b) a##b
#define NINGJU_CONCAT(a, b) NINGJU_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status or StatusOr) is not OK.
#define RETURN_IF_ERROR(expr)                                        \
  do {                                                               \
    const ::ningju::Status _st = ::ningju::internal::AsStatus(expr); \
    if (!_st.ok()) return _st;                                       \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` declares x from the value of F() or returns F()'s status.
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(NINGJU_CONCAT(_status_or_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#endif  // NINGJU_COMMON_STATUS_H_
