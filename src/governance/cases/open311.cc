#include "governance/cases/open311.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/crypto.h"
#include "common/calendar.h"
#include "common/text_util.h"
#include "common/utf8.h"
#include "web/public_error.h"

namespace ningju::cases {
namespace {

using json = nlohmann::json;

constexpr char kPrefix[] = "/open311/v2";
constexpr auto kMaxSpan = std::chrono::days(90);
constexpr size_t kMaxMediaUrl = 500;
constexpr char kMediaLine[] = "\n\nmedia_url: ";  // how a posted media_url is kept, at the end of the description

enum class Format { kJson, kXml };

// "12.json" -> ("12", json); nullopt for another extension.
std::optional<std::pair<std::string, Format>> SplitFormat(const std::string& file) {
  const size_t dot = file.rfind('.');
  if (dot == std::string::npos || dot == 0) return std::nullopt;
  const std::string ext = file.substr(dot + 1);
  if (ext == "json") return std::make_pair(file.substr(0, dot), Format::kJson);
  if (ext == "xml") return std::make_pair(file.substr(0, dot), Format::kXml);
  return std::nullopt;
}

// ---- XML: the spec's element names for the arrays of each document.

std::string ItemName(const std::string& list) {
  static const std::map<std::string, std::string> kItems = {{"services", "service"},
                                                            {"service_requests", "request"},
                                                            {"errors", "error"},
                                                            {"attributes", "attribute"},
                                                            {"values", "value"}};
  auto it = kItems.find(list);
  return it == kItems.end() ? "item" : it->second;
}

void AppendXml(std::string& out, const std::string& name, const json& v) {
  if (v.is_null()) {
    out += "<" + name + "/>";
  } else if (v.is_object()) {
    out += "<" + name + ">";
    for (const auto& [k, child] : v.items()) AppendXml(out, k, child);
    out += "</" + name + ">";
  } else if (v.is_array()) {
    out += "<" + name + ">";
    for (const auto& child : v) AppendXml(out, ItemName(name), child);
    out += "</" + name + ">";
  } else if (v.is_string()) {
    out += "<" + name + ">" + XmlEscape(v.get<std::string>()) + "</" + name + ">";
  } else {
    out += "<" + name + ">" + v.dump() + "</" + name + ">";
  }
}

http::Response Answer(int status, const json& body, Format format, const std::string& xml_root) {
  http::Response r;
  r.status = status;
  if (format == Format::kJson) {
    r.SetHeader("Content-Type", "application/json; charset=utf-8");
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  } else {
    r.SetHeader("Content-Type", "text/xml; charset=utf-8");
    r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    AppendXml(r.body, xml_root, body);
  }
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

// The spec's error array, with our request id added to each error. The description follows the rule of every error
// a client reads (web/public_error.h): an internal error is the general sentence, its real text goes to the log.
http::Response Error(const Status& status, Format format, const http::Request& req) {
  const int code = web::HttpStatusFor(status.code());
  http::Response r =
      Answer(code, json::array({{{"code", code}, {"description", web::PublicMessage(status)}, {"request_id", req.id}}}),
             format, "errors");
  r.log_note = web::LogNoteFor(status);
  return r;
}

// What a handler returns: the body and its XML root element.
struct Doc {
  json body;
  std::string xml_root;
  int status = 200;
  int64_t retry_after = 0;  // seconds, for a Retry-After header (429 of the intake limit)
};
using Open311Fn = std::function<StatusOr<Doc>(http::Request&, web::RequestContext&, Format)>;

// Wraps a handler: Begin() (form parsing, language), the format from the path (".json" literal routes pass it),
// every failure as the spec's error array.
http::Handler Wrap(const web::Site& site, std::optional<Format> fixed, const char* file_param, Open311Fn fn) {
  return [&site, fixed, file_param, fn = std::move(fn)](http::Request& req) -> http::Response {
    Format format = fixed.value_or(Format::kJson);
    if (!fixed) {
      auto split = SplitFormat(req.Param(file_param));
      if (!split) return Error(NotFoundError("add .json or .xml to the resource"), Format::kJson, req);
      format = split->second;
      req.path_params[file_param] = split->first;
    }
    auto ctx = site.Begin(req);
    if (!ctx.ok()) return Error(ctx.status(), format, req);
    auto doc = fn(req, *ctx, format);
    if (!doc.ok()) return Error(doc.status(), format, req);
    http::Response r = Answer(doc->status, doc->body, format, doc->xml_root);
    if (doc->retry_after > 0) r.SetHeader("Retry-After", std::to_string(doc->retry_after));
    return r;
  };
}

// A query or form parameter (first value), or "".
std::string Param(const http::Request& req, const web::RequestContext& ctx, const std::string& name) {
  if (auto q = req.Query(name)) return *q;
  return web::Site::Field(ctx, name);
}

// The client: api_key (query or form) or a Bearer token; a session cookie does not count here.
StatusOr<auth::Principal> Client(const web::Site& site, const http::Request& req, const web::RequestContext& ctx) {
  const std::string key = Param(req, ctx, "api_key");
  if (!key.empty()) {
    if (key.size() > 200) return PermissionDeniedError("invalid api_key");
    auto p = site.accounts().AuthenticateToken(key, req.method);
    if (!p.ok()) {
      if (p.status().code() == StatusCode::kUnauthenticated) return PermissionDeniedError("invalid api_key");
      return p.status();
    }
    return std::move(p).value();
  }
  if (ctx.via_bearer) return ctx.principal;
  return auth::Principal{};
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string part(Trim(std::string_view(s).substr(start, end - start)));
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  return out;
}

std::optional<std::string> MediaUrlOf(const std::string& description, std::string* text) {
  const size_t at = description.rfind(kMediaLine);
  if (at == std::string::npos) {
    *text = description;
    return std::nullopt;
  }
  std::string url = description.substr(at + sizeof(kMediaLine) - 1);
  if (url.find('\n') != std::string::npos) {
    *text = description;
    return std::nullopt;
  }
  *text = description.substr(0, at);
  return url;
}

class Open311 {
 public:
  Open311(const web::Site& site, CaseService& service) : site_(site), service_(service) {}

  StatusOr<std::map<std::string, Category>> Services() {
    ASSIGN_OR_RETURN(auto cats, service_.Categories());
    std::map<std::string, Category> out;
    for (auto& c : cats) out[c.code] = std::move(c);
    return out;
  }

  std::string Name(const web::RequestContext& ctx, const Category& c) const {
    return ctx.locale == "en" ? c.name_en : c.name_zh;
  }

  json Service(const web::RequestContext& ctx, const Category& c) const {
    return {{"service_code", c.code},
            {"service_name", Name(ctx, c)},
            {"description", site_.T(ctx, "open311_service_description") + Name(ctx, c)},
            {"metadata", true},
            {"type", "realtime"},
            {"keywords", c.code + ", " + c.name_zh + ", " + c.name_en},
            {"group", site_.T(ctx, "open311_group")}};
  }

  json Attribute(const web::RequestContext& ctx, const std::string& code, int order,
                 const std::vector<std::pair<std::string, std::string>>& values) const {
    json vals = json::array();
    for (const auto& [key, label] : values) vals.push_back({{"key", key}, {"name", label}});
    return {{"variable", true},
            {"code", code},
            {"datatype", "singlevaluelist"},
            {"required", false},
            {"datatype_description", nullptr},
            {"order", order},
            {"description", site_.T(ctx, "open311_attribute_" + code)},
            {"values", vals}};
  }

  json Definition(const web::RequestContext& ctx, const Category& c) const {
    std::vector<std::pair<std::string, std::string>> types, urgencies;
    for (const auto& t : CaseTypes()) types.push_back({t, site_.T(ctx, "case_type_" + t)});
    for (const auto& u : Urgencies()) urgencies.push_back({u, site_.T(ctx, "case_urgency_" + u)});
    json attributes = json::array(
        {Attribute(ctx, "type", 1, types), Attribute(ctx, "urgency", 2, urgencies),
         Attribute(ctx, "public", 3,
                   {{"false", site_.T(ctx, "open311_public_false")}, {"true", site_.T(ctx, "open311_public_true")}})});
    return {{"service_code", c.code}, {"attributes", attributes}};
  }

  // The public shape of a request: no contact name or phone, ever.
  StatusOr<json> Requests(const web::RequestContext& ctx, const std::vector<Case>& cases) {
    ASSIGN_OR_RETURN(auto services, Services());
    std::vector<int64_t> units, areas;
    for (const auto& c : cases) {
      if (c.lead_unit_id) units.push_back(*c.lead_unit_id);
      areas.push_back(c.area_id);
    }
    ASSIGN_OR_RETURN(auto unit_names, service_.UnitNames(units));
    ASSIGN_OR_RETURN(auto addresses, service_.AreaAddresses(areas));
    json out = json::array();
    for (const auto& c : cases) {
      std::string description;
      std::optional<std::string> media = MediaUrlOf(c.description, &description);
      const std::string state(StateName(c.state));
      auto svc = services.find(c.category);
      std::optional<Instant> expected = c.reply_due_at ? c.reply_due_at : c.due_at;
      json attrs = {{"ningju_state", state},
                    {"title", c.title},
                    {"type", c.type},
                    {"urgency", c.urgency},
                    {"me_too_count", c.me_too_count},
                    {"duplicate_of", c.merged_into ? json(std::to_string(*c.merged_into)) : json(nullptr)}};
      out.push_back({
          {"service_request_id", std::to_string(c.id)},
          {"status", IsOpen(c.state) ? "open" : "closed"},
          {"status_notes", site_.T(ctx, "case_state_" + state)},
          {"service_name", svc == services.end() ? c.category : Name(ctx, svc->second)},
          {"service_code", c.category},
          {"description", description},
          {"agency_responsible",
           c.lead_unit_id && unit_names.count(*c.lead_unit_id) ? json(unit_names[*c.lead_unit_id]) : json(nullptr)},
          {"service_notice", nullptr},
          {"requested_datetime", FormatShanghaiIso(c.submitted_at)},
          {"updated_datetime", FormatShanghaiIso(c.updated_at)},
          {"expected_datetime", expected ? json(FormatShanghaiIso(*expected)) : json(nullptr)},
          {"address", addresses.count(c.area_id) ? json(addresses[c.area_id]) : json(nullptr)},
          {"address_id", std::to_string(c.area_id)},
          {"zipcode", nullptr},
          {"lat", c.latitude ? json(*c.latitude) : json(nullptr)},
          {"long", c.longitude ? json(*c.longitude) : json(nullptr)},
          {"media_url", media ? json(*media) : json(nullptr)},
          {"extended_attributes", attrs},
      });
    }
    return out;
  }

  // GET requests: the filters of the spec.
  StatusOr<CaseSearch> SearchFrom(const http::Request& req, const web::RequestContext& ctx) {
    CaseSearch q;
    q.limit = kMaxSearchResults;
    const std::string ids = Param(req, ctx, "service_request_id");
    if (!ids.empty()) {
      for (const auto& part : SplitComma(ids)) {
        ASSIGN_OR_RETURN(int64_t id, ParseId(part, "service_request_id"));
        q.ids.push_back(id);
      }
      if (q.ids.size() > static_cast<size_t>(kMaxSearchResults)) {
        return InvalidArgumentError("at most 1000 service_request_id values", "service_request_id");
      }
      return q;  // "If this parameter is provided other parameters may be ignored"
    }
    const std::string codes = Param(req, ctx, "service_code");
    if (!codes.empty()) {
      ASSIGN_OR_RETURN(auto services, Services());
      for (const auto& code : SplitComma(codes)) {
        if (!services.count(code)) return NotFoundError(Msg("service_code {} was not found", QuoteForMessage(code)));
        q.categories.push_back(code);
      }
    }
    const std::string status = Param(req, ctx, "status");
    if (!status.empty()) {
      bool open = false, closed = false;
      for (const auto& s : SplitComma(status)) {
        if (s == "open") {
          open = true;
        } else if (s == "closed") {
          closed = true;
        } else {
          return InvalidArgumentError("status is open or closed", "status");
        }
      }
      for (CaseState st : AllStates()) {
        if ((IsOpen(st) && open) || (!IsOpen(st) && closed)) q.states.push_back(st);
      }
    }
    std::optional<Instant> from, to;
    for (const char* name : {"start_date", "end_date"}) {
      const std::string text = Param(req, ctx, name);
      if (text.empty()) continue;
      auto t = ParseShanghaiDateTime(text);
      if (!t)
        return InvalidArgumentError(Msg("{} is an ISO 8601 date-time like 2026-05-01T00:00:00+08:00", FieldName{name}),
                                    name);
      (std::string_view(name) == "start_date" ? from : to) = t;
    }
    if (!to) to = from ? *from + kMaxSpan : service_.Now();
    if (!from) from = *to - kMaxSpan;
    if (*from > *to) return InvalidArgumentError("start_date is after end_date", "start_date");
    if (*to - *from > kMaxSpan) return InvalidArgumentError("start_date and end_date span at most 90 days", "end_date");
    q.submitted_from = from;
    q.submitted_to = to;
    return q;
  }

  // address_id / area_id: our area id; address_string: an area's code, its address, its name when unique, or
  // "<neighborhood name> <building name>".
  StatusOr<int64_t> Location(const http::Request& req, const web::RequestContext& ctx) {
    std::string id = Param(req, ctx, "address_id");
    if (id.empty()) id = Param(req, ctx, "area_id");
    if (!id.empty()) return ParseId(id, "address_id");
    const std::string address(Trim(Param(req, ctx, "address_string")));
    if (!address.empty()) {
      if (utf8::CodePointCount(address) > 200) {
        return InvalidArgumentError("address_string has at most 200 characters", "address_string");
      }
      ASSIGN_OR_RETURN(auto found, service_.FindPlaces(address));
      if (found.empty()) {
        return InvalidArgumentError(
            Msg("no neighborhood or building matches address_string {}", QuoteForMessage(address)), "address_string");
      }
      if (found.size() > 1) {
        return InvalidArgumentError(
            Msg("address_string {} matches several places; give address_id (an area id)", QuoteForMessage(address)),
            "address_string");
      }
      return found[0];
    }
    if (!Param(req, ctx, "lat").empty() || !Param(req, ctx, "long").empty()) {
      return InvalidArgumentError(
          "lat/long alone cannot place a request here (the areas have no coordinates): add address_id or "
          "address_string",
          "address_id");
    }
    return InvalidArgumentError("a location is required: address_id or address_string", "address_id");
  }

  StatusOr<std::optional<double>> Number(const http::Request& req, const web::RequestContext& ctx, const char* name) {
    const std::string text = Param(req, ctx, name);
    if (text.empty()) return std::optional<double>();
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0') return InvalidArgumentError(Msg("{} is a number", FieldName{name}), name);
    return std::optional<double>(v);
  }

  StatusOr<Doc> Post(const http::Request& req, const web::RequestContext& ctx) {
    const std::string key = Param(req, ctx, "api_key");
    if (key.empty() && !ctx.via_bearer) return PermissionDeniedError("api_key is required to post a request");
    ASSIGN_OR_RETURN(auth::Principal by, Client(site_, req, ctx));
    const std::string code = Param(req, ctx, "service_code");
    if (code.empty()) return InvalidArgumentError("service_code is required", "service_code");
    ASSIGN_OR_RETURN(auto services, Services());
    if (!services.count(code)) return NotFoundError(Msg("service_code {} was not found", QuoteForMessage(code)));
    NewCase n;
    n.channel = "open311";
    n.category = code;
    ASSIGN_OR_RETURN(n.area_id, Location(req, ctx));
    ASSIGN_OR_RETURN(n.latitude, Number(req, ctx, "lat"));
    ASSIGN_OR_RETURN(n.longitude, Number(req, ctx, "long"));
    n.description = std::string(Trim(Param(req, ctx, "description")));
    if (n.description.empty()) return InvalidArgumentError("description is required", "description");
    const std::string media = std::string(Trim(Param(req, ctx, "media_url")));
    if (!media.empty()) {
      if (media.size() > kMaxMediaUrl || (media.rfind("http://", 0) != 0 && media.rfind("https://", 0) != 0) ||
          media.find_first_of(" \r\n\t") != std::string::npos) {
        return InvalidArgumentError("media_url is an http(s) URL of at most 500 characters", "media_url");
      }
      n.description += kMediaLine + media;
    }
    n.title = std::string(Trim(Param(req, ctx, "title")));
    if (n.title.empty()) n.title = TitleFrom(n.description);
    const std::string first(Trim(Param(req, ctx, "first_name"))), last(Trim(Param(req, ctx, "last_name")));
    const bool ascii = std::all_of(first.begin(), first.end(), [](char ch) { return (ch & 0x80) == 0; }) &&
                       std::all_of(last.begin(), last.end(), [](char ch) { return (ch & 0x80) == 0; });
    n.contact_name = ascii ? std::string(Trim(first + " " + last)) : last + first;  // 王 + 小明
    n.contact_phone = std::string(Trim(Param(req, ctx, "phone")));
    // attribute[type], attribute[urgency], attribute[public] (the service definition).
    if (auto t = web::Site::Field(ctx, "attribute[type]"); !t.empty()) n.type = t;
    if (auto u = web::Site::Field(ctx, "attribute[urgency]"); !u.empty()) n.urgency = u;
    if (auto p = web::Site::Field(ctx, "attribute[public]"); !p.empty()) {
      if (p != "true" && p != "false") return InvalidArgumentError("attribute[public] is true or false", "public");
      n.is_public = p == "true";
    }
    // A client that is not staff posts for residents: the anonymous-intake limit applies (intake_limits.h).
    IntakeLimiter& limiter = service_.intake_limiter();
    ASSIGN_OR_RETURN(IntakeReservation slot, limiter.Reserve(by, n.channel, req.remote_address, n.contact_phone));
    if (slot.refusal) {
      const Status too_many = slot.refusal->ToStatus();
      return Doc{json::array({{{"code", 429}, {"description", too_many.message()}}}), "errors", 429,
                 slot.refusal->retry_after_seconds};
    }
    StatusOr<Case> submitted = service_.Submit(by, n);
    if (!submitted.ok()) {
      limiter.Release(slot);
      return submitted.status();
    }
    const Case& c = *submitted;
    std::string notice = site_.T(ctx, "open311_notice_received");
    if (c.due_at) {
      const size_t at = notice.find("{due}");
      if (at != std::string::npos) notice.replace(at, 5, FormatShanghai(*c.due_at));
    }
    json body = json::array({{{"service_request_id", std::to_string(c.id)},
                              {"token", TokenFor(c.id)},
                              {"service_notice", notice},
                              {"account_id", by.has_account() ? json(std::to_string(by.user_id)) : json(nullptr)}}});
    return Doc{body, "service_requests", 201};
  }

  // A token proves who posted: "<id>-<hmac>" (the request exists at once, so the token only names it).
  std::string TokenFor(int64_t id) const {
    const std::string sid = std::to_string(id);
    return sid + "-" + auth::HmacHex(site_.options().csrf_secret, "open311-token:" + sid).substr(0, 16);
  }
  std::optional<int64_t> IdOfToken(const std::string& token) const {
    const size_t dash = token.find('-');
    if (dash == std::string::npos || dash == 0 || token.size() > 64) return std::nullopt;
    auto id = ParseId(token.substr(0, dash), "token");
    if (!id.ok() || TokenFor(*id) != token) return std::nullopt;
    return *id;
  }

  static std::string TitleFrom(const std::string& description) {
    std::string line = description.substr(0, description.find('\n'));
    line = std::string(Trim(line));
    // At most 40 code points, cut on a code point boundary.
    size_t count = 0, i = 0;
    while (i < line.size() && count < 40) {
      const unsigned char ch = static_cast<unsigned char>(line[i]);
      i += ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
      ++count;
    }
    if (i < line.size()) return line.substr(0, i) + "…";
    return line;
  }

  const web::Site& site_;
  CaseService& service_;
};

}  // namespace

void RegisterOpen311Routes(http::Router& router, const web::Site& site, CaseService& service) {
  auto api = std::make_shared<Open311>(site, service);
  const std::string p = kPrefix;
  for (Format format : {Format::kJson, Format::kXml}) {
    const std::string ext = format == Format::kJson ? ".json" : ".xml";
    router.Add("GET", p + "/services" + ext,
               Wrap(site, format, nullptr, [api](http::Request&, web::RequestContext& ctx, Format) -> StatusOr<Doc> {
                 ASSIGN_OR_RETURN(auto cats, api->service_.Categories());  // in the taxonomy's order
                 json out = json::array();
                 for (const auto& c : cats) out.push_back(api->Service(ctx, c));
                 return Doc{out, "services"};
               }));
    router.Add("GET", p + "/requests" + ext,
               Wrap(site, format, nullptr,
                    [api, &site](http::Request& req, web::RequestContext& ctx, Format) -> StatusOr<Doc> {
                      ASSIGN_OR_RETURN(auth::Principal viewer, Client(site, req, ctx));
                      ASSIGN_OR_RETURN(CaseSearch q, api->SearchFrom(req, ctx));
                      q.public_only = !viewer.signed_in();
                      ASSIGN_OR_RETURN(auto found, api->service_.Search(viewer, q));
                      ASSIGN_OR_RETURN(json out, api->Requests(ctx, found));
                      return Doc{out, "service_requests"};
                    }));
    router.Add("POST", p + "/requests" + ext,
               Wrap(site, format, nullptr,
                    [api](http::Request& req, web::RequestContext& ctx, Format) -> StatusOr<Doc> {
                      return api->Post(req, ctx);
                    }),
               router.Blocking());  // waits for its group commit
  }
  router.Add(
      "GET", p + "/services/{file}",
      Wrap(site, std::nullopt, "file", [api](http::Request& req, web::RequestContext& ctx, Format) -> StatusOr<Doc> {
        ASSIGN_OR_RETURN(auto services, api->Services());
        auto it = services.find(req.Param("file"));
        if (it == services.end()) {
          return NotFoundError(Msg("service_code {} was not found", QuoteForMessage(req.Param("file"))));
        }
        return Doc{api->Definition(ctx, it->second), "service_definition"};
      }));
  router.Add("GET", p + "/requests/{file}",
             Wrap(site, std::nullopt, "file",
                  [api, &site](http::Request& req, web::RequestContext& ctx, Format) -> StatusOr<Doc> {
                    ASSIGN_OR_RETURN(auth::Principal viewer, Client(site, req, ctx));
                    ASSIGN_OR_RETURN(int64_t id, ParseId(req.Param("file"), "service_request_id"));
                    // Get() decides visibility (404 missing, 401/403 not visible); the output is the public shape.
                    ASSIGN_OR_RETURN(CaseDetail d, api->service_.Get(viewer, id));
                    ASSIGN_OR_RETURN(json out, api->Requests(ctx, {d.c}));
                    return Doc{out, "service_requests"};
                  }));
  router.Add("GET", p + "/tokens/{file}",
             Wrap(site, std::nullopt, "file", [api](http::Request& req, web::RequestContext&, Format) -> StatusOr<Doc> {
               auto id = api->IdOfToken(req.Param("file"));
               if (!id) return NotFoundError(Msg("token {} was not found", QuoteForMessage(req.Param("file"))));
               return Doc{json::array({{{"service_request_id", std::to_string(*id)}, {"token", req.Param("file")}}}),
                          "service_requests"};
             }));
}

}  // namespace ningju::cases
