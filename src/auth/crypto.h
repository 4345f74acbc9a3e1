// Passwords, random tokens and keyed hashes, all through libsodium.
#ifndef NINGJU_AUTH_CRYPTO_H_
#define NINGJU_AUTH_CRYPTO_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace ningju::auth {

// Work factors of argon2id. kInteractive is libsodium's interactive setting (64 MiB, 2 passes); kTest is the
// minimum, only for tests and demo data that must be made quickly.
enum class PasswordCost { kInteractive, kModerate, kTest };

// Initializes libsodium; safe to call many times from many threads.
Status InitCrypto();

// An argon2id hash in the PHC string format ("$argon2id$v=19$m=...").
StatusOr<std::string> HashPassword(std::string_view password, PasswordCost cost);
// True when `password` matches `hash`. Constant time in the password's content.
bool VerifyPassword(std::string_view password, std::string_view hash);

// `bytes` random bytes, base64url without padding (32 bytes -> 43 characters).
std::string RandomToken(size_t bytes = 32);
// Hex SHA-256, for storing tokens: the database never holds a usable session or API token.
std::string Sha256Hex(std::string_view data);
// Hex HMAC-SHA-256 of `message` under `key`.
std::string HmacHex(std::string_view key, std::string_view message);
// Constant-time equality.
bool SafeEquals(std::string_view a, std::string_view b);

}  // namespace ningju::auth

#endif  // NINGJU_AUTH_CRYPTO_H_
