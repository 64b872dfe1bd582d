#pragma once
// Private to libpinnxde_core: whole-file writes that a crash or a full disk cannot leave half done
// (file_io.cpp).
#include <string>
#include <string_view>

namespace pinnxde::detail {

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, fsync, rename over path,
/// fsync of the directory. Readers see the old file or the new one, never a mix. On any failure the
/// temporary file is removed and Error("<who>: cannot write '<path>': <reason>") is thrown.
void write_file_atomically(const std::string& path, std::string_view bytes, const char* who);

/// The whole file, or Error/ValueError("<who>: cannot read '<path>': <reason>").
std::string read_file(const std::string& path, const char* who);

}  // namespace pinnxde::detail
