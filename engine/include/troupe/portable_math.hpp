// Transcendental maths of our own, for everything a seeded run's outcome
// depends on (exponential draws, restart backoff). The C++ standard does not
// require std::log1p or std::pow to round alike across maths libraries, so a
// run could differ between two machines; these are built from IEEE-754
// + - * / and exact bit manipulation only, and give the same bits everywhere.
// (The project compiles with -ffp-contract=off: a fused multiply-add rounds
// once where the code rounds twice, and would change the bits on machines
// that have one.)
//
//   const double ns = -portable::log1p(-u) * mean_ns;  // u in [0, 1)
#pragma once

namespace troupe::portable {

/// ln(1 + x), within one unit in the last place (fdlibm's method): x == -1
/// gives -infinity, x < -1 or NaN gives NaN, +infinity gives +infinity.
double log1p(double x);

/// base^n for a whole n, by binary powering in double-double arithmetic, so
/// the result is the correctly rounded power for all but the rarest inputs.
/// Overflows to infinity like the true power; `base` must be finite.
double pow_int(double base, unsigned n);

}  // namespace troupe::portable
