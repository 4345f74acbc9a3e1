// A roster of --rows rows of ten columns, like a neighborhood's (building, entrance, unit, floor, area, owner name,
// phone, ...):
//   roster_bench --write FILE --format csv|xlsx-inline|xlsx-shared [--rows N]   writes it in that format;
//   roster_bench --read FILE [--repeat N]                                    reads it (.csv or .xlsx by name) and
// prints one line: rows read, the best of --repeat reads in milliseconds, and the process's peak resident memory in
// MB above the file's bytes. run.sh writes every format first, then reads each in its own process (so that each peak
// is the reader's own) and prints the ratios against CSV.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "governance/areas/csv.h"
#include "governance/areas/xlsx.h"

namespace {

using ningju::areas::ParseCsv;
using ningju::areas::ReadXlsxFirstWorksheet;
using ningju::areas::XlsxColumn;

std::vector<std::vector<std::string>> Table(int rows) {
  static const char* kSurnames[] = {"张", "王", "李", "赵", "陈", "刘", "杨", "黄"};
  std::vector<std::vector<std::string>> out;
  out.reserve(static_cast<size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    const int building = i / 120 + 1, entrance = i / 40 % 3 + 1, floor = i % 40 / 4 + 1, unit = floor * 100 + i % 4 + 1;
    out.push_back({fmt::format("{}号楼", building), std::to_string(entrance), std::to_string(unit),
                   std::to_string(floor), fmt::format("{}.{:02d}", 60 + i % 50, i % 100),
                   fmt::format("{}某{}", kSurnames[i % 8], i % 97), fmt::format("138{:08d}", i),
                   i % 17 == 0 ? "1" : "0", "住宅", fmt::format("备注 {}", i % 13)});
  }
  return out;
}

long PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  std::string format = "csv", write, read_path;
  int rows = 100'000, repeat = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--format") format = argv[i + 1];
    if (flag == "--rows") rows = std::atoi(argv[i + 1]);
    if (flag == "--repeat") repeat = std::atoi(argv[i + 1]);
    if (flag == "--write") write = argv[i + 1];
    if (flag == "--read") read_path = argv[i + 1];
  }
  if (!write.empty()) {
    std::string bytes;
    const auto table = Table(rows);
    if (format == "csv") {
      bytes = "楼栋,门洞,室号,楼层,建筑面积,业主姓名,业主电话,开发商未售,用途,备注\n";
      for (const auto& row : table) {
        for (size_t c = 0; c < row.size(); ++c) bytes += (c ? "," : "") + row[c];
        bytes += '\n';
      }
    } else {
      std::vector<XlsxColumn> columns;
      for (const char* h :
           {"楼栋", "门洞", "室号", "楼层", "建筑面积", "业主姓名", "业主电话", "开发商未售", "用途", "备注"}) {
        columns.push_back({h, XlsxColumn::Type::kText, 10});
      }
      ningju::areas::XlsxOptions options;
      options.shared_strings = format == "xlsx-shared";
      auto written = ningju::areas::WriteXlsx(columns, table, options);
      if (!written.ok()) {
        std::fprintf(stderr, "write: %s\n", written.status().ToString().c_str());
        return 1;
      }
      bytes = std::move(*written);
    }
    std::ofstream(write, std::ios::binary) << bytes;
    return 0;
  }
  std::ifstream in(read_path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const bool csv = read_path.ends_with(".csv");
  double best_ms = 1e300;
  size_t read = 0;
  for (int r = 0; r < repeat; ++r) {
    const auto start = std::chrono::steady_clock::now();
    auto result = csv ? ParseCsv(bytes) : ReadXlsxFirstWorksheet(bytes);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!result.ok()) {
      std::fprintf(stderr, "read: %s\n", result.status().ToString().c_str());
      return 1;
    }
    read = result->size();
    best_ms = std::min(best_ms, ms);
  }
  std::printf("rows=%zu file_mb=%.1f best_ms=%.1f peak_mb=%ld reader_mb=%.0f\n", read, bytes.size() / 1048576.0,
              best_ms, PeakRssMb(), PeakRssMb() - bytes.size() / 1048576.0);
  return 0;
}
