#pragma once
// Owning handles for the file descriptors and mappings a KVM machine is made of, so every
// exit path (including exceptions thrown mid-setup) closes and unmaps what was opened.
#include <cstddef>
#include <sys/mman.h>
#include <unistd.h>
#include <utility>

namespace ringside::kvm {

class Fd {
public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd &operator=(Fd &&other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0)
      close(fd_);
    fd_ = -1;
  }

private:
  int fd_ = -1;
};

class Mapping {
public:
  Mapping() = default;
  Mapping(void *addr, size_t size) : addr_(addr == MAP_FAILED ? nullptr : addr), size_(size) {}
  Mapping(Mapping &&other) noexcept
      : addr_(std::exchange(other.addr_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  Mapping &operator=(Mapping &&other) noexcept {
    if (this != &other) {
      reset();
      addr_ = std::exchange(other.addr_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  Mapping(const Mapping &) = delete;
  Mapping &operator=(const Mapping &) = delete;
  ~Mapping() { reset(); }

  template <typename T = void> T *as() const { return static_cast<T *>(addr_); }
  size_t size() const { return size_; }
  bool valid() const { return addr_ != nullptr; }
  void reset() {
    if (addr_)
      munmap(addr_, size_);
    addr_ = nullptr;
    size_ = 0;
  }

private:
  void *addr_ = nullptr;
  size_t size_ = 0;
};

} // namespace ringside::kvm
