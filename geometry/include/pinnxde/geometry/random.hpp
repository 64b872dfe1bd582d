#pragma once
// The process-wide random generator behind all geometry sampling. pinnxde::config::set_random_seed
// seeds it together with LibTorch's generator, so one seed drives sampling, initialisation and shuffling.
#include <cstdint>
#include <random>

namespace pinnxde::geometry {

/// The global generator (std::mt19937_64). Not thread-safe: sample from one thread.
std::mt19937_64& rng();
/// Reseeds the global generator.
void seed(std::uint64_t s);

}  // namespace pinnxde::geometry
