#include "http/static_files.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ningju::http {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir_template = (fs::temp_directory_path() / "ningju_static_XXXXXX").string();
    ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
    base_ = dir_template;
    root_ = base_ / "static";
    fs::create_directories(root_ / "css");
    Write(root_ / "css" / "app.css", "body{color:red}");
    Write(root_ / "app.js", "let x=1;");
    Write(root_ / ".env", "secret");
    Write(root_ / "site.webmanifest", "{}");
    Write(base_ / "secret.txt", "outside");
    StaticFileOptions options;
    options.max_age_seconds = 600;
    options.revalidate_millis = 0;  // compare with the disk on every request
    handler_ = StaticFiles(root_.string(), "/static", options);
  }
  void TearDown() override { fs::remove_all(base_); }

  static void Write(const fs::path& path, std::string_view content) {
    std::ofstream(path, std::ios::binary) << content;
  }

  Response Get(std::string path, std::string if_none_match = "") {
    Request request;
    request.method = "GET";
    request.path = std::move(path);
    if (!if_none_match.empty()) request.headers.emplace("If-None-Match", if_none_match);
    return handler_(request);
  }

  static std::string HeaderOf(const Response& r, std::string_view name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? "" : it->second;
  }

  fs::path base_;
  fs::path root_;
  Handler handler_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypeEtagAndCacheControl) {
  Response r = Get("/static/css/app.css");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "body{color:red}");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "public, max-age=600");
  const std::string etag = HeaderOf(r, "ETag");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  EXPECT_EQ(HeaderOf(Get("/static/app.js"), "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(Get("/static/site.webmanifest"), "Content-Type"), "application/manifest+json; charset=utf-8");
}

TEST_F(StaticFilesTest, MatchingIfNoneMatchIs304) {
  const std::string etag = HeaderOf(Get("/static/css/app.css"), "ETag");
  for (const std::string& header : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    Response r = Get("/static/css/app.css", header);
    EXPECT_EQ(r.status, 304) << header;
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(HeaderOf(r, "ETag"), etag);
    EXPECT_EQ(HeaderOf(r, "Cache-Control"), "public, max-age=600");
  }
  EXPECT_EQ(Get("/static/css/app.css", "\"stale\"").status, 200);
}

TEST_F(StaticFilesTest, EtagChangesWhenTheFileChanges) {
  const std::string before = HeaderOf(Get("/static/app.js"), "ETag");
  Write(root_ / "app.js", "let x=22;");
  const std::string after = HeaderOf(Get("/static/app.js"), "ETag");
  EXPECT_NE(before, after);  // the size changed
  EXPECT_EQ(Get("/static/app.js", before).status, 200);
  EXPECT_EQ(Get("/static/app.js").body, "let x=22;");
}

TEST_F(StaticFilesTest, DeletedFileIs404) {
  EXPECT_EQ(Get("/static/app.js").status, 200);
  fs::remove(root_ / "app.js");
  EXPECT_EQ(Get("/static/app.js").status, 404);
}

TEST_F(StaticFilesTest, CachedFileIsServedUntilRevalidation) {
  StaticFileOptions options;
  options.revalidate_millis = 3600 * 1000;
  Handler handler = StaticFiles(root_.string(), "/static/", options);
  Request request;
  request.path = "/static/app.js";
  EXPECT_EQ(handler(request).body, "let x=1;");
  Write(root_ / "app.js", "let x=22;");
  EXPECT_EQ(handler(request).body, "let x=1;");  // within the revalidation interval, by design
  Handler copy = handler;                        // copies share the cache
  EXPECT_EQ(copy(request).body, "let x=1;");
}

TEST_F(StaticFilesTest, FilesOverTheCacheLimitAreReadEveryTime) {
  StaticFileOptions options;
  options.revalidate_millis = 3600 * 1000;
  options.max_cached_file_bytes = 4;
  Handler handler = StaticFiles(root_.string(), "/static/", options);
  Request request;
  request.path = "/static/app.js";
  EXPECT_EQ(handler(request).body, "let x=1;");
  Write(root_ / "app.js", "let x=22;");
  EXPECT_EQ(handler(request).body, "let x=22;");

  options.max_cached_file_bytes = 1 << 20;
  options.max_cache_bytes = 10;  // room for app.js (9 bytes), not for app.css as well
  handler = StaticFiles(root_.string(), "/static/", options);
  request.path = "/static/app.js";
  EXPECT_EQ(handler(request).body, "let x=22;");
  request.path = "/static/css/app.css";
  EXPECT_EQ(handler(request).body, "body{color:red}");
  Write(root_ / "css" / "app.css", "body{}");
  EXPECT_EQ(handler(request).body, "body{}");
}

TEST_F(StaticFilesTest, RefusesEscapes) {
  for (const char* path : {"/static/../secret.txt", "/static/css/../../secret.txt", "/static/./app.js",
                           "/static//etc/passwd", "/static/css//app.css", "/static/..\\secret.txt"}) {
    Response r = Get(path);
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_THAT(r.body, ::testing::HasSubstr("bad static file path")) << path;
  }
}

TEST_F(StaticFilesTest, MissingHiddenAndDirectoriesAre404) {
  EXPECT_EQ(Get("/static/nope.css").status, 404);
  EXPECT_EQ(Get("/static/.env").status, 404);
  EXPECT_EQ(Get("/static/css").status, 404);
  EXPECT_EQ(Get("/static/app.js/x").status, 404);
  EXPECT_EQ(Get("/other/app.js").status, 404);
  EXPECT_EQ(Get("/static/").status, 400);
}

TEST_F(StaticFilesTest, ZeroMaxAgeMeansRevalidate) {
  Handler handler = StaticFiles(root_.string(), "/s/", 0);
  Request request;
  request.path = "/s/app.js";
  Response r = handler(request);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-cache");
}

TEST(ContentTypeForPath, ByExtension) {
  EXPECT_EQ(ContentTypeForPath("a/b.SVG"), "image/svg+xml");
  EXPECT_EQ(ContentTypeForPath("x.png"), "image/png");
  EXPECT_EQ(ContentTypeForPath("x.jpg"), "image/jpeg");
  EXPECT_EQ(ContentTypeForPath("favicon.ico"), "image/x-icon");
  EXPECT_EQ(ContentTypeForPath("f.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeForPath("d.json"), "application/json; charset=utf-8");
  EXPECT_EQ(ContentTypeForPath("robots.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(ContentTypeForPath("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeForPath("Makefile"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForPath("dir.d/file"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForPath("x.exe"), "application/octet-stream");
}

}  // namespace
}  // namespace ningju::http
