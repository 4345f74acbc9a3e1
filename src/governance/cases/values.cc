// The value lists of cases and the JSON of the service's value types (cases.h).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "governance/cases/cases.h"
#include "governance/cases/store.h"

namespace ningju::cases {

using internal::OptJson;
using internal::OptTime;

const std::vector<std::string>& CaseTypes() {
  static const std::vector<std::string> v = {"enquiry", "help", "complaint", "report", "suggestion"};
  return v;
}
const std::vector<std::string>& Urgencies() {
  static const std::vector<std::string> v = {"normal", "urgent", "emergency"};
  return v;
}
const std::vector<std::string>& Channels() {
  static const std::vector<std::string> v = {"web",    "door_qr",   "phone", "visit",
                                             "letter", "reception", "api",   "open311"};
  return v;
}
const std::vector<std::string>& StaffChannels() {
  static const std::vector<std::string> v = {"phone", "visit", "letter", "reception"};
  return v;
}
const std::vector<std::string>& Satisfactions() {
  static const std::vector<std::string> v = {"satisfied", "basically_satisfied", "dissatisfied"};
  return v;
}
const std::vector<std::string>& UnitKinds() {
  static const std::vector<std::string> v = {"department", "subdistrict_office", "neighborhood_committee"};
  return v;
}

nlohmann::json Case::ToJson() const {
  nlohmann::json j = {{"id", id},
                      {"type", type},
                      {"category", category},
                      {"title", title},
                      {"description", description},
                      {"area_id", area_id},
                      {"neighborhood_id", neighborhood_id},
                      {"subdistrict_id", subdistrict_id},
                      {"building_id", OptJson(building_id)},
                      {"unit_id", OptJson(unit_id)},
                      {"latitude", OptJson(latitude)},
                      {"longitude", OptJson(longitude)},
                      {"urgency", urgency},
                      {"complex", complex},
                      {"channel", channel},
                      {"public", is_public},
                      {"unit_public", unit_public},
                      {"state", StateName(state)},
                      {"extension_state", ExtensionStateName(extension)},
                      {"submitted_at", FormatUtc(submitted_at)},
                      {"updated_at", FormatUtc(updated_at)},
                      {"due_at", OptTime(due_at)},
                      {"reply_due_at", OptTime(reply_due_at)},
                      {"overdue", overdue_since.has_value()},
                      {"overdue_since", OptTime(overdue_since)},
                      {"closed_at", OptTime(closed_at)},
                      {"lead_unit_id", OptJson(lead_unit_id)},
                      {"merged_into", OptJson(merged_into)},
                      {"escalated_at", OptTime(escalated_at)},
                      {"reopen_count", reopen_count},
                      {"overdue_count", overdue_count},
                      {"me_too_count", me_too_count}};
  if (personal_visible) {
    j["contact_name"] = contact_name;
    j["contact_phone"] = contact_phone;
    j["reporter_id"] = OptJson(reporter_id);
  }
  return j;
}

nlohmann::json Assignment::ToJson() const {
  return {{"id", id},
          {"unit_id", unit_id},
          {"unit_name", unit_name},
          {"role", role},
          {"assigned_at", FormatUtc(assigned_at)},
          {"sign_due_at", OptTime(sign_due_at)},
          {"signed_at", OptTime(signed_at)},
          {"reply_due_at", OptTime(reply_due_at)},
          {"replied_at", OptTime(replied_at)},
          {"ended_at", OptTime(ended_at)},
          {"end_reason", end_reason}};
}

nlohmann::json FollowUp::ToJson() const {
  return {{"at", FormatUtc(at)}, {"resolved", resolved}, {"satisfaction", satisfaction}, {"comment", comment}};
}

nlohmann::json Consultation::ToJson() const {
  return {{"id", id},           {"called_at", FormatUtc(called_at)}, {"reason", reason}, {"unit_ids", unit_ids},
          {"outcome", outcome}, {"outcome_at", OptTime(outcome_at)}};
}

nlohmann::json TimelineEntry::ToJson() const {
  return {{"at", FormatUtc(at)}, {"kind", kind}, {"note", note}, {"data", data}, {"actor_id", OptJson(actor_id)}};
}

nlohmann::json CaseDetail::ToJson() const {
  nlohmann::json j = c.ToJson();
  j["timeline"] = nlohmann::json::array();
  for (const auto& e : timeline) j["timeline"].push_back(e.ToJson());
  j["assignments"] = nlohmann::json::array();
  for (const auto& a : assignments) j["assignments"].push_back(a.ToJson());
  j["follow_ups"] = nlohmann::json::array();
  for (const auto& f : follow_ups) j["follow_ups"].push_back(f.ToJson());
  j["consultations"] = nlohmann::json::array();
  for (const auto& k : consultations) j["consultations"].push_back(k.ToJson());
  j["actions"] = nlohmann::json::array();
  for (CaseAction a : actions) j["actions"].push_back(ActionName(a));
  j["following"] = following;
  j["duplicates"] = duplicates;
  return j;
}

nlohmann::json HandlingUnit::ToJson() const {
  return {{"id", id}, {"code", code}, {"name", name}, {"kind", kind}, {"area_id", area_id}, {"active", active}};
}

nlohmann::json Category::ToJson() const {
  return {{"code", code}, {"name_zh", name_zh}, {"name_en", name_en}, {"complex", complex}};
}

nlohmann::json RoutingProposal::ToJson() const {
  return {{"lead_unit_id", OptJson(lead_unit_id)}, {"co_unit_ids", co_unit_ids}, {"rule_id", rule_id}};
}

}  // namespace ningju::cases
