; A 64-bit guest hypervisor whose 64-bit nested guest runs under its EPT (emu_nested_ept_test).
; The nested guest's 4-level tables map linear 0x800000 -> GPA 0x400000 with a 4 KiB page; the
; EPT maps GPA 0x400000 -> 0x300000, where the hypervisor wrote "GNOL", and leaves GPA 0x401000
; out. The nested guest prints the four bytes it reads, then reads linear 0x801000: the exit
; handler prints the exit reason, qualification, GPA and linear address (16 hex digits each).
; Bochs 2.7 (tests/vmx/bochs/run_bochs.sh) prints the same two lines.
; ringside: entry=real
bits 16
org 0x7C00
TSS equ 0x9000
VMXON_PAGE equ 0x11000
VMCS_PAGE equ 0x12000
PML4 equ 0x20000
PDPT equ 0x21000
PD   equ 0x22000
PT   equ 0x23000
EPT_PML4 equ 0x30000
EPT_PDPT equ 0x31000
EPT_PD equ 0x32000
EPT_PT_LOW equ 0x33000
EPT_PT_HIGH equ 0x34000
EPTP equ EPT_PML4 | 0x1E
HOST_STACK equ 0x90000
GUEST_STACK equ 0x80000

start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        lgdt [gdt_desc]
        mov eax, cr0
        or eax, 0x21
        mov cr0, eax
        jmp 0x08:pm
bits 32
pm:     mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, HOST_STACK
        xor eax, eax
        mov edi, TSS
        mov ecx, 104
        rep stosb
        mov edi, VMXON_PAGE
        mov ecx, 0x2000
        rep stosb
        mov edi, PML4
        mov ecx, 0x4000
        rep stosb
        mov edi, EPT_PML4
        mov ecx, 0x5000
        rep stosb
        mov ax, 0x20
        ltr ax
        mov dword [PML4], PDPT | 3
        mov dword [PDPT], PD | 3
        mov edi, PD                 ; 0-16 MiB identity, 2 MiB pages
        mov eax, 0x83
        mov ecx, 8
.pde:   mov [edi], eax
        add edi, 8
        add eax, 0x200000
        loop .pde
        mov dword [PD + 4 * 8], PT | 3   ; linear 0x800000: a 4 KiB page table
        mov dword [PT], 0x400000 | 3     ; -> GPA 0x400000
        mov dword [PT + 8], 0x401000 | 3 ; -> GPA 0x401000
        mov dword [0x300000], 0x4C4F4E47 ; "GNOL" at L1 0x300000
        mov dword [EPT_PML4], EPT_PDPT | 7
        mov dword [EPT_PDPT], EPT_PD | 7
        mov dword [EPT_PD], EPT_PT_LOW | 7
        mov dword [EPT_PD + 2 * 8], EPT_PT_HIGH | 7
        mov edi, EPT_PT_LOW
        mov eax, 0x37
        mov ecx, 512
.pte:   mov [edi], eax
        add edi, 8
        add eax, 0x1000
        loop .pte
        mov dword [EPT_PT_HIGH], 0x300000 | 0x37
        mov eax, cr4
        or eax, 0x20                ; PAE
        mov cr4, eax
        mov eax, PML4
        mov cr3, eax
        mov ecx, 0xC0000080
        rdmsr
        or eax, 0x100               ; LME
        wrmsr
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        jmp 0x18:lm64
bits 64
lm64:   mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov rsp, HOST_STACK
        mov ecx, 0x3A
        rdmsr
        test eax, 1
        jnz .locked
        or eax, 5
        wrmsr
.locked:
        mov rax, cr4
        or rax, 0x2000
        mov cr4, rax
        mov ecx, 0x480
        rdmsr
        and eax, 0x7FFFFFFF
        mov [VMXON_PAGE], eax
        mov [VMCS_PAGE], eax
        vmxon [rel vmxon_ptr]
        jbe fail
        vmclear [rel vmcs_ptr]
        jbe fail
        vmptrld [rel vmcs_ptr]
        jbe fail
        mov ecx, 0x481
        xor eax, eax
        call adjust
        mov ebx, 0x4000
        call vmw
        mov ecx, 0x482
        mov eax, (1 << 7) | (1 << 31)
        call adjust
        mov ebx, 0x4002
        call vmw
        mov ecx, 0x48B
        mov eax, 1 << 1
        call adjust
        mov ebx, 0x401E
        call vmw
        mov eax, EPTP
        mov ebx, 0x201A
        call vmw
        mov ecx, 0x483
        mov eax, 1 << 9             ; host address-space size
        call adjust
        mov ebx, 0x400C
        call vmw
        mov ecx, 0x484
        mov eax, 1 << 9             ; IA-32e mode guest
        call adjust
        mov ebx, 0x4012
        call vmw
        mov rsi, fields
        call vmw_table
        mov rax, cr0
        mov ebx, 0x6C00
        call vmw
        mov ebx, 0x6800
        call vmw
        mov rax, cr3
        mov ebx, 0x6C02
        call vmw
        mov ebx, 0x6802
        call vmw
        mov rax, cr4
        mov ebx, 0x6C04
        call vmw
        mov ebx, 0x6804
        call vmw
        vmlaunch
        jmp fail

vm_exit:
        mov esi, msg_exit
        call puts
        mov ebx, 0x4402
        vmread rax, rbx
        call puthex
        mov al, ' '
        out 0xE9, al
        mov ebx, 0x6400
        vmread rax, rbx
        call puthex
        mov al, ' '
        out 0xE9, al
        mov ebx, 0x2400
        vmread rax, rbx
        call puthex
        mov al, ' '
        out 0xE9, al
        mov ebx, 0x640A
        vmread rax, rbx
        call puthex
        mov al, 10
        out 0xE9, al
        jmp stop

guest:  mov eax, [0x800000]         ; linear 0x800000 -> GPA 0x400000 -> 0x300000
        out 0xE9, al
        shr eax, 8
        out 0xE9, al
        shr eax, 8
        out 0xE9, al
        shr eax, 8
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov eax, [0x801000]         ; GPA 0x401000: not mapped
        hlt

adjust: push rax
        rdmsr
        pop rbx
        or ebx, eax
        and ebx, edx
        mov eax, ebx
        ret
vmw:    vmwrite rbx, rax
        jbe fail
        ret
vmw_table:
        lodsd
        cmp eax, 0xFFFFFFFF
        je .done
        mov ebx, eax
        lodsd
        call vmw
        jmp vmw_table
.done:  ret
puts:   lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp puts
.done:  ret
puthex: mov rbx, rax
        mov ecx, 16
.d:     rol rbx, 4
        mov eax, ebx
        and eax, 0xF
        mov al, [hexdigits + rax]
        out 0xE9, al
        loop .d
        ret
fail:   mov esi, msg_fail
        call puts
stop:   mov dx, 0xF4
        xor eax, eax
        out dx, eax
        cli
        hlt
        jmp stop

align 8
vmxon_ptr: dq VMXON_PAGE
vmcs_ptr:  dq VMCS_PAGE
gdt:    dq 0
        dq 0x00CF9A000000FFFF
        dq 0x00CF92000000FFFF
        dq 0x00AF9A000000FFFF
        dw 0x67, TSS, 0x8900, 0
        dq 0
gdt_end:
gdt_desc: dw gdt_end - gdt - 1
        dd gdt
fields:
        dd 0x0C00, 0x10, 0x0C02, 0x18, 0x0C04, 0x10, 0x0C06, 0x10, 0x0C08, 0x10, 0x0C0A, 0x10, 0x0C0C, 0x20
        dd 0x6C06, 0, 0x6C08, 0, 0x6C0A, TSS, 0x6C0C, gdt, 0x6C0E, 0
        dd 0x4C00, 0, 0x6C10, 0, 0x6C12, 0, 0x6C14, HOST_STACK, 0x6C16, vm_exit
        dd 0x0800, 0x10, 0x0802, 0x18, 0x0804, 0x10, 0x0806, 0x10, 0x0808, 0x10, 0x080A, 0x10, 0x080C, 0, 0x080E, 0x20
        dd 0x4800, 0xFFFFFFFF, 0x4802, 0xFFFFFFFF, 0x4804, 0xFFFFFFFF, 0x4806, 0xFFFFFFFF, 0x4808, 0xFFFFFFFF, 0x480A, 0xFFFFFFFF
        dd 0x480C, 0, 0x480E, 0x67, 0x4810, gdt_end - gdt - 1, 0x4812, 0
        dd 0x4814, 0xC093, 0x4816, 0xA09B, 0x4818, 0xC093, 0x481A, 0xC093, 0x481C, 0xC093, 0x481E, 0xC093
        dd 0x4820, 0x10000, 0x4822, 0x8B, 0x4824, 0, 0x4826, 0, 0x482A, 0
        dd 0x6806, 0, 0x6808, 0, 0x680A, 0, 0x680C, 0, 0x680E, 0, 0x6810, 0, 0x6812, 0, 0x6814, TSS, 0x6816, gdt, 0x6818, 0
        dd 0x681A, 0x400, 0x681C, GUEST_STACK, 0x681E, guest, 0x6820, 2, 0x6822, 0, 0x6824, 0, 0x6826, 0
        dd 0x2800, 0xFFFFFFFF, 0x2801, 0xFFFFFFFF, 0x2802, 0, 0x2803, 0
        dd 0xFFFFFFFF
hexdigits: db "0123456789abcdef"
msg_exit: db "exit ", 0
msg_fail: db "failed", 10, 0
