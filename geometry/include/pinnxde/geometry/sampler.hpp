#pragma once
// Point samplers on the unit cube. Port of deepxde.geometry.sampler.sample.
#include <cstdint>
#include <string>

#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde::geometry {

/// n points in [0, 1)^dim, one per row. sampler is one of
///   "pseudo"      i.i.d. uniform from the global rng() (reseed with seed()),
///   "LHS"         Latin hypercube (one point per stratum in every coordinate), from rng(),
///   "Halton"      radical inverses of i = 1..n in bases 2, 3, 5, 7, ... (index 0, the corner, skipped),
///   "Hammersley"  first coordinate (i + 0.5) / n, the others Halton in bases 2, 3, 5, ... of i + 1,
///   "Sobol"       Joe-Kuo (new-joe-kuo-6.21201) direction numbers, dim <= 21, Gray-code order; the
///                 first point (the corner) is skipped, and for dim >= 3 also the centre point, as DeepXDE.
/// The quasi-random samplers are deterministic: the same (n, dim) gives the same points.
/// Throws ValueError for n < 0, dim < 1, Sobol with dim > 21 or an unknown name:
///   "sample: unknown sampler 'foo'; valid: pseudo, LHS, Halton, Hammersley, Sobol".
Points sample(std::int64_t n, int dim, const std::string& sampler);

/// Throws the "unknown sampler" ValueError unless `sampler` is a valid name.
void check_sampler(const std::string& sampler);

/// While an object of this class lives on a thread, the quasi-random samplers (Halton, Hammersley, Sobol)
/// return their points shifted by one uniform random vector modulo 1 (a Cranley-Patterson rotation), drawn
/// from rng() per call: a fresh set with the same low discrepancy each time, reproducible from the seed.
/// data::PDE::resample_train_points uses it, so that a PDEPointResampler with the default "Hammersley"
/// distribution draws new points (DeepXDE's redraws the identical set: a quasi-random sequence is
/// deterministic). Scopes nest; "pseudo" and "LHS" are unaffected (already random).
class RandomShiftScope {
 public:
  RandomShiftScope();
  ~RandomShiftScope();
  RandomShiftScope(const RandomShiftScope&) = delete;
  RandomShiftScope& operator=(const RandomShiftScope&) = delete;
};

}  // namespace pinnxde::geometry
