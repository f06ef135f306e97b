; Lab 13 · KVM and the run loop — reference solution.
; Computes 7 + 5 in registers and prints "12" and a newline on COM1, then halts. Three
; KVM_EXIT_IO (one per byte) and one KVM_EXIT_HLT on KVM; the same exits, modelled, on emu.
; Run it:  ringside run --backend auto --trace /tmp/l13.jsonl courseware/labs/13-kvm/solution.asm
;          ringside diff courseware/labs/13-kvm/solution.asm
; ringside: entry=real
bits 16
org 0x7C00

start:
        mov dx, 0x3F8
        mov al, 7
        add al, 5                       ; AL = 12
;; >>> TODO 1: print AL as two decimal digits ('1', '2'), one OUT each
        aam                             ; AH = AL / 10, AL = AL % 10
        add ax, 0x3030                  ; both to ASCII
        xchg al, ah
        out dx, al                      ; tens
        mov al, ah
        out dx, al                      ; units
;; <<<
        mov al, 10
        out dx, al
        hlt
