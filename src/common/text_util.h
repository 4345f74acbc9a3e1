// Small text helpers shared by every module: masking personal data for public views and exports, and the opaque
// cursors of paginated lists.
#ifndef NINGJU_COMMON_TEXT_UTIL_H_
#define NINGJU_COMMON_TEXT_UTIL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ningju {

// "张三丰" -> "张**"; "Li Lei" -> "L*****". Keeps the first code point, stars the rest (one per code point).
std::string MaskName(std::string_view name);
// "13812345678" -> "138****5678"; other numbers keep their last 2 characters; "" stays "".
std::string MaskPhone(std::string_view phone);

// Owner kinds (owners.kind): "person", whose name is personal data and masked in public views, or "organization"
// (a company, a public body, a school ...), whose name is shown as it is.
inline constexpr std::string_view kOwnerPerson = "person";
inline constexpr std::string_view kOwnerOrganization = "organization";
// The kind of an owner known by name only (a roster has no kind column): "organization" when the name ends with a
// suffix such bodies carry (公司, 集团, 中心, 委员会, 合作社, 银行, 医院, 学校, 学院, 大学, 研究所, 研究院, 事务所,
// 基金会, 协会, 幼儿园, 管理局, 管理处, 办事处, 居民委员会, 酒店, 商店, 工厂; "Ltd", "Ltd.", "Co.", "Inc.", "LLC"),
// else "person". migrations/0009_privacy.sql gives existing owners their kind by the same Chinese suffixes.
std::string_view OwnerKindOfName(std::string_view name);
// MaskName for a person; an organization's name as it is.
std::string MaskOwnerName(std::string_view name, std::string_view kind);

// An opaque cursor for keyset pagination: the sort key of the last item shown.
std::string EncodeCursor(const std::vector<int64_t>& keys);
// nullopt when `cursor` was not made by EncodeCursor with `count` keys.
std::optional<std::vector<int64_t>> DecodeCursor(std::string_view cursor, size_t count);

// `text` as it appears in an error message: in double quotes, with quotes, backslashes and control characters
// escaped ("\x0a") so that the message stays on one line, cut after `max_bytes` bytes at a UTF-8 boundary with
// "..." marking the cut.
// `text` safe inside XML (and HTML) text and attribute values: & < > " ' as entities.
std::string XmlEscape(std::string_view text);

std::string QuoteForMessage(std::string_view text, size_t max_bytes = 60);

// A positive decimal id ("42") from a path segment or form field; anything else (empty, signs, spaces, trailing
// characters, zero, overflow) is kInvalidArgument naming `field` and quoting the text.
StatusOr<int64_t> ParseId(std::string_view text, const std::string& field);

// Trims ASCII whitespace at both ends.
std::string_view Trim(std::string_view s);

}  // namespace ningju

#endif  // NINGJU_COMMON_TEXT_UTIL_H_
