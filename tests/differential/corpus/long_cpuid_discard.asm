; Long mode CPUID whose results are NOT compared: the values differ between a real CPU and
; an emulator, so the guest only checks that leaf 0 reports a vendor string (EBX != 0) and
; then clears every register CPUID wrote. Exit code 0.
; ringside: entry=long load=0x10000
bits 64
org 0x10000
        xor eax, eax
        cpuid
        mov r8d, 0
        cmp ebx, 0
        setne r8b               ; 1: a vendor string is there
        mov eax, 1
        cpuid
        xor eax, eax
        xor ebx, ebx
        xor ecx, ecx
        xor edx, edx
        mov al, 'i'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov eax, 0
        cmp r8, 1
        out 0xF4, eax
