; Lab 07 · The VT-x life cycle — starter code: fill in every TODO (see lab.en.md).
; The nested guest now asks CPUID twice (leaf 0, then leaf 1) before HLT, so the hypervisor
; handles two CPUID exits and must advance GUEST_RIP correctly each time.
; Run it:  ringside run --trace /tmp/l7.jsonl courseware/labs/07-vtx-lifecycle/starter.asm
; ringside: entry=real
bits 16
org 0x7C00

TSS         equ 0x9000              ; 104-byte task-state segment (VM entry needs a TR)
VMXON_PAGE  equ 0x11000             ; 4 KiB-aligned VMXON region
VMCS_PAGE   equ 0x12000             ; 4 KiB-aligned VMCS region
PAGE_DIR    equ 0x20000             ; 32-bit page directory, 4 MiB pages
HOST_STACK  equ 0x90000
GUEST_STACK equ 0x80000

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        lgdt [gdt_desc]
        mov eax, cr0
        or eax, 0x21                ; PE, and NE (a fixed-1 bit in VMX operation)
        mov cr0, eax
        jmp 0x08:protected

bits 32
protected:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov esp, HOST_STACK
        mov edi, TSS                ; zero the TSS, the regions and the page directory
        mov ecx, 104
        xor eax, eax
        rep stosb
        mov edi, VMXON_PAGE
        mov ecx, 0x2000
        rep stosb
        mov edi, PAGE_DIR
        mov ecx, 0x1000
        rep stosb
        mov ax, 0x18
        ltr ax

        ; Identity-map the first 16 MiB with four 4 MiB pages, then turn paging on.
        mov edi, PAGE_DIR
        mov eax, 0x83               ; present, writable, 4 MiB page
        mov ecx, 4
.pde:   mov [edi], eax
        add edi, 4
        add eax, 0x400000
        loop .pde
        mov eax, cr4
        or eax, 0x10                ; PSE
        mov cr4, eax
        mov eax, PAGE_DIR
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000          ; PG
        mov cr0, eax

        mov esi, msg_hello
        call puts

        ; Does the CPU have VMX? CPUID.1:ECX bit 5.
        mov eax, 1
        cpuid
        bt ecx, 5
        jnc no_vmx

        ; IA32_FEATURE_CONTROL (MSR 0x3A): firmware normally locks it with VMX enabled; with no
        ; firmware, enable VMX outside SMX (bit 2) and lock (bit 0) it ourselves.
        mov ecx, 0x3A
        rdmsr
        test eax, 1
        jnz .locked
        or eax, 5
        wrmsr
        jmp .feature_ok
.locked:
        test eax, 4
        jz no_vmx
.feature_ok:
        mov eax, cr4
        or eax, 0x2000              ; CR4.VMXE
        mov cr4, eax

        ; The VMCS revision identifier (IA32_VMX_BASIC bits 30:0) heads both regions.
        mov ecx, 0x480
        rdmsr
        and eax, 0x7FFFFFFF
        mov [VMXON_PAGE], eax
        mov [VMCS_PAGE], eax

        vmxon [vmxon_ptr]
        jbe fail_vmxon
        mov esi, msg_vmxon
        call puts
        vmclear [vmcs_ptr]
        jbe fail_insn
        vmptrld [vmcs_ptr]
        jbe fail_insn

        ; Controls: what we want, adjusted to what the CPU allows (its capability MSRs say
        ; which bits must be 1 and which may be 1).
        mov ecx, 0x481              ; IA32_VMX_PINBASED_CTLS
        xor eax, eax
        call adjust
        mov ebx, 0x4000             ; PIN_BASED_VM_EXEC_CONTROL
        call vmw
        mov ecx, 0x482              ; IA32_VMX_PROCBASED_CTLS
        ; TODO 1: the primary controls you want: HLT exiting (bit 7); CPUID always exits
        call adjust
        mov ebx, 0x4002             ; CPU_BASED_VM_EXEC_CONTROL
        call vmw
        mov ecx, 0x483              ; IA32_VMX_EXIT_CTLS (a 32-bit host: no "host address-space size")
        xor eax, eax
        call adjust
        mov ebx, 0x400C             ; VM_EXIT_CONTROLS
        call vmw
        mov ecx, 0x484              ; IA32_VMX_ENTRY_CTLS (not an IA-32e mode guest)
        xor eax, eax
        call adjust
        mov ebx, 0x4012             ; VM_ENTRY_CONTROLS
        call vmw

        ; Host state: where a VM exit returns to (this hypervisor).
        mov esi, host_fields
        call vmw_table
        mov eax, cr0
        mov ebx, 0x6C00             ; HOST_CR0
        call vmw
        mov eax, cr3
        mov ebx, 0x6C02             ; HOST_CR3
        call vmw
        mov eax, cr4
        mov ebx, 0x6C04             ; HOST_CR4
        call vmw

        ; Guest state: the nested guest shares our segments, page tables and GDT.
        mov esi, guest_fields
        call vmw_table
        mov eax, cr0
        mov ebx, 0x6800             ; GUEST_CR0
        call vmw
        mov eax, cr3
        mov ebx, 0x6802             ; GUEST_CR3
        call vmw
        mov eax, cr4
        mov ebx, 0x6804             ; GUEST_CR4
        call vmw

        mov esi, msg_launch
        call puts
        vmlaunch
        ; Only a failed VMLAUNCH comes here.
        jmp fail_insn

; ---- The VM-exit handler: HOST_RIP. The nested guest's registers are still in the CPU. ----
vm_exit:
        pushad                      ; save them: the frame is the guest's EDI..EAX
        mov ebx, 0x4402             ; VM_EXIT_REASON
        vmread eax, ebx
        mov esi, msg_exit
        call puts
        call putdec
        cmp eax, 10
        je .cpuid
        cmp eax, 12
        je .hlt
        mov esi, msg_unexpected
        call puts
        jmp stop

.cpuid:
        mov esi, msg_cpuid
        call puts
        mov eax, [esp + 28]         ; the guest's EAX and ECX
        mov ecx, [esp + 24]
        cpuid
        cmp dword [esp + 28], 1
        jne .cpuid_done
        or ecx, 1 << 31             ; leaf 1: ECX bit 31 = "running under a hypervisor"
.cpuid_done:
        mov [esp + 28], eax
        mov [esp + 16], ebx
        mov [esp + 24], ecx
        mov [esp + 20], edx
        call skip_instruction
        popad
        ; TODO 3: go back to the nested guest (which instruction, for a launched VMCS?)
        jmp fail_insn

.hlt:
        mov esi, msg_hlt
        call puts
        ; TODO 4: leave VMX operation, and go to fail_insn if that failed
        mov esi, msg_vmxoff
        call puts
        jmp stop

; GUEST_RIP += VM_EXIT_INSTRUCTION_LEN: the instruction was emulated.
skip_instruction:
        ; TODO 2: GUEST_RIP (0x681E) += VM_EXIT_INSTRUCTION_LEN (0x440C), with VMREAD and VMWRITE
        ret

; ---- The nested guest: 32-bit protected mode with paging, in VMX non-root operation. ----
guest:
        mov esi, msg_guest
        call puts                   ; OUT 0xE9 is not intercepted: it reaches the device
        xor eax, eax
        cpuid                       ; leaf 0: a VM exit
        mov eax, 1
        cpuid                       ; leaf 1: another VM exit
        bt ecx, 31
        jnc .bare
        mov esi, msg_guest_hv
        call puts
.bare:
        hlt                         ; a VM exit ("HLT exiting")
        jmp .bare

; ---- Helpers ----
; EAX = wanted control bits, ECX = capability MSR: EAX = (wanted | allowed-0) & allowed-1.
adjust:
        push eax
        rdmsr
        pop ebx
        or ebx, eax
        and ebx, edx
        mov eax, ebx
        ret

; VMWRITE field EBX := EAX, stopping with the VM-instruction error on failure.
vmw:
        vmwrite ebx, eax
        jbe fail_insn
        ret

; VMWRITE each (field, value) pair at ESI until field 0xFFFFFFFF.
vmw_table:
        lodsd
        cmp eax, 0xFFFFFFFF
        je .done
        mov ebx, eax
        lodsd
        call vmw
        jmp vmw_table
.done:  ret

puts:                               ; ESI: zero-terminated string to port 0xE9
        push eax
.next:  lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp .next
.done:  pop eax
        ret

putdec:                             ; EAX (< 10000) in decimal, then a newline
        pushad
        mov ebx, 10
        xor ecx, ecx
.div:   xor edx, edx
        div ebx
        push edx
        inc ecx
        test eax, eax
        jnz .div
.out:   pop eax
        add al, '0'
        out 0xE9, al
        loop .out
        mov al, 10
        out 0xE9, al
        popad
        ret

no_vmx:
        mov esi, msg_no_vmx
        call puts
        jmp stop
fail_vmxon:
        mov esi, msg_vmxon_failed
        call puts
        jmp stop
fail_insn:                          ; VMfailValid: the error number is in the current VMCS
        mov esi, msg_failed
        call puts
        mov ebx, 0x4400             ; VM_INSTRUCTION_ERROR
        vmread eax, ebx
        call putdec
stop:
        mov dx, 0xF4                ; Ringside's exit port (a no-op elsewhere)
        xor eax, eax
        out dx, eax
        cli
        hlt
        jmp stop

; ---- Data ----
align 8
vmxon_ptr:  dq VMXON_PAGE
vmcs_ptr:   dq VMCS_PAGE

gdt:        dq 0
            dq 0x00CF9A000000FFFF   ; 0x08: 32-bit code, base 0, 4 GiB
            dq 0x00CF92000000FFFF   ; 0x10: 32-bit data
            dw 0x67, TSS, 0x8900, 0 ; 0x18: 32-bit TSS at 0x9000
gdt_end:
gdt_desc:   dw gdt_end - gdt - 1
            dd gdt

host_fields:
            dd 0x0C00, 0x10         ; HOST_ES_SELECTOR
            dd 0x0C02, 0x08         ; HOST_CS_SELECTOR
            dd 0x0C04, 0x10         ; HOST_SS_SELECTOR
            dd 0x0C06, 0x10         ; HOST_DS_SELECTOR
            dd 0x0C08, 0x10         ; HOST_FS_SELECTOR
            dd 0x0C0A, 0x10         ; HOST_GS_SELECTOR
            dd 0x0C0C, 0x18         ; HOST_TR_SELECTOR
            dd 0x6C06, 0            ; HOST_FS_BASE
            dd 0x6C08, 0            ; HOST_GS_BASE
            dd 0x6C0A, TSS          ; HOST_TR_BASE
            dd 0x6C0C, gdt          ; HOST_GDTR_BASE
            dd 0x6C0E, 0            ; HOST_IDTR_BASE
            dd 0x4C00, 0            ; HOST_IA32_SYSENTER_CS
            dd 0x6C10, 0            ; HOST_IA32_SYSENTER_ESP
            dd 0x6C12, 0            ; HOST_IA32_SYSENTER_EIP
            dd 0x6C14, HOST_STACK   ; HOST_RSP
            dd 0x6C16, vm_exit      ; HOST_RIP
            dd 0xFFFFFFFF

guest_fields:
            dd 0x0800, 0x10         ; GUEST_ES_SELECTOR
            dd 0x0802, 0x08         ; GUEST_CS_SELECTOR
            dd 0x0804, 0x10         ; GUEST_SS_SELECTOR
            dd 0x0806, 0x10         ; GUEST_DS_SELECTOR
            dd 0x0808, 0x10         ; GUEST_FS_SELECTOR
            dd 0x080A, 0x10         ; GUEST_GS_SELECTOR
            dd 0x080C, 0            ; GUEST_LDTR_SELECTOR
            dd 0x080E, 0x18         ; GUEST_TR_SELECTOR
            dd 0x4800, 0xFFFFFFFF   ; GUEST_ES_LIMIT
            dd 0x4802, 0xFFFFFFFF   ; GUEST_CS_LIMIT
            dd 0x4804, 0xFFFFFFFF   ; GUEST_SS_LIMIT
            dd 0x4806, 0xFFFFFFFF   ; GUEST_DS_LIMIT
            dd 0x4808, 0xFFFFFFFF   ; GUEST_FS_LIMIT
            dd 0x480A, 0xFFFFFFFF   ; GUEST_GS_LIMIT
            dd 0x480C, 0            ; GUEST_LDTR_LIMIT
            dd 0x480E, 0x67         ; GUEST_TR_LIMIT
            dd 0x4810, gdt_end - gdt - 1 ; GUEST_GDTR_LIMIT
            dd 0x4812, 0            ; GUEST_IDTR_LIMIT
            dd 0x4814, 0xC093       ; GUEST_ES_AR_BYTES: data, accessed, 4 GiB
            dd 0x4816, 0xC09B       ; GUEST_CS_AR_BYTES: code, accessed, 32-bit
            dd 0x4818, 0xC093       ; GUEST_SS_AR_BYTES
            dd 0x481A, 0xC093       ; GUEST_DS_AR_BYTES
            dd 0x481C, 0xC093       ; GUEST_FS_AR_BYTES
            dd 0x481E, 0xC093       ; GUEST_GS_AR_BYTES
            dd 0x4820, 0x10000      ; GUEST_LDTR_AR_BYTES: unusable
            dd 0x4822, 0x8B         ; GUEST_TR_AR_BYTES: busy 32-bit TSS
            dd 0x4824, 0            ; GUEST_INTERRUPTIBILITY_INFO
            dd 0x4826, 0            ; GUEST_ACTIVITY_STATE: active
            dd 0x482A, 0            ; GUEST_SYSENTER_CS
            dd 0x6806, 0            ; GUEST_ES_BASE
            dd 0x6808, 0            ; GUEST_CS_BASE
            dd 0x680A, 0            ; GUEST_SS_BASE
            dd 0x680C, 0            ; GUEST_DS_BASE
            dd 0x680E, 0            ; GUEST_FS_BASE
            dd 0x6810, 0            ; GUEST_GS_BASE
            dd 0x6812, 0            ; GUEST_LDTR_BASE
            dd 0x6814, TSS          ; GUEST_TR_BASE
            dd 0x6816, gdt          ; GUEST_GDTR_BASE
            dd 0x6818, 0            ; GUEST_IDTR_BASE
            dd 0x681A, 0x400        ; GUEST_DR7
            dd 0x681C, GUEST_STACK  ; GUEST_RSP
            dd 0x681E, guest        ; GUEST_RIP
            dd 0x6820, 0x2          ; GUEST_RFLAGS
            dd 0x6822, 0            ; GUEST_PENDING_DBG_EXCEPTIONS
            dd 0x6824, 0            ; GUEST_SYSENTER_ESP
            dd 0x6826, 0            ; GUEST_SYSENTER_EIP
            dd 0x2800, 0xFFFFFFFF   ; VMCS_LINK_POINTER: none
            dd 0x2801, 0xFFFFFFFF   ; VMCS_LINK_POINTER_HIGH
            dd 0x2802, 0            ; GUEST_IA32_DEBUGCTL
            dd 0x2803, 0
            dd 0xFFFFFFFF

msg_hello:        db "tiny-vmm: 32-bit protected mode, paging on", 10, 0
msg_vmxon:        db "tiny-vmm: VMXON ok, in VMX root operation", 10, 0
msg_launch:       db "tiny-vmm: VMLAUNCH", 10, 0
msg_exit:         db "tiny-vmm: VM exit, reason ", 0
msg_cpuid:        db "tiny-vmm: emulating CPUID", 10, 0
msg_hlt:          db "tiny-vmm: the guest halted; VMXOFF", 10, 0
msg_vmxoff:       db "tiny-vmm: out of VMX operation", 10, 0
msg_guest:        db "guest: hello from VMX non-root operation", 10, 0
msg_guest_hv:     db "guest: CPUID says a hypervisor is present", 10, 0
msg_unexpected:   db "tiny-vmm: unexpected exit", 10, 0
msg_no_vmx:       db "tiny-vmm: this CPU has no usable VMX", 10, 0
msg_vmxon_failed: db "tiny-vmm: VMXON failed", 10, 0
msg_failed:       db "tiny-vmm: VMX instruction failed, error ", 0
