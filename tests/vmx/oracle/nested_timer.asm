; The timer under a guest hypervisor: external-interrupt exiting with "acknowledge interrupt
; on exit" turns each timer interrupt into a VM exit (reason 1) whose interruption information
; carries the vector; the nested guest waits in STI; HLT. Then interrupt-window exiting: the
; nested guest runs with IF = 0, and the exit comes right after STI and the instruction it
; shadows.
; ringside: entry=real
%include "vmx_prologue.inc"

main:
        mov al, 0x11                ; the 8259A: IRQ 0 at vector 0x20, only IRQ 0 unmasked
        out 0x20, al
        mov al, 0x20
        out 0x21, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x01
        out 0x21, al
        mov al, 0xFE
        out 0x21, al
        mov al, 0x34                ; the 8254: channel 0, rate generator, count 0x4000
        out 0x43, al
        xor al, al
        out 0x40, al
        mov al, 0x40
        out 0x40, al

        vmxon [p_vmxon]
        vmclear [p_a]
        vmptrld [p_a]
        mov eax, guest_wait
        mov ebx, on_exit
        call valid_vmcs
        mov ecx, 0x482
        xor eax, eax                ; no HLT exiting: the guest really halts
        call adjust
        mov ebx, 0x4002
        call vmw
        mov ecx, 0x481
        mov eax, 1                  ; external-interrupt exiting
        call adjust
        mov ebx, 0x4000
        call vmw
        mov ecx, 0x483
        mov eax, 1 << 15            ; acknowledge interrupt on exit
        call adjust
        mov ebx, 0x400C
        call vmw
        vmlaunch
        mov esi, s_fail
        call puts
        call status
        jmp stop

on_exit:
        mov esi, s_exit
        call puts
        mov ebx, 0x4402
        vmread eax, ebx
        call putdec
        mov esi, s_info
        call puts
        mov ebx, 0x4404
        vmread eax, ebx
        call puthex
        call newline
        mov al, 0x20                ; the interrupt was acknowledged: end it at the PIC
        out 0x20, al
        inc dword [exits]
        cmp dword [exits], 2
        jb .resume
        je .window
        ; After the window exit: where did it happen?
        mov esi, s_at
        call puts
        mov ebx, 0x681E
        vmread eax, ebx
        sub eax, guest_sti
        call putdec
        call newline
        vmxoff
        mov esi, s_done
        call puts
        jmp stop
.window:
        ; No more external-interrupt exiting (mask the timer); ask for the interrupt window
        ; and restart the guest with IF = 0 in code that executes STI.
        mov al, 0xFF
        out 0x21, al
        mov ecx, 0x482
        mov eax, (1 << 7) | (1 << 2) ; HLT exiting, interrupt-window exiting
        call adjust
        mov ebx, 0x4002
        call vmw
        mov eax, guest_sti
        mov ebx, 0x681E
        call vmw
        mov eax, 2
        mov ebx, 0x6820
        call vmw
        mov eax, 0
        mov ebx, 0x4826             ; active (the guest may have been halted)
        call vmw
.resume:
        vmresume
        mov esi, s_fail
        call puts
        call status
        jmp stop

guest_wait:
        sti
        hlt
        jmp guest_wait
guest_sti:
        nop
        sti
        nop                         ; the window opens after this one
        nop
        hlt

align 8
p_vmxon: dq VMXON_RGN
p_a:     dq REGION_A
exits:   dd 0
s_exit:  db "vmm: exit reason ", 0
s_info:  db " interruption info ", 0
s_fail:  db "vmm: VM entry failed", 0
s_done:  db "vmm: done", 10, 0
s_at:    db "vmm: window exit at guest_sti+", 0

%include "vmx_fields.inc"
