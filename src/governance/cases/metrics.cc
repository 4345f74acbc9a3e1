// The rates of the handling units (CaseService::Metrics, docs/CASES.md "Rates"): per lead assignment of a period,
// grouped by unit or by subdistrict, with their weighted score.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "governance/cases/case_policy.h"
#include "governance/cases/cases.h"

namespace ningju::cases {
namespace {

using internal::CheckMetricsReader;

// The counts of one group's lead assignments, after its id and name (columns 2..9 of the query).
constexpr char kCounts[] =
    "COUNT(*), "
    "SUM(CASE WHEN a.signed_at IS NOT NULL AND a.signed_at <= a.sign_due_at THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN a.followed_up_at IS NOT NULL THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN a.followed_up_at IS NOT NULL AND a.resolved = 1 THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN a.followed_up_at IS NOT NULL AND a.satisfaction IN ('satisfied', 'basically_satisfied') "
    "THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN a.replied_at IS NOT NULL THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN a.replied_at IS NOT NULL AND a.replied_at <= a.reply_due_at THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN a.replied_at IS NOT NULL AND a.reopened = 1 THEN 1 ELSE 0 END)";

// The weighted mean of the rates that have a value, on 0..100 (the reopen rate counts inverted); none without any.
std::optional<double> Score(const MetricsRow& m, const MetricWeights& w) {
  double sum = 0, weights = 0;
  auto add = [&](const Rate& rate, double weight, bool inverted) {
    auto v = rate.value();
    if (!v || weight <= 0) return;
    sum += weight * (inverted ? 1 - *v : *v);
    weights += weight;
  };
  add(m.response, w.response, false);
  add(m.resolution, w.resolution, false);
  add(m.satisfaction, w.satisfaction, false);
  add(m.on_time, w.on_time, false);
  add(m.reopen, w.reopen, true);
  if (weights > 0) return 100 * sum / weights;
  return std::nullopt;
}

}  // namespace

std::optional<double> Rate::value() const {
  if (denominator == 0) return std::nullopt;
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

nlohmann::json Rate::ToJson() const {
  auto v = value();
  return {{"numerator", numerator},
          {"denominator", denominator},
          {"value", v ? nlohmann::json(std::round(*v * 10000) / 10000) : nlohmann::json(nullptr)}};
}

nlohmann::json MetricsRow::ToJson() const {
  return {{"id", id},
          {"name", name},
          {"dispatched", dispatched},
          {"response_rate", response.ToJson()},
          {"resolution_rate", resolution.ToJson()},
          {"satisfaction_rate", satisfaction.ToJson()},
          {"on_time_rate", on_time.ToJson()},
          {"reopen_rate", reopen.ToJson()},
          {"score", score ? nlohmann::json(std::round(*score * 10) / 10) : nlohmann::json(nullptr)}};
}

StatusOr<std::vector<MetricsRow>> CaseService::Metrics(const auth::Principal& viewer, const MetricsQuery& query) {
  if (query.group != "unit" && query.group != "area") {
    return InvalidArgumentError("group is unit or area", "group");
  }
  if (query.to <= query.from) return InvalidArgumentError("the period ends after it starts", "to");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  RETURN_IF_ERROR(CheckMetricsReader(*conn, viewer));
  std::string sql;
  if (query.group == "unit") {
    sql = "SELECT u.id, u.name, " + std::string(kCounts) +
          " FROM case_assignments a JOIN handling_units u ON u.id = a.unit_id WHERE a.role = 'lead' AND "
          "a.assigned_at >= ? AND a.assigned_at < ? GROUP BY u.id, u.name ORDER BY u.id";
  } else {
    sql = "SELECT ar.id, ar.name, " + std::string(kCounts) +
          " FROM case_assignments a JOIN cases c ON c.id = a.case_id JOIN areas ar ON ar.id = c.subdistrict_id WHERE "
          "a.role = 'lead' AND a.assigned_at >= ? AND a.assigned_at < ? GROUP BY ar.id, ar.name ORDER BY ar.id";
  }
  ASSIGN_OR_RETURN(storage::Result result, conn->Execute(sql, {ToUnix(query.from), ToUnix(query.to)}));
  std::vector<MetricsRow> out;
  const MetricWeights& w = options_.weights;
  for (const auto& r : result.rows) {
    MetricsRow m;
    m.id = r.Int(0);
    m.name = r.Text(1);
    m.dispatched = r.Int(2);
    m.response = {r.Int(3), r.Int(2)};
    m.resolution = {r.Int(5), r.Int(4)};
    m.satisfaction = {r.Int(6), r.Int(4)};
    m.on_time = {r.Int(8), r.Int(7)};
    m.reopen = {r.Int(9), r.Int(7)};
    m.score = Score(m, w);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace ningju::cases
