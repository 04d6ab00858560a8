#include "troupe/portable_math.hpp"

#include <bit>
#include <cstdint>
#include <limits>

#include "troupe/assert.hpp"

namespace troupe::portable {

namespace {

// The minimax coefficients of fdlibm's log1p (Sun Microsystems, 1993): on
// [0, 0.1716], 2s + s*R(s^2) approximates ln((1+s)/(1-s)) to 2^-58.45.
constexpr double kLp1 = 6.666666666666735130e-01;
constexpr double kLp2 = 3.999999999940941908e-01;
constexpr double kLp3 = 2.857142874366239149e-01;
constexpr double kLp4 = 2.222219843214978396e-01;
constexpr double kLp5 = 1.818357216161805012e-01;
constexpr double kLp6 = 1.531383769920937332e-01;
constexpr double kLp7 = 1.479819860511658591e-01;
// ln 2 in two parts: k * kLn2Hi is exact for the |k| < 2^11 of a double.
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;

std::uint32_t high_word(double x) {
  return static_cast<std::uint32_t>(std::bit_cast<std::uint64_t>(x) >> 32);
}

double with_high_word(double x, std::uint32_t high) {
  const std::uint64_t low = std::bit_cast<std::uint64_t>(x) & 0xffffffffULL;
  return std::bit_cast<double>((std::uint64_t{high} << 32) | low);
}

/// 1 + x = 2^k (1 + f) with sqrt(2)/2 <= 1 + f < sqrt(2), and c the
/// rounding error of 1 + x relative to it (so ln(1+x) = k ln2 + ln(1+f) + c).
struct Reduced {
  int k = 0;
  double f = 0;
  double c = 0;
  std::uint32_t f_high = 1;  // the fraction bits of 1 + f; 0 when |f| < 2^-20
};

Reduced reduce(double x) {
  Reduced r;
  double u = x;
  if (x < 0x1p53) {  // 1 + x rounds, so keep its error
    u = 1.0 + x;
    r.k = static_cast<int>(high_word(u) >> 20) - 1023;
    r.c = (r.k > 0 ? 1.0 - (u - x) : x - (u - 1.0)) / u;
  } else {
    r.k = static_cast<int>(high_word(u) >> 20) - 1023;
  }
  std::uint32_t fraction = high_word(u) & 0x000fffff;
  if (fraction < 0x6a09e) {  // 1 + f below sqrt(2)
    u = with_high_word(u, fraction | 0x3ff00000);
  } else {  // halve it: sqrt(2)/2 <= 1 + f < 1
    r.k += 1;
    u = with_high_word(u, fraction | 0x3fe00000);
    fraction = (0x00100000 - fraction) >> 2;
  }
  r.f = u - 1.0;
  r.f_high = fraction;
  return r;
}

double log1p_reduced(const Reduced& r) {
  const double k = r.k;
  const double f = r.f;
  const double hfsq = 0.5 * f * f;
  if (r.f_high == 0) {  // |f| < 2^-20: two terms of the series are enough
    if (f == 0.0) return r.k == 0 ? 0.0 : k * kLn2Hi + (r.c + k * kLn2Lo);
    const double series = hfsq * (1.0 - 0.66666666666666666 * f);
    return r.k == 0 ? f - series : k * kLn2Hi - ((series - (k * kLn2Lo + r.c)) - f);
  }
  const double s = f / (2.0 + f);
  const double z = s * s;
  // Four independent pairs rather than one Horner chain (as glibc evaluates
  // it), so the result is the one most maths libraries give.
  const double z2 = z * z;
  const double z4 = z2 * z2;
  const double poly =
      z * kLp1 + z2 * (kLp2 + z * kLp3) + z4 * (kLp4 + z * kLp5) + z4 * z2 * (kLp6 + z * kLp7);
  if (r.k == 0) return f - (hfsq - s * (hfsq + poly));
  return k * kLn2Hi - ((hfsq - (s * (hfsq + poly) + (k * kLn2Lo + r.c))) - f);
}

}  // namespace

double log1p(double x) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (x != x) return x;  // NaN
  if (x == -1.0) return -kInf;
  if (x < -1.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == kInf) return x;
  const double ax = x < 0 ? -x : x;
  if (ax < 0x1p-29) return ax < 0x1p-54 ? x : x - x * x * 0.5;
  // -0.2929 < x < 0.41422 (by their high words, as fdlibm draws the line):
  // 1 + x needs no reduction, and f = x is exact.
  const bool near_zero =
      x > 0 ? high_word(x) < 0x3fda827a : (high_word(x) & 0x7fffffff) <= 0x3fd2bec3;
  if (near_zero) return log1p_reduced({.k = 0, .f = x, .c = 0, .f_high = 1});
  return log1p_reduced(reduce(x));
}

namespace {

/// An unevaluated sum hi + lo with |lo| <= ulp(hi) / 2: about 106 bits.
struct DoubleDouble {
  double hi;
  double lo;
};

/// Dekker's split: a == hi + lo exactly, each with at most 26 significant bits.
DoubleDouble split(double a) {
  const double t = 134217729.0 * a;  // 2^27 + 1
  const double hi = t - (t - a);
  return {hi, a - hi};
}

/// a * b exactly, as a rounded product and its error (Dekker, no fma).
DoubleDouble two_product(double a, double b) {
  const double p = a * b;
  const DoubleDouble x = split(a);
  const DoubleDouble y = split(b);
  const double err = ((x.hi * y.hi - p) + x.hi * y.lo + x.lo * y.hi) + x.lo * y.lo;
  return {p, err};
}

DoubleDouble multiply(DoubleDouble a, DoubleDouble b) {
  DoubleDouble p = two_product(a.hi, b.hi);
  p.lo += a.hi * b.lo + a.lo * b.hi;
  const double hi = p.hi + p.lo;  // renormalise (|p.lo| is small against p.hi)
  return {hi, p.lo - (hi - p.hi)};
}

/// Dekker's split overflows beyond this, and the product's error term is
/// lost in subnormals below the other bound.
constexpr double kSplitMax = 0x1p995;
constexpr double kProductMin = 0x1p-969;

double magnitude(double x) {
  return x < 0 ? -x : x;
}

/// Whether a * b can be taken in double-double without overflow or underflow.
bool exact_product_fits(double a, double b) {
  const double p = magnitude(a * b);
  return magnitude(a) < kSplitMax && magnitude(b) < kSplitMax && p < kSplitMax &&
         (p == 0 || p > kProductMin);
}

/// result * square^n in plain doubles, by the same binary powering: for a
/// power whose magnitude is astronomical either way.
double plain_power(double result, double square, unsigned n) {
  for (; n != 0; n >>= 1) {
    if (n & 1U) result *= square;
    if (n > 1) square *= square;
  }
  return result;
}

}  // namespace

double pow_int(double base, unsigned n) {
  TROUPE_ASSERT(base - base == 0.0);  // finite
  // At every check: the power == result * square^n.
  DoubleDouble result{1.0, 0.0};
  DoubleDouble square{base, 0.0};
  while (n != 0) {
    if (n & 1U) {
      if (!exact_product_fits(result.hi, square.hi)) break;
      result = multiply(result, square);
      n -= 1;
    }
    if (n == 0 || !exact_product_fits(square.hi, square.hi)) break;
    square = multiply(square, square);
    n >>= 1;
  }
  return plain_power(result.hi, square.hi, n);
}

}  // namespace troupe::portable
