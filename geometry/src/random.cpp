#include "pinnxde/geometry/random.hpp"

namespace pinnxde::geometry {

std::mt19937_64& rng() {
  static std::mt19937_64 generator(0);  // fixed default seed: runs reproduce unless reseeded
  return generator;
}

void seed(std::uint64_t s) { rng().seed(s); }

}  // namespace pinnxde::geometry
