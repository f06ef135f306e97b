; Hostile: a "hypervisor" that fills a VMCS with garbage: VMXON, VMCLEAR, VMPTRLD and VMWRITEs
; of random values, then VMLAUNCH. Ringside's emu guests cannot execute VMX instructions yet
; (#UD), so this ends in a fault; either way it must get a score and a reason.
; expect-reason: expected
; ringside: entry=long
bits 64
default rel
        mov rax, 0x0000000000100000
        vmxon [rax]
        vmclear [rax]
        vmptrld [rax]
        mov ecx, 0
.fill:  mov rax, 0xDEADBEEFCAFEF00D
        imul rax, rcx
        vmwrite rcx, rax
        add ecx, 2
        cmp ecx, 0x7000
        jb .fill
        vmlaunch
        hlt
