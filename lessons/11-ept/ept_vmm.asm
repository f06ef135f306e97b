; A guest hypervisor that gives its nested guest an EPT (lesson 11).
;
; Like lesson 07's tiny VMM it boots in real mode, turns on 32-bit paging and VMX, and
; launches a nested guest; this one also sets "enable EPT" and builds a 4-level EPT in its own
; memory, with EPT accessed/dirty flags on (EPTP bit 6). Three address spaces meet here:
;   nested guest linear 0x800000 --(its page directory)--> guest-physical 0x400000
;   guest-physical 0x400000 --(this hypervisor's EPT)--> this hypervisor's 0x300000
; The EPT maps the low 2 MiB at identity (code, stack, page directories) and, read-only,
; GPA 0x400000 -> 0x300000; GPA 0x401000 is left unmapped and GPA 0x402000 gets a
; deliberately invalid (write-only) entry. The nested guest reads all three pages and then
; writes the first: an EPT violation (48), an EPT misconfiguration (49) and a write violation
; come back here as VM exits; the handler prints what VMREAD says, maps the page and resumes.
;
; Run it:   ringside run lessons/11-ept/ept_vmm.asm
; ringside: entry=real
bits 16
org 0x7C00

TSS         equ 0x9000              ; 104-byte task-state segment (VM entry needs a TR)
VMXON_PAGE  equ 0x11000
VMCS_PAGE   equ 0x12000
PAGE_DIR    equ 0x20000             ; this hypervisor's page directory (4 MiB pages)
GUEST_PD    equ 0x21000             ; the nested guest's page directory (at its GPA 0x21000)
EPT_PML4    equ 0x30000
EPT_PDPT    equ 0x31000
EPT_PD      equ 0x32000
EPT_PT_LOW  equ 0x33000             ; GPA 0 - 2 MiB, identity
EPT_PT_HIGH equ 0x34000             ; GPA 0x400000 - 0x5FFFFF
EPTP        equ EPT_PML4 | 0x5E     ; write-back (6), 4 levels (3 << 3), A/D flags (bit 6)
EPT_RWX     equ 0x37                ; read, write, execute; memory type WB (6 << 3)
EPT_RX      equ 0x35                ; read-only data: read and execute, no write
EPT_BAD     equ 0x32                ; write without read: an EPT misconfiguration
L1_DATA     equ 0x300000            ; where GPA 0x400000.. really lives
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
        xor eax, eax
        mov edi, TSS
        mov ecx, 104
        rep stosb
        mov edi, VMXON_PAGE         ; the two VMX regions
        mov ecx, 0x2000
        rep stosb
        mov edi, PAGE_DIR           ; both page directories
        mov ecx, 0x2000
        rep stosb
        mov edi, EPT_PML4           ; the five EPT tables
        mov ecx, 0x5000
        rep stosb
        mov ax, 0x18
        ltr ax

        ; Our page directory: the first 16 MiB at identity, four 4 MiB pages.
        mov edi, PAGE_DIR
        mov eax, 0x83               ; present, writable, 4 MiB page
        mov ecx, 4
.pde:   mov [edi], eax
        add edi, 4
        add eax, 0x400000
        loop .pde
        ; The nested guest's: 0-4 MiB at identity, linear 0x800000 -> its GPA 0x400000.
        mov dword [GUEST_PD], 0x83
        mov dword [GUEST_PD + 2 * 4], 0x400000 | 0x83
        mov eax, cr4
        or eax, 0x10                ; PSE
        mov cr4, eax
        mov eax, PAGE_DIR
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000          ; PG
        mov cr0, eax

        ; What the nested guest will find behind its GPAs 0x400000, 0x401000, 0x402000.
        mov esi, msg_page0
        mov edi, L1_DATA
        call strcpy
        mov esi, msg_page1
        mov edi, L1_DATA + 0x1000
        call strcpy
        mov esi, msg_page2
        mov edi, L1_DATA + 0x2000
        call strcpy

        ; The EPT: PML4[0] -> PDPT[0] -> PD[0] (GPA 0-2 MiB), PD[2] (GPA 4-6 MiB).
        mov dword [EPT_PML4], EPT_PDPT | 7
        mov dword [EPT_PDPT], EPT_PD | 7
        mov dword [EPT_PD], EPT_PT_LOW | 7
        mov dword [EPT_PD + 2 * 8], EPT_PT_HIGH | 7
        mov edi, EPT_PT_LOW
        mov eax, EPT_RWX            ; 512 4 KiB pages at identity
        mov ecx, 512
.pte:   mov [edi], eax
        add edi, 8
        add eax, 0x1000
        loop .pte
        mov dword [EPT_PT_HIGH], L1_DATA | EPT_RX                ; GPA 0x400000, read-only
        mov dword [EPT_PT_HIGH + 2 * 8], (L1_DATA + 0x2000) | EPT_BAD ; GPA 0x402000

        mov esi, msg_hello
        call puts

        mov ecx, 0x3A               ; IA32_FEATURE_CONTROL: enable VMX outside SMX, lock
        rdmsr
        test eax, 1
        jnz .locked
        or eax, 5
        wrmsr
.locked:
        mov eax, cr4
        or eax, 0x2000              ; CR4.VMXE
        mov cr4, eax
        mov ecx, 0x480              ; the VMCS revision identifier heads both regions
        rdmsr
        and eax, 0x7FFFFFFF
        mov [VMXON_PAGE], eax
        mov [VMCS_PAGE], eax
        vmxon [vmxon_ptr]
        jbe fail_insn
        vmclear [vmcs_ptr]
        jbe fail_insn
        vmptrld [vmcs_ptr]
        jbe fail_insn

        mov ecx, 0x481              ; pin-based controls
        xor eax, eax
        call adjust
        mov ebx, 0x4000
        call vmw
        mov ecx, 0x482              ; primary: HLT exiting, activate secondary controls
        mov eax, (1 << 7) | (1 << 31)
        call adjust
        mov ebx, 0x4002
        call vmw
        mov ecx, 0x48B              ; secondary: enable EPT
        mov eax, 1 << 1
        call adjust
        mov ebx, 0x401E
        call vmw
        mov eax, EPTP
        mov ebx, 0x201A             ; EPT_POINTER
        call vmw
        xor eax, eax
        mov ebx, 0x201B             ; EPT_POINTER_HIGH
        call vmw
        mov ecx, 0x483              ; exit controls (a 32-bit host)
        xor eax, eax
        call adjust
        mov ebx, 0x400C
        call vmw
        mov ecx, 0x484              ; entry controls
        xor eax, eax
        call adjust
        mov ebx, 0x4012
        call vmw

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
        mov esi, guest_fields
        call vmw_table
        mov eax, cr0
        mov ebx, 0x6800             ; GUEST_CR0 (paging on, like ours)
        call vmw
        mov eax, GUEST_PD
        mov ebx, 0x6802             ; GUEST_CR3: its own page directory
        call vmw
        mov eax, cr4
        mov ebx, 0x6804             ; GUEST_CR4
        call vmw

        mov esi, msg_launch
        call puts
        vmlaunch
        jmp fail_insn

; ---- The VM-exit handler (HOST_RIP). The nested guest's registers are still in the CPU. ----
vm_exit:
        pushad                      ; the nested guest's EAX..EDI, back before VMRESUME
        mov ebx, 0x4402             ; VM_EXIT_REASON
        vmread eax, ebx
        mov esi, msg_exit
        call puts
        call putdec
        cmp eax, 48
        je .violation
        cmp eax, 49
        je .misconfig
        cmp eax, 12
        je .hlt
        mov esi, msg_unexpected
        call puts
        jmp stop

.violation:                         ; print qualification, GPA and guest-linear address
        mov esi, msg_qual
        call puts
        mov ebx, 0x6400             ; EXIT_QUALIFICATION
        vmread eax, ebx
        call puthex
        mov esi, msg_gpa
        call puts
        mov ebx, 0x2400             ; GUEST_PHYSICAL_ADDRESS
        vmread eax, ebx
        call puthex
        mov esi, msg_gla
        call puts
        mov ebx, 0x640A             ; GUEST_LINEAR_ADDRESS
        vmread eax, ebx
        call puthex
        call newline
        jmp .map

.misconfig:                         ; no qualification: only the GPA
        mov esi, msg_gpa
        call puts
        mov ebx, 0x2400
        vmread eax, ebx
        call puthex
        call newline

.map:   ; GPA 0x400000 + n*4 KiB -> L1_DATA + n*4 KiB, read/write/execute.
        mov ebx, 0x2400
        vmread eax, ebx
        sub eax, 0x400000
        cmp eax, 0x200000
        jae .outside
        and eax, 0x1FF000
        mov edx, eax
        shr edx, 12 - 3             ; the PTE's offset in EPT_PT_HIGH
        add eax, L1_DATA | EPT_RWX
        mov [EPT_PT_HIGH + edx], eax
        mov esi, msg_mapped
        call puts
        ; A changed entry may still be cached: INVEPT (single context) drops what was
        ; derived from this EPT.
        mov eax, 1
        invept eax, [invept_desc]
        jbe fail_insn
        popad
        vmresume
        jmp fail_insn
.outside:
        mov esi, msg_outside
        call puts
        jmp stop

.hlt:   ; The write went to our page; the EPT entry shows the accessed and dirty flags.
        call newline
        mov esi, msg_l1_page
        call puts
        mov esi, L1_DATA
        call puts
        call newline
        mov esi, msg_entry
        call puts
        mov eax, [EPT_PT_HIGH]
        call puthex
        call newline
        vmxoff
        jbe fail_insn
        mov esi, msg_vmxoff
        call puts
        jmp stop

; ---- The nested guest: 32-bit paging through its own page directory, then the EPT ----
guest:
        mov esi, msg_guest
        call puts
        mov edi, 0x800000           ; GPA 0x400000: mapped, read-only
        call show
        mov edi, 0x801000           ; GPA 0x401000: not mapped yet (EPT violation)
        call show
        mov edi, 0x802000           ; GPA 0x402000: a write-only entry (misconfiguration)
        call show
        mov byte [0x800000], '*'    ; a write to the read-only page (EPT violation)
        mov esi, msg_wrote
        call puts
        hlt                         ; a VM exit ("HLT exiting")
        jmp guest

show:                               ; EDI: a linear address; prints it and what it holds
        mov esi, msg_read
        call puts
        mov eax, edi
        call puthex
        mov esi, msg_holds
        call puts
        mov esi, edi
        call puts
        call newline
        ret

; ---- Helpers (used by both levels) ----
adjust:                             ; EAX = (wanted | allowed-0) & allowed-1 of MSR ECX
        push eax
        rdmsr
        pop ebx
        or ebx, eax
        and ebx, edx
        mov eax, ebx
        ret

vmw:                                ; VMWRITE field EBX := EAX
        vmwrite ebx, eax
        jbe fail_insn
        ret

vmw_table:                          ; (field, value) pairs at ESI until field 0xFFFFFFFF
        lodsd
        cmp eax, 0xFFFFFFFF
        je .done
        mov ebx, eax
        lodsd
        call vmw
        jmp vmw_table
.done:  ret

strcpy:                             ; ESI -> EDI, with the terminating zero
        lodsb
        stosb
        test al, al
        jnz strcpy
        ret

puts:                               ; ESI: zero-terminated string to port 0xE9
        push eax
.next:  lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp .next
.done:  pop eax
        ret

newline:
        push eax
        mov al, 10
        out 0xE9, al
        pop eax
        ret

puthex:                             ; EAX as 0x followed by hex digits, no leading zeros
        pushad
        mov ebx, eax
        mov al, '0'
        out 0xE9, al
        mov al, 'x'
        out 0xE9, al
        mov ecx, 8
        xor edx, edx                ; set once a digit has been printed
.digit: rol ebx, 4
        mov eax, ebx
        and eax, 0xF
        cmp ecx, 1
        je .print                   ; the last digit always prints
        test edx, edx
        jnz .print
        test eax, eax
        jz .skip
.print: mov edx, 1
        mov al, [hexdigits + eax]
        out 0xE9, al
.skip:  loop .digit
        popad
        ret

putdec:                             ; EAX (< 10000) in decimal
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
        popad
        ret

fail_insn:                          ; VMfailValid: the error number is in the current VMCS
        mov esi, msg_failed
        call puts
        mov ebx, 0x4400             ; VM_INSTRUCTION_ERROR
        vmread eax, ebx
        call putdec
        call newline
stop:
        mov dx, 0xF4                ; Ringside's exit port
        xor eax, eax
        out dx, eax
        cli
        hlt
        jmp stop

; ---- Data ----
align 8
vmxon_ptr:   dq VMXON_PAGE
vmcs_ptr:    dq VMCS_PAGE
invept_desc: dq EPTP, 0

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

hexdigits:     db "0123456789abcdef"
msg_hello:     db "ept-vmm: paging on, EPT built (GPA 0x400000 -> 0x300000)", 10, 0
msg_launch:    db "ept-vmm: VMLAUNCH with EPT", 10, 0
msg_exit:      db "ept-vmm: VM exit ", 0
msg_qual:      db ", qualification ", 0
msg_gpa:       db ", GPA ", 0
msg_gla:       db ", linear ", 0
msg_mapped:    db "ept-vmm: mapped the page, INVEPT, VMRESUME", 10, 0
msg_outside:   db "ept-vmm: a GPA this VMM does not map", 10, 0
msg_unexpected: db ": unexpected", 10, 0
msg_l1_page:   db "ept-vmm: its page 0x300000 now holds: ", 0
msg_entry:     db "ept-vmm: EPT entry of GPA 0x400000: ", 0
msg_vmxoff:    db "ept-vmm: VMXOFF", 10, 0
msg_failed:    db "ept-vmm: VMX instruction failed, error ", 0
msg_guest:     db "guest: running under EPT", 10, 0
msg_read:      db "guest: linear ", 0
msg_holds:     db " holds: ", 0
msg_wrote:     db "guest: wrote '*' at linear 0x800000", 10, 0
msg_page0:     db "page 0x300000 of the VMM", 0
msg_page1:     db "page 0x301000 of the VMM", 0
msg_page2:     db "page 0x302000 of the VMM", 0
