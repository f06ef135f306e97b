; The smallest useful KVM guest, after the example in the kernel's KVM API documentation:
; add two numbers, write the digit to the serial port, halt. On KVM each OUT leaves KVM_RUN
; with KVM_EXIT_IO (the kernel cannot emulate COM1, so userspace does), and HLT with
; KVM_EXIT_HLT. Run it:  ringside run --backend auto lessons/13-kvm/kvm_guest.asm
; ringside: entry=real
bits 16
org 0x7C00

start:
        mov dx, 0x3F8                   ; COM1's transmit register
        mov al, '2'
        mov bl, 2
        add al, bl                      ; '2' + 2 = '4'
        out dx, al                      ; KVM_EXIT_IO: direction out, size 1, port 0x3F8
        mov al, 10
        out dx, al                      ; a newline
        hlt                             ; KVM_EXIT_HLT
