// The server-drawn bar charts: exact coordinates for exact fractions, escaped texts, one row per bar.
#include "web/svg_bars.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ningju::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

TEST(BarLength, ExactFractionsFallOnExactCoordinates) {
  static_assert(kBarsInnerWidth % 12 == 0, "halves, thirds and quarters of the track are whole units");
  EXPECT_EQ(BarLength(2, 3), std::to_string(kBarsInnerWidth * 2 / 3));  // "232"
  EXPECT_EQ(BarLength(2, 3), "232");
  EXPECT_EQ(BarLength(1, 2), "174");
  EXPECT_EQ(BarLength(3, 4), "261");
  EXPECT_EQ(BarLength(72000, 108000), "232");  // 720.00 of 1080.00 m², in hundredths
  EXPECT_EQ(BarLength(1, 8), "43.5");
  EXPECT_EQ(BarLength(1, 1), "348");
  EXPECT_EQ(BarLength(0, 5), "0");
}

TEST(BarLength, OtherFractionsAreRoundedToAHundredthInIntegers) {
  EXPECT_EQ(BarLength(1, 7), "49.71");     // 49.714...
  EXPECT_EQ(BarLength(6, 7), "298.29");    // 298.285...: half up
  EXPECT_EQ(BarLength(1, 3000), "0.12");   // 0.116
  EXPECT_EQ(BarLength(1, 40000), "0.01");  // 0.0087
  // Just below 2/3 never ends past the 2/3 marker.
  EXPECT_EQ(BarLength(66666, 100000), "232");
  EXPECT_EQ(BarLength(6666, 10000), "231.98");
  // Areas of a whole estate in hundredths of a square metre do not overflow.
  const int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(BarLength(big / 3 * 2, big / 3 * 3), "232");
  EXPECT_EQ(BarLength(big, big), "348");
}

TEST(BarLength, ClampsToTheTrack) {
  EXPECT_EQ(BarLength(5, 4), "348");  // more than the whole
  EXPECT_EQ(BarLength(-1, 4), "0");   // negative
  EXPECT_EQ(BarLength(3, 0), "0");    // a share of nothing
  EXPECT_EQ(BarLength(3, -2), "0");
}

TEST(HorizontalBars, DrawsTheShareAndTheThresholdAtTheirExactFractions) {
  Bar bar;
  bar.label = "参与表决的专有部分面积";
  bar.value_text = "720.00 / 1080.00 m² · 达到";
  bar.numerator = 72000;
  bar.denominator = 108000;
  bar.threshold_numerator = 2;
  bar.threshold_denominator = 3;
  bar.tone = BarTone::kMet;
  bar.threshold_text = "比例要求 ≥ 2/3";
  const std::string svg = HorizontalBars({bar}, "四项条件");
  EXPECT_THAT(svg, StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bar-chart\" width=\"100%\" "
                              "viewBox=\"0 0 360 82\" font-size=\"14\" role=\"img\" aria-label=\"四项条件\">"));
  EXPECT_THAT(svg, HasSubstr("</svg>"));
  // The fill: 2/3 of the 348-unit track, from its left edge; the track the full width.
  EXPECT_THAT(svg, HasSubstr("<rect class=\"bar-fill bar-met\" x=\"6\" y=\"40\" width=\"232\" height=\"16\"/>"));
  EXPECT_THAT(svg, HasSubstr("<rect class=\"bar-track\" x=\"6\" y=\"40\" width=\"348\" height=\"16\"/>"));
  // The marker at x = 6 + 2/3 × 348 = 238, with its white halo under it.
  EXPECT_THAT(svg, HasSubstr("<line class=\"bar-threshold-halo\" x1=\"238\" y1=\"37\" x2=\"238\" y2=\"59\"/>"));
  EXPECT_THAT(svg, HasSubstr("<line class=\"bar-threshold\" x1=\"238\" y1=\"37\" x2=\"238\" y2=\"59\"/>"));
  // Its text centered under it.
  EXPECT_THAT(svg, HasSubstr("<text class=\"bar-threshold-text\" x=\"238\" y=\"74\" text-anchor=\"middle\">"
                             "比例要求 ≥ 2/3</text>"));
  EXPECT_THAT(svg, HasSubstr("<text class=\"bar-label\" x=\"6\" y=\"16\">参与表决的专有部分面积</text>"));
  EXPECT_THAT(svg, HasSubstr("<text class=\"bar-value bar-met\" x=\"6\" y=\"34\">720.00 / 1080.00 m² · 达到</text>"));
  // No pixel size and no inline style (the CSP forbids it): CSS scales the drawing.
  EXPECT_THAT(svg, Not(HasSubstr("style=")));
  EXPECT_THAT(svg, Not(HasSubstr("height=\"82\"")));
}

TEST(HorizontalBars, OneRowPerBarInOrderWithTheirTones) {
  std::vector<Bar> bars(3);
  bars[0] = {"a", "1/2", 1, 2, 1, 2, BarTone::kUnmet, ""};
  bars[1] = {"b", "3/4", 3, 4, 3, 4, BarTone::kMet, ""};
  bars[2] = {"c", "", 0, 0, 0, 0, BarTone::kNeutral, ""};  // no denominator, no threshold, no value line
  const std::string svg = HorizontalBars(bars, "chart");
  EXPECT_THAT(svg, HasSubstr("viewBox=\"0 0 360 192\""));
  EXPECT_EQ(Count(svg, "<g class=\"bar-row\">"), 3u);
  EXPECT_EQ(Count(svg, "class=\"bar-track\""), 3u);
  EXPECT_EQ(Count(svg, "<rect class=\"bar-fill "), 3u);
  EXPECT_EQ(Count(svg, "<line class=\"bar-threshold\""), 2u);
  EXPECT_EQ(Count(svg, "class=\"bar-value "), 2u);
  EXPECT_LT(svg.find(">a</text>"), svg.find(">b</text>"));
  EXPECT_LT(svg.find(">b</text>"), svg.find(">c</text>"));
  // The second row starts 64 units lower; its marker is at 6 + 3/4 × 348 = 267.
  EXPECT_THAT(svg, HasSubstr("<rect class=\"bar-fill bar-unmet\" x=\"6\" y=\"40\" width=\"174\" height=\"16\"/>"));
  EXPECT_THAT(svg, HasSubstr("<rect class=\"bar-fill bar-met\" x=\"6\" y=\"104\" width=\"261\" height=\"16\"/>"));
  EXPECT_THAT(svg, HasSubstr("<line class=\"bar-threshold\" x1=\"267\" y1=\"101\" x2=\"267\" y2=\"123\"/>"));
  EXPECT_THAT(svg, HasSubstr("<rect class=\"bar-fill bar-neutral\" x=\"6\" y=\"168\" width=\"0\" height=\"16\"/>"));
  EXPECT_THAT(svg, HasSubstr("<text class=\"bar-value bar-unmet\""));
}

TEST(HorizontalBars, ThresholdTextsStayOnTheTrackAndAddTheirLine) {
  std::vector<Bar> bars(4);
  bars[0] = {"a", "v", 1, 2, 1, 10, BarTone::kMet, "≥ 1/10"};  // marker at 6 + 34.8: the text starts with the track
  bars[1] = {"b", "v", 1, 2, 9, 10, BarTone::kMet, "≥ 9/10"};  // at 6 + 313.2: it ends with the track
  bars[2] = {"c", "v", 1, 2, 1, 2, BarTone::kMet, ""};         // a marker without text: no extra line
  bars[3] = {"d", "v", 1, 2, 0, 0, BarTone::kMet, "ignored"};  // a text without marker: not drawn
  const std::string svg = HorizontalBars(bars, "chart");
  EXPECT_THAT(svg, HasSubstr("viewBox=\"0 0 360 292\""));  // 82 + 82 + 64 + 64
  EXPECT_THAT(svg, HasSubstr("<line class=\"bar-threshold\" x1=\"40.8\" y1=\"37\""));
  EXPECT_THAT(svg,
              HasSubstr("<text class=\"bar-threshold-text\" x=\"6\" y=\"74\" text-anchor=\"start\">≥ 1/10</text>"));
  EXPECT_THAT(svg, HasSubstr("<line class=\"bar-threshold\" x1=\"319.2\" y1=\"119\""));
  EXPECT_THAT(svg,
              HasSubstr("<text class=\"bar-threshold-text\" x=\"354\" y=\"156\" text-anchor=\"end\">≥ 9/10</text>"));
  EXPECT_THAT(svg, HasSubstr("<line class=\"bar-threshold\" x1=\"180\" y1=\"201\""));
  EXPECT_THAT(svg, HasSubstr("<text class=\"bar-label\" x=\"6\" y=\"244\">d</text>"));
  EXPECT_EQ(Count(svg, "bar-threshold-text"), 2u);
  EXPECT_THAT(svg, Not(HasSubstr("ignored")));
}

TEST(HorizontalBars, EscapesEveryText) {
  Bar bar;
  bar.label = "<b>A & \"B\"</b>";
  bar.value_text = "x < y & 'z'";
  bar.numerator = 1;
  bar.denominator = 2;
  bar.threshold_numerator = 1;
  bar.threshold_denominator = 2;
  bar.threshold_text = "> 1/2";
  const std::string svg = HorizontalBars({bar}, "a \"quoted\" <label> & more");
  EXPECT_THAT(svg, HasSubstr(">&lt;b&gt;A &amp; &quot;B&quot;&lt;/b&gt;</text>"));
  EXPECT_THAT(svg, HasSubstr(">x &lt; y &amp; &apos;z&apos;</text>"));
  EXPECT_THAT(svg, HasSubstr("aria-label=\"a &quot;quoted&quot; &lt;label&gt; &amp; more\""));
  EXPECT_THAT(svg, HasSubstr("text-anchor=\"middle\">&gt; 1/2</text>"));
  EXPECT_THAT(svg, Not(HasSubstr("<b>")));
  EXPECT_THAT(svg, Not(HasSubstr("\"B\"")));
}

TEST(HorizontalBars, AnEmptyListDrawsNothing) { EXPECT_EQ(HorizontalBars({}, "nothing"), ""); }

}  // namespace
}  // namespace ningju::web
