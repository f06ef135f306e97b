; Lab example: sum an array, report it, and watch the VM exits it causes.
;
; On entry (real mode, CS=DS=0):  ECX = how many numbers, ESI = where they are (16-bit words).
; Your guest must:
;   1. add the numbers and store the 32-bit sum at 0x9100;
;   2. execute CPUID once (eax = 0) — a VM exit every VT-x monitor takes;
;   3. print "sum=N" and a newline on the debug console (port 0xE9), N in decimal;
;   4. stop by writing 0 to the exit port (out 0xF4, eax).
; Check your work:  ringside grade courseware/labs/example/lab.toml sum.asm
; ringside: entry=real
bits 16
org 0x7C00

start:
        cli
        xor ax, ax
        mov ds, ax
        ; your code here
        hlt
