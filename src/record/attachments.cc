#include "record/attachments.h"

#include <magic.h>
#include <sodium.h>
#include <vips/vips.h>

#include <algorithm>
#include <mutex>

#include "common/text_util.h"
#include "common/utf8.h"

namespace ningju::record {
namespace {

constexpr int kThumbnailSide = 320;
// Images larger than this (in pixels) are refused rather than decoded: a small file can claim a huge canvas.
constexpr int64_t kMaxPixels = 100'000'000;

std::string HexDigest(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// The name as shown and offered on download: no directories, no control characters, valid UTF-8, at most 200 bytes
// cut at a character boundary.
std::string SanitizeName(std::string_view name) {
  if (size_t slash = name.find_last_of("/\\"); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) continue;
    out += c;
  }
  if (utf8::FindInvalid(out)) out = "file";
  if (out.size() > 200) {
    size_t cut = 200;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  if (out.empty() || out == "." || out == "..") out = "file";
  return out;
}

void InitVips() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("ningju") != 0) return;
    // Only the loaders libvips considers safe for untrusted input; no operation cache holding uploads in memory;
    // one thread per thumbnail (the server's worker pool is the concurrency).
    vips_block_untrusted_set(TRUE);
    vips_cache_set_max(0);
    vips_concurrency_set(1);
    // A damaged upload fails the thumbnail (fail_on=warning) and its message reaches the uploader; the same words on
    // the server's stderr would only be noise.
    g_log_set_handler(
        "VIPS", G_LOG_LEVEL_WARNING, [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
  });
}

std::string VipsError() {
  std::string message = vips_error_buffer();
  vips_error_clear();
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (size_t nl = message.find('\n'); nl != std::string::npos) message.resize(nl);
  return message;
}

// A JPEG at most kThumbnailSide on its long side, or kInvalidArgument when the bytes are no readable image.
StatusOr<std::string> Thumbnail(std::string_view bytes, const std::string& name) {
  InitVips();
  VipsImage* probe =
      vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access", VIPS_ACCESS_SEQUENTIAL, nullptr);
  if (probe == nullptr) {
    return InvalidArgumentError(Msg("file {} cannot be read as an image ({})", name, VipsError()), "files");
  }
  int64_t pixels = static_cast<int64_t>(vips_image_get_width(probe)) * vips_image_get_height(probe);
  g_object_unref(probe);
  if (pixels > kMaxPixels) {
    return InvalidArgumentError(Msg("image {} has {} pixels; at most {} are accepted", name, pixels, kMaxPixels),
                                "files");
  }
  VipsImage* thumb = nullptr;
  if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &thumb, kThumbnailSide, "height",
                            kThumbnailSide, "size", VIPS_SIZE_DOWN, "option_string", "fail_on=warning", nullptr) != 0) {
    return InvalidArgumentError(Msg("file {} cannot be read as an image ({})", name, VipsError()), "files");
  }
  void* out = nullptr;
  size_t out_len = 0;
  int rc = vips_jpegsave_buffer(thumb, &out, &out_len, "Q", 80, "strip", TRUE, nullptr);
  g_object_unref(thumb);
  // With fail_on=warning a damaged file fails here, while it is decoded, instead of giving a half-grey picture.
  if (rc != 0) {
    return InvalidArgumentError(Msg("file {} cannot be read as an image ({})", name, VipsError()), "files");
  }
  std::string jpeg(static_cast<const char*>(out), out_len);
  g_free(out);
  return jpeg;
}

Attachment FromRow(const storage::Row& row) {
  Attachment a;
  a.id = row.Int(0);
  a.object_ref = row.Text(1);
  a.name = row.Text(2);
  a.content_type = row.Text(3);
  a.size = row.Int(4);
  a.sha256 = row.Text(5);
  a.has_thumbnail = row.Bool(6);
  a.created_by = row.Int(7);
  a.created_at = FromUnix(row.Int(8));
  return a;
}

constexpr char kColumns[] =
    "id, object_ref, name, content_type, size, sha256, CASE WHEN thumbnail IS NULL THEN 0 ELSE 1 END, created_by, "
    "created_at";

}  // namespace

nlohmann::json Attachment::ToJson() const {
  return {{"id", id},
          {"name", name},
          {"content_type", content_type},
          {"size", size},
          {"has_thumbnail", has_thumbnail},
          {"created_at", FormatUtc(created_at)}};
}

StatusOr<std::string> SniffType(std::string_view bytes) {
  // One magic cookie for the process: loading the database is slow and a cookie is not thread-safe.
  static std::mutex mu;
  static magic_t cookie = nullptr;
  std::lock_guard<std::mutex> lock(mu);
  if (cookie == nullptr) {
    cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
    if (cookie == nullptr) return InternalError("libmagic: magic_open failed");
    if (magic_load(cookie, nullptr) != 0) {
      std::string why = magic_error(cookie) ? magic_error(cookie) : "unknown error";
      magic_close(cookie);
      cookie = nullptr;
      return InternalError(Msg("libmagic: cannot load its database: {}", why));
    }
  }
  const char* type = magic_buffer(cookie, bytes.data(), bytes.size());
  if (type == nullptr) {
    return InternalError(Msg("libmagic: {}", (magic_error(cookie) ? magic_error(cookie) : "no answer")));
  }
  return std::string(type);
}

StatusOr<Attachment> AddAttachment(storage::Connection& tx, std::string_view object_ref, std::string_view name,
                                   std::string_view bytes, int64_t created_by, Instant now,
                                   const AttachmentLimits& limits) {
  if (!tx.InTransaction()) return InternalError("attachment stored outside a transaction");
  std::string clean = SanitizeName(name);
  if (bytes.empty()) return InvalidArgumentError(Msg("file {} is empty", QuoteForMessage(clean)), "files");
  if (bytes.size() > limits.max_bytes) {
    return InvalidArgumentError(
        Msg("file {} has {} bytes; at most {} are accepted", QuoteForMessage(clean), bytes.size(), limits.max_bytes),
        "files");
  }
  ASSIGN_OR_RETURN(std::string type, SniffType(bytes));
  if (std::find(limits.allowed_types.begin(), limits.allowed_types.end(), type) == limits.allowed_types.end()) {
    return InvalidArgumentError(Msg("file {} is {}, which is not accepted", QuoteForMessage(clean), type), "files");
  }
  ASSIGN_OR_RETURN(storage::Row count,
                   tx.QueryOne("SELECT COUNT(*) FROM attachments WHERE object_ref = ?", {std::string(object_ref)}));
  if (count.Int(0) >= limits.max_per_object) {
    return FailedPreconditionError(
        Msg("{} already has {} files; at most {} are kept", object_ref, count.Int(0), limits.max_per_object));
  }
  storage::Param thumbnail = nullptr;
  if (type.rfind("image/", 0) == 0) {
    ASSIGN_OR_RETURN(std::string jpeg, Thumbnail(bytes, QuoteForMessage(clean)));
    thumbnail = storage::Blob{std::move(jpeg)};
  }
  Attachment a;
  a.object_ref = std::string(object_ref);
  a.name = clean;
  a.content_type = type;
  a.size = static_cast<int64_t>(bytes.size());
  a.sha256 = HexDigest(bytes);
  a.has_thumbnail = !std::holds_alternative<std::nullptr_t>(thumbnail);
  a.created_by = created_by;
  a.created_at = now;
  ASSIGN_OR_RETURN(storage::Row row,
                   tx.QueryOne("INSERT INTO attachments (object_ref, name, content_type, size, sha256, data, "
                               "thumbnail, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                               {a.object_ref, a.name, a.content_type, a.size, a.sha256,
                                storage::Blob{std::string(bytes)}, std::move(thumbnail), created_by, ToUnix(now)}));
  a.id = row.Int(0);
  return a;
}

StatusOr<std::vector<Attachment>> ListAttachments(storage::Connection& conn, std::string_view object_ref) {
  ASSIGN_OR_RETURN(storage::Result result, conn.Execute(std::string("SELECT ") + kColumns +
                                                            " FROM attachments WHERE object_ref = ? ORDER BY id",
                                                        {std::string(object_ref)}));
  std::vector<Attachment> out;
  for (const auto& row : result.rows) out.push_back(FromRow(row));
  return out;
}

StatusOr<Attachment> GetAttachment(storage::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(auto row,
                   conn.QueryOptional(std::string("SELECT ") + kColumns + " FROM attachments WHERE id = ?", {id}));
  if (!row) return NotFoundError(Msg("no attachment {}", id));
  return FromRow(*row);
}

StatusOr<std::string> AttachmentBytes(storage::Connection& conn, int64_t id, bool thumbnail) {
  ASSIGN_OR_RETURN(auto row, conn.QueryOptional(thumbnail ? "SELECT thumbnail FROM attachments WHERE id = ?"
                                                          : "SELECT data FROM attachments WHERE id = ?",
                                                {id}));
  if (!row) return NotFoundError(Msg("no attachment {}", id));
  if (row->IsNull(0)) return NotFoundError(Msg("attachment {} has no thumbnail", id));
  return row->Text(0);
}

}  // namespace ningju::record
