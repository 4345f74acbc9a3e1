// multipart/form-data bodies (RFC 7578): file uploads from forms.
#ifndef NINGJU_HTTP_MULTIPART_H_
#define NINGJU_HTTP_MULTIPART_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ningju::http {

struct FormPart {
  std::string name;          // the form field's name
  std::string filename;      // for a file, as sent by the browser (untrusted: never used as a path)
  std::string content_type;  // as sent (untrusted: sniff the bytes instead)
  std::string body;
};

// Parses `body` given the request's Content-Type ("multipart/form-data; boundary=..."). Errors name the problem:
// a missing boundary, a part without Content-Disposition, a body that does not end with the closing boundary, more
// than `max_parts` parts.
StatusOr<std::vector<FormPart>> ParseMultipart(std::string_view content_type, std::string_view body,
                                               size_t max_parts = 20);

}  // namespace ningju::http

#endif  // NINGJU_HTTP_MULTIPART_H_
