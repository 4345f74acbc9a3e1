#include "governance/areas/routes.h"

#include <charconv>

#include "common/decimal.h"
#include "common/text_util.h"
#include "governance/areas/door_sheet.h"
#include "record/record.h"
#include "web/number_format.h"

namespace ningju::areas {
namespace {

StatusOr<int64_t> IdParam(const http::Request& req, const std::string& name) { return ParseId(req.Param(name), name); }

StatusOr<int> LimitParam(const http::Request& req, int fallback) {
  auto text = req.Query("limit");
  if (!text) return fallback;
  int limit = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
  if (ec != std::errc() || ptr != text->data() + text->size()) {
    return InvalidArgumentError("limit must be a number", "limit");
  }
  return limit;
}

nlohmann::json PageJson(const Page<Area>& page) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& a : page.items) items.push_back(a.ToJson());
  return {{"items", items},
          {"next_cursor", page.next_cursor.empty() ? nlohmann::json(nullptr) : nlohmann::json(page.next_cursor)}};
}

std::string KindLabel(const web::Site& site, const web::RequestContext& ctx, AreaKind kind) {
  return site.T(ctx, "kind_" + std::string(AreaKindName(kind)));
}

std::string SubkindLabel(const web::Site& site, const web::RequestContext& ctx, const Area& a) {
  if (a.subkind.empty()) return "";
  if (a.kind == AreaKind::kNeighborhood) return site.T(ctx, "class_" + a.subkind);
  if (a.kind == AreaKind::kSubdistrict) return site.T(ctx, "subkind_" + a.subkind);
  return "";
}

StatusOr<http::Response> AreaPage(const web::Site& site, AreaService& service, http::Request& req,
                                  web::RequestContext& ctx, int64_t id) {
  ASSIGN_OR_RETURN(Area area, service.Get(id));
  ASSIGN_OR_RETURN(auto ancestors, service.Ancestors(id));
  ASSIGN_OR_RETURN(AreaFigures f, service.Figures(id));
  ASSIGN_OR_RETURN(auto children, service.Children(id, req.Query("cursor").value_or(""), 100));

  nlohmann::json data;
  data["area"] = area.ToJson();
  data["area"]["kind_label"] = KindLabel(site, ctx, area.kind);
  data["area"]["subkind_label"] = SubkindLabel(site, ctx, area);
  data["ancestors"] = nlohmann::json::array();
  for (const auto& a : ancestors) data["ancestors"].push_back({{"id", a.id}, {"name", a.name}});
  nlohmann::json figures = nlohmann::json::array();
  auto figure = [&](const char* key, const std::string& value) {
    figures.push_back({{"label", site.T(ctx, key)}, {"value", value}});
  };
  if (area.kind == AreaKind::kDistrict) figure("subdistricts", web::FormatNumber(f.subdistricts));
  if (area.kind <= AreaKind::kSubdistrict) figure("neighborhoods", web::FormatNumber(f.neighborhoods));
  if (area.kind <= AreaKind::kNeighborhood) figure("buildings", web::FormatNumber(f.buildings));
  if (area.kind == AreaKind::kBuilding) figure("entrances", web::FormatNumber(f.entrances));
  figure("units", web::FormatNumber(f.units));
  figure("owners", web::FormatNumber(f.owners));
  figure("total_area", web::FormatNumber(ningju::Area::FromHundredths(f.area_centi)));
  if (area.kind <= AreaKind::kNeighborhood) figure("residents", web::FormatNumber(f.residents));
  data["figures"] = figures;

  data["children"] = nlohmann::json::array();
  for (const auto& c : children.items) {
    std::string detail = SubkindLabel(site, ctx, c);
    if (detail.empty() && c.floors > 0) detail = std::to_string(c.floors) + (ctx.locale == "en" ? " floors" : " 层");
    data["children"].push_back({{"id", c.id}, {"name", c.name}, {"detail", detail}});
  }
  if (!children.items.empty()) {
    static constexpr const char* kPlural[] = {"", "subdistricts", "neighborhoods", "buildings", "entrances"};
    data["children_heading"] = site.T(ctx, kPlural[static_cast<int>(children.items.front().kind)]);
  }
  data["next_cursor"] = children.next_cursor;
  data["is_building"] = area.kind == AreaKind::kBuilding;
  data["is_neighborhood"] = area.kind == AreaKind::kNeighborhood;

  if (area.kind == AreaKind::kBuilding || area.kind == AreaKind::kEntrance) {
    ASSIGN_OR_RETURN(auto units, service.Units(ctx.principal, id));
    data["units"] = nlohmann::json::array();
    // The unit-by-unit table (floor areas and owners) is the roster's: without kManageRoster the page shows the
    // building's figures (units, owners, floor area) only.
    for (const auto& u : units) {
      if (!u.details) break;
      std::string owners = site.Punct(ctx).Join(u.owners);
      if (u.developer_unsold) owners = site.T(ctx, "developer_unsold");
      std::string number = area.kind == AreaKind::kBuilding ? u.entrance + " · " + u.number : u.number;
      data["units"].push_back({{"number", number},
                               {"floor", u.floor},
                               {"area", web::FormatNumber(ningju::Area::FromHundredths(u.area_centi))},
                               {"owners", owners}});
    }
  }
  ASSIGN_OR_RETURN(bool can_edit, service.MayEdit(ctx.principal, id));
  data["can_edit"] = can_edit;
  data["follow_ref"] = record::Ref("area", area.id);  // the follow button (src/platform/notify)
  return site.Page(ctx, "areas/area", data, area.name);
}

StatusOr<http::Response> RosterPage(const web::Site& site, AreaService& service, web::RequestContext& ctx, int64_t id,
                                    nlohmann::json data, int status = 200) {
  ASSIGN_OR_RETURN(Area area, service.Get(id));
  if (area.kind != AreaKind::kNeighborhood) return InvalidArgumentError("rosters belong to neighborhoods", "id");
  data["area"] = area.ToJson();
  return site.Page(ctx, "areas/roster", data, site.T(ctx, "roster"), status);
}

}  // namespace

void RegisterAreaRoutes(http::Router& router, const web::Site& site, AreaService& service,
                        [[maybe_unused]] storage::Database& db, size_t max_upload_bytes) {
  router.Add("GET", "/areas", site.Web([&service](http::Request&, web::RequestContext&) -> StatusOr<http::Response> {
    ASSIGN_OR_RETURN(Area root, service.Root());
    return http::Response::Redirect("/areas/" + std::to_string(root.id), 302);
  }));
  router.Add("GET", "/areas/{id}",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               return AreaPage(site, service, req, ctx, id);
             }));
  // The address a building's door QR code leads to.
  router.Add("GET", "/buildings/{id}",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Area area, service.Get(id));
               if (area.kind != AreaKind::kBuilding) return NotFoundError(Msg("no building {}", id));
               return AreaPage(site, service, req, ctx, id);
             }));
  router.Add("GET", "/areas/{id}/door-sheet",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Area area, service.Get(id));
               if (area.kind != AreaKind::kBuilding) {
                 return InvalidArgumentError("a door sheet belongs to a building", "id");
               }
               ASSIGN_OR_RETURN(auto ancestors, service.Ancestors(id));
               std::string url = site.options().base_url + "/buildings/" + std::to_string(id);
               nlohmann::json sheet = {{"building", area.name}, {"address", area.address}, {"url", url}};
               for (const auto& a : ancestors) {
                 if (a.kind == AreaKind::kSubdistrict) sheet["subdistrict"] = a.name;
                 if (a.kind == AreaKind::kNeighborhood) sheet["neighborhood"] = a.name;
               }
               nlohmann::json data = {{"sheet", sheet}, {"html_qr", QrSvg(url)}};
               return site.Page(ctx, "areas/door_sheet", data, area.name);
             }));
  router.Add("GET", "/areas/{id}/edit",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Area area, service.GetForEdit(ctx.principal, id));
               nlohmann::json data = {{"area", area.ToJson()},
                                      {"is_neighborhood", area.kind == AreaKind::kNeighborhood},
                                      {"is_subdistrict", area.kind == AreaKind::kSubdistrict}};
               data["classes"] = nlohmann::json::array();
               for (const auto& c : NeighborhoodClasses()) {
                 data["classes"].push_back(
                     {{"value", c}, {"label", site.T(ctx, "class_" + c)}, {"selected", c == area.subkind}});
               }
               return site.Page(ctx, "areas/edit", data, area.name);
             }));
  router.Add("POST", "/areas/{id}/edit",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Area area, service.Get(id));
               AreaUpdate update;
               update.name = web::Site::Field(ctx, "name");
               update.address = web::Site::Field(ctx, "address");
               if (area.kind == AreaKind::kNeighborhood) update.subkind = web::Site::Field(ctx, "subkind");
               if (area.kind == AreaKind::kSubdistrict) {
                 update.signature_project = web::Site::Field(ctx, "signature_project");
               }
               ASSIGN_OR_RETURN(Area after, service.Update(ctx.principal, id, update));
               return http::Response::Redirect("/areas/" + std::to_string(after.id));
             }));

  router.Add("GET", "/areas/{id}/roster",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               RETURN_IF_ERROR(service.GetRoster(ctx.principal, id).status());
               return RosterPage(site, service, ctx, id, nlohmann::json::object());
             }));
  // The permission is asked before a byte of the upload is parsed (the multipart body, then the .xlsx): a stranger's
  // file costs nothing. The import runs on the server's small import pool (RouteOptions::import).
  auto may_import = [&service](const http::Request& req, const web::RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
    return service.MayImportRoster(ctx.principal, id);
  };
  router.Add("POST", "/areas/{id}/roster",
             site.Upload(may_import,
                         [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
                           ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
                           if (ctx.files.size() != 1)
                             return InvalidArgumentError("choose one roster file (.xlsx or .csv)", "file");
                           auto table = ReadRosterBytes(ctx.files[0].body, ctx.files[0].filename);
                           if (!table.ok()) {
                             if (table.status().code() == StatusCode::kPermissionDenied) return table.status();
                             // A file beyond a limit (size, rows, cells, strings) is 413, any other fault 400.
                             const int code = table.status().code() == StatusCode::kResourceExhausted ? 413 : 400;
                             const std::string error = site.ErrorTextWithField(ctx, table.status());
                             return RosterPage(site, service, ctx, id, {{"error", error}}, code);
                           }
                           const bool apply = web::Site::Field(ctx, "mode") == "apply";
                           ASSIGN_OR_RETURN(RosterPlan plan, apply ? service.ImportRoster(ctx.principal, id, *table)
                                                                   : service.PlanRoster(ctx.principal, id, *table));
                           nlohmann::json data;
                           data["problems"] = nlohmann::json::array();
                           for (const auto& p : plan.problems) {
                             data["problems"].push_back(
                                 {{"row", p.row},
                                  {"column", p.column + (p.column_name.empty() ? "" : " " + p.column_name)},
                                  {"reason", p.reason}});
                           }
                           if (plan.ok()) {
                             const RosterCounts& c = plan.counts;
                             const bool en = ctx.locale == "en";
                             const web::Punctuation punct = site.Punct(ctx);
                             auto line = [&](const char* zh, const char* english, int64_t n) {
                               return punct.Labeled(en ? english : zh, web::FormatNumber(n));
                             };
                             data["plan"] = {{"lines",
                                              {line("数据行", "rows", c.rows),
                                               line("新建楼栋", "buildings created", c.buildings_created),
                                               line("新建门洞", "entrances created", c.entrances_created),
                                               line("新建房屋", "units created", c.units_created),
                                               line("更新房屋", "units updated", c.units_updated),
                                               line("未变房屋", "units unchanged", c.units_unchanged),
                                               line("新建业主", "owners created", c.owners_created),
                                               line("新增产权关系", "ownerships added", c.owner_links_added),
                                               line("移除产权关系", "ownerships removed", c.owner_links_removed)}}};
                             data["notice"] =
                                 apply ? (en ? "Imported." : "已导入。")
                                       : (en ? "Dry run: nothing was imported." : "试运行：未导入任何数据。");
                           }
                           return RosterPage(site, service, ctx, id, data, plan.ok() ? 200 : 422);
                         }),
             router.Import(max_upload_bytes));
  for (const char* format : {"csv", "xlsx"}) {
    const std::string fmt = format;
    router.Add("GET", "/areas/{id}/roster." + fmt,
               site.Web([&service, fmt](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
                 ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
                 const bool unmasked = req.Query("unmasked").value_or("") == "1";
                 ASSIGN_OR_RETURN(std::string bytes, service.ExportRoster(ctx.principal, id, fmt, unmasked));
                 http::Response resp;
                 resp.status = 200;
                 resp.body = std::move(bytes);
                 resp.SetHeader("Content-Type", fmt == "csv" ? "text/csv; charset=utf-8"
                                                             : "application/vnd.openxmlformats-officedocument."
                                                               "spreadsheetml.sheet");
                 resp.SetHeader("Content-Disposition",
                                "attachment; filename=\"roster-" + std::to_string(id) + "." + fmt + "\"");
                 resp.SetHeader("Cache-Control", "no-store");
                 return resp;
               }));
  }

  // JSON API.
  router.Add("GET", "/api/v1/areas",
             site.Api([&service](http::Request& req, web::RequestContext&) -> StatusOr<http::Response> {
               std::string kind_name = req.Query("kind").value_or("subdistrict");
               auto kind = ParseAreaKind(kind_name);
               if (!kind) return InvalidArgumentError(Msg("unknown kind \"{}\"", kind_name), "kind");
               ASSIGN_OR_RETURN(int limit, LimitParam(req, 50));
               ASSIGN_OR_RETURN(auto page, service.ListByKind(*kind, req.Query("cursor").value_or(""), limit));
               return web::Site::Json(200, PageJson(page));
             }));
  router.Add("GET", "/api/v1/areas/{id}",
             site.Api([&service](http::Request& req, web::RequestContext&) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Area area, service.Get(id));
               ASSIGN_OR_RETURN(AreaFigures f, service.Figures(id));
               nlohmann::json body = area.ToJson();
               body["figures"] = f.ToJson();
               return web::Site::Json(200, body);
             }));
  router.Add("GET", "/api/v1/areas/{id}/children",
             site.Api([&service](http::Request& req, web::RequestContext&) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(int limit, LimitParam(req, 50));
               ASSIGN_OR_RETURN(auto page, service.Children(id, req.Query("cursor").value_or(""), limit));
               return web::Site::Json(200, PageJson(page));
             }));
  router.Add(
      "GET", "/api/v1/areas/{id}/units",
      site.Api([&service](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
        ASSIGN_OR_RETURN(Area area, service.Get(id));
        if (area.kind != AreaKind::kBuilding && area.kind != AreaKind::kEntrance) {
          return InvalidArgumentError("units are listed per building or entrance", "id");
        }
        ASSIGN_OR_RETURN(auto units, service.Units(ctx.principal, id));
        nlohmann::json items = nlohmann::json::array();
        for (const auto& u : units) {
          nlohmann::json item = {{"id", u.id}, {"entrance", u.entrance}, {"number", u.number}, {"floor", u.floor}};
          // Floor areas and owners only for those who keep the roster (UnitView::details).
          if (u.details) {
            item["area_m2"] = ningju::Area::FromHundredths(u.area_centi).ToString();
            item["developer_unsold"] = u.developer_unsold;
            item["owners"] = u.owners;
          }
          items.push_back(std::move(item));
        }
        return web::Site::Json(200, {{"items", items}});
      }));
  router.Add("PATCH", "/api/v1/areas/{id}",
             site.Api([&service](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(nlohmann::json body,
                                web::Site::JsonBody(req, {"name", "address", "subkind", "signature_project"}));
               AreaUpdate update;
               auto text = [&](const char* key, std::optional<std::string>& out) -> Status {
                 if (!body.contains(key)) return OkStatus();
                 if (!body[key].is_string())
                   return InvalidArgumentError(Msg("{} must be a string", FieldName{key}), key);
                 out = body[key].get<std::string>();
                 return OkStatus();
               };
               RETURN_IF_ERROR(text("name", update.name));
               RETURN_IF_ERROR(text("address", update.address));
               RETURN_IF_ERROR(text("subkind", update.subkind));
               RETURN_IF_ERROR(text("signature_project", update.signature_project));
               ASSIGN_OR_RETURN(Area after, service.Update(ctx.principal, id, update));
               return web::Site::Json(200, after.ToJson());
             }));
}

}  // namespace ningju::areas
