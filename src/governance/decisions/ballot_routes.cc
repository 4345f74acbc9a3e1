#include "governance/decisions/ballot_routes.h"

#include <charconv>

#include "auth/policy.h"
#include "common/decimal.h"
#include "common/text_util.h"
#include "common/time.h"
#include "governance/areas/area_filter.h"
#include "platform/index.h"
#include "record/attachments.h"
#include "record/record.h"
#include "web/number_format.h"
#include "web/svg_bars.h"

namespace ningju::decisions {
namespace {

using nlohmann::json;

StatusOr<int64_t> IdParam(const http::Request& req, const std::string& name) { return ParseId(req.Param(name), name); }

StatusOr<int64_t> IntText(std::string_view text, const std::string& field) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgumentError(Msg("{} must be a whole number", FieldName{field}), field);
  }
  return v;
}

// An RFC 3339 time with its offset, or a form's datetime-local value ("2026-05-01T10:00"), read in Asia/Shanghai.
StatusOr<Instant> TimeText(std::string_view text, const std::string& field) {
  std::string t(Trim(text));
  if (t.size() == 16 && t[10] == 'T') t += ":00+08:00";
  auto ts = ParseTimestamp(t);
  if (!ts.ok()) return InvalidArgumentError(ts.status().msg(), field);
  return FromUnix(ts->unix_seconds);
}

std::string AreaText(int64_t centi) { return ningju::Area::FromHundredths(centi).ToString(); }

std::string T(const web::Site& site, const web::RequestContext& ctx, const std::string& key) {
  return site.T(ctx, key);
}

json BallotSummary(const web::Site& site, const web::RequestContext& ctx, const OwnersBallot& b) {
  json j = b.ToJson();
  j["state_label"] = T(site, ctx, "ballot_state_" + std::string(BallotStateName(b.state)));
  j["is_draft"] = b.state == BallotState::kDraft;
  j["is_open"] = b.state == BallotState::kOpen;
  j["is_closed"] = b.state == BallotState::kClosed;
  j["closes_local"] = FormatShanghai(b.closes_at);
  j["opened_local"] = b.opened_at ? FormatShanghai(*b.opened_at) : "";
  j["closed_local"] = b.closed_at ? FormatShanghai(*b.closed_at) : "";
  j["notice_ends_local"] = b.notice_ends_at() ? FormatShanghai(*b.notice_ends_at()) : "";
  j["rule_label"] = T(site, ctx, "ballot_rule_" + std::string(ConsentRuleName(ConsentRuleFor(b.matter))));
  return j;
}

json VoteJson(const Vote& v) {
  return {{"id", v.id},
          {"voter", v.voter},
          {"choice", std::string(ChoiceName(v.choice))},
          {"channel", std::string(ChannelName(v.channel))},
          {"cast_at", FormatUtc(v.cast_at)},
          {"proxy_name", v.proxy_name},
          {"attachment_id", v.attachment_id ? json(*v.attachment_id) : json(nullptr)},
          {"current", v.current},
          {"replace_reason", v.replace_reason}};
}

json ReplacementsJson(const std::vector<Replacement>& list) {
  json out = json::array();
  for (const auto& r : list) {
    out.push_back({{"at", FormatUtc(r.at)}, {"by_role", r.by_role}, {"channel", r.channel}, {"reason", r.reason}});
  }
  return out;
}

json FiguresJson(const Figures& f) { return {{"area", f.area.ToString()}, {"heads", f.heads}}; }

// A stored object of figures ({"area": "1234.50", "heads": 12}, the ballots by channel) as a page shows it: every
// value grouped (web/number_format.h).
json FiguresView(const json& stored) {
  json out = json::object();
  for (const auto& [key, value] : stored.items()) out[key] = web::FormatJsonNumber(value);
  return out;
}

// The four conditions and the reasons for a failure, in the interface language, from the stored result.
json ConditionsView(const web::Site& site, const web::RequestContext& ctx, const json& stored) {
  json rows = json::array();
  for (const auto& c : stored["conditions"]) {
    const std::string stage = c["stage"], measure = c["measure"];
    const bool met = c["met"];
    rows.push_back(
        {{"label", T(site, ctx, "ballot_cond_" + stage + "_" + measure)},
         {"numerator", web::FormatJsonNumber(c["numerator"])},
         {"denominator", web::FormatJsonNumber(c["denominator"])},
         {"threshold", std::string(c["strict"].get<bool>() ? "> " : "≥ ") + c["threshold"].get<std::string>()},
         {"needed", web::FormatJsonNumber(c["needed"])},
         {"unit", measure == "area" ? "m²" : T(site, ctx, "ballot_heads_unit")},
         {"met", met},
         {"met_label", T(site, ctx, met ? "ballot_met" : "ballot_not_met")}});
  }
  return rows;
}

// The four conditions as bars (web/svg_bars.h): the share against its threshold, drawn at their exact fractions
// (areas in hundredths of a square metre, heads as counts), with the table's exact figures as the text.
std::string ConditionsSvg(const web::Site& site, const web::RequestContext& ctx, const json& stored, const json& rows) {
  auto whole = [](const json& v) -> int64_t {
    if (!v.is_string()) return v.get<int64_t>();
    auto area = ningju::Area::Parse(v.get<std::string>());
    return area.ok() ? area->hundredths() : 0;
  };
  const web::Punctuation punct = site.Punct(ctx);
  std::vector<web::Bar> bars;
  std::string summary;
  for (size_t i = 0; i < rows.size() && i < stored["conditions"].size(); ++i) {
    const json& c = stored["conditions"][i];
    const json& row = rows[i];
    web::Bar bar;
    bar.label = row["label"];
    const std::string share = row["numerator"].get<std::string>() + " / " + row["denominator"].get<std::string>() +
                              " " + row["unit"].get<std::string>();
    bar.value_text = share + " · " + row["met_label"].get<std::string>();
    bar.threshold_text = T(site, ctx, "ballot_threshold") + " " + row["threshold"].get<std::string>();
    bar.numerator = whole(c["numerator"]);
    bar.denominator = whole(c["denominator"]);
    const std::string threshold = c["threshold"];  // "2/3"
    const size_t slash = threshold.find('/');
    if (slash != std::string::npos) {
      auto num = IntText(threshold.substr(0, slash), "threshold");
      auto den = IntText(threshold.substr(slash + 1), "threshold");
      if (num.ok() && den.ok()) {
        bar.threshold_numerator = *num;
        bar.threshold_denominator = *den;
      }
    }
    bar.tone = row["met"].get<bool>() ? web::BarTone::kMet : web::BarTone::kUnmet;
    summary += (summary.empty() ? "" : punct.semicolon) + bar.label + " " + share + " · " + bar.threshold_text + " · " +
               row["met_label"].get<std::string>();
    bars.push_back(std::move(bar));
  }
  return web::HorizontalBars(bars, punct.Labeled(T(site, ctx, "ballot_conditions"), summary));
}

json NoticeJson(const web::Site* site, const web::RequestContext* ctx, const std::vector<NoticeLine>& lines) {
  json out = json::array();
  for (const auto& l : lines) {
    json j = {{"unit", l.label},
              {"owners", l.owners_masked},
              {"developer_unsold", l.developer_unsold},
              {"choice", l.choice ? json(std::string(ChoiceName(*l.choice))) : json(nullptr)},
              {"channel", l.channel ? json(std::string(ChannelName(*l.channel))) : json(nullptr)}};
    if (site) {
      j["choice_label"] = site->T(*ctx, l.choice ? "choice_" + std::string(ChoiceName(*l.choice)) : "ballot_no_vote");
      j["channel_label"] = l.channel ? site->T(*ctx, "channel_" + std::string(ChannelName(*l.channel))) : "";
      if (l.developer_unsold) j["owners"] = site->T(*ctx, "developer_unsold");
    }
    out.push_back(std::move(j));
  }
  return out;
}

json ObjectionsJson(const std::vector<Objection>& objections) {
  json out = json::array();
  for (const auto& o : objections) {
    out.push_back({{"id", o.id},
                   {"name", o.name},
                   {"body", o.body},
                   {"created_at", FormatUtc(o.created_at)},
                   {"created_local", FormatShanghai(o.created_at)}});
  }
  return out;
}

StatusOr<Entry> EntryFromForm(const web::RequestContext& ctx) {
  Entry entry;
  entry.voter = web::Site::Field(ctx, "voter");
  ASSIGN_OR_RETURN(entry.choice, ParseChoice(web::Site::Field(ctx, "choice")));
  ASSIGN_OR_RETURN(entry.channel, ParseChannel(web::Site::Field(ctx, "channel")));
  entry.proxy_name = web::Site::Field(ctx, "proxy_name");
  entry.reason = web::Site::Field(ctx, "reason");
  for (const auto& f : ctx.files) {
    if (f.name != "file" || f.body.empty()) continue;
    if (!entry.attachment_bytes.empty()) return InvalidArgumentError("attach one file", "file");
    entry.attachment_name = f.filename;
    entry.attachment_bytes = f.body;
  }
  return entry;
}

StatusOr<http::Response> BallotPage(const web::Site& site, BallotService& service, web::RequestContext& ctx, int64_t id,
                                    const std::string& notice) {
  ASSIGN_OR_RETURN(OwnersBallot b, service.Get(id));
  ASSIGN_OR_RETURN(BallotViewer viewer, service.ViewerOf(ctx.principal, id));
  json data;
  data["ballot"] = BallotSummary(site, ctx, b);
  data["notice"] = notice;
  data["is_staff"] = viewer.is_staff;
  if (b.state != BallotState::kDraft) {
    ASSIGN_OR_RETURN(Figures total, service.ElectorateTotals(id));
    ASSIGN_OR_RETURN(auto voters, service.Voters(ctx.principal, id));
    data["electorate"] = {{"area", web::FormatNumber(total.area)}, {"heads", web::FormatNumber(total.heads)}};
    if (viewer.is_staff && b.state == BallotState::kOpen) {
      data["voters"] = json::array();
      for (const auto& v : voters) {
        const std::string units = site.Punct(ctx).Join(v.units);
        std::string who = v.developer ? T(site, ctx, "developer_unsold") : v.owner_names;
        if (who.empty()) who = T(site, ctx, "ballot_owner_unknown");
        data["voters"].push_back({{"key", v.key}, {"label", units + " · " + who}});
      }
    }
    data["units"] = json::array();
    for (const auto& v : voters) {
      for (const auto& u : v.units) data["units"].push_back({{"label", u}});
    }
  }
  if (viewer.own_voter) {
    const std::string units = site.Punct(ctx).Join(viewer.own_units);
    json own = {{"units", units}};
    if (viewer.own_vote) {
      own["choice_label"] = T(site, ctx, "choice_" + std::string(ChoiceName(viewer.own_vote->choice)));
      own["channel_label"] = T(site, ctx, "channel_" + std::string(ChannelName(viewer.own_vote->channel)));
      own["cast_local"] = FormatShanghai(viewer.own_vote->cast_at);
    }
    // The owner is told when staff replaced their own online ballot: by whom (the role), when and why.
    own["replacements"] = json::array();
    for (const auto& r : viewer.replacements) {
      own["replacements"].push_back({{"at_local", FormatShanghai(r.at)},
                                     {"role_label", T(site, ctx, "role_" + r.by_role)},
                                     {"channel_label", T(site, ctx, "channel_" + r.channel)},
                                     {"reason", r.reason}});
    }
    data["own"] = own;
  }
  data["can_vote"] = viewer.own_voter.has_value() && b.state == BallotState::kOpen;
  data["choices"] = json::array();
  for (Choice c : {Choice::kAgree, Choice::kDisagree, Choice::kAbstain}) {
    const std::string name(ChoiceName(c));
    data["choices"].push_back({{"value", name},
                               {"label", T(site, ctx, "choice_" + name)},
                               {"checked", viewer.own_vote && viewer.own_vote->choice == c}});
  }
  // Closing while ballots are still accepted ends the vote early: the close form asks staff to confirm.
  data["close_early"] = b.accepting(service.Now());
  data["follow_ref"] = record::Ref("ballot", b.id);  // the follow button (src/platform/notify)
  return site.Page(ctx, "ballots/ballot", data, b.title);
}

}  // namespace

platform::HomeCardFn BallotHomeCard(const web::Site& site, BallotService& service) {
  return [&site, &service](web::RequestContext& ctx) -> StatusOr<std::optional<platform::HomeCard>> {
    platform::HomeCard card{"ballots", "ballots/home_card"};
    BallotFilter open;
    open.state = BallotState::kOpen;
    if (!ctx.principal.has_account()) {
      ASSIGN_OR_RETURN(auto page, service.List(ctx.principal, open, "", 5));  // public: the district's open ballots
      card.data["open"] = json::array();
      for (const auto& b : page.items) card.data["open"].push_back(BallotSummary(site, ctx, b));
      return card;
    }
    open.may_vote = true;
    ASSIGN_OR_RETURN(auto votable, service.List(ctx.principal, open, "", 5));
    card.data["open"] = json::array();
    for (const auto& b : votable.items) {
      json row = BallotSummary(site, ctx, b);
      ASSIGN_OR_RETURN(BallotViewer viewer, service.ViewerOf(ctx.principal, b.id));
      row["voted"] = viewer.own_vote.has_value();
      row["accepting"] = b.accepting(service.Now());
      card.data["open"].push_back(std::move(row));
    }
    BallotFilter managed;
    managed.managed = true;
    ASSIGN_OR_RETURN(auto runs, service.List(ctx.principal, managed, "", 5));
    card.data["managed"] = json::array();
    for (const auto& b : runs.items) {
      if (b.state != BallotState::kClosed || service.NoticeRunning(b)) {
        card.data["managed"].push_back(BallotSummary(site, ctx, b));
      }
    }
    return card;
  };
}

void RegisterBallotRoutes(http::Router& router, const web::Site& site, BallotService& service,
                          areas::AreaService& areas, size_t max_upload_bytes) {
  // ---- Pages.
  router.Add("GET", "/ballots", site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
    static const std::vector<std::string> kStates = {"draft", "open", "closed"};
    BallotFilter filter;
    ASSIGN_OR_RETURN(filter.area_id, areas::ParseAreaParam(areas, req.Query("area")));
    ASSIGN_OR_RETURN(std::string state, platform::StateParam(req, kStates));
    if (state == "draft") filter.state = BallotState::kDraft;
    if (state == "open") filter.state = BallotState::kOpen;
    if (state == "closed") filter.state = BallotState::kClosed;
    ASSIGN_OR_RETURN(auto page, service.List(ctx.principal, filter, req.Query("cursor").value_or(""), 50));
    json data;
    ASSIGN_OR_RETURN(data["filter"], areas::AreaFilterView(areas, "/ballots", filter.area_id));
    data["base"] = "/ballots";
    data["states"] = platform::StateOptions(site, ctx, "ballot_state_", kStates, state);
    data["ballots"] = json::array();
    for (const auto& b : page.items) data["ballots"].push_back(BallotSummary(site, ctx, b));
    data["next_cursor"] = page.next_cursor;
    data["query"] = platform::FilterQuery(filter.area_id, state);
    return site.Page(ctx, "ballots/index", data, T(site, ctx, "ballots"));
  }));
  router.Add("GET", "/areas/{id}/ballots",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(auto scopes, service.Scopes(id));
               ASSIGN_OR_RETURN(auto page, service.ListForNeighborhood(id, req.Query("cursor").value_or(""), 50));
               json data;
               data["neighborhood"] = {{"id", id}, {"name", scopes.front().name}};
               data["ballots"] = json::array();
               for (const auto& b : page.items) data["ballots"].push_back(BallotSummary(site, ctx, b));
               data["next_cursor"] = page.next_cursor;
               if (service.IsStaffOn(ctx.principal, id)) {
                 json scope_list = json::array();
                 for (const auto& s : scopes) {
                   std::string label = s.kind == "neighborhood"
                                           ? site.Punct(ctx).Parenthesized(s.name, T(site, ctx, "ballot_scope_estate"))
                                           : s.name;
                   scope_list.push_back({{"id", s.id}, {"label", label}});
                 }
                 json matters = json::array();
                 for (int item = 1; item <= 9; ++item) {
                   Matter m = *MatterFromItem(item);
                   matters.push_back({{"value", item},
                                      {"label", std::to_string(item) + ". " + std::string(MatterTitle(m))},
                                      {"selected", item == 7}});
                 }
                 data["create"] = {{"scopes", scope_list}, {"matters", matters}};
               }
               return site.Page(ctx, "ballots/list", data, T(site, ctx, "ballots"));
             }));
  // Gates (web::Site): who may take the action, asked before the route reads its input.
  auto may_create = [](const http::Request&, const web::RequestContext& ctx) -> Status {
    return auth::policy::RequireSomewhere(ctx.principal, auth::policy::Action::kManageBallot);
  };
  auto may_cast = [&service](const http::Request& req, const web::RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
    return service.CheckCast(ctx.principal, id);
  };
  auto may_close = [&service](const http::Request& req, const web::RequestContext& ctx) -> Status {
    ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
    return service.CheckClose(ctx.principal, id);
  };
  router.Add("POST", "/ballots",
             site.Web(may_create, [&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
               NewBallot nb;
               nb.title = web::Site::Field(ctx, "title");
               nb.description = web::Site::Field(ctx, "description");
               ASSIGN_OR_RETURN(nb.matter, IntText(web::Site::Field(ctx, "matter"), "matter"));
               ASSIGN_OR_RETURN(nb.area_id, ParseId(web::Site::Field(ctx, "area_id"), "area_id"));
               ASSIGN_OR_RETURN(nb.closes_at, TimeText(web::Site::Field(ctx, "closes_at"), "closes_at"));
               const std::string days = web::Site::Field(ctx, "notice_days");
               if (!days.empty()) {
                 ASSIGN_OR_RETURN(int64_t d, IntText(days, "notice_days"));
                 nb.notice_days = static_cast<int>(std::clamp<int64_t>(d, -1, 1000));
               }
               ASSIGN_OR_RETURN(OwnersBallot b, service.Create(ctx.principal, nb));
               return http::Response::Redirect("/ballots/" + std::to_string(b.id));
             }));
  router.Add("GET", "/ballots/{id}",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               std::string notice;
               const std::string done = req.Query("done").value_or("");
               if (done == "vote" || done == "entry" || done == "open") notice = T(site, ctx, "ballot_done_" + done);
               return BallotPage(site, service, ctx, id, notice);
             }));
  router.Add("POST", "/ballots/{id}/open",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               RETURN_IF_ERROR(service.Open(ctx.principal, id).status());
               return http::Response::Redirect("/ballots/" + std::to_string(id) + "?done=open");
             }));
  // Closing before the closing time takes the vote from those who have not voted yet: the form's box must be ticked.
  router.Add("POST", "/ballots/{id}/close",
             site.Web(may_close, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(OwnersBallot b, service.Get(id));
               if (b.accepting(service.Now())) RETURN_IF_ERROR(web::RequireConfirm(ctx));
               RETURN_IF_ERROR(service.Close(ctx.principal, id).status());
               return http::Response::Redirect("/ballots/" + std::to_string(id) + "/result");
             }));
  router.Add("POST", "/ballots/{id}/vote",
             site.Web(may_cast, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(Choice choice, ParseChoice(web::Site::Field(ctx, "choice")));
               RETURN_IF_ERROR(service.Cast(ctx.principal, id, choice).status());
               return http::Response::Redirect("/ballots/" + std::to_string(id) + "?done=vote");
             }));
  // A paper ballot comes with its scan: only staff of the ballot's scope enter one, and anyone else's file is refused
  // before its body is parsed. The API's multipart votes are such entries; its JSON votes are owners' own.
  auto may_enter = [&service, may_cast](const http::Request& req, const web::RequestContext& ctx) -> Status {
    if (req.Header("Content-Type").rfind("multipart/form-data", 0) != 0 && req.path.rfind("/api/", 0) == 0) {
      return may_cast(req, ctx);
    }
    ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
    return service.CheckEnter(ctx.principal, id);
  };
  router.Add("POST", "/ballots/{id}/entries",
             site.Upload(may_enter,
                         [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
                           ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
                           ASSIGN_OR_RETURN(Entry entry, EntryFromForm(ctx));
                           RETURN_IF_ERROR(service.Enter(ctx.principal, id, entry).status());
                           return http::Response::Redirect("/ballots/" + std::to_string(id) + "?done=entry");
                         }),
             http::RouteOptions{max_upload_bytes});
  // A scanned sheet or written authorization, for staff who may see personal data on the scope.
  router.Add("GET", "/ballots/{id}/attachments/{file}",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(int64_t file, IdParam(req, "file"));
               ASSIGN_OR_RETURN(auto found, service.AttachmentOf(ctx.principal, id, file));
               return http::Response::File(found.first.content_type, found.first.name, std::move(found.second), true);
             }));
  router.Add("GET", "/ballots/{id}/result",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(OwnersBallot b, service.Get(id));
               ASSIGN_OR_RETURN(BallotResult result, service.Result(id));
               const json& s = result.stored;
               json data;
               data["ballot"] = BallotSummary(site, ctx, b);
               data["passed"] = s["passed"];
               data["verdict"] = T(site, ctx, s["passed"].get<bool>() ? "ballot_passed" : "ballot_failed");
               data["participation_met"] = s["participation_met"];
               data["consent_met"] = s["consent_met"];
               data["total"] = FiguresView(s["total"]);
               data["participating"] = FiguresView(s["participating"]);
               data["consenting"] = FiguresView(s["consenting"]);
               data["conditions"] = ConditionsView(site, ctx, s);
               data["html_conditions_svg"] = ConditionsSvg(site, ctx, s, data["conditions"]);
               json failed = json::array();
               for (const auto& c : data["conditions"]) {
                 if (!c["met"].get<bool>()) failed.push_back(c);
               }
               data["failed"] = failed;
               data["by_channel"] = FiguresView(s["ballots_by_channel"]);
               data["counted_local"] = b.closed_at ? FormatShanghai(*b.closed_at) : "";
               return site.Page(ctx, "ballots/result", data, b.title);
             }));
  router.Add("GET", "/ballots/{id}/notice",
             site.Web([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(OwnersBallot b, service.Get(id));
               ASSIGN_OR_RETURN(auto lines, service.Notice(ctx.principal, id));
               ASSIGN_OR_RETURN(auto objections, service.Objections(ctx.principal, id));
               json data;
               data["ballot"] = BallotSummary(site, ctx, b);
               data["lines"] = NoticeJson(&site, &ctx, lines);
               data["objections"] = ObjectionsJson(objections);
               data["running"] = service.NoticeRunning(b);
               data["signed_in"] = ctx.principal.signed_in();
               data["done"] = req.Query("done").value_or("") == "objection";
               return site.Page(ctx, "ballots/notice", data, b.title);
             }));
  router.Add("POST", "/ballots/{id}/objections",
             site.Web(web::SignedInGate, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               RETURN_IF_ERROR(service.Object(ctx.principal, id, web::Site::Field(ctx, "body")).status());
               return http::Response::Redirect("/ballots/" + std::to_string(id) + "/notice?done=objection");
             }));

  // ---- JSON API.
  router.Add(
      "GET", "/api/v1/ballots", site.Api([&](http::Request& req, web::RequestContext&) -> StatusOr<http::Response> {
        ASSIGN_OR_RETURN(int64_t nb, ParseId(req.Query("neighborhood_id").value_or(""), "neighborhood_id"));
        int64_t limit = 50;
        if (auto l = req.Query("limit")) {
          ASSIGN_OR_RETURN(limit, IntText(*l, "limit"));
        }
        if (limit < 1 || limit > 200) return InvalidArgumentError("limit is 1 to 200", "limit");
        ASSIGN_OR_RETURN(auto page,
                         service.ListForNeighborhood(nb, req.Query("cursor").value_or(""), static_cast<int>(limit)));
        json items = json::array();
        for (const auto& b : page.items) items.push_back(b.ToJson());
        return web::Site::Json(
            200,
            {{"items", items}, {"next_cursor", page.next_cursor.empty() ? json(nullptr) : json(page.next_cursor)}});
      }));
  router.Add("POST", "/api/v1/ballots",
             site.Api(may_create, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"title", "description", "matter", "area_id",
                                                                     "closes_at", "notice_days"}));
               NewBallot nb;
               auto text = [&](const char* key, std::string& out, bool required) -> Status {
                 if (!body.contains(key)) {
                   return required ? InvalidArgumentError(Msg("{} is required", FieldName{key}), key) : OkStatus();
                 }
                 if (!body[key].is_string())
                   return InvalidArgumentError(Msg("{} must be a string", FieldName{key}), key);
                 out = body[key].get<std::string>();
                 return OkStatus();
               };
               auto integer = [&](const char* key, int64_t& out, bool required) -> Status {
                 if (!body.contains(key)) {
                   return required ? InvalidArgumentError(Msg("{} is required", FieldName{key}), key) : OkStatus();
                 }
                 if (!body[key].is_number_integer()) {
                   return InvalidArgumentError(Msg("{} must be an integer", FieldName{key}), key);
                 }
                 out = body[key].get<int64_t>();
                 return OkStatus();
               };
               std::string closes;
               int64_t days = kDefaultNoticeDays;
               RETURN_IF_ERROR(text("title", nb.title, true));
               RETURN_IF_ERROR(text("description", nb.description, false));
               RETURN_IF_ERROR(text("closes_at", closes, true));
               RETURN_IF_ERROR(integer("matter", nb.matter, true));
               RETURN_IF_ERROR(integer("area_id", nb.area_id, true));
               RETURN_IF_ERROR(integer("notice_days", days, false));
               nb.notice_days = static_cast<int>(std::clamp<int64_t>(days, -1, 1000));
               auto ts = ParseTimestamp(closes);
               if (!ts.ok()) return InvalidArgumentError(ts.status().msg(), "closes_at");
               nb.closes_at = FromUnix(ts->unix_seconds);
               ASSIGN_OR_RETURN(OwnersBallot b, service.Create(ctx.principal, nb));
               return web::Site::Json(201, b.ToJson());
             }));
  router.Add("GET", "/api/v1/ballots/{id}",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(OwnersBallot b, service.Get(id));
               ASSIGN_OR_RETURN(BallotViewer viewer, service.ViewerOf(ctx.principal, id));
               json body = b.ToJson();
               if (b.state != BallotState::kDraft) {
                 ASSIGN_OR_RETURN(Figures total, service.ElectorateTotals(id));
                 ASSIGN_OR_RETURN(auto voters, service.Voters(ctx.principal, id));
                 json electorate = FiguresJson(total);
                 electorate["voters"] = json::array();
                 for (const auto& v : voters) {
                   electorate["voters"].push_back({{"voter", v.key},
                                                   {"owners", v.owner_names},
                                                   {"developer", v.developer},
                                                   {"units", v.units},
                                                   {"area", AreaText(v.area_centi)}});
                 }
                 body["electorate"] = electorate;
               }
               if (viewer.own_voter) {
                 body["you"] = {{"voter", *viewer.own_voter},
                                {"units", viewer.own_units},
                                {"ballot", viewer.own_vote ? VoteJson(*viewer.own_vote) : json(nullptr)},
                                {"replacements", ReplacementsJson(viewer.replacements)}};
               }
               body["you_manage"] = viewer.is_staff;
               return web::Site::Json(200, body);
             }));
  router.Add("POST", "/api/v1/ballots/{id}/open",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(OwnersBallot b, service.Open(ctx.principal, id));
               return web::Site::Json(200, b.ToJson());
             }));
  router.Add("POST", "/api/v1/ballots/{id}/close",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(OwnersBallot b, service.Close(ctx.principal, id));
               return web::Site::Json(200, b.ToJson());
             }));
  router.Add("POST", "/api/v1/ballots/{id}/votes",
             site.ApiUpload(may_enter,
                            [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
                              ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
                              // A multipart form carries a staff entry with its file; a JSON body is the caller's own
                              // ballot.
                              if (std::string(req.Header("Content-Type")).rfind("multipart/form-data", 0) == 0) {
                                ASSIGN_OR_RETURN(Entry entry, EntryFromForm(ctx));
                                ASSIGN_OR_RETURN(Vote v, service.Enter(ctx.principal, id, entry));
                                return web::Site::Json(201, VoteJson(v));
                              }
                              ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"choice"}));
                              if (!body.contains("choice") || !body["choice"].is_string()) {
                                return InvalidArgumentError("choice is agree, disagree or abstain", "choice");
                              }
                              auto choice = ParseChoice(body["choice"].get<std::string>());
                              if (!choice.ok()) return InvalidArgumentError(choice.status().msg(), "choice");
                              ASSIGN_OR_RETURN(Vote v, service.Cast(ctx.principal, id, *choice));
                              return web::Site::Json(201, VoteJson(v));
                            }),
             http::RouteOptions{max_upload_bytes});
  router.Add("GET", "/api/v1/ballots/{id}/result",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(OwnersBallot b, service.Get(id));
               ASSIGN_OR_RETURN(BallotResult result, service.Result(id));
               json body = result.stored;
               body["notice"] = {{"starts_at", b.closed_at ? json(FormatUtc(*b.closed_at)) : json(nullptr)},
                                 {"ends_at", b.notice_ends_at() ? json(FormatUtc(*b.notice_ends_at())) : json(nullptr)},
                                 {"days", b.notice_days}};
               // The unit-by-unit lines only for the owners of the scope and staff; the figures stay public.
               auto lines = service.Notice(ctx.principal, id);
               if (lines.ok()) {
                 body["notice"]["units"] = NoticeJson(nullptr, nullptr, *lines);
               } else if (lines.status().code() != StatusCode::kUnauthenticated &&
                          lines.status().code() != StatusCode::kPermissionDenied) {
                 return lines.status();
               }
               return web::Site::Json(200, body);
             }));
  router.Add("GET", "/api/v1/ballots/{id}/objections",
             site.Api([&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(auto objections, service.Objections(ctx.principal, id));
               json items = ObjectionsJson(objections);
               for (auto& i : items) i.erase("created_local");
               return web::Site::Json(200, {{"items", items}});
             }));
  router.Add("POST", "/api/v1/ballots/{id}/objections",
             site.Api(web::SignedInGate, [&](http::Request& req, web::RequestContext& ctx) -> StatusOr<http::Response> {
               ASSIGN_OR_RETURN(int64_t id, IdParam(req, "id"));
               ASSIGN_OR_RETURN(json body, web::Site::JsonBody(req, {"body"}));
               if (!body.contains("body") || !body["body"].is_string()) {
                 return InvalidArgumentError("body must be a string", "body");
               }
               ASSIGN_OR_RETURN(Objection o, service.Object(ctx.principal, id, body["body"].get<std::string>()));
               json out = ObjectionsJson({o})[0];
               out.erase("created_local");
               return web::Site::Json(201, out);
             }));
}

}  // namespace ningju::decisions
