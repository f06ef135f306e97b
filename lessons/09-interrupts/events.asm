; Interrupts, exceptions and event injection. A protected-mode guest with its own IDT:
;  1. divides by zero: #DE, handled by the guest's own handler;
;  2. turns paging on and touches a page that is not mapped: #PF, whose handler maps it and
;     returns to retry the access;
;  3. programs the 8254 timer and the 8259A, spins with interrupts on until the first timer
;     interrupt, then waits in HLT for two more;
;  4. runs with IF = 0 while the fourth interrupt arrives, then opens the window with STI.
; Which of these the VMM sees as VM exits depends on its VMCS: compare the kvm-like and
; shadow-paging profiles.
; Run it:  ringside run --trace /tmp/t.jsonl lessons/09-interrupts/events.asm
; ringside: entry=protected load=0x10000
bits 32
org 0x10000

PAGE_DIR equ 0x100000
PT_LOW   equ 0x101000               ; identity map of 0-4 MiB
PT_HIGH  equ 0x102000               ; filled in by the #PF handler
MISSING  equ 0x400000               ; not mapped until the #PF handler runs

start:
        mov esp, 0x90000
        mov eax, de_handler
        mov ebx, 0
        call set_gate
        mov eax, pf_handler
        mov ebx, 14
        call set_gate
        mov eax, timer_handler
        mov ebx, 0x20
        call set_gate
        lidt [idtr]

        ; 1. #DE: vector 0, a fault without an error code.
        mov eax, 1
        xor ecx, ecx
de_site:
        div ecx                         ; the handler skips these two bytes

        ; 2. #PF: 32-bit paging, 0-4 MiB identity-mapped, 4-8 MiB not present.
        mov edi, PAGE_DIR
        mov ecx, 3 * 1024
        xor eax, eax
        rep stosd
        mov dword [PAGE_DIR], PT_LOW | 3
        mov edi, PT_LOW
        mov eax, 3
        mov ecx, 1024
.map:   stosd
        add eax, 0x1000
        loop .map
        mov eax, PAGE_DIR
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
pf_site:
        mov dword [MISSING], 0x600d     ; #PF, error code 2 (write, not present)
        cmp dword [0x200000], 0x600d    ; the handler mapped VA 0x400000 to PA 0x200000
        jne fail

        ; 3. The timer: IRQ 0 at vector 0x20, channel 0 in mode 2, every 1000 ticks.
        mov al, 0x11
        out 0x20, al
        mov al, 0x20
        out 0x21, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x01
        out 0x21, al
        mov al, 0xFE                    ; only IRQ 0
        out 0x21, al
        mov al, 0x34
        out 0x43, al
        mov ax, 1000
        out 0x40, al
        mov al, ah
        out 0x40, al
        sti
.busy:  cmp dword [ticks], 1            ; running with IF = 1 when the first one comes
        jb .busy
.wait:  hlt                             ; sleeps until the next interrupt
        cmp dword [ticks], 3
        jb .wait

        ; 4. IF = 0 while the next interrupt becomes due: the VMM cannot inject it yet.
        cli
        xor ecx, ecx
.spin:  inc ecx
        cmp ecx, 1500
        jb .spin
        sti                             ; the window opens after the next instruction
        nop
        cli
        cmp dword [ticks], 4
        jne fail
        mov esi, msg_ok
        call print
        xor eax, eax
        out 0xF4, eax
fail:
        mov esi, msg_fail
        call print
        mov eax, 1
        out 0xF4, eax

set_gate:                               ; eax = handler, ebx = vector: 32-bit interrupt gate
        lea edi, [idt + ebx * 8]
        mov [edi], ax
        mov word [edi + 2], 0x08
        mov word [edi + 4], 0x8E00
        shr eax, 16
        mov [edi + 6], ax
        ret

de_handler:                             ; [esp] = EIP of the DIV (a fault: not yet done)
        add dword [esp], 2
        mov esi, msg_de
        call print
        iret

pf_handler:                             ; [esp] error code, [esp+4] EIP; CR2 = the address
        push eax
        mov eax, cr2
        cmp eax, MISSING
        jne fail
        mov dword [PAGE_DIR + 4], PT_HIGH | 3
        mov dword [PT_HIGH], 0x200000 | 3   ; VA 0x400000 -> PA 0x200000
        mov esi, msg_pf
        call print
        pop eax
        add esp, 4                      ; drop the error code; IRET retries the MOV
        iret

timer_handler:
        push eax
        inc dword [ticks]
        mov al, 0x20                    ; end of interrupt
        out 0x20, al
        pop eax
        iret

print:
        push eax
.next:  lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp .next
.done:  pop eax
        ret

msg_de:   db "guest: #DE handled", 10, 0
msg_pf:   db "guest: #PF handled, page mapped", 10, 0
msg_ok:   db "guest: four timer interrupts", 10, 0
msg_fail: db "guest: unexpected", 10, 0
align 4
ticks:  dd 0
idtr:   dw 256 * 8 - 1
        dd idt
align 8
idt:    times 256 dq 0
