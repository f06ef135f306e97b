; Exceptions and event injection between a guest hypervisor and its nested guest: the
; exception bitmap makes the nested guest's #DE a VM exit (interruption information
; 0x80000300), VM entry injects an external interrupt (vector 0x20) through the nested guest's
; IDT, #UD in the nested guest without its bitmap bit is delivered to the guest's own handler,
; and a CR0 read sees the read shadow where the guest/host mask owns a bit.
; ringside: entry=real
%include "vmx_prologue.inc"

main:
        vmxon [p_vmxon]
        jbe fail
        vmclear [p_a]
        vmptrld [p_a]
        mov eax, guest
        mov ebx, on_exit
        call valid_vmcs
        mov eax, 1 << 0             ; exception bitmap: #DE only
        mov ebx, 0x4004
        call vmw
        mov eax, guest_idt          ; the nested guest has its own IDT
        mov ebx, 0x6818             ; GUEST_IDTR_BASE
        call vmw
        mov eax, guest_idt_end - guest_idt - 1
        mov ebx, 0x4812             ; GUEST_IDTR_LIMIT
        call vmw
        mov eax, 1 << 3             ; CR0.TS is the hypervisor's: the guest reads the shadow
        mov ebx, 0x6000             ; CR0_GUEST_HOST_MASK
        call vmw
        mov eax, 1 << 3
        mov ebx, 0x6004             ; CR0_READ_SHADOW: TS=1
        call vmw
        ; Build the guest IDT: vector 6 (#UD) and 0x20 as 32-bit interrupt gates.
        mov edi, guest_idt + 6 * 8
        mov eax, guest_ud
        call gate
        mov edi, guest_idt + 0x20 * 8
        mov eax, guest_irq
        call gate
        vmlaunch
        jmp fail

on_exit:
        mov esi, s_exit
        call puts
        mov ebx, 0x4402
        vmread eax, ebx
        call putdec
        mov esi, s_info
        call puts
        mov ebx, 0x4404             ; VM_EXIT_INTR_INFO
        vmread eax, ebx
        call puthex
        call newline
        mov ebx, 0x4402
        vmread eax, ebx
        cmp eax, 0
        je .exception
        cmp eax, 12
        je .hlt
        jmp fail
.exception:
        ; Skip the faulting DIV and inject external interrupt 0x20 on the way back in.
        mov ebx, 0x681E
        vmread eax, ebx
        add eax, 2                  ; div ecx is 2 bytes
        vmwrite ebx, eax
        mov ebx, 0x6820             ; GUEST_RFLAGS: an external interrupt needs IF=1
        vmread eax, ebx
        or eax, 1 << 9
        vmwrite ebx, eax
        mov eax, 0x80000020         ; valid, external interrupt, vector 0x20
        mov ebx, 0x4016             ; VM_ENTRY_INTR_INFO_FIELD
        vmwrite ebx, eax
        vmresume
        jmp fail
.hlt:
        vmxoff
        mov esi, s_done
        call puts
        jmp stop

fail:
        mov esi, s_fail
        call puts
        call status
        jmp stop

gate:                               ; EDI = IDT entry, EAX = handler
        mov [edi], ax
        mov word [edi + 2], 0x08
        mov word [edi + 4], 0x8E00
        shr eax, 16
        mov [edi + 6], ax
        ret

; ---- The nested guest ----
guest:
        mov esi, s_g_start
        call puts
        mov eax, cr0
        shr eax, 3
        and eax, 1
        mov esi, s_g_ts
        call puts
        call putdec
        call newline
        xor edx, edx
        xor ecx, ecx
        mov eax, 1
        div ecx                     ; #DE: in the bitmap, a VM exit
        mov esi, s_g_after
        call puts
        ud2                         ; #UD: not in the bitmap, the guest's own handler
        mov esi, s_g_after_ud
        call puts
        hlt
guest_ud:
        mov esi, s_g_ud
        call puts
        add dword [esp], 2          ; return past UD2
        iretd
guest_irq:
        mov esi, s_g_irq
        call puts
        iretd

align 8
p_vmxon:    dq VMXON_RGN
p_a:        dq REGION_A
guest_idt:  times 0x21 dq 0
guest_idt_end:
s_exit:     db "vmm: exit reason ", 0
s_info:     db " interruption info ", 0
s_done:     db "vmm: done", 10, 0
s_fail:     db "vmm: failed", 0
s_g_start:  db "guest: running", 10, 0
s_g_ts:     db "guest: CR0.TS reads ", 0
s_g_after:  db "guest: after the divide", 10, 0
s_g_ud:     db "guest: my #UD handler ran", 10, 0
s_g_after_ud: db "guest: after UD2", 10, 0
s_g_irq:    db "guest: interrupt 0x20 delivered", 10, 0

%include "vmx_fields.inc"
