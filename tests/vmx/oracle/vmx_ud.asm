; VMX instructions outside VMX operation raise #UD (SDM: "IF not in VMX operation THEN #UD"),
; and so does VMXON with CR4.VMXE = 0. The #UD handler prints
; and skips the instruction.
; ringside: entry=real
%include "vmx_prologue.inc"

main:
        mov eax, ud_handler
        mov [idt + 6 * 8], ax
        mov word [idt + 6 * 8 + 2], 0x08
        mov word [idt + 6 * 8 + 4], 0x8E00
        shr eax, 16
        mov [idt + 6 * 8 + 6], ax
        lidt [idt_desc]
        mov esi, s_vmxoff
        call puts
        mov dword [skip], 3
        vmxoff                      ; 0F 01 C4: not in VMX operation
        mov esi, s_vmread
        call puts
        mov dword [skip], 3
        vmread eax, ebx             ; 0F 78 D8
        mov eax, cr4
        and eax, ~0x2000
        mov cr4, eax
        mov esi, s_vmxon
        call puts
        mov dword [skip], 8
        vmxon [p_vmxon]             ; F3 0F C7 35 disp32 (8 bytes): CR4.VMXE = 0
        mov esi, s_done
        call puts
        jmp stop

ud_handler:
        push eax
        push esi
        mov esi, s_ud
        call puts
        mov eax, [skip]
        add [esp + 8], eax          ; return past the instruction
        pop esi
        pop eax
        iretd

align 8
p_vmxon:  dq VMXON_RGN
skip:     dd 0
idt_desc: dw 7 * 8 - 1
          dd idt
idt:      times 7 dq 0
s_vmxoff: db "vmxoff outside VMX operation:", 0
s_vmread: db "vmread outside VMX operation:", 0
s_vmxon:  db "vmxon with CR4.VMXE=0:", 0
s_ud:     db " #UD", 10, 0
s_done:   db "done", 10, 0
