#include "platform/search/routes.h"

#include <charconv>

#include "common/text_util.h"
#include "common/utf8.h"

namespace ningju::search {
namespace {

using nlohmann::json;

// The query string's q, kind, area, cursor and limit; malformed numbers are kInvalidArgument naming the field.
StatusOr<SearchQuery> QueryFrom(const http::Request& req) {
  SearchQuery q;
  q.q = std::string(Trim(req.Query("q").value_or("")));
  q.kind = req.Query("kind").value_or("");
  q.cursor = req.Query("cursor").value_or("");
  if (auto area = req.Query("area"); area && !area->empty()) {
    ASSIGN_OR_RETURN(q.area_id, ParseId(*area, "area"));
  }
  if (auto limit = req.Query("limit")) {
    auto [ptr, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), q.limit);
    if (limit->empty() || ec != std::errc() || ptr != limit->data() + limit->size()) {
      return InvalidArgumentError(Msg("{} must be a number", FieldName{"limit"}), "limit");
    }
  }
  return q;
}

json PartsJson(const text::Snippet& s) {
  json parts = json::array();
  for (const auto& p : s.parts) parts.push_back({{"text", p.text}, {"highlighted", p.highlighted}});
  return parts;
}

json HitJson(const SearchHit& h) {
  return {{"kind", h.kind},
          {"id", h.id},
          {"area_id", h.area_id},
          {"path", h.path},
          {"title", h.title.Render("", "")},
          {"title_parts", PartsJson(h.title)},
          {"snippet", h.snippet.Render("", "")},
          {"snippet_parts", PartsJson(h.snippet)}};
}

}  // namespace

void RegisterSearchRoutes(http::Router& router, const web::Site& site, SearchService& service,
                          const SearchRegistry& registry) {
  router.Add(
      "GET", "/api/v1/search", site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(SearchQuery q, QueryFrom(req));
        ASSIGN_OR_RETURN(SearchPage page, service.Search(ctx.principal, q));
        json items = json::array();
        for (const SearchHit& h : page.items) items.push_back(HitJson(h));
        return web::Site::Json(
            200,
            {{"items", items}, {"next_cursor", page.next_cursor.empty() ? json(nullptr) : json(page.next_cursor)}});
      }));
  router.Add("GET", "/search", site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
    json data = {{"q", ""}, {"results", json::array()}};
    json kinds = json::array();
    const std::string chosen = req.Query("kind").value_or("");
    for (const SearchKind& k : registry.kinds()) {
      kinds.push_back(
          {{"value", k.name}, {"label", site.T(ctx, "search_kind_" + k.name)}, {"selected", k.name == chosen}});
    }
    data["kinds"] = kinds;
    const std::string title = site.T(ctx, "search_title");
    StatusOr<SearchQuery> q = QueryFrom(req);
    if (q.ok() && q->q.empty()) return site.Page(ctx, "search/results", data, title);
    StatusOr<SearchPage> page = q.ok() ? service.Search(ctx.principal, *q) : StatusOr<SearchPage>(q.status());
    if (q.ok()) data["q"] = utf8::FindInvalid(q->q).has_value() ? std::string() : q->q;
    if (!page.ok()) {
      if (page.status().code() != StatusCode::kInvalidArgument) return page.status();
      data["error"] = site.ErrorText(ctx, page.status());
      return site.Page(ctx, "search/results", data, title, 400);
    }
    json results = json::array();
    for (const SearchHit& h : page->items) {
      json r = HitJson(h);
      r["kind_label"] = site.T(ctx, "search_kind_" + h.kind);
      results.push_back(std::move(r));
    }
    data["results"] = results;
    data["searched"] = true;
    if (!page->next_cursor.empty()) {
      std::string next = "/search?q=" + http::PercentEncode(q->q) + "&cursor=" + http::PercentEncode(page->next_cursor);
      if (!q->kind.empty()) next += "&kind=" + http::PercentEncode(q->kind);
      if (q->area_id) next += "&area=" + std::to_string(*q->area_id);
      data["next"] = next;
    }
    return site.Page(ctx, "search/results", data, title);
  }));
}

}  // namespace ningju::search
