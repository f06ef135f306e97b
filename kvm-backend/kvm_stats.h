#pragma once
// KVM binary statistics (KVM_GET_STATS_FD, Linux >= 5.14) of a VM fd or a vCPU fd: the exit and
// MMU counters the kernel keeps, which is what the run summary shows under "kvm_stats".
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace ringside::kvm {

using KvmStats = std::map<std::string, uint64_t>;

/// An open stats fd, so that a run can read it before and after without a new ioctl each time.
class KvmStatsReader {
public:
  /// `ownerFd` is a VM fd or a vCPU fd. On failure valid() is false and error() says why.
  explicit KvmStatsReader(int ownerFd);
  ~KvmStatsReader();
  KvmStatsReader(const KvmStatsReader &) = delete;
  KvmStatsReader &operator=(const KvmStatsReader &) = delete;

  bool valid() const { return fd_ >= 0; }
  const std::string &error() const { return error_; }
  /// The stats file's id, e.g. "kvm-11149/vcpu-0".
  const std::string &id() const { return id_; }
  /// name → value. Cumulative, instant and peak stats as they are; histograms as the sum of their
  /// buckets (the number of samples). Nothing when the read fails.
  std::optional<KvmStats> read();

private:
  int fd_ = -1;
  std::string error_;
  std::string id_;
};

/// One-shot read (opens and closes a stats fd). Empty when the kernel has no binary stats.
KvmStats readKvmStats(int ownerFd);

/// after − before for every name in `after` (names only in `before` are dropped). Instant values
/// can fall: those saturate at 0 instead of wrapping around.
KvmStats diffKvmStats(const KvmStats &before, const KvmStats &after);

} // namespace ringside::kvm
