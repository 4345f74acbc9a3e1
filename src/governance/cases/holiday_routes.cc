#include "governance/cases/holiday_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "web/number_format.h"

namespace ningju::cases {
namespace {

using nlohmann::json;

// The page: the years covered, the form (with `text` kept), and `extra` (notice, error, preview).
StatusOr<http::Response> HolidaysPage(const web::Site& site, web::RequestContext& ctx, HolidayService& service,
                                      const std::string& text, json extra, int status = 200) {
  ASSIGN_OR_RETURN(std::vector<HolidayYear> years, service.Years());
  json data = std::move(extra);
  data["years"] = json::array();
  for (const auto& y : years) {
    data["years"].push_back({{"year", y.year},
                             {"source", site.T(ctx, "holidays_source_" + y.source)},
                             {"holidays", web::FormatNumber(y.holidays)},
                             {"working_days", web::FormatNumber(y.working_days)},
                             {"stored_at", y.stored_at ? FormatShanghai(*y.stored_at) : ""}});
  }
  if (auto missing = service.holder().Get()->MissingYear(ShanghaiDate(service.Now()))) {
    data["missing"] = fmt::format(fmt::runtime(site.T(ctx, "home_calendar_missing")), *missing);
  }
  data["text"] = text;
  return site.Page(ctx, "admin/holidays", data, site.T(ctx, "holidays_title"), status);
}

json MovesJson(const web::Site& site, web::RequestContext& ctx, const HolidayImport& r) {
  json moves = json::array();
  for (const auto& m : r.moves) {
    moves.push_back({{"case_id", m.case_id},
                     {"deadline", site.T(ctx, "holidays_deadline_" + m.deadline)},
                     {"old_due", FormatShanghai(m.old_due)},
                     {"new_due", FormatShanghai(m.new_due)}});
  }
  std::vector<std::string> year_names;
  for (int y : r.years) year_names.push_back(std::to_string(y));
  const std::string years = site.Punct(ctx).Join(year_names);
  return {{"years", years},
          {"holidays", web::FormatNumber(r.holidays)},
          {"working_days", web::FormatNumber(r.working_days)},
          {"has_moves", !moves.empty()},
          {"moves", moves},
          {"count", web::FormatNumber(static_cast<int64_t>(r.moves.size()))}};
}

}  // namespace

void RegisterHolidayRoutes(http::Router& router, const web::Site& site, HolidayService& service) {
  router.Add("GET", "/admin/holidays",
             site.Web([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               RETURN_IF_ERROR(service.CheckManage(ctx.principal));
               return HolidaysPage(site, ctx, service, "", json::object());
             }));
  // action=preview shows the moves and stores nothing; action=store stores the years and moves the deadlines.
  router.Add("POST", "/admin/holidays",
             site.Web([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               const std::string text = web::Site::Field(ctx, "text");
               const bool store = web::Site::Field(ctx, "action") == "store";
               auto r = service.Import(ctx.principal, text, !store);
               if (!r.ok()) {
                 const Status& s = r.status();
                 if (s.code() != StatusCode::kInvalidArgument) return s;
                 return HolidaysPage(site, ctx, service, text, {{"error", site.ErrorText(ctx, s)}}, 400);
               }
               json extra = {{"result", MovesJson(site, ctx, *r)}};
               if (store) {
                 extra["notice"] = site.T(ctx, "holidays_stored");
                 return HolidaysPage(site, ctx, service, "", extra);
               }
               extra["preview"] = true;
               return HolidaysPage(site, ctx, service, text, extra);
             }));
}

}  // namespace ningju::cases
