#include "common/status.h"

namespace ningju {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kOutOfRange:
      return "out_of_range";
    case StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kAborted:
      return "aborted";
    case StatusCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case StatusCode::kUnimplemented:
      return "unimplemented";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s(StatusCodeName(code_));
  s += ": ";
  s += message();
  if (!field_.empty()) s += " [" + field_ + "]";
  return s;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, Msg::FromParts(std::string(context) + ": " + message(), message_.tmpl(), message_.args()),
                field_);
}

Status InvalidArgumentError(Msg m, std::string f) { return {StatusCode::kInvalidArgument, std::move(m), std::move(f)}; }
Status UnauthenticatedError(Msg m, std::string f) { return {StatusCode::kUnauthenticated, std::move(m), std::move(f)}; }
Status PermissionDeniedError(Msg m, std::string f) {
  return {StatusCode::kPermissionDenied, std::move(m), std::move(f)};
}
Status NotFoundError(Msg m, std::string f) { return {StatusCode::kNotFound, std::move(m), std::move(f)}; }
Status AlreadyExistsError(Msg m, std::string f) { return {StatusCode::kAlreadyExists, std::move(m), std::move(f)}; }
Status FailedPreconditionError(Msg m, std::string f) {
  return {StatusCode::kFailedPrecondition, std::move(m), std::move(f)};
}
Status OutOfRangeError(Msg m, std::string f) { return {StatusCode::kOutOfRange, std::move(m), std::move(f)}; }
Status ResourceExhaustedError(Msg m, std::string f) {
  return {StatusCode::kResourceExhausted, std::move(m), std::move(f)};
}
Status UnavailableError(Msg m, std::string f) { return {StatusCode::kUnavailable, std::move(m), std::move(f)}; }
Status AbortedError(Msg m, std::string f) { return {StatusCode::kAborted, std::move(m), std::move(f)}; }
Status UnimplementedError(Msg m, std::string f) { return {StatusCode::kUnimplemented, std::move(m), std::move(f)}; }
Status InternalError(Msg m, std::string f) { return {StatusCode::kInternal, std::move(m), std::move(f)}; }

}  // namespace ningju
