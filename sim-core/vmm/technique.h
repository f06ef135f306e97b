#pragma once
// The virtualization techniques a guest can run under (`--virt`), as one table: the classic
// story of the course, from the guest alone on the machine to hardware-assisted VT-x.
#include <optional>
#include <span>
#include <string_view>

namespace ringside {

enum class Technique : uint8_t { Native, Trap, Bt, Pv, Vtx };

struct TechniqueInfo {
  Technique technique;
  std::string_view name;    ///< the --virt value
  std::string_view title;   ///< for tables and views
  bool built;               ///< runs on the emu backend today
  std::string_view summary; ///< one line for --help and docs
};

std::span<const TechniqueInfo> techniques();
const TechniqueInfo &techniqueInfo(Technique t);
std::optional<Technique> findTechnique(std::string_view name);

} // namespace ringside
