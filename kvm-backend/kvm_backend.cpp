// Placeholder translation unit until the KVM backend (issue 3) lands; createBackend("kvm")
// reports that it is not available yet.
namespace ringside::kvm {
int kvmBackendBuilt() { return 0; }
} // namespace ringside::kvm
