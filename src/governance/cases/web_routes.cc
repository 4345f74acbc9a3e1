#include "governance/cases/web_routes.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "auth/policy.h"
#include "common/text_util.h"
#include "governance/areas/area_filter.h"
#include "governance/areas/xlsx.h"
#include "platform/index.h"
#include "record/record.h"
#include "web/number_format.h"
#include "web/svg_bars.h"

namespace ningju::cases {
namespace {

using json = nlohmann::json;
using areas::AreaKind;

constexpr int kPageSize = 50;

// At most `max` code points of `s`, with an ellipsis when cut.
std::string Shorten(const std::string& s, size_t max) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (count == max) return s.substr(0, i) + "…";
      ++count;
    }
  }
  return s;
}

bool IsFormProblem(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kFailedPrecondition ||
         s.code() == StatusCode::kAlreadyExists;
}

// A form's problem in the visitor's language, naming the field when there is one.
std::string ProblemText(const web::Site& site, const web::RequestContext& ctx, const Status& s) {
  return site.ErrorTextWithField(ctx, s);
}

StatusOr<int> IntField(const std::string& text, const char* name) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgumentError(Msg("{} must be a number", FieldName{name}), name);
  }
  return v;
}

std::string Percent(const Rate& r) {
  auto v = r.value();
  return v ? fmt::format("{:.1f}%", *v * 100) : "—";
}

// The rates table's columns in the table's order: the name `sort=` gives each, and its label (the first column's
// depends on the grouping).
struct MetricsColumn {
  std::string_view sort;
  const char* label_key;
};
constexpr MetricsColumn kMetricsColumns[] = {
    {"name", nullptr},
    {"dispatched", "case_dispatched"},
    {"response", "case_response_rate"},
    {"resolution", "case_resolution_rate"},
    {"satisfaction", "case_satisfaction_rate"},
    {"on_time", "case_on_time_rate"},
    {"reopen", "case_reopen_rate"},
    {"score", "case_score"},
};

// The order of the rates table (`sort`, `dir` of /cases/metrics).
struct MetricsSort {
  std::string column;  // a kMetricsColumns sort name; empty: the service's order (by id), as the API and the .xlsx
  bool descending = false;
};

// An empty `sort` or `dir` is as if not given; anything else unknown is kInvalidArgument naming the field.
StatusOr<MetricsSort> ParseMetricsSort(const http::Request& req) {
  MetricsSort sort;
  sort.column = req.Query("sort").value_or("");
  const std::string dir = req.Query("dir").value_or("");
  std::string names;
  bool known = sort.column.empty();
  for (const MetricsColumn& c : kMetricsColumns) {
    names += (names.empty() ? "" : ", ") + std::string(c.sort);
    known = known || c.sort == sort.column;
  }
  if (!known) {
    return InvalidArgumentError(Msg("{} is one of {}, not {}", FieldName{"sort"}, names, QuoteForMessage(sort.column)),
                                "sort");
  }
  if (!dir.empty() && dir != "asc" && dir != "desc") {
    return InvalidArgumentError(Msg("{} is one of {}, not {}", FieldName{"dir"}, "asc, desc", QuoteForMessage(dir)),
                                "dir");
  }
  sort.descending = dir == "desc";
  return sort;
}

// The rate a sort column names; nullptr for the other columns.
const Rate* RateOf(const MetricsRow& r, std::string_view column) {
  if (column == "response") return &r.response;
  if (column == "resolution") return &r.resolution;
  if (column == "satisfaction") return &r.satisfaction;
  if (column == "on_time") return &r.on_time;
  if (column == "reopen") return &r.reopen;
  return nullptr;
}

// Sorts by the column, stably: rates compare exactly (cross-multiplied, so 1/2 and 2/4 tie), ties go by name
// ascending, then by id. A value that does not exist (a rate of 0 cases, shown "—", or no score) goes last in both
// directions: it is not the lowest value, it is none.
void SortMetricsRows(std::vector<MetricsRow>& rows, const MetricsSort& sort) {
  if (sort.column.empty()) return;
  auto missing = [&](const MetricsRow& r) {
    if (const Rate* rate = RateOf(r, sort.column)) return rate->denominator <= 0;
    return sort.column == "score" && !r.score;
  };
  // <0, 0, >0 as a's value is below, equal to or above b's; both exist.
  auto compare = [&](const MetricsRow& a, const MetricsRow& b) -> int {
    if (const Rate* ra = RateOf(a, sort.column)) {
      const Rate* rb = RateOf(b, sort.column);
      const __int128 lhs = static_cast<__int128>(ra->numerator) * rb->denominator;
      const __int128 rhs = static_cast<__int128>(rb->numerator) * ra->denominator;
      return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
    }
    if (sort.column == "name") return a.name.compare(b.name);
    if (sort.column == "dispatched") return a.dispatched < b.dispatched ? -1 : a.dispatched > b.dispatched ? 1 : 0;
    return *a.score < *b.score ? -1 : *a.score > *b.score ? 1 : 0;  // "score"
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const MetricsRow& a, const MetricsRow& b) {
    const bool a_missing = missing(a), b_missing = missing(b);
    if (a_missing != b_missing) return b_missing;
    if (!a_missing) {
      const int c = compare(a, b);
      if (c != 0) return sort.descending ? c > 0 : c < 0;
    }
    if (a.name != b.name) return a.name < b.name;
    return a.id < b.id;
  });
}

// Everything the pages share: the services, labels and lookups. Lives as long as the router's handlers.
class Pages {
 public:
  Pages(const web::Site& site, CaseService& service, areas::AreaService& areas, size_t max_file_bytes)
      : site_(site), service_(service), areas_(areas), max_file_bytes_(max_file_bytes) {}

  void Register(http::Router& router, const std::shared_ptr<Pages>& self);

 private:
  // ---- labels
  std::string T(const web::RequestContext& ctx, const std::string& key) const { return site_.T(ctx, key); }
  std::string StateLabel(const web::RequestContext& ctx, CaseState s) const {
    return T(ctx, "case_state_" + std::string(StateName(s)));
  }
  std::string CategoryLabel(const web::RequestContext& ctx, const std::string& code) const {
    const std::string key = "case_category_" + code;
    std::string label = T(ctx, key);
    if (label != key) return label;
    auto cats = service_.Categories();
    if (cats.ok()) {
      for (const auto& c : *cats) {
        if (c.code == code) return ctx.locale == "en" ? c.name_en : c.name_zh;
      }
    }
    return code;
  }
  std::string EventLabel(const web::RequestContext& ctx, const std::string& kind) const {
    if (ParseAction(kind)) return T(ctx, "case_action_" + kind);
    return T(ctx, "case_event_" + kind);
  }
  json Options(const web::RequestContext& ctx, const std::vector<std::string>& values, const std::string& prefix,
               const std::string& selected) const {
    json out = json::array();
    for (const auto& v : values) {
      out.push_back({{"value", v}, {"label", T(ctx, prefix + v)}, {"selected", v == selected}});
    }
    return out;
  }

  // ---- lookups (per request)
  struct Lookup {
    std::map<int64_t, std::string> areas;
    std::map<int64_t, std::string> users;
    std::map<int64_t, std::string> units;
  };
  std::string AreaName(Lookup& l, int64_t id) {
    auto it = l.areas.find(id);
    if (it != l.areas.end()) return it->second;
    auto a = areas_.Get(id);
    return l.areas[id] = a.ok() ? a->name : "#" + std::to_string(id);
  }
  std::string UserName(Lookup& l, int64_t id) {
    auto it = l.users.find(id);
    if (it != l.users.end()) return it->second;
    auto u = site_.accounts().FindById(id);
    return l.users[id] = u.ok() ? u->display_name : "#" + std::to_string(id);
  }
  std::string UnitName(Lookup& l, int64_t id) {
    if (l.units.empty()) {
      auto units = service_.Units();
      if (units.ok()) {
        for (const auto& u : *units) l.units[u.id] = u.name;
      }
    }
    auto it = l.units.find(id);
    return it == l.units.end() ? "#" + std::to_string(id) : it->second;
  }
  // "安化一村居民区 · 3号楼".
  std::string Place(Lookup& l, const Case& c) {
    std::string out = AreaName(l, c.neighborhood_id);
    if (c.building_id) out += " · " + AreaName(l, *c.building_id);
    if (c.area_id != c.neighborhood_id && (!c.building_id || c.area_id != *c.building_id)) {
      out += " · " + AreaName(l, c.area_id);
    }
    return out;
  }
  json CaseRow(const web::RequestContext& ctx, Lookup& l, const Case& c) {
    const Instant now = service_.Now();
    json row = {{"id", c.id},
                {"title", c.title},
                {"state", StateName(c.state)},
                {"state_label", StateLabel(ctx, c.state)},
                {"category_label", CategoryLabel(ctx, c.category)},
                {"type_label", T(ctx, "case_type_" + c.type)},
                {"place", Place(l, c)},
                {"submitted", FormatShanghai(c.submitted_at)},
                {"me_too_count", web::FormatNumber(c.me_too_count)},
                {"urgent", c.urgency != "normal"},
                {"urgency_label", T(ctx, "case_urgency_" + c.urgency)}};
    // Set on every row: a row without them would read the inbox page's counts of the same names in a section.
    row["overdue"] = false;
    row["due_today"] = false;
    if (c.due_at) {
      row["due"] = FormatShanghai(*c.due_at);
      row["overdue"] = *c.due_at < now;
      row["due_today"] = !(*c.due_at < now) && *c.due_at <= EndOfShanghaiDay(ShanghaiDate(now));
    }
    return row;
  }

  // ---- the report form
  struct Draft {
    std::string type = "complaint";
    std::string category;
    int64_t area_id = 0;
    std::string title;
    std::string description;
    std::string channel = "web";
    std::string unit_id;
    std::string urgency = "normal";
    std::string contact_name;
    std::string contact_phone;
    bool is_public = false;
    bool unit_public = false;
  };
  static Draft DraftFrom(const web::RequestContext& ctx) {
    Draft d;
    auto f = [&](const char* name) { return web::Site::Field(ctx, name); };
    if (!f("type").empty()) d.type = f("type");
    d.category = f("category");
    auto area = ParseId(f("area_id"), "area_id");
    if (area.ok()) d.area_id = *area;
    d.title = f("title");
    d.description = f("description");
    if (!f("channel").empty()) d.channel = f("channel");
    d.unit_id = f("unit_id");
    if (!f("urgency").empty()) d.urgency = f("urgency");
    d.contact_name = f("contact_name");
    d.contact_phone = f("contact_phone");
    d.is_public = f("public") == "1";
    d.unit_public = f("unit_public") == "1";
    return d;
  }
  static bool IsStaffChannel(const std::string& channel) {
    const auto& s = StaffChannels();
    return std::find(s.begin(), s.end(), channel) != s.end();
  }

  // The location choices: the neighborhood (known from the area given or the resident's grant) and its buildings;
  // otherwise every neighborhood grouped by subdistrict.
  StatusOr<json> LocationGroups(const web::RequestContext& ctx, int64_t selected, bool* building_selected) {
    std::optional<int64_t> nb;
    *building_selected = false;
    if (selected != 0) {
      ASSIGN_OR_RETURN(areas::Area a, areas_.Get(selected));
      if (a.kind == AreaKind::kNeighborhood) nb = a.id;
      if (a.kind == AreaKind::kBuilding) {
        nb = a.parent_id;
        *building_selected = true;
      }
      if (a.kind == AreaKind::kEntrance && a.parent_id) {
        ASSIGN_OR_RETURN(areas::Area b, areas_.Get(*a.parent_id));
        nb = b.parent_id;
      }
    } else {
      for (const auto& g : ctx.principal.grants) {
        if (g.role == auth::Role::kResident) {
          auto a = areas_.Get(g.area_id);
          if (a.ok() && a->kind == AreaKind::kNeighborhood) {
            nb = a->id;
            selected = a->id;
            break;
          }
        }
      }
    }
    json groups = json::array();
    if (nb) {
      ASSIGN_OR_RETURN(areas::Area n, areas_.Get(*nb));
      json options = json::array();
      options.push_back({{"value", n.id},
                         {"label", n.name + " " + T(ctx, "case_whole_neighborhood")},
                         {"selected", n.id == selected}});
      std::string cursor;
      do {
        ASSIGN_OR_RETURN(auto page, areas_.Children(n.id, cursor, areas::kMaxPageSize));
        for (const auto& b : page.items) {
          options.push_back({{"value", b.id}, {"label", b.name}, {"selected", b.id == selected}});
        }
        cursor = page.next_cursor;
      } while (!cursor.empty());
      groups.push_back({{"label", n.name}, {"options", options}});
      return groups;
    }
    std::map<int64_t, size_t> index;
    std::string cursor;
    do {
      ASSIGN_OR_RETURN(auto page, areas_.ListByKind(AreaKind::kSubdistrict, cursor, areas::kMaxPageSize));
      for (const auto& s : page.items) {
        index[s.id] = groups.size();
        groups.push_back({{"label", s.name}, {"options", json::array()}});
      }
      cursor = page.next_cursor;
    } while (!cursor.empty());
    do {
      ASSIGN_OR_RETURN(auto page, areas_.ListByKind(AreaKind::kNeighborhood, cursor, areas::kMaxPageSize));
      for (const auto& n : page.items) {
        auto it = n.parent_id ? index.find(*n.parent_id) : index.end();
        if (it == index.end()) continue;
        groups[it->second]["options"].push_back({{"value", n.id}, {"label", n.name}, {"selected", false}});
      }
      cursor = page.next_cursor;
    } while (!cursor.empty());
    return groups;
  }

  StatusOr<http::Response> FormPage(web::RequestContext& ctx, const Draft& d, bool step2, bool staff, json similar,
                                    const std::string& error, int status) {
    json data;
    data["staff"] = staff;
    data["step2"] = step2;
    data["error"] = error;
    data["signed_in"] = ctx.principal.signed_in();
    data["types"] = Options(ctx, CaseTypes(), "case_type_", d.type);
    data["urgencies"] = Options(ctx, Urgencies(), "case_urgency_", d.urgency);
    if (staff) data["channels"] = Options(ctx, StaffChannels(), "case_channel_", d.channel);
    ASSIGN_OR_RETURN(auto cats, service_.Categories());
    data["categories"] = json::array();
    for (const auto& c : cats) {
      data["categories"].push_back(
          {{"value", c.code}, {"label", CategoryLabel(ctx, c.code)}, {"selected", c.code == d.category}});
    }
    bool building = false;
    ASSIGN_OR_RETURN(data["location_groups"], LocationGroups(ctx, d.area_id, &building));
    data["units"] = json::array();
    if (step2 && building) {
      ASSIGN_OR_RETURN(auto units, areas_.Units(ctx.principal, d.area_id));
      for (const auto& u : units) {
        data["units"].push_back({{"value", u.id},
                                 {"label", u.entrance.empty() ? u.number : u.entrance + " · " + u.number},
                                 {"selected", std::to_string(u.id) == d.unit_id}});
      }
    }
    data["similar"] = std::move(similar);
    data["values"] = {{"title", d.title},
                      {"description", d.description},
                      {"channel", d.channel},
                      {"contact_name", d.contact_name},
                      {"contact_phone", d.contact_phone},
                      {"public", d.is_public},
                      {"unit_public", d.unit_public}};
    data["max_files"] = kMaxCaseFiles;
    data["max_file_mb"] = fmt::format("{:.1f}", static_cast<double>(max_file_bytes_) / (1024 * 1024));
    data["step1_action"] = staff ? "/cases/entry" : "/cases/new";
    data["phone_required"] = !ctx.principal.signed_in() && !staff;
    return site_.Page(ctx, "cases/new", data, T(ctx, staff ? "case_entry_title" : "case_new_title"), status);
  }

  StatusOr<http::Response> NewForm(http::Request& req, web::RequestContext& ctx, bool staff) {
    Draft d;
    if (staff) d.channel = "phone";
    if (auto area = req.Query("area"); area && !area->empty()) {
      ASSIGN_OR_RETURN(d.area_id, ParseId(*area, "area"));
    }
    return FormPage(ctx, d, false, staff, json::array(), "", 200);
  }

  // Step 2: the draft checked, similar open cases shown (same building first), the rest of the form.
  StatusOr<http::Response> CheckDraft(web::RequestContext& ctx, bool staff) {
    Draft d = DraftFrom(ctx);
    if (!staff && d.channel != "door_qr") d.channel = "web";
    std::string problem;
    if (d.area_id == 0) problem = T(ctx, "case_error_location");
    if (Trim(d.title).empty()) problem = T(ctx, "case_error_title");
    if (!problem.empty()) return FormPage(ctx, d, false, staff, json::array(), problem, 400);
    ASSIGN_OR_RETURN(areas::Area area, areas_.Get(d.area_id));
    SimilarQuery q;
    q.area_id = d.area_id;
    if (area.kind == AreaKind::kBuilding) q.building_id = area.id;
    q.title = d.title;
    q.description = d.description;
    q.limit = 5;
    auto found = service_.Similar(ctx.principal, q);
    if (!found.ok()) {
      if (!IsFormProblem(found.status())) return found.status();
      return FormPage(ctx, d, false, staff, json::array(), ProblemText(site_, ctx, found.status()), 400);
    }
    Lookup l;
    json similar = json::array();
    for (const auto& s : *found) {
      json row = CaseRow(ctx, l, s.c);
      row["same_building"] = s.same_building;
      similar.push_back(row);
    }
    return FormPage(ctx, d, true, staff, similar, "", 200);
  }

  StatusOr<http::Response> SubmitForm(http::Request& req, web::RequestContext& ctx) {
    Draft d = DraftFrom(ctx);
    const bool staff = IsStaffChannel(d.channel);
    if (!staff && d.channel != "door_qr") d.channel = "web";
    NewCase n;
    n.type = d.type;
    n.category = d.category;
    n.title = d.title;
    n.description = d.description;
    n.area_id = d.area_id;
    n.urgency = d.urgency;
    n.channel = d.channel;
    n.contact_name = d.contact_name;
    n.contact_phone = d.contact_phone;
    n.is_public = d.is_public;
    n.unit_public = d.unit_public;
    std::vector<CaseFile> files;
    for (const auto& part : ctx.files) {
      if (part.body.empty() && part.filename.empty()) continue;
      files.push_back({part.filename, part.body});
    }
    // Without a sign-in: the anonymous-intake limit (intake_limits.h); the form comes back with what was written.
    IntakeLimiter& limiter = service_.intake_limiter();
    ASSIGN_OR_RETURN(IntakeReservation slot,
                     limiter.Reserve(ctx.principal, n.channel, req.remote_address, n.contact_phone));
    if (const std::optional<IntakeRefusal>& refusal = slot.refusal) {
      std::string problem =
          fmt::format(fmt::runtime(T(ctx, refusal->subject == "phone" ? "case_error_too_many_phone"
                                                                      : "case_error_too_many_address")),
                      refusal->RetryAtText(), refusal->RetryAfterMinutes());
      if (!files.empty()) problem += " " + T(ctx, "case_error_files_again");
      ASSIGN_OR_RETURN(http::Response page, FormPage(ctx, d, d.area_id != 0, staff, json::array(), problem, 429));
      page.SetHeader("Retry-After", std::to_string(refusal->retry_after_seconds));
      return page;
    }
    StatusOr<Case> c = InvalidArgumentError(T(ctx, "case_error_location"), "area_id");
    if (d.area_id != 0) {
      if (!d.unit_id.empty()) {
        auto unit = ParseId(d.unit_id, "unit_id");
        if (!unit.ok()) {
          limiter.Release(slot);
          return unit.status();
        }
        n.unit_id = *unit;
      }
      record::AttachmentLimits limits;
      limits.max_bytes = max_file_bytes_;
      limits.max_per_object = kMaxCaseFiles;
      c = service_.SubmitWithFiles(ctx.principal, n, files, limits);
    }
    if (!c.ok()) {
      limiter.Release(slot);
      if (!IsFormProblem(c.status())) return c.status();
      std::string problem = ProblemText(site_, ctx, c.status());
      if (!files.empty()) problem += " " + T(ctx, "case_error_files_again");
      return FormPage(ctx, d, d.area_id != 0, staff, json::array(), problem, 400);
    }
    // The reporter follows the case page; an anonymous reporter (or staff entering for a caller) gets the receipt.
    if (ctx.principal.signed_in()) return http::Response::Redirect("/cases/" + std::to_string(c->id) + "?done=submit");
    json data = {
        {"case", {{"id", c->id}, {"title", c->title}}}, {"phone", MaskPhone(d.contact_phone)}, {"files", files.size()}};
    return site_.Page(ctx, "cases/received", data, T(ctx, "case_received_title"), 201);
  }

  // ---- the case page
  StatusOr<http::Response> CasePage(http::Request& req, web::RequestContext& ctx, int64_t id, const std::string& error,
                                    int status) {
    ASSIGN_OR_RETURN(CaseDetail d, service_.Get(ctx.principal, id));
    const Case& c = d.c;
    Lookup l;
    json data;
    json cj = CaseRow(ctx, l, c);
    cj["description"] = c.description;
    cj["channel_label"] = T(ctx, "case_channel_" + c.channel);
    cj["is_public"] = c.is_public;
    cj["open"] = IsOpen(c.state);
    cj["reopen_count"] = c.reopen_count > 0 ? web::FormatNumber(c.reopen_count) : "";  // "": the row is left out
    if (c.reply_due_at) cj["reply_due"] = FormatShanghai(*c.reply_due_at);
    if (c.lead_unit_id) cj["lead_unit"] = UnitName(l, *c.lead_unit_id);
    if (c.extension != ExtensionState::kNone) {
      cj["extension_label"] = T(ctx, "case_extension_" + std::string(ExtensionStateName(c.extension)));
    }
    if (c.merged_into) cj["merged_into"] = *c.merged_into;
    if (c.unit_id && c.building_id) {
      auto units = areas_.Units(ctx.principal, *c.building_id);
      if (units.ok()) {
        for (const auto& u : *units) {
          if (u.id == *c.unit_id) cj["place"] = cj["place"].get<std::string>() + " · " + u.number;
        }
      }
    }
    data["case"] = cj;
    if (c.personal_visible) {
      data["contact"] = {{"name", c.contact_name}, {"phone", c.contact_phone}};
      if (c.reporter_id) data["contact"]["reporter"] = UserName(l, *c.reporter_id);
      ASSIGN_OR_RETURN(auto files, service_.Files(ctx.principal, id));
      data["files"] = json::array();
      for (const auto& f : files) {
        const int64_t kb = static_cast<int64_t>(std::ceil(static_cast<double>(f.size) / 1024));
        data["files"].push_back({{"id", f.id},
                                 {"name", f.name},
                                 {"thumbnail", f.has_thumbnail},
                                 {"is_pdf", f.content_type == "application/pdf"},
                                 {"size", web::FormatNumber(kb) + " KB"}});
      }
    }
    data["timeline"] = json::array();
    for (const auto& e : d.timeline) {
      json row = {{"at", FormatShanghai(e.at)}, {"label", EventLabel(ctx, e.kind)}, {"note", e.note}};
      if (c.personal_visible) {
        row["who"] = e.actor_id ? UserName(l, *e.actor_id) : T(ctx, "case_who_system");
      }
      std::string detail;
      const json& x = e.data;
      const web::Punctuation punct = site_.Punct(ctx);
      if (x.contains("lead_unit_id") && x["lead_unit_id"].is_number_integer()) {
        detail = T(ctx, "case_lead_unit") + punct.colon + UnitName(l, x["lead_unit_id"].get<int64_t>());
        if (x.contains("co_unit_ids") && x["co_unit_ids"].is_array() && !x["co_unit_ids"].empty()) {
          detail += punct.semicolon + T(ctx, "case_co_units") + punct.colon;
          bool first = true;
          for (const auto& u : x["co_unit_ids"]) {
            if (!u.is_number_integer()) continue;
            detail += (first ? "" : punct.list) + UnitName(l, u.get<int64_t>());
            first = false;
          }
        }
      }
      if (x.contains("satisfaction") && x["satisfaction"].is_string()) {
        detail = T(ctx, x.value("resolved", false) ? "case_resolved_yes" : "case_resolved_no") + punct.semicolon +
                 T(ctx, "case_satisfaction_" + x["satisfaction"].get<std::string>());
      }
      if (e.kind == "request_extension" && x.contains("days") && x["days"].is_number_integer()) {
        detail = fmt::format(fmt::runtime(T(ctx, "case_extension_days_n")), x["days"].get<int64_t>());
      }
      if (e.kind == "merged" && x.contains("into") && x["into"].is_number_integer()) {
        detail = "#" + std::to_string(x["into"].get<int64_t>());
      }
      if (e.kind == "duplicate_merged" && x.contains("duplicate") && x["duplicate"].is_number_integer()) {
        detail = "#" + std::to_string(x["duplicate"].get<int64_t>());
      }
      if (e.kind == "submitted" && x.contains("channel") && x["channel"].is_string()) {
        detail = T(ctx, "case_channel_" + x["channel"].get<std::string>());
      }
      row["detail"] = detail;
      data["timeline"].push_back(row);
    }
    data["assignments"] = json::array();
    for (const auto& a : d.assignments) {
      json row = {{"unit", a.unit_name},
                  {"role", T(ctx, a.role == "lead" ? "case_lead_unit" : "case_co_units")},
                  {"assigned", FormatShanghai(a.assigned_at)},
                  {"current", !a.ended_at.has_value()}};
      if (a.signed_at) row["signed"] = FormatShanghai(*a.signed_at);
      if (a.replied_at) row["replied"] = FormatShanghai(*a.replied_at);
      if (a.ended_at) row["ended"] = T(ctx, "case_end_" + (a.end_reason.empty() ? "closed" : a.end_reason));
      data["assignments"].push_back(row);
    }
    data["follow_ups"] = json::array();
    for (const auto& f : d.follow_ups) {
      data["follow_ups"].push_back({{"at", FormatShanghai(f.at)},
                                    {"resolved", T(ctx, f.resolved ? "case_resolved_yes" : "case_resolved_no")},
                                    {"satisfaction", T(ctx, "case_satisfaction_" + f.satisfaction)},
                                    {"comment", f.comment}});
    }
    bool staff_here = false;
    data["actions"] = json::array();
    for (CaseAction a : d.actions) {
      const std::string name(ActionName(a));
      json row = {{"name", name}, {"label", T(ctx, "case_action_" + name)}};
      const bool needs_note = a == CaseAction::kReject || a == CaseAction::kReturn || a == CaseAction::kAnswer ||
                              a == CaseAction::kReply || a == CaseAction::kRequestExtension;
      row["note_required"] = needs_note;
      row["note_label"] = T(ctx, a == CaseAction::kAnswer || a == CaseAction::kReply ? "case_note_reply"
                                 : needs_note                                        ? "case_note_reason"
                                                                                     : "case_note_optional");
      // A rejected case is closed for good: its form asks to confirm (the web route refuses it unticked).
      row["confirm"] = a == CaseAction::kReject;
      if (a == CaseAction::kReject) row["confirm_label"] = T(ctx, "case_confirm_reject");
      row["is_follow_up"] = a == CaseAction::kFollowUp;
      row["is_extension"] = a == CaseAction::kRequestExtension;
      if (a == CaseAction::kDispatch || a == CaseAction::kRedispatch) {
        staff_here = true;
        row["is_dispatch"] = true;
        row["complex"] = c.complex;
        auto proposal = service_.ProposeRouting(ctx.principal, id);
        std::optional<int64_t> lead;
        std::vector<int64_t> co;
        if (proposal.ok()) {
          lead = proposal->lead_unit_id;
          co = proposal->co_unit_ids;
        }
        ASSIGN_OR_RETURN(auto units, service_.Units());
        json lead_groups = json::array(), co_groups = json::array();
        for (const auto& kind : UnitKinds()) {
          json lo = json::array(), co_o = json::array();
          for (const auto& u : units) {
            if (u.kind != kind || !u.active) continue;
            lo.push_back({{"value", u.id}, {"label", u.name}, {"selected", lead && *lead == u.id}});
            co_o.push_back(
                {{"value", u.id}, {"label", u.name}, {"selected", std::find(co.begin(), co.end(), u.id) != co.end()}});
          }
          if (lo.empty()) continue;  // a kind without active units: no empty group (nor empty fieldset of co-units)
          const std::string label = T(ctx, "handling_unit_kind_" + kind);
          lead_groups.push_back({{"label", label}, {"options", lo}});
          co_groups.push_back({{"label", label}, {"options", co_o}});
        }
        row["lead_groups"] = lead_groups;
        row["co_groups"] = co_groups;
        if (lead) row["proposal"] = UnitName(l, *lead);
      }
      if (a == CaseAction::kFollowUp) {
        row["satisfactions"] = Options(ctx, Satisfactions(), "case_satisfaction_", "");
      }
      data["actions"].push_back(row);
    }
    data["consultations"] = json::array();
    for (const auto& k : d.consultations) {
      std::string units;
      for (int64_t u : k.unit_ids) units += (units.empty() ? "" : site_.Punct(ctx).list) + UnitName(l, u);
      json row = {{"id", k.id},
                  {"called", FormatShanghai(k.called_at)},
                  {"reason", T(ctx, "case_consultation_" + k.reason)},
                  {"units", units},
                  {"outcome", k.outcome}};
      // Staff over the area record the outcome: those who may take a staff action, or see personal data as staff.
      row["can_record"] =
          k.outcome.empty() && c.personal_visible && ctx.principal.HasPermissionSomewhere(auth::Permission::kEditArea);
      data["consultations"].push_back(row);
    }
    ASSIGN_OR_RETURN(data["merge"], MergeData(ctx, l, d));
    data["duplicates"] = json::array();
    for (int64_t dup : d.duplicates) {
      // A duplicate the viewer may not see is listed by its number only.
      auto other = service_.Get(ctx.principal, dup);
      data["duplicates"].push_back({{"id", dup}, {"title", other.ok() ? other->c.title : ""}});
    }
    data["following"] = d.following;
    data["can_me_too"] = ctx.principal.signed_in() && !d.following && IsOpen(c.state);
    data["sign_in_for_me_too"] = !ctx.principal.signed_in() && IsOpen(c.state);
    data["staff_here"] = staff_here;
    data["error"] = error;
    if (auto done = req.Query("done"); done && !done->empty() && error.empty()) {
      const std::string key = "case_done_" + *done;
      const std::string text = T(ctx, key);
      if (text != key) data["notice"] = text;
      auto from = ParseId(req.Query("duplicate").value_or(""), "duplicate");
      if (*done == "merge" && from.ok()) {
        data["notice"] = fmt::format(fmt::runtime(T(ctx, "case_done_merge_n")), *from);
      }
    }
    data["follow_ref"] = record::Ref("case", c.id);  // the follow button (src/platform/notify)
    return site_.Page(ctx, "cases/case", data, c.title, status);
  }

  // The merge form on a duplicate's page, for staff who may merge it: the similar open cases of its neighborhood
  // (same building first) to choose from, and a field for any case number. Null when the viewer may not merge.
  StatusOr<json> MergeData(const web::RequestContext& ctx, Lookup& l, const CaseDetail& d) {
    if (!d.can_merge) return json(nullptr);
    SimilarQuery q;
    q.area_id = d.c.area_id;
    q.building_id = d.c.building_id;
    q.title = d.c.title;
    q.description = d.c.description;
    q.limit = 6;
    json choices = json::array();
    auto found = service_.Similar(ctx.principal, q);
    if (found.ok()) {
      for (const auto& s : *found) {
        if (s.c.id == d.c.id || s.c.merged_into) continue;
        json row = CaseRow(ctx, l, s.c);
        row["same_building"] = s.same_building;
        choices.push_back(std::move(row));
      }
    }
    return json{{"choices", choices}, {"has_choices", !choices.empty()}};
  }

  // POST /cases/{id}/merge: into (a similar case chosen) or into_number (typed, "123" or "#123"; wins when given).
  StatusOr<http::Response> MergeForm(http::Request& req, web::RequestContext& ctx, int64_t id) {
    std::string typed(Trim(web::Site::Field(ctx, "into_number")));
    if (!typed.empty() && typed.front() == '#') typed.erase(0, 1);
    const std::string chosen = typed.empty() ? web::Site::Field(ctx, "into") : typed;
    Status done = OkStatus();
    int64_t into = 0;
    if (chosen.empty()) {
      done = InvalidArgumentError(T(ctx, "case_merge_choose"), "into");
    } else if (auto parsed = ParseId(chosen, "into"); !parsed.ok()) {
      done = InvalidArgumentError(T(ctx, "case_merge_choose"), "into");
    } else {
      into = *parsed;
      done = web::RequireConfirm(ctx);  // a merge cannot be undone
      if (done.ok()) done = service_.Merge(ctx.principal, id, into, web::Site::Field(ctx, "note")).status();
    }
    if (!done.ok()) {
      // Refusals about the form show on the duplicate's page (which itself fails for a viewer who may not see it).
      const StatusCode code = done.code();
      if (!IsFormProblem(done) && code != StatusCode::kNotFound && code != StatusCode::kPermissionDenied) return done;
      return CasePage(req, ctx, id, ProblemText(site_, ctx, done), web::HttpStatusFor(code));
    }
    return http::Response::Redirect("/cases/" + std::to_string(into) + "?done=merge&duplicate=" + std::to_string(id));
  }

  StatusOr<ActionInput> ActionFromForm(const web::RequestContext& ctx) {
    ActionInput in;
    in.note = web::Site::Field(ctx, "note");
    if (auto lead = web::Site::Field(ctx, "lead_unit_id"); !lead.empty()) {
      ASSIGN_OR_RETURN(in.lead_unit_id, ParseId(lead, "lead_unit_id"));
    }
    auto [begin, end] = ctx.form.equal_range("co_unit_ids");
    for (auto it = begin; it != end; ++it) {
      if (it->second.empty()) continue;
      ASSIGN_OR_RETURN(int64_t u, ParseId(it->second, "co_unit_ids"));
      if (!in.lead_unit_id || u != *in.lead_unit_id) in.co_unit_ids.push_back(u);
    }
    if (!web::Site::Field(ctx, "complex_shown").empty()) in.complex = web::Site::Field(ctx, "complex") == "1";
    if (auto days = web::Site::Field(ctx, "extension_days"); !days.empty()) {
      ASSIGN_OR_RETURN(in.extension_days, IntField(days, "extension_days"));
    }
    if (auto r = web::Site::Field(ctx, "resolved"); !r.empty()) in.resolved = r == "1";
    in.satisfaction = web::Site::Field(ctx, "satisfaction");
    return in;
  }

  // ---- lists
  // /cases (what the viewer may see: the public cases for an anonymous visitor) and /cases/mine.
  StatusOr<http::Response> ListPage(http::Request& req, web::RequestContext& ctx, bool mine) {
    if (mine && !ctx.principal.signed_in()) return UnauthenticatedError("sign in to see your cases");
    CaseFilter f;
    f.mine = mine;
    ASSIGN_OR_RETURN(f.area_id, areas::ParseAreaParam(areas_, req.Query("area")));
    std::string state = req.Query("state").value_or("");
    if (!state.empty()) {
      f.state = ParseState(state);
      if (!f.state) return InvalidArgumentError(Msg("unknown state {}", QuoteForMessage(state)), "state");
    }
    f.overdue = req.Query("overdue").value_or("") == "1";
    ASSIGN_OR_RETURN(auto page, service_.List(ctx.principal, f, req.Query("cursor").value_or(""), kPageSize));
    Lookup l;
    json data;
    data["mine"] = mine;
    data["items"] = json::array();
    for (const auto& c : page.items) data["items"].push_back(CaseRow(ctx, l, c));
    data["states"] = json::array();
    for (CaseState s : AllStates()) {
      data["states"].push_back(
          {{"value", StateName(s)}, {"label", StateLabel(ctx, s)}, {"selected", StateName(s) == state}});
    }
    data["overdue"] = f.overdue;
    data["next_cursor"] = page.next_cursor;
    data["base"] = mine ? "/cases/mine" : "/cases";
    data["query"] = platform::FilterQuery(f.area_id, state) + (f.overdue ? "&overdue=1" : "");
    ASSIGN_OR_RETURN(data["filter"], areas::AreaFilterView(areas_, mine ? "/cases/mine" : "/cases", f.area_id));
    data["is_staff"] = ctx.principal.HasPermissionSomewhere(auth::Permission::kEditArea);
    data["my_units"] = json::array();
    if (ctx.principal.has_account()) {
      ASSIGN_OR_RETURN(auto units, service_.UnitsOf(ctx.principal.user_id));
      for (const auto& u : units) data["my_units"].push_back({{"id", u.id}, {"name", u.name}});
    }
    return site_.Page(ctx, "cases/list", data, T(ctx, mine ? "case_mine_title" : "case_list_title"));
  }

  StatusOr<http::Response> PublicPage(http::Request& req, web::RequestContext& ctx, int64_t nb_id) {
    ASSIGN_OR_RETURN(areas::Area nb, areas_.Get(nb_id));
    if (nb.kind != AreaKind::kNeighborhood) return NotFoundError(Msg("no neighborhood {}", nb_id));
    CaseFilter f;
    f.public_only = true;
    f.area_id = nb_id;
    std::optional<int64_t> building;
    if (auto b = req.Query("building"); b && !b->empty()) {
      ASSIGN_OR_RETURN(int64_t id, ParseId(*b, "building"));
      building = id;
      f.area_id = id;
    }
    // The public list is the same for everyone: read as an anonymous viewer, so nothing personal can come along.
    const auth::Principal anonymous{};
    ASSIGN_OR_RETURN(auto page, service_.List(anonymous, f, req.Query("cursor").value_or(""), kPageSize));
    ASSIGN_OR_RETURN(auto counts, service_.PublicCountsByBuilding(nb_id));
    std::vector<std::pair<int64_t, std::string>> buildings;
    std::string cursor;
    do {
      ASSIGN_OR_RETURN(auto children, areas_.Children(nb_id, cursor, areas::kMaxPageSize));
      for (const auto& b : children.items) buildings.push_back({b.id, b.name});
      cursor = children.next_cursor;
    } while (!cursor.empty());
    Lookup l;
    json data;
    data["neighborhood"] = {{"id", nb.id}, {"name", nb.name}};
    data["items"] = json::array();
    for (const auto& c : page.items) {
      json row = CaseRow(ctx, l, c);
      row.erase("due");
      row.erase("overdue");
      row.erase("due_today");
      data["items"].push_back(row);
    }
    data["buildings"] = json::array();
    for (const auto& [id, name] : buildings) {
      auto it =
          std::find_if(counts.begin(), counts.end(), [id = id](const BuildingCount& b) { return b.building_id == id; });
      if (it == counts.end()) continue;
      data["buildings"].push_back(
          {{"id", id}, {"name", name}, {"open", web::FormatNumber(it->open)}, {"total", web::FormatNumber(it->total)}});
    }
    if (building) data["building"] = {{"id", *building}, {"name", AreaName(l, *building)}};
    data["next_cursor"] = page.next_cursor;
    data["html_plot"] = BuildingPlotSvg(
        buildings, counts, fmt::format(fmt::runtime(T(ctx, "case_plot_title")), nb.name), T(ctx, "case_plot_desc"));
    return site_.Page(ctx, "cases/public", data, T(ctx, "case_public_title") + " · " + nb.name);
  }

  StatusOr<http::Response> InboxPage(http::Request& req, web::RequestContext& ctx, int64_t unit_id) {
    ASSIGN_OR_RETURN(InboxView v, service_.Inbox(ctx.principal, unit_id, req.Query("cursor").value_or(""), kPageSize));
    ASSIGN_OR_RETURN(HandlingUnit unit, service_.GetUnit(unit_id));
    Lookup l;
    json data;
    data["unit"] = {{"id", unit.id}, {"name", unit.name}};
    data["open"] = web::FormatNumber(v.open);
    data["overdue"] = web::FormatNumber(v.overdue);
    data["due_today"] = web::FormatNumber(v.due_today);
    data["items"] = json::array();
    for (const auto& c : v.items) data["items"].push_back(CaseRow(ctx, l, c));
    data["next_cursor"] = v.next_cursor;
    data["batch_actions"] = json::array();
    for (CaseAction a : {CaseAction::kSign, CaseAction::kStart}) {
      const std::string name(ActionName(a));
      data["batch_actions"].push_back({{"value", name}, {"label", T(ctx, "case_action_" + name)}});
    }
    if (auto done = req.Query("done")) {
      data["notice"] = fmt::format(fmt::runtime(T(ctx, "case_batch_done")), *done, req.Query("failed").value_or("0"));
    }
    if (ctx.principal.signed_in()) {
      ASSIGN_OR_RETURN(auto mine, service_.UnitsOf(ctx.principal.user_id));
      data["other_units"] = json::array();
      for (const auto& u : mine) {
        if (u.id != unit_id) data["other_units"].push_back({{"id", u.id}, {"name", u.name}});
      }
    }
    return site_.Page(ctx, "cases/inbox", data, T(ctx, "case_inbox") + " · " + unit.name);
  }

  struct MetricsView {
    MetricsQuery q;
    std::string from, to;  // the dates asked for, inclusive
    std::vector<MetricsRow> rows;
  };
  StatusOr<MetricsView> LoadMetrics(http::Request& req, web::RequestContext& ctx) {
    MetricsView m;
    m.q.group = req.Query("group").value_or("unit");
    const CivilDate today = ShanghaiDate(service_.Now());
    auto date = [&](const char* name, CivilDate fallback) -> StatusOr<CivilDate> {
      auto text = req.Query(name);
      if (!text || text->empty()) return fallback;
      auto d = ParseCivilDate(*text);
      if (!d) return InvalidArgumentError(Msg("{} is a date YYYY-MM-DD", FieldName{name}), name);
      return *d;
    };
    ASSIGN_OR_RETURN(CivilDate from, date("from", ShanghaiDate(StartOfShanghaiDay(today) - std::chrono::days(29))));
    ASSIGN_OR_RETURN(CivilDate to, date("to", today));
    m.q.from = StartOfShanghaiDay(from);
    m.q.to = StartOfShanghaiDay(to) + std::chrono::days(1);
    m.from = FormatCivilDate(ShanghaiDate(m.q.from));
    m.to = FormatCivilDate(ShanghaiDate(m.q.to - std::chrono::days(1)));
    ASSIGN_OR_RETURN(m.rows, service_.Metrics(ctx.principal, m.q));
    return m;
  }
  std::vector<std::pair<std::string, const Rate MetricsRow::*>> RateColumns() const {
    return {{"case_response_rate", &MetricsRow::response},
            {"case_resolution_rate", &MetricsRow::resolution},
            {"case_satisfaction_rate", &MetricsRow::satisfaction},
            {"case_on_time_rate", &MetricsRow::on_time},
            {"case_reopen_rate", &MetricsRow::reopen}};
  }

  StatusOr<http::Response> MetricsPage(http::Request& req, web::RequestContext& ctx) {
    ASSIGN_OR_RETURN(MetricsView m, LoadMetrics(req, ctx));
    // Read after LoadMetrics has asked who may see the rates: a stranger learns 401/403 before a 400.
    ASSIGN_OR_RETURN(MetricsSort sort, ParseMetricsSort(req));
    SortMetricsRows(m.rows, sort);
    json data;
    data["group"] = m.q.group;
    data["group_unit"] = m.q.group == "unit";
    data["from"] = m.from;
    data["to"] = m.to;
    data["sort"] = sort.column;
    data["dir"] = sort.column.empty() ? "" : sort.descending ? "desc" : "asc";
    data["dir_desc"] = !sort.column.empty() && sort.descending;
    // Sorting without script: every header links to the page sorted by its column, ascending first, the other way
    // round on the current column. The group and the period are normalized above, so they go into the link as they
    // are.
    const std::string query = "/cases/metrics?group=" + m.q.group + "&from=" + m.from + "&to=" + m.to;
    const char* name_key = m.q.group == "unit" ? "case_handling_unit" : "case_metrics_area";
    data["columns"] = json::array();
    for (const MetricsColumn& c : kMetricsColumns) {
      const bool current = c.sort == sort.column;
      json col = {
          {"label", T(ctx, c.label_key ? c.label_key : name_key)},
          {"href", query + "&sort=" + std::string(c.sort) + "&dir=" + (current && !sort.descending ? "desc" : "asc")},
          {"key", std::string(c.sort)},  // the filter form's sort picker: the header row is hidden on a phone
          {"selected", current}};
      if (current) {
        col["aria_sort"] = sort.descending ? "descending" : "ascending";
        col["arrow"] = sort.descending ? "▼" : "▲";
      }
      data["columns"].push_back(std::move(col));
    }
    data["rows"] = json::array();
    for (const auto& r : m.rows) {
      json rates = json::array();
      for (const auto& [key, member] : RateColumns()) {
        const Rate& rate = r.*member;
        // `label` (the column's header) names the cell where a phone shows the row as a card (data-label).
        rates.push_back({{"label", T(ctx, key)},
                         {"percent", Percent(rate)},
                         {"numerator", web::FormatNumber(rate.numerator)},
                         {"denominator", web::FormatNumber(rate.denominator)}});
      }
      data["rows"].push_back({{"name", r.name},
                              {"dispatched", web::FormatNumber(r.dispatched)},
                              {"rates", rates},
                              {"score", r.score ? fmt::format("{:.1f}", *r.score) : "—"}});
    }
    // The chart: the satisfaction rate of every row, in the table's order (web/svg_bars.h), punctuated in the
    // visitor's language ("85.0%（17/20）", "85.0% (17/20)").
    const web::Punctuation punct = site_.Punct(ctx);
    std::vector<web::Bar> bars;
    std::string summary;
    for (const auto& r : m.rows) {
      web::Bar bar;
      bar.label = Shorten(r.name, 24);
      bar.value_text = Percent(r.satisfaction);
      if (r.satisfaction.denominator > 0) {
        bar.value_text = punct.Parenthesized(bar.value_text, web::FormatNumber(r.satisfaction.numerator) + "/" +
                                                                 web::FormatNumber(r.satisfaction.denominator));
      }
      bar.numerator = r.satisfaction.numerator;
      bar.denominator = r.satisfaction.denominator;
      summary += (summary.empty() ? "" : punct.semicolon) + r.name + " " + bar.value_text;
      bars.push_back(std::move(bar));
    }
    data["html_rates_svg"] = web::HorizontalBars(
        bars, punct.Labeled(T(ctx, "case_satisfaction_rate") + " " + m.from + " – " + m.to, summary));
    data["export"] = "/cases/metrics.xlsx?group=" + m.q.group + "&from=" + m.from + "&to=" + m.to;
    return site_.Page(ctx, "cases/metrics", data, T(ctx, "case_metrics"));
  }

  StatusOr<http::Response> MetricsXlsx(http::Request& req, web::RequestContext& ctx) {
    ASSIGN_OR_RETURN(MetricsView m, LoadMetrics(req, ctx));
    using Col = areas::XlsxColumn;
    std::vector<Col> cols = {
        {T(ctx, m.q.group == "unit" ? "case_handling_unit" : "case_metrics_area"), Col::Type::kText, 28},
        {T(ctx, "case_dispatched"), Col::Type::kInteger, 10}};
    for (const auto& [key, member] : RateColumns()) {
      const std::string name = T(ctx, key);
      cols.push_back({name + " " + T(ctx, "case_numerator"), Col::Type::kInteger, 12});
      cols.push_back({name + " " + T(ctx, "case_denominator"), Col::Type::kInteger, 12});
      cols.push_back({name + " %", Col::Type::kDecimal2, 12});
    }
    cols.push_back({T(ctx, "case_score"), Col::Type::kDecimal2, 12});
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : m.rows) {
      std::vector<std::string> row = {r.name, std::to_string(r.dispatched)};
      for (const auto& [key, member] : RateColumns()) {
        const Rate& rate = r.*member;
        row.push_back(std::to_string(rate.numerator));
        row.push_back(std::to_string(rate.denominator));
        auto v = rate.value();
        row.push_back(v ? fmt::format("{:.2f}", *v * 100) : "");
      }
      row.push_back(r.score ? fmt::format("{:.2f}", *r.score) : "");
      rows.push_back(std::move(row));
    }
    areas::XlsxOptions options;
    options.sheet_name = m.from + " " + m.to;
    ASSIGN_OR_RETURN(std::string bytes, areas::WriteXlsx(cols, rows, options));
    http::Response resp;
    resp.status = 200;
    resp.body = std::move(bytes);
    resp.SetHeader("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    resp.SetHeader("Content-Disposition",
                   "attachment; filename=\"case-rates-" + m.q.group + "-" + m.from + "-" + m.to + ".xlsx\"");
    resp.SetHeader("Cache-Control", "no-store");
    return resp;
  }

  const web::Site& site_;
  CaseService& service_;
  areas::AreaService& areas_;
  size_t max_file_bytes_;
};

void Pages::Register(http::Router& router, const std::shared_ptr<Pages>& self) {
  const web::Site& site = site_;
  auto id_param = [](const http::Request& req, const char* name) { return ParseId(req.Param(name), name); };
  // Gates (web::Site): who may take the action, asked before the route reads its input. Staff entry (a case taken
  // by phone or at the counter) is for staff somewhere; the area the form names is checked when it is submitted.
  auto staff_entry = [](const http::Request&, const web::RequestContext& ctx) -> Status {
    return auth::policy::RequireSomewhere(ctx.principal, auth::policy::Action::kActOnCaseAsStaff);
  };
  auto staff_on_case = [self](const http::Request& req, const web::RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
    return self->service_.CheckStaffOn(ctx.principal, id);
  };
  auto inbox_reader = [self](const http::Request& req, const web::RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("id"), "id"));
    return self->service_.CheckInbox(ctx.principal, id);
  };

  // The report form: step 1 (GET), step 2 with similar cases (POST /cases/new), submit (POST /cases).
  router.Add("GET", "/cases/new",
             site.Web([self](http::Request& req, web::RequestContext& ctx) { return self->NewForm(req, ctx, false); }));
  router.Add("POST", "/cases/new",
             site.Web([self](http::Request&, web::RequestContext& ctx) { return self->CheckDraft(ctx, false); }));
  // From a building's door QR page: the building chosen, the channel door_qr.
  router.Add("GET", "/buildings/{id}/report",
             site.Web([self, id_param](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, id_param(req, "id"));
               ASSIGN_OR_RETURN(areas::Area b, self->areas_.Get(id));
               if (b.kind != AreaKind::kBuilding) return NotFoundError(Msg("no building {}", id));
               Draft d;
               d.area_id = id;
               d.channel = "door_qr";
               return self->FormPage(ctx, d, false, false, json::array(), "", 200);
             }));
  router.Add("GET", "/cases/entry", site.Web(staff_entry, [self](http::Request& req, web::RequestContext& ctx) {
    return self->NewForm(req, ctx, true);
  }));
  router.Add("POST", "/cases/entry", site.Web(staff_entry, [self](http::Request&, web::RequestContext& ctx) {
    return self->CheckDraft(ctx, true);
  }));
  router.Add(
      "POST", "/cases",
      site.Web([self](http::Request& req, web::RequestContext& ctx) { return self->SubmitForm(req, ctx); }),
      // Waits for its group commit (or its own transaction with files).
      http::RouteOptions{.max_body_bytes = self->max_file_bytes_ * static_cast<size_t>(kMaxCaseFiles) + 256 * 1024,
                         .blocking = true});

  router.Add("GET", "/cases", site.Web([self](http::Request& req, web::RequestContext& ctx) {
    return self->ListPage(req, ctx, false);
  }));
  router.Add("GET", "/cases/mine",
             site.Web([self](http::Request& req, web::RequestContext& ctx) { return self->ListPage(req, ctx, true); }));
  router.Add("GET", "/cases/metrics",
             site.Web([self](http::Request& req, web::RequestContext& ctx) { return self->MetricsPage(req, ctx); }));
  router.Add("GET", "/cases/metrics.xlsx",
             site.Web([self](http::Request& req, web::RequestContext& ctx) { return self->MetricsXlsx(req, ctx); }));

  router.Add("GET", "/cases/{id}",
             site.Web([self, id_param](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, id_param(req, "id"));
               return self->CasePage(req, ctx, id, "", 200);
             }));
  router.Add("POST", "/cases/{id}/act",
             site.Web([self, id_param](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, id_param(req, "id"));
               const std::string name = web::Site::Field(ctx, "action");
               auto action = ParseAction(name);
               if (!action) return InvalidArgumentError(Msg("no action {}", QuoteForMessage(name)), "action");
               // A reject cannot be undone: its form carries a box to tick. Who may not reject learns that first.
               if (Status confirmed = web::RequireConfirm(ctx); *action == CaseAction::kReject && !confirmed.ok()) {
                 RETURN_IF_ERROR(self->service_.CheckStaffOn(ctx.principal, id));
                 return self->CasePage(req, ctx, id, ProblemText(self->site_, ctx, confirmed),
                                       web::HttpStatusFor(confirmed.code()));
               }
               auto in = self->ActionFromForm(ctx);
               Status done = in.ok() ? self->service_.Act(ctx.principal, id, *action, *in).status() : in.status();
               if (!done.ok()) {
                 if (!IsFormProblem(done)) return done;
                 return self->CasePage(req, ctx, id, ProblemText(self->site_, ctx, done),
                                       web::HttpStatusFor(done.code()));
               }
               return http::Response::Redirect("/cases/" + std::to_string(id) + "?done=" + name);
             }));
  router.Add("POST", "/cases/{id}/merge",
             site.Web(staff_on_case,
                      [self, id_param](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
                        ASSIGN_OR_RETURN(int64_t id, id_param(req, "id"));
                        return self->MergeForm(req, ctx, id);
                      }));
  router.Add("POST", "/cases/{id}/me-too",
             site.Web([self, id_param](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, id_param(req, "id"));
               auto c = self->service_.MeToo(ctx.principal, id);
               if (!c.ok() && c.status().code() != StatusCode::kAlreadyExists) {
                 if (!IsFormProblem(c.status())) return c.status();
                 return self->CasePage(req, ctx, id, ProblemText(self->site_, ctx, c.status()),
                                       web::HttpStatusFor(c.status().code()));
               }
               return http::Response::Redirect("/cases/" + std::to_string(id) + "?done=me_too");
             }));
  router.Add("POST", "/cases/{id}/consultations/{k}",
             site.Web(staff_on_case,
                      [self, id_param](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
                        ASSIGN_OR_RETURN(int64_t id, id_param(req, "id"));
                        ASSIGN_OR_RETURN(int64_t k, id_param(req, "k"));
                        auto r = self->service_.RecordConsultationOutcome(ctx.principal, id, k,
                                                                          web::Site::Field(ctx, "outcome"));
                        if (!r.ok()) {
                          if (!IsFormProblem(r.status())) return r.status();
                          return self->CasePage(req, ctx, id, ProblemText(self->site_, ctx, r.status()),
                                                web::HttpStatusFor(r.status().code()));
                        }
                        return http::Response::Redirect("/cases/" + std::to_string(id) + "?done=consultation");
                      }));
  for (const bool thumbnail : {false, true}) {
    router.Add(
        "GET", thumbnail ? "/cases/{id}/files/{file}/thumbnail" : "/cases/{id}/files/{file}",
        site.Web([self, id_param, thumbnail](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
          ASSIGN_OR_RETURN(int64_t id, id_param(req, "id"));
          ASSIGN_OR_RETURN(int64_t file, id_param(req, "file"));
          ASSIGN_OR_RETURN(auto found, self->service_.File(ctx.principal, id, file, thumbnail));
          if (thumbnail) {
            return http::Response::File("image/jpeg", "thumbnail-" + found.first.name + ".jpg", std::move(found.second),
                                        true);
          }
          return http::Response::File(found.first.content_type, found.first.name, std::move(found.second), true);
        }));
  }

  router.Add("GET", "/neighborhoods/{id}/cases",
             site.Web([self, id_param](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, id_param(req, "id"));
               return self->PublicPage(req, ctx, id);
             }));

  // GET /inbox is RegisterInboxRoute's (home_card.cc): staff's intake inboxes too.
  router.Add("GET", "/units/{id}/inbox",
             site.Web([self, id_param](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, id_param(req, "id"));
               return self->InboxPage(req, ctx, id);
             }));
  // Batch actions: the chosen action on every ticked case; each is authorized and applied on its own.
  router.Add("POST", "/units/{id}/inbox",
             site.Web(inbox_reader,
                      [self, id_param](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
                        ASSIGN_OR_RETURN(int64_t id, id_param(req, "id"));
                        const std::string name = web::Site::Field(ctx, "action");
                        auto action = ParseAction(name);
                        if (!action || (*action != CaseAction::kSign && *action != CaseAction::kStart)) {
                          return InvalidArgumentError("the batch actions are sign and start", "action");
                        }
                        int done = 0, failed = 0;
                        auto [begin, end] = ctx.form.equal_range("case");
                        if (begin == end) return InvalidArgumentError("tick at least one case", "case");
                        for (auto it = begin; it != end; ++it) {
                          auto case_id = ParseId(it->second, "case");
                          if (!case_id.ok()) return case_id.status();
                          auto r = self->service_.Act(ctx.principal, *case_id, *action, ActionInput{});
                          if (r.ok()) {
                            ++done;
                          } else {
                            ++failed;
                          }
                        }
                        return http::Response::Redirect("/units/" + std::to_string(id) + "/inbox?done=" +
                                                        std::to_string(done) + "&failed=" + std::to_string(failed));
                      }));
}

}  // namespace

std::string BuildingPlotSvg(const std::vector<std::pair<int64_t, std::string>>& buildings,
                            const std::vector<BuildingCount>& counts, const std::string& title,
                            const std::string& description) {
  constexpr int kBoxW = 150, kBoxH = 84, kGap = 14;
  const int n = static_cast<int>(buildings.size());
  const int cols = std::max(1, std::min(4, static_cast<int>(std::ceil(std::sqrt(std::max(n, 1))))));
  const int rows = std::max(1, (n + cols - 1) / cols);
  const int width = cols * kBoxW + (cols + 1) * kGap;
  const int height = rows * kBoxH + (rows + 1) * kGap;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"case-plot\" viewBox=\"0 0 {} {}\" role=\"img\" "
      "aria-labelledby=\"case-plot-title case-plot-desc\"><title id=\"case-plot-title\">{}</title><desc "
      "id=\"case-plot-desc\">{}</desc>",
      width, height, XmlEscape(title), XmlEscape(description));
  for (int i = 0; i < n; ++i) {
    const auto& [id, name] = buildings[i];
    int64_t open = 0, total = 0;
    for (const auto& c : counts) {
      if (c.building_id == id) {
        open = c.open;
        total = c.total;
      }
    }
    const int x = kGap + (i % cols) * (kBoxW + kGap);
    const int y = kGap + (i / cols) * (kBoxH + kGap);
    const char* fill = open > 0 ? "#fdf0f0" : total > 0 ? "#eef7f1" : "#f3f5f7";
    svg += fmt::format(
        "<g><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"{}\" stroke=\"#6b7785\"/>"
        "<text x=\"{}\" y=\"{}\" font-size=\"18\" fill=\"#1b1f24\">{}</text>",
        x, y, kBoxW, kBoxH, fill, x + 12, y + kBoxH - 16, XmlEscape(Shorten(name, 7)));
    if (open > 0) {
      svg += fmt::format(
          "<circle cx=\"{}\" cy=\"{}\" r=\"17\" fill=\"#a4161a\"/><text x=\"{}\" y=\"{}\" font-size=\"17\" "
          "font-weight=\"700\" fill=\"#ffffff\" text-anchor=\"middle\">{}</text>",
          x + kBoxW - 24, y + 24, x + kBoxW - 24, y + 30, web::FormatNumber(open));
    }
    svg += "</g>";
  }
  svg += "</svg>";
  return svg;
}

void RegisterCaseWebRoutes(http::Router& router, const web::Site& site, CaseService& service, areas::AreaService& areas,
                           size_t max_file_bytes) {
  auto pages = std::make_shared<Pages>(site, service, areas, max_file_bytes);
  pages->Register(router, pages);
}

}  // namespace ningju::cases
