#include "governance/cases/checks.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/text_util.h"
#include "common/utf8.h"

namespace ningju::cases::internal {
namespace {

Status CheckPhone(std::string_view phone) {
  if (phone.size() < 5 || phone.size() > 20) {
    return InvalidArgumentError("contact_phone has 5 to 20 characters", "contact_phone");
  }
  for (char ch : phone) {
    if (!(std::isdigit(static_cast<unsigned char>(ch)) || ch == '+' || ch == '-' || ch == ' ')) {
      return InvalidArgumentError("contact_phone holds digits, '+', '-' and spaces only", "contact_phone");
    }
  }
  return OkStatus();
}

}  // namespace

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string Join(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Status CheckText(std::string_view value, const char* field, size_t max_chars, bool required) {
  RETURN_IF_ERROR(utf8::Validate(value, field));
  if (required && Trim(value).empty())
    return InvalidArgumentError(Msg("{} must not be empty", FieldName{field}), field);
  if (utf8::CodePointCount(value) > max_chars) {
    return InvalidArgumentError(Msg("{} has at most {} characters", FieldName{field}, max_chars), field);
  }
  return OkStatus();
}

Status CheckLimit(int limit) {
  if (limit < 1 || limit > kMaxPageSize) {
    return InvalidArgumentError(Msg("limit must be between 1 and {}", kMaxPageSize), "limit");
  }
  return OkStatus();
}

Status CheckNewCase(const auth::Principal& by, const NewCase& in) {
  if (!Contains(CaseTypes(), in.type)) {
    return InvalidArgumentError(Msg("type is one of {}", Join(CaseTypes())), "type");
  }
  if (!Contains(Urgencies(), in.urgency)) {
    return InvalidArgumentError(Msg("urgency is one of {}", Join(Urgencies())), "urgency");
  }
  if (!Contains(Channels(), in.channel)) {
    return InvalidArgumentError(Msg("channel is one of {}", Join(Channels())), "channel");
  }
  RETURN_IF_ERROR(CheckText(in.title, "title", kMaxTitleChars, true));
  RETURN_IF_ERROR(CheckText(in.description, "description", kMaxDescriptionChars, true));
  RETURN_IF_ERROR(CheckText(in.contact_name, "contact_name", kMaxNameChars, false));
  RETURN_IF_ERROR(utf8::Validate(in.contact_phone, "contact_phone"));
  if (!in.contact_phone.empty()) RETURN_IF_ERROR(CheckPhone(in.contact_phone));
  if (in.latitude.has_value() != in.longitude.has_value()) {
    return InvalidArgumentError("give latitude and longitude together", "latitude");
  }
  if (in.latitude && (!std::isfinite(*in.latitude) || std::abs(*in.latitude) > 90)) {
    return InvalidArgumentError("latitude is between -90 and 90", "latitude");
  }
  if (in.longitude && (!std::isfinite(*in.longitude) || std::abs(*in.longitude) > 180)) {
    return InvalidArgumentError("longitude is between -180 and 180", "longitude");
  }
  if ((in.channel == "api" || in.channel == "open311") && !by.signed_in()) {
    return UnauthenticatedError(Msg("the {} channel needs an authenticated client", in.channel));
  }
  if (!by.signed_in() && in.contact_phone.empty()) {
    return InvalidArgumentError("an anonymous report needs a contact phone", "contact_phone");
  }

  return OkStatus();
}

}  // namespace ningju::cases::internal
