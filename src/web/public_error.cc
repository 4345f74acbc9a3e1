#include "web/public_error.h"

namespace ningju::web {

PublicErrorKind PublicKindOf(StatusCode code) {
  switch (code) {
    case StatusCode::kInternal:
    case StatusCode::kDeadlineExceeded:
      return PublicErrorKind::kInternal;
    case StatusCode::kUnavailable:
      return PublicErrorKind::kUnavailable;
    case StatusCode::kAborted:
      return PublicErrorKind::kConflict;
    default:
      return PublicErrorKind::kOwnMessage;
  }
}

std::string PublicMessage(const Status& status) {
  // The same sentences as templates/i18n/en.json error_internal, error_unavailable and error_conflict.
  switch (PublicKindOf(status.code())) {
    case PublicErrorKind::kInternal:
      return "Something went wrong inside the system and your action was not completed. Please try again later; if "
             "it keeps happening, contact the district administrator and quote the request id.";
    case PublicErrorKind::kUnavailable:
      return "The service is temporarily unavailable. Please try again later.";
    case PublicErrorKind::kConflict:
      return "The system was busy with another change to the same data and your action was not completed. Please "
             "try again.";
    case PublicErrorKind::kOwnMessage:
      break;
  }
  return status.message();
}

std::string LogNoteFor(const Status& status) {
  if (status.ok() || PublicKindOf(status.code()) == PublicErrorKind::kOwnMessage) return "";
  return status.ToString();
}

}  // namespace ningju::web
