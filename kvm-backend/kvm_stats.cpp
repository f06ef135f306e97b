#include "kvm_stats.h"

#include <cerrno>
#include <cstring>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <vector>

// Debian 12's uapi header (6.1) has the stats ABI but not every name newer kernels define.
#ifndef KVM_STATS_NAME_SIZE
#define KVM_STATS_NAME_SIZE 48
#endif
#ifndef KVM_GET_STATS_FD
#define KVM_GET_STATS_FD _IO(KVMIO, 0xce)
#endif

namespace ringside::kvm {
namespace {

// struct kvm_stats_desc ends in a flexible name[] array, which C++ cannot declare; read its fixed
// fields at their ABI offsets instead.
constexpr size_t kDescFlags = 0, kDescSize = 6, kDescOffset = 8, kDescName = 16;

template <typename T> T load(const std::vector<char> &buf, size_t at) {
  T v{};
  std::memcpy(&v, buf.data() + at, sizeof v);
  return v;
}

bool preadAll(int fd, void *dst, size_t len, off_t at) {
  auto *p = static_cast<char *>(dst);
  while (len > 0) {
    const ssize_t n = ::pread(fd, p, len, at);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    p += n, len -= size_t(n), at += n;
  }
  return true;
}

bool isHistogram(uint32_t flags) {
  const uint32_t type = flags & KVM_STATS_TYPE_MASK;
  return type == KVM_STATS_TYPE_LINEAR_HIST || type == KVM_STATS_TYPE_LOG_HIST;
}

} // namespace

KvmStatsReader::KvmStatsReader(int ownerFd) {
  fd_ = ::ioctl(ownerFd, KVM_GET_STATS_FD, nullptr);
  if (fd_ < 0)
    error_ = std::string("KVM_GET_STATS_FD failed: ") + std::strerror(errno) +
             " (binary stats need Linux 5.14 or newer)";
}

KvmStatsReader::~KvmStatsReader() {
  if (fd_ >= 0)
    ::close(fd_);
}

std::optional<KvmStats> KvmStatsReader::read() {
  if (fd_ < 0)
    return std::nullopt;
  kvm_stats_header h{};
  if (!preadAll(fd_, &h, sizeof h, 0)) {
    error_ = "cannot read the stats header";
    return std::nullopt;
  }
  // name_size comes from the kernel, but bound it so a bad value cannot make us allocate wildly.
  if (h.name_size == 0 || h.name_size > 4096 || h.num_desc > 65536) {
    error_ = "implausible stats header";
    return std::nullopt;
  }
  if (id_.empty() && h.id_offset) {
    std::vector<char> id(h.name_size + 1, '\0');
    if (preadAll(fd_, id.data(), h.name_size, h.id_offset))
      id_ = id.data();
  }
  const size_t descSize = kDescName + h.name_size;
  std::vector<char> descs(descSize * h.num_desc);
  if (!preadAll(fd_, descs.data(), descs.size(), h.desc_offset)) {
    error_ = "cannot read the stats descriptors";
    return std::nullopt;
  }
  KvmStats out;
  std::vector<uint64_t> values;
  for (uint32_t i = 0; i < h.num_desc; ++i) {
    const size_t at = i * descSize;
    const auto flags = load<uint32_t>(descs, at + kDescFlags);
    const auto count = load<uint16_t>(descs, at + kDescSize);
    const auto offset = load<uint32_t>(descs, at + kDescOffset);
    const char *namePtr = descs.data() + at + kDescName;
    const std::string name(namePtr, strnlen(namePtr, h.name_size));
    if (count == 0 || name.empty())
      continue;
    values.assign(count, 0);
    if (!preadAll(fd_, values.data(), count * sizeof(uint64_t), h.data_offset + offset)) {
      error_ = "cannot read the value of " + name;
      return std::nullopt;
    }
    uint64_t value = values[0];
    if (isHistogram(flags)) {
      value = 0;
      for (uint64_t bucket : values)
        value += bucket;
    }
    out[name] = value;
  }
  return out;
}

KvmStats readKvmStats(int ownerFd) {
  KvmStatsReader reader(ownerFd);
  return reader.read().value_or(KvmStats{});
}

KvmStats diffKvmStats(const KvmStats &before, const KvmStats &after) {
  KvmStats out;
  for (const auto &[name, value] : after) {
    const auto it = before.find(name);
    const uint64_t base = it == before.end() ? 0 : it->second;
    out[name] = value >= base ? value - base : 0;
  }
  return out;
}

} // namespace ringside::kvm
