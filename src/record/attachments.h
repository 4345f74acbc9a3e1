// Files attached to any object (a case's photos, a paper ballot's scanned sheet, a proxy's written authorization),
// kept in the database beside the object so a backup holds them and a transaction covers them.
//
// The type is sniffed from the bytes with libmagic, never taken from the name or the client's Content-Type; only the
// allowed types are kept. Images get a JPEG thumbnail (libvips) at most 320 px on the long side. Callers authorize
// (may this principal see / attach to this object?) before calling; these functions only enforce the limits.
#ifndef NINGJU_RECORD_ATTACHMENTS_H_
#define NINGJU_RECORD_ATTACHMENTS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace ningju::record {

struct AttachmentLimits {
  size_t max_bytes = 10 * 1024 * 1024;  // per file; default 10 MiB
  int max_per_object = 6;               // files on one object; default 6
  // Sniffed MIME types accepted; default JPEG, PNG, WebP, GIF images and PDF.
  std::vector<std::string> allowed_types = {"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"};
};

struct Attachment {
  int64_t id = 0;
  std::string object_ref;    // "case:12"
  std::string name;          // the file name as uploaded (sanitized: no path, at most 200 bytes, valid UTF-8)
  std::string content_type;  // sniffed
  int64_t size = 0;
  std::string sha256;  // hex
  bool has_thumbnail = false;
  int64_t created_by = 0;  // user id; 0 for the system
  Instant created_at;

  // {"id","name","content_type","size","has_thumbnail","created_at"} (no uploader: callers add what they may show).
  nlohmann::json ToJson() const;
};

// The MIME type of `bytes` as libmagic sees it ("image/png", "application/pdf", "text/plain", ...).
StatusOr<std::string> SniffType(std::string_view bytes);

// Stores one file on `object_ref`. REQUIRES: `tx` is inside a transaction (write the audit record in the same one).
// Errors: kInvalidArgument naming the file when it is empty, larger than limits.max_bytes, or of a type not allowed
// (the message names the sniffed type); kFailedPrecondition when the object already holds limits.max_per_object files.
StatusOr<Attachment> AddAttachment(storage::Connection& tx, std::string_view object_ref, std::string_view name,
                                   std::string_view bytes, int64_t created_by, Instant now,
                                   const AttachmentLimits& limits = {});

// The files of one object, oldest first.
StatusOr<std::vector<Attachment>> ListAttachments(storage::Connection& conn, std::string_view object_ref);

// One file's record; kNotFound when there is none.
StatusOr<Attachment> GetAttachment(storage::Connection& conn, int64_t id);

// One file's bytes, or its thumbnail's (kNotFound when it has none).
StatusOr<std::string> AttachmentBytes(storage::Connection& conn, int64_t id, bool thumbnail);

}  // namespace ningju::record

#endif  // NINGJU_RECORD_ATTACHMENTS_H_
