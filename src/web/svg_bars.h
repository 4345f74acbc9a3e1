// Horizontal bar charts drawn on the server as inline SVG (the pages' CSP allows no script): one bar per row, each
// a share numerator/denominator with an optional threshold marker. The ballot result page draws its four conditions
// with it and the rates page the satisfaction rate of every row.
#ifndef NINGJU_WEB_SVG_BARS_H_
#define NINGJU_WEB_SVG_BARS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ningju::web {

// How a bar and its value text are colored (CSS classes in static/app.css): against a threshold it meets
// (`bar-met`) or misses (`bar-unmet`), or a plain value (`bar-neutral`).
enum class BarTone { kNeutral, kMet, kUnmet };

// One bar. The share is numerator/denominator: negative figures count as 0, a share above 1 is drawn full, and a
// denominator of 0 or less draws no fill (a share of nothing). The texts are shown as given (XML-escaped): they carry
// the exact figures, the drawing only shows them.
struct Bar {
  std::string label;       // the first line, e.g. the condition's name
  std::string value_text;  // the second line, e.g. "720.00 / 1080.00 m² · met"
  int64_t numerator = 0;
  int64_t denominator = 0;
  // A marker line at threshold_numerator/threshold_denominator of the width; none when the denominator is 0.
  int64_t threshold_numerator = 0;
  int64_t threshold_denominator = 0;
  BarTone tone = BarTone::kNeutral;
  std::string threshold_text;  // under the marker, e.g. "Threshold ≥ 2/3"; only drawn with a marker
};

// The geometry, in SVG user units. The viewBox is kBarsViewWidth wide and the SVG as wide as its container, so that
// at a phone's 360 CSS px one unit is about one pixel (the 14-unit text stays above 12 px). The track starts at
// kBarsLeft and is kBarsInnerWidth long: 348 is divisible by 2, 3 and 4, so the thresholds of the law (1/2, 2/3,
// 3/4) fall on exact coordinates. A row is kBarsRowHeight high, kBarsThresholdTextHeight more with a threshold text.
inline constexpr int kBarsViewWidth = 360;
inline constexpr int kBarsLeft = 6;
inline constexpr int kBarsInnerWidth = 348;
inline constexpr int kBarsRowHeight = 64;
inline constexpr int kBarsThresholdTextHeight = 18;

// The length of `numerator`/`denominator` (clamped to 0..1 as above) of kBarsInnerWidth, as printed in the SVG:
// exact when the fraction of 348 is a multiple of 0.01 ("232" for 2/3, "174" for 1/2), else rounded half up to
// 0.01 unit ("49.71" for 1/7). Rounding keeps the order of fractions (a bar below a threshold never ends past its
// marker). Computed in integers, never in floating point.
std::string BarLength(int64_t numerator, int64_t denominator);

// An <svg> with one row per bar, in the order given: the label, the value text (colored by the tone), a track the
// full width, the filled share and, when given, the threshold marker with its text under it:
//   <svg xmlns=... class="bar-chart" width="100%" viewBox="0 0 360 H" font-size="14" role="img" aria-label="...">
//     <g class="bar-row">
//       <text class="bar-label" x y>label</text><text class="bar-value bar-met" x y>value_text</text>
//       <rect class="bar-track" .../><rect class="bar-fill bar-met" x="6" width="BarLength(share)" .../>
//       <line class="bar-threshold-halo" .../><line class="bar-threshold" x1="6 + BarLength(threshold)" .../>
//       <text class="bar-threshold-text" x="(the marker's)" text-anchor="middle" ...>threshold_text</text>
//     </g>...
//   </svg>
// `aria_label` summarizes the chart for screen readers (the page keeps the table with the exact figures). No
// height or pixel width is set: CSS scales it to the container. An empty list gives "" (nothing to draw).
std::string HorizontalBars(const std::vector<Bar>& bars, std::string_view aria_label);

}  // namespace ningju::web

#endif  // NINGJU_WEB_SVG_BARS_H_
