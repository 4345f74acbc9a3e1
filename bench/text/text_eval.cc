// text_eval: scores `ningju text dedup` / `themes` output against the generator's truth.
//   text_eval --truth truth.csv --groups groups.csv [--themes themes.json]
// Near-duplicates: pairs of items in one predicted group vs pairs of copies of one campaign (organic comments are
// their own class). Themes: purity, inverse purity and normalized mutual information against the known themes.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

double Pairs(double n) { return n * (n - 1) / 2; }

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

// NMI (arithmetic mean normalization) of a contingency table.
double Nmi(const std::map<std::pair<int64_t, int64_t>, double>& cells, double n) {
  std::map<int64_t, double> a, b;
  for (const auto& [k, v] : cells) {
    a[k.first] += v;
    b[k.second] += v;
  }
  double mi = 0, ha = 0, hb = 0;
  for (const auto& [k, v] : cells) mi += v / n * std::log(v * n / (a[k.first] * b[k.second]));
  for (const auto& [k, v] : a) ha -= v / n * std::log(v / n);
  for (const auto& [k, v] : b) hb -= v / n * std::log(v / n);
  return ha + hb > 0 ? 2 * mi / (ha + hb) : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string truth_path, groups_path, themes_path;
  CLI::App app{"score text engine output against truth"};
  app.add_option("--truth", truth_path)->required();
  app.add_option("--groups", groups_path)->required();
  app.add_option("--themes", themes_path);
  CLI11_PARSE(app, argc, argv);

  std::unordered_map<std::string, size_t> index;
  std::vector<int64_t> campaign;
  std::vector<int> theme;
  {
    std::ifstream in(truth_path);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const auto f = SplitCsv(line);
      index.emplace(f[0], campaign.size());
      campaign.push_back(std::stoll(f[1]));
      theme.push_back(std::stoi(f[2]));
    }
  }
  const size_t n = campaign.size();
  std::vector<int64_t> predicted(n, -1);
  {
    std::ifstream in(groups_path);
    std::string line;
    std::getline(in, line);
    if (line != "id,group") {
      std::cerr << "groups file must start with the header id,group\n";
      return 1;
    }
    size_t rows = 0;
    while (std::getline(in, line)) {
      const auto f = SplitCsv(line);
      auto it = index.find(f[0]);
      auto g = index.find(f[1]);
      if (it == index.end() || g == index.end()) {
        std::cerr << "unknown id in groups: " << line << "\n";
        return 1;
      }
      predicted[it->second] = static_cast<int64_t>(g->second);
      ++rows;
    }
    if (rows != n) {
      std::cerr << "groups has " << rows << " rows for " << n << " items\n";
      return 1;
    }
  }
  // Truth class: the campaign, or the item itself for organic comments.
  std::unordered_map<int64_t, double> pred_size, true_size;
  std::map<std::pair<int64_t, int64_t>, double> cells;
  for (size_t i = 0; i < n; ++i) {
    const int64_t t = campaign[i] >= 0 ? campaign[i] : -1 - static_cast<int64_t>(i);
    pred_size[predicted[i]] += 1;
    true_size[t] += 1;
    cells[{predicted[i], t}] += 1;
  }
  double tp = 0, pp = 0, tpairs = 0;
  for (const auto& [k, v] : cells) tp += Pairs(v);
  for (const auto& [k, v] : pred_size) pp += Pairs(v);
  for (const auto& [k, v] : true_size) tpairs += Pairs(v);
  // Campaigns recovered whole: all copies in one predicted group, which holds nothing else.
  std::unordered_map<int64_t, std::map<int64_t, double>> by_campaign;
  for (size_t i = 0; i < n; ++i) {
    if (campaign[i] >= 0) by_campaign[campaign[i]][predicted[i]] += 1;
  }
  size_t whole = 0;
  for (const auto& [c, groups] : by_campaign) {
    if (groups.size() == 1 && pred_size[groups.begin()->first] == true_size[c]) ++whole;
  }
  nlohmann::json report;
  report["items"] = n;
  report["predicted_groups"] = pred_size.size();
  report["campaigns"] = by_campaign.size();
  report["pair_precision"] = pp > 0 ? tp / pp : 1.0;
  report["pair_recall"] = tpairs > 0 ? tp / tpairs : 1.0;
  report["true_pairs"] = tpairs;
  report["predicted_pairs"] = pp;
  report["campaigns_recovered_whole"] = by_campaign.empty() ? 1.0 : static_cast<double>(whole) / by_campaign.size();

  if (!themes_path.empty()) {
    std::ifstream in(themes_path);
    nlohmann::json themes = nlohmann::json::parse(in);
    std::vector<int64_t> assigned(n, -1);
    int64_t t = 0;
    for (const auto& th : themes["themes"]) {
      for (const auto& id : th["members"]) assigned[index.at(id.get<std::string>())] = t;
      ++t;
    }
    std::map<std::pair<int64_t, int64_t>, double> tc;
    std::map<int64_t, std::map<int64_t, double>> rows, cols;
    size_t missing = 0;
    for (size_t i = 0; i < n; ++i) {
      if (assigned[i] < 0) ++missing;
      tc[{assigned[i], theme[i]}] += 1;
      rows[assigned[i]][theme[i]] += 1;
      cols[theme[i]][assigned[i]] += 1;
    }
    double purity = 0, inverse = 0;
    for (const auto& [k, m] : rows) {
      double best = 0;
      for (const auto& [j, v] : m) best = std::max(best, v);
      purity += best;
    }
    for (const auto& [k, m] : cols) {
      double best = 0;
      for (const auto& [j, v] : m) best = std::max(best, v);
      inverse += best;
    }
    report["themes_found"] = t;
    report["themes_true"] = cols.size();
    report["theme_purity"] = purity / n;
    report["theme_inverse_purity"] = inverse / n;
    report["theme_nmi"] = Nmi(tc, static_cast<double>(n));
    report["theme_unassigned"] = missing;
    std::vector<std::string> labels;
    for (const auto& th : themes["themes"]) {
      std::string l;
      for (const auto& term : th["terms"]) l += (l.empty() ? "" : "/") + term.get<std::string>();
      labels.push_back(l + " (" + std::to_string(th["size"].get<uint64_t>()) + ")");
    }
    report["theme_labels"] = labels;
  }
  std::cout << report.dump(2) << "\n";
  return 0;
}
