#include "record/attachments.h"

#include <fstream>
#include <sstream>

#include "testing/source_path.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace ningju::record {
namespace {

using ::ningju::testing::OpenTestDatabase;
using ::ningju::testing::SourcePath;
using ::ningju::testing::StatusIs;
using ::testing::HasSubstr;

std::string Fixture(const std::string& name) {
  std::ifstream in(SourcePath("tests/record/" + name), std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class AttachmentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenTestDatabase();
    ASSERT_OK(db);
    db_ = std::move(db).value();
  }
  StatusOr<Attachment> Add(const std::string& ref, const std::string& name, const std::string& bytes,
                           const AttachmentLimits& limits = {}) {
    StatusOr<Attachment> out = InternalError("not run");
    Status s = db_->InTransaction([&](storage::Connection& tx) -> Status {
      out = AddAttachment(tx, ref, name, bytes, 7, FromUnix(1'780'000'000), limits);
      return out.status();
    });
    if (!s.ok()) return s;
    return out;
  }
  std::unique_ptr<storage::Database> db_;
};

TEST(SniffType, ReadsTheBytesNotTheName) {
  ASSERT_OK_AND_ASSIGN(std::string png, SniffType(Fixture("photo.png")));
  EXPECT_EQ(png, "image/png");
  ASSERT_OK_AND_ASSIGN(std::string pdf, SniffType(Fixture("sheet.pdf")));
  EXPECT_EQ(pdf, "application/pdf");
  ASSERT_OK_AND_ASSIGN(std::string html, SniffType("<html><script>alert(1)</script></html>"));
  EXPECT_EQ(html, "text/html");
}

TEST_F(AttachmentsTest, AnImageIsKeptWithAThumbnailAndReadBack) {
  std::string png = Fixture("photo.png");
  ASSERT_OK_AND_ASSIGN(Attachment a, Add("case:1", "C:\\photos\\楼道.png", png));
  EXPECT_EQ(a.name, "楼道.png");  // no directories
  EXPECT_EQ(a.content_type, "image/png");
  EXPECT_EQ(a.size, static_cast<int64_t>(png.size()));
  EXPECT_EQ(a.sha256.size(), 64u);
  EXPECT_TRUE(a.has_thumbnail);
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(std::string bytes, AttachmentBytes(*conn, a.id, false));
  EXPECT_EQ(bytes, png);
  ASSERT_OK_AND_ASSIGN(std::string thumb, AttachmentBytes(*conn, a.id, true));
  ASSERT_OK_AND_ASSIGN(std::string thumb_type, SniffType(thumb));
  EXPECT_EQ(thumb_type, "image/jpeg");
  EXPECT_LT(thumb.size(), png.size() * 4);
  ASSERT_OK_AND_ASSIGN(Attachment again, GetAttachment(*conn, a.id));
  EXPECT_EQ(again.object_ref, "case:1");
  EXPECT_EQ(again.created_by, 7);
  EXPECT_TRUE(again.has_thumbnail);
}

TEST_F(AttachmentsTest, APdfHasNoThumbnail) {
  ASSERT_OK_AND_ASSIGN(Attachment a, Add("ballot:3", "sheet.pdf", Fixture("sheet.pdf")));
  EXPECT_EQ(a.content_type, "application/pdf");
  EXPECT_FALSE(a.has_thumbnail);
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  EXPECT_THAT(AttachmentBytes(*conn, a.id, true), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(AttachmentBytes(*conn, a.id + 100, false), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(GetAttachment(*conn, a.id + 100), StatusIs(StatusCode::kNotFound));
}

TEST_F(AttachmentsTest, RefusesWhatIsNotAllowedAndKeepsNothing) {
  // HTML named as a picture: the sniffed type decides.
  auto html = Add("case:1", "photo.jpg", "<html><script>alert(1)</script></html>");
  EXPECT_THAT(html, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(html.status().message(), HasSubstr("text/html"));
  EXPECT_THAT(html.status().message(), HasSubstr("photo.jpg"));
  EXPECT_THAT(Add("case:1", "empty.png", ""), StatusIs(StatusCode::kInvalidArgument));
  AttachmentLimits small;
  small.max_bytes = 1000;
  auto big = Add("case:1", "photo.png", Fixture("photo.png"), small);
  EXPECT_THAT(big, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(big.status().message(), HasSubstr("at most 1000"));
  // A header claiming 20000 x 20000 pixels is refused before it is decoded.
  auto huge = Add("case:1", "huge.png", Fixture("huge.png"));
  EXPECT_THAT(huge, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(huge.status().message(), HasSubstr("400000000 pixels"));
  // A PNG signature with garbage after it cannot be read as an image.
  std::string broken = Fixture("photo.png").substr(0, 60);
  EXPECT_THAT(Add("case:1", "broken.png", broken), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(auto kept, ListAttachments(*conn, "case:1"));
  EXPECT_TRUE(kept.empty());
}

TEST_F(AttachmentsTest, AtMostSixOnAnObject) {
  std::string pdf = Fixture("sheet.pdf");
  for (int i = 0; i < 6; ++i) ASSERT_OK(Add("case:9", "p" + std::to_string(i) + ".pdf", pdf));
  EXPECT_THAT(Add("case:9", "p7.pdf", pdf), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_OK(Add("case:10", "p7.pdf", pdf));
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(auto kept, ListAttachments(*conn, "case:9"));
  ASSERT_EQ(kept.size(), 6u);
  EXPECT_EQ(kept.front().name, "p0.pdf");
  EXPECT_EQ(kept.back().name, "p5.pdf");
  EXPECT_EQ(kept.front().ToJson()["content_type"], "application/pdf");
}

TEST_F(AttachmentsTest, OnlyInsideATransaction) {
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  EXPECT_THAT(AddAttachment(*conn, "case:1", "a.pdf", Fixture("sheet.pdf"), 1, FromUnix(0)),
              StatusIs(StatusCode::kInternal));
}

}  // namespace
}  // namespace ningju::record
