// Serves the files under a directory, e.g. GET /static/css/app.css -> <root_dir>/css/app.css:
//
//   router.Add("GET", "/static/{path...}", StaticFiles("static", "/static/", 3600));
//
// Paths with "..", ".", empty or backslash segments are refused with 400; hidden files (a segment starting with '.'),
// directories, missing and unreadable files are 404. Symbolic links under root_dir are followed: the directory is
// trusted content that ningju deploys. Each response carries a Content-Type by extension (css, js, mjs, svg, png, jpg,
// jpeg, gif, webp, ico, woff, woff2, json, map, txt, html, xml, pdf, webmanifest; else application/octet-stream), a
// strong ETag made of the file's size and modification time, and Cache-Control "public, max-age=N" ("no-cache" when N
// is 0, so that browsers revalidate every time); a matching If-None-Match gets 304 without a body.
#ifndef NINGJU_HTTP_STATIC_FILES_H_
#define NINGJU_HTTP_STATIC_FILES_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "http/router.h"

namespace ningju::http {

struct StaticFileOptions {
  int max_age_seconds = 3600;  // Cache-Control max-age, in seconds; 0: "no-cache"
  // Files are kept in memory, and a cached file is compared with the disk (size, modification time, inode) at most
  // this often, in milliseconds: after a change, the old version may be served for up to this long. 0: on every
  // request.
  int revalidate_millis = 1000;
  size_t max_cached_file_bytes = 1 << 20;  // larger files are read from disk on every request
  size_t max_cache_bytes = 64 << 20;       // once the cache holds this many bytes, new files are not cached
};

// `url_prefix` is the part of Request::path before the file's path under root_dir ("/static/"; a missing final '/'
// is added). The handler is thread-safe; copies share one cache.
Handler StaticFiles(std::string root_dir, std::string url_prefix, StaticFileOptions options);
// The default options, with this max-age.
Handler StaticFiles(std::string root_dir, std::string url_prefix, int max_age_seconds);

// The Content-Type for a file name by its extension ("app.css" -> "text/css; charset=utf-8").
std::string_view ContentTypeForPath(std::string_view path);

}  // namespace ningju::http

#endif  // NINGJU_HTTP_STATIC_FILES_H_
