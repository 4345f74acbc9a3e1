// Group commit: concurrent intakes share a transaction, each caller gets its own answer after the commit, a bad
// intake fails alone (its batch is retried one by one), and with the real service every acknowledged case is stored.
#include "governance/cases/intake_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "governance/areas/area_writer.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace ningju::cases {
namespace {

using ::ningju::testing::StatusIs;

Intake Titled(const std::string& title) {
  Intake i;
  i.input.title = title;
  return i;
}

// Waits (yielding) until `queue` holds `n` waiting intakes.
void AwaitPending(const IntakeQueue& queue, size_t n) {
  while (queue.pending() < n) std::this_thread::yield();
}

// A writer whose first single write blocks until released, so that the test can pile intakes up behind it.
struct GatedWriter {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> first{true};
  std::atomic<int64_t> next_id{1};
  std::vector<std::vector<std::string>> batches;  // titles per batch call (writer thread only)

  StatusOr<Case> Single(const Intake& in) {
    if (first.exchange(false)) gate.wait();
    if (in.input.title == "poison") return InvalidArgumentError("poisoned", "title");
    Case c;
    c.id = next_id++;
    c.title = in.input.title;
    return c;
  }
  StatusOr<std::vector<Case>> Batch(const std::vector<Intake>& ins) {
    std::vector<std::string> titles;
    for (const auto& in : ins) titles.push_back(in.input.title);
    batches.push_back(titles);
    std::vector<Case> out;
    for (const auto& in : ins) {
      if (in.input.title == "poison") return InvalidArgumentError("poisoned", "title");
      Case c;
      c.id = next_id++;
      c.title = in.input.title;
      out.push_back(c);
    }
    return out;
  }
};

TEST(IntakeQueue, CommitsWaitingIntakesTogetherAndAnswersEachCaller) {
  GatedWriter w;
  IntakeQueue queue([&](const std::vector<Intake>& b) { return w.Batch(b); },
                    [&](const Intake& i) { return w.Single(i); });
  auto first = std::async(std::launch::async, [&] { return queue.Submit(Titled("first")); });
  while (queue.stats().batches < 1) std::this_thread::yield();  // the writer holds "first" at the gate
  std::vector<std::future<StatusOr<Case>>> rest;
  for (int i = 0; i < 10; ++i) {
    rest.push_back(std::async(std::launch::async, [&, i] { return queue.Submit(Titled("t" + std::to_string(i))); }));
  }
  AwaitPending(queue, 10);
  w.release.set_value();
  ASSERT_OK_AND_ASSIGN(Case c0, first.get());
  EXPECT_EQ(c0.title, "first");
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK_AND_ASSIGN(Case c, rest[i].get());
    EXPECT_EQ(c.title, "t" + std::to_string(i));  // each caller gets its own case
  }
  const auto stats = queue.stats();
  EXPECT_EQ(stats.batches, 2);  // "first" alone, then the ten together
  EXPECT_EQ(stats.largest_batch, 10);
  EXPECT_EQ(stats.intakes, 11);
  EXPECT_EQ(stats.failed_batches, 0);
  ASSERT_EQ(w.batches.size(), 1u);
  EXPECT_EQ(w.batches[0].size(), 10u);
}

TEST(IntakeQueue, AFailedBatchIsRetriedOneByOneSoOnlyTheBadIntakeFails) {
  GatedWriter w;
  IntakeQueue queue([&](const std::vector<Intake>& b) { return w.Batch(b); },
                    [&](const Intake& i) { return w.Single(i); });
  auto first = std::async(std::launch::async, [&] { return queue.Submit(Titled("first")); });
  while (queue.stats().batches < 1) std::this_thread::yield();
  std::vector<std::future<StatusOr<Case>>> rest;
  const std::vector<std::string> titles = {"a", "b", "poison", "c"};
  for (const auto& t : titles) {
    rest.push_back(std::async(std::launch::async, [&queue, t] { return queue.Submit(Titled(t)); }));
    AwaitPending(queue, rest.size());  // keep the order
  }
  w.release.set_value();
  ASSERT_OK(first.get());
  for (size_t i = 0; i < titles.size(); ++i) {
    auto r = rest[i].get();
    if (titles[i] == "poison") {
      EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
    } else {
      ASSERT_OK(r);
      EXPECT_EQ(r->title, titles[i]);
    }
  }
  EXPECT_EQ(queue.stats().failed_batches, 1);
}

TEST(IntakeQueue, RefusesBeyondMaxPending) {
  GatedWriter w;
  GroupCommitOptions options;
  options.max_pending = 2;
  IntakeQueue queue([&](const std::vector<Intake>& b) { return w.Batch(b); },
                    [&](const Intake& i) { return w.Single(i); }, options);
  auto first = std::async(std::launch::async, [&] { return queue.Submit(Titled("first")); });
  while (queue.stats().batches < 1) std::this_thread::yield();
  auto a = std::async(std::launch::async, [&] { return queue.Submit(Titled("a")); });
  auto b = std::async(std::launch::async, [&] { return queue.Submit(Titled("b")); });
  AwaitPending(queue, 2);
  EXPECT_THAT(queue.Submit(Titled("c")), StatusIs(StatusCode::kResourceExhausted));
  w.release.set_value();
  EXPECT_OK(first.get());
  EXPECT_OK(a.get());
  EXPECT_OK(b.get());
}

// With the real service and database.
class IntakeQueueServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = ::ningju::testing::OpenTestDatabase();
    ASSERT_OK(db);
    db_ = std::move(db).value();
    service_ = std::make_unique<CaseService>(*db_, clock_, WorkingCalendar::BuiltIn());
    ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
      auto area = [](std::optional<int64_t> parent, const char* kind, const char* code) {
        areas::NewArea a;
        a.parent_id = parent;
        a.kind = kind;
        a.code = code;
        a.name = code;
        return a;
      };
      const Instant t = clock_.Now();
      ASSIGN_OR_RETURN(int64_t d, areas::InsertArea(tx, area(std::nullopt, "district", "d"), t));
      ASSIGN_OR_RETURN(int64_t s, areas::InsertArea(tx, area(d, "subdistrict", "s"), t));
      ASSIGN_OR_RETURN(int64_t n, areas::InsertArea(tx, area(s, "neighborhood", "n"), t));
      ASSIGN_OR_RETURN(building_, areas::InsertArea(tx, area(n, "building", "b"), t));
      return OkStatus();
    }));
  }

  Intake Report(const std::string& title) {
    Intake i;
    i.by = auth::SystemPrincipal("test");
    i.input.category = "sanitation";
    i.input.title = title;
    i.input.description = "垃圾桶满了没人清运。";
    i.input.area_id = building_;
    i.input.channel = "api";
    return i;
  }

  int64_t CountCases() {
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne("SELECT COUNT(*) FROM cases");
    EXPECT_OK(row);
    return row.ok() ? row->Int(0) : -1;
  }

  FakeClock clock_{FromUnix(1'780'000'000)};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<CaseService> service_;
  int64_t building_ = 0;
};

TEST_F(IntakeQueueServiceTest, SubmitBatchIsAllOrNothing) {
  std::vector<Intake> batch = {Report("一"), Report("二"), Report("三")};
  batch[1].input.category = "no_such_category";  // passes the stateless checks, refused in the transaction
  EXPECT_THAT(service_->SubmitBatch(batch), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(CountCases(), 0);
  batch[1].input.category = "sanitation";
  ASSERT_OK_AND_ASSIGN(auto cases, service_->SubmitBatch(batch));
  ASSERT_EQ(cases.size(), 3u);
  EXPECT_EQ(cases[2].title, "三");
  EXPECT_EQ(CountCases(), 3);
}

TEST_F(IntakeQueueServiceTest, ConcurrentSubmissionsAreAllStoredWithTheirOwnIds) {
  service_->EnableGroupCommit();
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::map<int64_t, std::string> acknowledged;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string title = "诉求 " + std::to_string(t) + "-" + std::to_string(i);
        auto c = service_->Submit(auth::SystemPrincipal("test"), Report(title).input);
        if (!c.ok() || c->title != title) {
          ++failures;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        acknowledged[c->id] = title;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(acknowledged.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(CountCases(), kThreads * kEach);
  auto conn = db_->Acquire();
  ASSERT_OK(conn);
  for (const auto& [id, title] : acknowledged) {
    ASSERT_OK_AND_ASSIGN(auto row, (*conn)->QueryOne("SELECT title FROM cases WHERE id = ?", {id}));
    EXPECT_EQ(row.Text(0), title);
  }
}

TEST_F(IntakeQueueServiceTest, ABadIntakeInABatchFailsAloneAndTheOthersAreStored) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> first{true};
  IntakeQueue queue([&](const std::vector<Intake>& b) { return service_->SubmitBatch(b); },
                    [&](const Intake& i) {
                      if (first.exchange(false)) gate.wait();
                      return service_->SubmitUnbatched(i.by, i.input);
                    });
  auto lead = std::async(std::launch::async, [&] { return queue.Submit(Report("先到")); });
  while (queue.stats().batches < 1) std::this_thread::yield();
  Intake bad = Report("分类不存在");
  bad.input.category = "no_such_category";
  std::vector<std::future<StatusOr<Case>>> rest;
  rest.push_back(std::async(std::launch::async, [&] { return queue.Submit(Report("甲")); }));
  rest.push_back(std::async(std::launch::async, [&] { return queue.Submit(bad); }));
  rest.push_back(std::async(std::launch::async, [&] { return queue.Submit(Report("乙")); }));
  AwaitPending(queue, 3);
  release.set_value();
  EXPECT_OK(lead.get());
  EXPECT_OK(rest[0].get());
  EXPECT_THAT(rest[1].get(), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(rest[2].get());
  EXPECT_EQ(queue.stats().failed_batches, 1);
  EXPECT_EQ(CountCases(), 3);
}

}  // namespace
}  // namespace ningju::cases
