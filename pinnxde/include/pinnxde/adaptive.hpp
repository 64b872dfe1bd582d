#pragma once
// Residual-based adaptive sampling of collocation points.
//
// RAR (residual-based adaptive refinement, Lu et al. 2021): add the m candidates of largest |residual|.
//   data.add_anchors(dde::adaptive::rar_points(model, geomtime, pde, 100));
// RAD (residual-based adaptive distribution, Wu et al. 2023): draw n points with probability
//   p(x) ∝ |r(x)|^k / mean(|r|^k) + c   (k = 1, c = 1 by default), e.g. to replace the domain points.
//   data.replace_with_anchors(dde::adaptive::rad_points(model, geomtime, pde, 2000));
// Candidates are drawn with the geometry's "pseudo" sampler (the seeded generator); RAD's draw uses
// LibTorch's generator, so both are reproducible with config::set_random_seed.
#include <torch/types.h>

#include <cstdint>
#include <functional>

#include "pinnxde/geometry/geometry.hpp"

namespace pinnxde {
class Model;
}

namespace pinnxde::adaptive {

/// The residual to rank points by: (x, y) -> (N, 1), e.g. the PDE residual lambda.
using Residual = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& y)>;

/// The m of num_candidates random domain points with the largest |residual|, largest first.
geometry::Points rar_points(Model& model, const geometry::Geometry& geom, const Residual& residual,
                            std::int64_t m, std::int64_t num_candidates = 10000);

struct RADOptions {
  double k = 1.0;                     // exponent on |residual|
  double c = 1.0;                     // floor: c > 0 keeps every region sampled
  std::int64_t num_candidates = 0;    // default: 10 n
};

/// n distinct domain points drawn from the candidates with probability ∝ |r|^k / mean(|r|^k) + c.
geometry::Points rad_points(Model& model, const geometry::Geometry& geom, const Residual& residual,
                            std::int64_t n, RADOptions options = {});

}  // namespace pinnxde::adaptive
