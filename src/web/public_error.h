// The one rule for what a client may read of an error, shared by the error pages, the JSON envelope (/api/v1) and
// Open311: a Status whose code says its text may come from inside (a library, the database driver, the file system:
// SQL, paths, driver messages) reads as one general sentence, and the real text goes to the log with the request id.
// The other codes carry messages the services wrote for the person asking.
#ifndef NINGJU_WEB_PUBLIC_ERROR_H_
#define NINGJU_WEB_PUBLIC_ERROR_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace ningju::web {

enum class PublicErrorKind {
  kOwnMessage,   // the status's message is for the client
  kInternal,     // kInternal, kDeadlineExceeded: "something went wrong inside"
  kUnavailable,  // kUnavailable: "temporarily unavailable" (a database that is down, a queue that is stopping)
  kConflict,     // kAborted: "busy, try again" (a serialization failure, a busy database, a concurrent change)
};

PublicErrorKind PublicKindOf(StatusCode code);

// The English text a client may read for `status`: its message, or the general sentence of its kind.
std::string PublicMessage(const Status& status);

// The text for the log: the status with its real message, for the kinds a client does not read; "" otherwise.
std::string LogNoteFor(const Status& status);

}  // namespace ningju::web

#endif  // NINGJU_WEB_PUBLIC_ERROR_H_
