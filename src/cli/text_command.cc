// `ningju text ...`: the text engine on files (see docs/TEXT.md).
//   ningju text dedup  --input FILE                 CSV "id,group" on standard output, one row per input id
//   ningju text themes --input FILE                 JSON themes on standard output
//   ningju text index  --input FILE --index DIR     builds a full-text index (SQLite FTS5) in DIR
//   ningju text search --index DIR --query Q        best matches with highlighted snippets
// FILE is JSON lines {"id": "...", "text": "..."} ("-" for standard input). Bad input stops with the line number
// and the reason on standard error and exit status 2.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "common/status.h"
#include "text/normalize.h"
#include "text/pipeline.h"
#include "text/progress.h"
#include "text/search/text_index.h"

namespace ningju::cli {
namespace {

struct TextFlags {
  std::string input;
  std::string index;
  std::string query;
  std::string groups;  // themes: also write the dedup CSV here
  int limit = 10;
  int threads = 2;
  bool progress = false;
  bool quiet = false;
  text::DedupOptions dedup;
  text::ThemeOptions themes;
};

// 2 for bad input or usage (invalid lines, missing file, bad options), 1 for failures of the machine.
int Report(const std::string& command, const Status& status) {
  std::fprintf(stderr, "ningju text %s: %s\n", command.c_str(), status.message().c_str());
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kOutOfRange:
      return 2;
    default:
      return 1;
  }
}

bool ShowProgress(const TextFlags& flags) {
  if (flags.quiet) return false;
  return flags.progress || isatty(STDERR_FILENO);
}

void AddCommonFlags(CLI::App* cmd, TextFlags* flags) {
  cmd->add_option("--threads", flags->threads, "worker threads")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_flag("--progress", flags->progress, "draw a progress bar on standard error (default: when a terminal)");
  cmd->add_flag("--quiet", flags->quiet, "no progress bar");
}

void AddDedupFlags(CLI::App* cmd, TextFlags* flags) {
  cmd->add_option("--threshold", flags->dedup.threshold, "Jaccard similarity of near-duplicates")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 1.0));
  cmd->add_option("--shingle", flags->dedup.shingle_size, "characters per shingle")
      ->capture_default_str()
      ->check(CLI::Range(1, 8));
  cmd->add_option("--max-exemplars", flags->dedup.max_exemplars,
                  "bound on texts kept in the near-duplicate index (0: no bound)")
      ->capture_default_str();
}

int RunPipelineCommand(const std::string& command, const TextFlags& flags, bool themes) {
  auto normalizer = text::Normalizer::Create();
  if (!normalizer.ok()) return Report(command, normalizer.status());
  text::PipelineOptions options;
  options.dedup = flags.dedup;
  options.themes = flags.themes;
  options.themes.threads = flags.threads;
  options.find_themes = themes;
  options.threads = flags.threads;
  text::ProgressBar bar(command, ShowProgress(flags));
  options.progress = [&bar](uint64_t done, uint64_t total, uint64_t items) { bar.Update(done, total, items); };
  StatusOr<text::PipelineResult> result = text::RunPipeline(flags.input, **normalizer, options);
  bar.Finish();
  if (!result.ok()) {
    Status st = result.status();
    if (st.code() == StatusCode::kInvalidArgument && !st.field().empty()) {
      st = Status(st.code(), flags.input + ": " + st.message(), st.field());
    }
    return Report(command, st);
  }
  const Status written = themes ? text::WriteThemesJson(*result, stdout) : text::WriteDedupCsv(*result, stdout);
  if (!written.ok()) return Report(command, written);
  if (themes && !flags.groups.empty()) {
    std::FILE* out = std::fopen(flags.groups.c_str(), "wb");
    if (out == nullptr) return Report(command, UnavailableError(Msg("{}: cannot open for writing", flags.groups)));
    const Status groups_written = text::WriteDedupCsv(*result, out);
    std::fclose(out);
    if (!groups_written.ok()) return Report(command, groups_written);
  }
  return 0;
}

void RegisterTextCommands(CLI::App& app) {
  auto flags = std::make_shared<TextFlags>();
  CLI::App* text = app.add_subcommand("text", "text engine: near-duplicates, themes, full-text search");
  text->require_subcommand(1);

  CLI::App* dedup = text->add_subcommand("dedup", "group near-duplicate texts; CSV id,group on standard output");
  dedup->add_option("--input", flags->input, "JSON lines {\"id\", \"text\"}; - for standard input")->required();
  AddDedupFlags(dedup, flags.get());
  AddCommonFlags(dedup, flags.get());
  dedup->callback([flags] { ExitStatus() = RunPipelineCommand("dedup", *flags, /*themes=*/false); });

  CLI::App* themes = text->add_subcommand("themes", "group distinct texts into themes; JSON on standard output");
  themes->add_option("--input", flags->input, "JSON lines {\"id\", \"text\"}; - for standard input")->required();
  themes->add_option("--themes", flags->themes.num_themes, "number of themes (0: choose)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  themes->add_option("--max-themes", flags->themes.max_themes, "upper bound when choosing")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  themes->add_option("--terms", flags->themes.label_terms, "label words per theme")
      ->capture_default_str()
      ->check(CLI::Range(0, 50));
  themes->add_option("--seed", flags->themes.seed, "random seed")->capture_default_str();
  themes->add_option("--groups", flags->groups, "also write the near-duplicate groups (CSV id,group) to this file");
  AddDedupFlags(themes, flags.get());
  AddCommonFlags(themes, flags.get());
  themes->callback([flags] { ExitStatus() = RunPipelineCommand("themes", *flags, /*themes=*/true); });

  CLI::App* index = text->add_subcommand("index", "build a full-text index of a JSON-lines file in a directory");
  index->add_option("--input", flags->input, "JSON lines {\"id\", \"text\"}; - for standard input")->required();
  index->add_option("--index", flags->index, "index directory (created if missing)")->required();
  AddCommonFlags(index, flags.get());
  index->callback([flags] {
    auto normalizer = text::Normalizer::Create();
    if (!normalizer.ok()) {
      ExitStatus() = Report("index", normalizer.status());
      return;
    }
    text::ProgressBar bar("index", ShowProgress(*flags));
    StatusOr<uint64_t> count = text::search::BuildIndexFromFile(
        flags->input, flags->index, **normalizer,
        [&bar](uint64_t done, uint64_t total, uint64_t items) { bar.Update(done, total, items); });
    bar.Finish();
    if (!count.ok()) {
      Status st = count.status();
      if (st.code() == StatusCode::kInvalidArgument && !st.field().empty()) {
        st = Status(st.code(), flags->input + ": " + st.message(), st.field());
      }
      ExitStatus() = Report("index", st);
      return;
    }
    std::fprintf(stderr, "indexed %llu texts in %s\n", static_cast<unsigned long long>(*count), flags->index.c_str());
  });

  CLI::App* search = text->add_subcommand("search", "search an index built by `ningju text index`");
  search->add_option("--index", flags->index, "index directory")->required();
  search->add_option("--query", flags->query, "words or Chinese text to find")->required();
  search->add_option("--limit", flags->limit, "results to show")->capture_default_str()->check(CLI::Range(1, 10000));
  search->callback([flags] {
    auto normalizer = text::Normalizer::Create();
    if (!normalizer.ok()) {
      ExitStatus() = Report("search", normalizer.status());
      return;
    }
    StatusOr<std::vector<text::search::Hit>> hits =
        text::search::SearchIndexDirectory(flags->index, flags->query, flags->limit, **normalizer);
    if (!hits.ok()) {
      ExitStatus() = Report("search", hits.status());
      return;
    }
    for (const text::search::Hit& hit : *hits) {
      std::printf("%s\t%.3f\t%s\n", hit.id.c_str(), hit.score, hit.snippet.Render("[", "]").c_str());
    }
  });
}

}  // namespace
}  // namespace ningju::cli

NINGJU_REGISTER_COMMAND(ningju::cli::RegisterTextCommands);
