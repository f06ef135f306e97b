; The emu backend's boot stub: Unicorn starts every guest in real mode, so the protected and
; long entry modes are reached the way firmware reaches them, by running this code. It lives
; in the platform's reserved range; its events are not recorded and its instructions are not
; counted. The bytes are embedded in boot_stub.cpp; tests/sim-core/emu/boot_stub_test.cpp
; re-assembles this file and checks that they match.
bits 16
org 0x5000
GDTR  equ 0x5F00        ; limit (word), base (dword), written by the backend
ENTRY equ 0x5F08        ; guest entry point (qword), written by the backend

protected_entry:        ; 0x5000
        cli
        lgdt [GDTR]
        mov eax, cr0
        or eax, 1
        mov cr0, eax
        jmp dword 0x08:prot32

long_entry:             ; 0x5018 (see kBootStubLongEntry)
        cli
        lgdt [GDTR]
        mov eax, cr0
        or eax, 1
        mov cr0, eax
        jmp dword 0x08:long32

bits 32
prot32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov esp, 0x7000
        xor eax, eax
        jmp [ENTRY]

long32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov eax, cr4
        or eax, 1 << 5          ; PAE
        mov cr4, eax
        mov eax, 0x2000         ; platform PML4
        mov cr3, eax
        mov ecx, 0xC0000080     ; EFER
        rdmsr
        or eax, 1 << 8          ; LME
        wrmsr
        mov eax, cr0
        or eax, 1 << 31         ; PG: long mode becomes active
        mov cr0, eax
        jmp 0x18:long64

bits 64
long64:
        mov rsp, 0x7000
        xor eax, eax
        xor ecx, ecx
        xor edx, edx
        jmp [ENTRY]
