#include "auth/crypto.h"

#include "testing/status_matchers.h"

namespace ningju::auth {
namespace {

TEST(Crypto, Argon2idHashesVerify) {
  ASSERT_OK_AND_ASSIGN(std::string hash, HashPassword("正确的密码horse", PasswordCost::kTest));
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_TRUE(VerifyPassword("正确的密码horse", hash));
  EXPECT_FALSE(VerifyPassword("正确的密码Horse", hash));
  EXPECT_FALSE(VerifyPassword("x", "not a hash"));
  ASSERT_OK_AND_ASSIGN(std::string again, HashPassword("正确的密码horse", PasswordCost::kTest));
  EXPECT_NE(hash, again);  // salted
}

TEST(Crypto, TokensAreRandomAndUrlSafe) {
  std::string a = RandomToken(), b = RandomToken();
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
}

TEST(Crypto, KnownDigests) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacHex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_TRUE(SafeEquals("abc", "abc"));
  EXPECT_FALSE(SafeEquals("abc", "abd"));
  EXPECT_FALSE(SafeEquals("abc", "ab"));
}

}  // namespace
}  // namespace ningju::auth
