#include "text/normalize.h"

#include <opencc/opencc.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>
#include <opencc/Lexicon.hpp>
#include <opencc/MarisaDict.hpp>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <unordered_map>
#include <utility>

#include "common/utf8.h"
#include "text/internal/unicode.h"

namespace ningju::text {
namespace {

// Code points covered by the traditional bitmap: the BMP plus CJK Extension B..F (planes 0-2).
constexpr uint32_t kBitmapLimit = 0x30000;
constexpr uint32_t kDrop = 0xFFFFFFFF;
constexpr uint32_t kSpace = 0xFFFFFFFE;

// The folded form of one code point that has already been through NFKC_Casefold: kDrop, kSpace or a code point.
uint32_t FoldCodePoint(uint32_t c) {
  if (c < 0x80) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') return kSpace;
    if (c < 0x20 || c == 0x7F) return kDrop;
    return c;
  }
  // Chinese ideographs, kana and hangul are by far the most common: no folding applies.
  if (c >= 0x3400 && c <= 0x9FFF) return c;
  switch (c) {
    case 0x3002:
    case 0xFF61:
    case 0x22EF:
    case 0xFE12:
      return '.';
    case 0x3001:
    case 0xFF64:
    case 0xFE11:
      return ',';
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x301D:
    case 0x301E:
    case 0x301F:
    case 0x300C:
    case 0x300D:
    case 0x300E:
    case 0x300F:
    case 0x300A:
    case 0x300B:
    case 0x3008:
    case 0x3009:
    case 0x00AB:
    case 0x00BB:
    case 0x2039:
    case 0x203A:
    case 0xFE41:
    case 0xFE42:
    case 0xFE43:
    case 0xFE44:
      return '"';
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032:
      return '\'';
    case 0x3010:
    case 0x3014:
    case 0x3016:
    case 0x3018:
    case 0x301A:
      return '[';
    case 0x3011:
    case 0x3015:
    case 0x3017:
    case 0x3019:
    case 0x301B:
      return ']';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2500:
    case 0x2501:
    case 0xFE58:
    case 0xFE63:
    case 0x2212:
      return '-';
    case 0x301C:
    case 0x3030:
      return '~';
    case 0x2022:
    case 0x30FB:
    case 0x2027:
    case 0x2219:
    case 0x22C5:
      return 0xB7;  // middle dot, as in transliterated names
    default:
      break;
  }
  if (u_isUWhiteSpace(static_cast<UChar32>(c))) return kSpace;
  const int8_t type = u_charType(static_cast<UChar32>(c));
  if (type == U_CONTROL_CHAR || type == U_FORMAT_CHAR || type == U_UNASSIGNED || type == U_SURROGATE) return kDrop;
  return c;
}

bool IsAsciiPunct(uint32_t c) {
  return c < 0x80 &&
         ((c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~'));
}

// Step 3 of normalization over a stream of NFKC_Casefolded code points. `Sink` receives (code point, origin).
template <typename Sink>
class Folder {
 public:
  explicit Folder(Sink sink) : sink_(std::move(sink)) {}

  void Push(uint32_t c, uint32_t origin) {
    const uint32_t folded = FoldCodePoint(c);
    if (folded == kDrop) return;
    if (folded == kSpace) {
      if (!pending_space_) space_origin_ = origin;
      pending_space_ = any_;
      last_punct_ = 0;
      return;
    }
    if (folded == last_punct_ && !pending_space_) return;
    const bool han = internal::IsHan(folded);
    if (pending_space_) {
      // A space between two ideographs is typing noise: Chinese is written without spaces.
      if (!(han && last_han_)) sink_(' ', space_origin_);
      pending_space_ = false;
    }
    sink_(folded, origin);
    any_ = true;
    last_han_ = han;
    last_punct_ = IsAsciiPunct(folded) ? folded : 0;
  }

 private:
  Sink sink_;
  bool pending_space_ = false;
  bool any_ = false;
  bool last_han_ = false;
  uint32_t space_origin_ = 0;
  uint32_t last_punct_ = 0;
};

std::filesystem::path ResolveConfig(const std::string& name) {
  std::filesystem::path path(name);
  if (path.is_absolute()) return path;
  for (const char* dir : {"/usr/share/opencc", "/usr/local/share/opencc"}) {
    std::filesystem::path candidate = std::filesystem::path(dir) / path;
    std::error_code ec;
    if (std::filesystem::exists(candidate, ec)) return candidate;
  }
  return {};
}

}  // namespace

struct Normalizer::Impl {
  const icu::Normalizer2* nfkc_cf = nullptr;
  std::unique_ptr<opencc::SimpleConverter> converter;
  std::vector<uint64_t> traditional;                // bitmap over [0, kBitmapLimit)
  std::unordered_map<uint32_t, uint32_t> char_t2s;  // single code point conversions, for NormalizeWithOrigin

  bool IsTraditional(uint32_t c) const { return c < kBitmapLimit && ((traditional[c >> 6] >> (c & 63)) & 1); }
  void MarkTraditional(uint32_t c) {
    if (c < kBitmapLimit) traditional[c >> 6] |= uint64_t{1} << (c & 63);
  }
};

Normalizer::Normalizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Normalizer::~Normalizer() = default;

StatusOr<std::unique_ptr<Normalizer>> Normalizer::Create(const NormalizerOptions& options) {
  auto impl = std::make_unique<Impl>();
  UErrorCode error = U_ZERO_ERROR;
  impl->nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(error);
  if (U_FAILURE(error) || impl->nfkc_cf == nullptr) {
    return InternalError(Msg("ICU NFKC_Casefold unavailable: {}", u_errorName(error)));
  }
  const std::filesystem::path config = ResolveConfig(options.opencc_config);
  if (config.empty()) return NotFoundError(Msg("OpenCC configuration not found: {}", options.opencc_config));
  try {
    impl->converter = std::make_unique<opencc::SimpleConverter>(config.string());
  } catch (const std::exception& e) {
    return NotFoundError(Msg("OpenCC configuration {} failed to load: {}", config.string(), e.what()));
  }

  // The characters worth calling OpenCC for: those its character table changes and the first characters of the
  // phrases it converts. Without the dictionaries (a custom configuration) every ideograph qualifies.
  impl->traditional.assign(kBitmapLimit / 64, 0);
  bool loaded = false;
  for (const char* file : {"TSCharacters.ocd2", "TSPhrases.ocd2"}) {
    const std::filesystem::path dict_path = config.parent_path() / file;
    FILE* fp = std::fopen(dict_path.c_str(), "rb");
    if (fp == nullptr) continue;
    try {
      opencc::MarisaDictPtr dict = opencc::MarisaDict::NewFromFile(fp);
      for (const auto& entry : *dict->GetLexicon()) {
        const std::string key = entry->Key();
        const std::string value = entry->GetDefault();
        if (key == value || key.empty()) continue;
        // A text needs OpenCC when it contains a character the table changes, or a phrase it converts. A phrase is
        // covered once any of its characters is marked (the text then goes through OpenCC whole); otherwise mark its
        // characters that change (乾燥 -> 干燥 converts 乾, which alone stays 乾). Marking no more than that keeps
        // common simplified characters (么 in 么麼) from sending every text through OpenCC.
        std::vector<std::pair<UChar32, UChar32>> pairs;  // (key character, value character at the same position)
        int32_t i = 0, j = 0;
        const auto key_len = static_cast<int32_t>(key.size()), value_len = static_cast<int32_t>(value.size());
        while (i < key_len) {
          UChar32 from = -1, to = -1;
          U8_NEXT(key.data(), i, key_len, from);
          if (j < value_len) U8_NEXT(value.data(), j, value_len, to);
          pairs.emplace_back(from, to);
        }
        const bool single = pairs.size() == 1 && j == value_len;
        if (single && pairs[0].first >= 0 && pairs[0].second >= 0) {
          impl->char_t2s.emplace(static_cast<uint32_t>(pairs[0].first), static_cast<uint32_t>(pairs[0].second));
        }
        bool covered = false;
        for (const auto& [from, to] : pairs) covered = covered || (from >= 0 && impl->IsTraditional(from));
        if (covered && !single) continue;
        for (const auto& [from, to] : pairs) {
          if (from >= 0 && from != to) impl->MarkTraditional(static_cast<uint32_t>(from));
        }
      }
      loaded = true;
    } catch (const std::exception&) {
      // A dictionary that fails to load only costs speed: fall back to converting every ideograph.
    }
    std::fclose(fp);
  }
  if (!loaded) {
    for (uint32_t c = 0x3400; c < kBitmapLimit; ++c) impl->MarkTraditional(c);
  }
  return std::unique_ptr<Normalizer>(new Normalizer(std::move(impl)));
}

bool Normalizer::IsTraditional(uint32_t c) const { return impl_->IsTraditional(c); }

StatusOr<std::string> Normalizer::Normalize(std::string_view text) const {
  RETURN_IF_ERROR(utf8::Validate(text));
  return NormalizeValid(text);
}

std::string Normalizer::NormalizeValid(std::string_view text) const {
  std::string out;
  NormalizeValid(text, &out);
  return out;
}

void Normalizer::NormalizeValid(std::string_view text, std::string* out) const {
  thread_local std::string nfkc;
  nfkc.clear();
  {
    UErrorCode error = U_ZERO_ERROR;
    icu::StringByteSink<std::string> sink(&nfkc, static_cast<int32_t>(text.size()));
    impl_->nfkc_cf->normalizeUTF8(0, icu::StringPiece(text.data(), static_cast<int32_t>(text.size())), sink, nullptr,
                                  error);
    if (U_FAILURE(error)) nfkc.assign(text);  // cannot happen on valid UTF-8; analysis goes on unnormalized
  }
  out->clear();
  out->reserve(nfkc.size());
  bool traditional = false;
  auto sink = [out, &traditional, this](uint32_t c, uint32_t) {
    internal::AppendUtf8(c, out);
    traditional |= impl_->IsTraditional(c);
  };
  Folder<decltype(sink)> folder(sink);
  const char* s = nfkc.data();
  const int32_t n = static_cast<int32_t>(nfkc.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT_UNSAFE(s, i, c);
    folder.Push(static_cast<uint32_t>(c), 0);
  }
  if (traditional) *out = impl_->converter->Convert(*out);
}

MappedText Normalizer::NormalizeWithOrigin(std::string_view text) const {
  MappedText mapped;
  auto sink = [&mapped](uint32_t c, uint32_t origin) {
    const size_t before = mapped.text.size();
    internal::AppendUtf8(c, &mapped.text);
    mapped.origin.insert(mapped.origin.end(), mapped.text.size() - before, origin);
  };
  Folder<decltype(sink)> folder(sink);
  const char* s = text.data();
  const int32_t n = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < n;) {
    const uint32_t origin = static_cast<uint32_t>(i);
    UChar32 c;
    U8_NEXT_UNSAFE(s, i, c);
    icu::UnicodeString one(c);
    UErrorCode error = U_ZERO_ERROR;
    const icu::UnicodeString normalized = impl_->nfkc_cf->normalize(one, error);
    const icu::UnicodeString& use = U_FAILURE(error) ? one : normalized;
    for (int32_t j = 0; j < use.length();) {
      UChar32 d = use.char32At(j);
      j += U16_LENGTH(d);
      auto it = impl_->char_t2s.find(static_cast<uint32_t>(d));
      folder.Push(it == impl_->char_t2s.end() ? static_cast<uint32_t>(d) : it->second, origin);
    }
  }
  mapped.origin.push_back(static_cast<uint32_t>(text.size()));
  return mapped;
}

}  // namespace ningju::text
