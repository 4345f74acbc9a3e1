#include "web/svg_bars.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/text_util.h"

namespace ningju::web {
namespace {

// The vertical layout of one row, from its top: the label's and the value's baselines, the track, and the marker,
// which reaches past the track on both sides so that it shows over a fill of any color.
constexpr int kLabelBaseline = 16;
constexpr int kValueBaseline = 34;
constexpr int kTrackTop = 40;
constexpr int kTrackHeight = 16;
constexpr int kMarkerTop = 37;
constexpr int kMarkerBottom = 59;
constexpr int kThresholdBaseline = 74;
// A threshold text is centered on its marker, unless the marker is this close to an end of the track: then it
// starts (or ends) with the track, so that it is not cut.
constexpr int kThresholdTextHalf = 55;

// numerator/denominator of kBarsInnerWidth in hundredths of a unit, rounded half up; the share clamped to 0..1.
// 128-bit products: a numerator may be an area in hundredths of a square metre of a whole estate.
int64_t LengthHundredths(int64_t numerator, int64_t denominator) {
  if (denominator <= 0 || numerator <= 0) return 0;
  numerator = std::min(numerator, denominator);
  const __int128 scaled = static_cast<__int128>(numerator) * (kBarsInnerWidth * 100);
  return static_cast<int64_t>((2 * scaled + denominator) / (2 * static_cast<__int128>(denominator)));
}

// 23200 -> "232", 17450 -> "174.5", 4971 -> "49.71".
std::string Coordinate(int64_t hundredths) {
  const int64_t whole = hundredths / 100, part = hundredths % 100;
  if (part == 0) return std::to_string(whole);
  if (part % 10 == 0) return fmt::format("{}.{}", whole, part / 10);
  return fmt::format("{}.{:02}", whole, part);
}

const char* ToneClass(BarTone tone) {
  switch (tone) {
    case BarTone::kMet:
      return "bar-met";
    case BarTone::kUnmet:
      return "bar-unmet";
    case BarTone::kNeutral:
      break;
  }
  return "bar-neutral";
}

}  // namespace

std::string BarLength(int64_t numerator, int64_t denominator) {
  return Coordinate(LengthHundredths(numerator, denominator));
}

std::string HorizontalBars(const std::vector<Bar>& bars, std::string_view aria_label) {
  if (bars.empty()) return "";
  auto has_threshold_text = [](const Bar& bar) { return bar.threshold_denominator > 0 && !bar.threshold_text.empty(); };
  int height = 0;
  for (const Bar& bar : bars) height += kBarsRowHeight + (has_threshold_text(bar) ? kBarsThresholdTextHeight : 0);
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bar-chart\" width=\"100%\" viewBox=\"0 0 {} {}\" "
      "font-size=\"14\" role=\"img\" aria-label=\"{}\">",
      kBarsViewWidth, height, XmlEscape(aria_label));
  int top = 0;
  for (const Bar& bar : bars) {
    const char* tone = ToneClass(bar.tone);
    svg += "<g class=\"bar-row\">";
    svg += fmt::format("<text class=\"bar-label\" x=\"{}\" y=\"{}\">{}</text>", kBarsLeft, top + kLabelBaseline,
                       XmlEscape(bar.label));
    if (!bar.value_text.empty()) {
      svg += fmt::format("<text class=\"bar-value {}\" x=\"{}\" y=\"{}\">{}</text>", tone, kBarsLeft,
                         top + kValueBaseline, XmlEscape(bar.value_text));
    }
    svg += fmt::format("<rect class=\"bar-track\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>", kBarsLeft,
                       top + kTrackTop, kBarsInnerWidth, kTrackHeight);
    svg += fmt::format("<rect class=\"bar-fill {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>", tone, kBarsLeft,
                       top + kTrackTop, BarLength(bar.numerator, bar.denominator), kTrackHeight);
    if (bar.threshold_denominator > 0) {
      const int64_t marker = LengthHundredths(bar.threshold_numerator, bar.threshold_denominator);
      const std::string x = Coordinate(kBarsLeft * 100 + marker);
      for (const char* cls : {"bar-threshold-halo", "bar-threshold"}) {
        svg += fmt::format("<line class=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", cls, x, top + kMarkerTop, x,
                           top + kMarkerBottom);
      }
      if (has_threshold_text(bar)) {
        std::string anchor = "middle", at = x;
        if (marker < kThresholdTextHalf * 100) {
          anchor = "start";
          at = std::to_string(kBarsLeft);
        } else if (marker > (kBarsInnerWidth - kThresholdTextHalf) * 100) {
          anchor = "end";
          at = std::to_string(kBarsLeft + kBarsInnerWidth);
        }
        svg += fmt::format("<text class=\"bar-threshold-text\" x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text>", at,
                           top + kThresholdBaseline, anchor, XmlEscape(bar.threshold_text));
      }
    }
    svg += "</g>";
    top += kBarsRowHeight + (has_threshold_text(bar) ? kBarsThresholdTextHeight : 0);
  }
  svg += "</svg>";
  return svg;
}

}  // namespace ningju::web
