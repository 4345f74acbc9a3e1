// A stand-in for the ningju server when load-testing the HTTP layer alone (bench/http/run.sh): the routes the script
// hits by default, with in-memory answers of realistic size, so the numbers measure parsing, routing, the worker
// hand-off and writing, and nothing of the database or templates.
//
//   http_bench_server [--port N] [--address A] [--static-dir DIR] [--io-threads N] [--worker-threads N]
//
// Serves until SIGINT/SIGTERM.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/router.h"
#include "http/server.h"
#include "http/static_files.h"

namespace {

using ningju::http::Request;
using ningju::http::Response;

// About the size of a rendered list page: 50 rows of a table.
std::string AreasPage() {
  std::string html =
      "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>区域</title>"
      "<link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main><h1>区域</h1><table>";
  for (int i = 1; i <= 50; ++i) {
    html += "<tr><td><a href=\"/areas/" + std::to_string(i) + "\">华阳路街道 第" + std::to_string(i) +
            "居民区</a></td><td>居民区</td><td>" + std::to_string(1000 + i * 37) + "</td></tr>";
  }
  html += "</table></main></body></html>";
  return html;
}

std::string AreasJson(std::string_view kind) {
  std::string json = "{\"items\":[";
  for (int i = 1; i <= 20; ++i) {
    if (i > 1) json += ",";
    json += "{\"id\":" + std::to_string(i) + ",\"kind\":\"" + std::string(kind) + "\",\"name\":\"街道" +
            std::to_string(i) + "\",\"parent_id\":1}";
  }
  json += "],\"next_cursor\":null}";
  return json;
}

}  // namespace

int main(int argc, char** argv) {
  ningju::http::ServerOptions options;
  options.port = 8080;
  std::string static_dir = "static";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--port") {
      options.port = static_cast<uint16_t>(std::atoi(value));
    } else if (flag == "--address") {
      options.address = value;
    } else if (flag == "--static-dir") {
      static_dir = value;
    } else if (flag == "--io-threads") {
      options.io_threads = std::atoi(value);
    } else if (flag == "--worker-threads") {
      options.worker_threads = std::atoi(value);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }

  const std::string page = AreasPage();
  ningju::http::Router router;
  router.Add("GET", "/healthz", [](Request&) { return Response::Text(200, "ok\n"); });
  router.Add("GET", "/static/{path...}", ningju::http::StaticFiles(static_dir, "/static/", 3600));
  router.Add("GET", "/areas", [&page](Request&) { return Response::Html(200, page); });
  router.Add("GET", "/api/v1/areas",
             [](Request& r) { return Response::Json(200, AreasJson(r.Query("kind").value_or("any"))); });

  ningju::http::Server server(options, router);
  server.SetResponseHook([](const Request&, Response& response) {
    response.SetHeader("X-Content-Type-Options", "nosniff");  // what the app's hook does on every response
  });
  if (ningju::Status s = server.Listen(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "http_bench_server listening on %s:%u\n", options.address.c_str(), server.port());
  server.Run(/*handle_signals=*/true);
  return 0;
}
