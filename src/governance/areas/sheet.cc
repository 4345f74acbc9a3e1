#include "governance/areas/sheet.h"

#include <algorithm>

namespace ningju::areas {

std::string ColumnLetters(size_t column) {
  // Bijective base 26: A..Z, AA..ZZ, AAA...
  std::string letters;
  size_t n = column + 1;
  while (n > 0) {
    const size_t rem = (n - 1) % 26;
    letters.push_back(static_cast<char>('A' + rem));
    n = (n - 1) / 26;
  }
  std::reverse(letters.begin(), letters.end());
  return letters;
}

}  // namespace ningju::areas
