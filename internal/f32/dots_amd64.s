//go:build amd64 && !purego

#include "textflag.h"

// PFDIST is how far ahead dotI8 asks for the codes it will read: the
// hardware prefetchers stop at a 4 KiB page's end, and a scan of 160 MB of
// codes spends most of its time waiting at each new page without this.
#define PFDIST 4096

// func cpuAVX2FMA() bool
TEXT ·cpuAVX2FMA(SB), NOSPLIT, $0-1
	MOVB $0, ret+0(FP)
	MOVL $0, AX
	CPUID
	CMPL AX, $7
	JLT  no
	MOVL $1, AX
	MOVL $0, CX
	CPUID
	// FMA (bit 12), OSXSAVE (bit 27), AVX (bit 28)
	ANDL $0x18001000, CX
	CMPL CX, $0x18001000
	JNE  no
	// the OS saves XMM and YMM state
	MOVL $0, CX
	XGETBV
	ANDL $6, AX
	CMPL AX, $6
	JNE  no
	// AVX2: leaf 7, EBX bit 5
	MOVL $7, AX
	MOVL $0, CX
	CPUID
	ANDL $0x20, BX
	JZ   no
	MOVB $1, ret+0(FP)
no:
	RET

// func dot4(x, c0, c1, c2, c3 *float32, n int, out *float32)
//
// Eight accumulators: Y0..Y3 take the even blocks of eight values, Y4..Y7
// the odd ones; the two halves are added, then each accumulator's lanes.
TEXT ·dot4(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ c0+8(FP), R8
	MOVQ c1+16(FP), R9
	MOVQ c2+24(FP), R10
	MOVQ c3+32(FP), R11
	MOVQ n+40(FP), CX
	MOVQ out+48(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-16, DX

loop16:
	CMPQ AX, DX
	JGE  rest8
	VMOVUPS     (SI)(AX*4), Y8
	VMOVUPS     32(SI)(AX*4), Y9
	VFMADD231PS (R8)(AX*4), Y8, Y0
	VFMADD231PS (R9)(AX*4), Y8, Y1
	VFMADD231PS (R10)(AX*4), Y8, Y2
	VFMADD231PS (R11)(AX*4), Y8, Y3
	VFMADD231PS 32(R8)(AX*4), Y9, Y4
	VFMADD231PS 32(R9)(AX*4), Y9, Y5
	VFMADD231PS 32(R10)(AX*4), Y9, Y6
	VFMADD231PS 32(R11)(AX*4), Y9, Y7
	ADDQ        $16, AX
	JMP         loop16

rest8:
	CMPQ AX, CX
	JGE  reduce
	VMOVUPS     (SI)(AX*4), Y8
	VFMADD231PS (R8)(AX*4), Y8, Y0
	VFMADD231PS (R9)(AX*4), Y8, Y1
	VFMADD231PS (R10)(AX*4), Y8, Y2
	VFMADD231PS (R11)(AX*4), Y8, Y3

reduce:
	VADDPS       Y4, Y0, Y0
	VADDPS       Y5, Y1, Y1
	VADDPS       Y6, Y2, Y2
	VADDPS       Y7, Y3, Y3
	VHADDPS      Y1, Y0, Y0
	VHADDPS      Y3, Y2, Y2
	VHADDPS      Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVUPS      X0, (DI)
	VZEROUPPER
	RET

// func dot1(x, c *float32, n int) float32
TEXT ·dot1(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ c+8(FP), R8
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y4, Y4, Y4
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-16, DX

loop16:
	CMPQ AX, DX
	JGE  rest8
	VMOVUPS     (SI)(AX*4), Y8
	VMOVUPS     32(SI)(AX*4), Y9
	VFMADD231PS (R8)(AX*4), Y8, Y0
	VFMADD231PS 32(R8)(AX*4), Y9, Y4
	ADDQ        $16, AX
	JMP         loop16

rest8:
	CMPQ AX, CX
	JGE  reduce
	VMOVUPS     (SI)(AX*4), Y8
	VFMADD231PS (R8)(AX*4), Y8, Y0

reduce:
	VADDPS       Y4, Y0, Y0
	VHADDPS      Y0, Y0, Y0
	VHADDPS      Y0, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	MOVSS        X0, ret+24(FP)
	VZEROUPPER
	RET

// func dotI8(q *int16, codes *int8, dim, rows int, out *int32)
//
// Per row: 16 codes at a time are widened to int16 (VPMOVSXBW), multiplied
// by q and summed in pairs to int32 (VPMADDWD); two accumulators take the
// even and odd blocks; then the eight lanes are added.
TEXT ·dotI8(SB), NOSPLIT, $0-40
	MOVQ q+0(FP), SI
	MOVQ codes+8(FP), R8
	MOVQ dim+16(FP), CX
	MOVQ rows+24(FP), R9
	MOVQ out+32(FP), DI
	MOVQ CX, DX
	ANDQ $-32, DX

row:
	TESTQ R9, R9
	JZ    done
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	XORQ  AX, AX
	PREFETCHT0 PFDIST(R8)
	PREFETCHT0 PFDIST+64(R8)
	PREFETCHT0 PFDIST+128(R8)

loop32:
	CMPQ      AX, DX
	JGE       rest16
	VPMOVSXBW (R8)(AX*1), Y2
	VPMOVSXBW 16(R8)(AX*1), Y3
	VPMADDWD  (SI)(AX*2), Y2, Y2
	VPMADDWD  32(SI)(AX*2), Y3, Y3
	VPADDD    Y2, Y0, Y0
	VPADDD    Y3, Y1, Y1
	ADDQ      $32, AX
	JMP       loop32

rest16:
	CMPQ      AX, CX
	JGE       reduce
	VPMOVSXBW (R8)(AX*1), Y2
	VPMADDWD  (SI)(AX*2), Y2, Y2
	VPADDD    Y2, Y0, Y0

reduce:
	VPADDD       Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0x4E, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xB1, X0, X1
	VPADDD       X1, X0, X0
	VMOVD        X0, (DI)
	ADDQ         CX, R8
	ADDQ         $4, DI
	DECQ         R9
	JMP          row

done:
	VZEROUPPER
	RET

// func aboveMask8(u float32, a, b, c *float32, n int, mask *uint8)
//
// Eight values at a time: (u > a-b) & (u > c), ordered comparisons (false
// for a NaN, as Go's >), their signs packed into a byte of the mask.
TEXT ·aboveMask8(SB), NOSPLIT, $0-48
	VBROADCASTSS u+0(FP), Y0
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ c+24(FP), BX
	MOVQ n+32(FP), CX
	MOVQ mask+40(FP), DI
	XORQ AX, AX
mloop:
	CMPQ AX, CX
	JGE  mdone
	VMOVUPS (SI)(AX*4), Y1
	VSUBPS  (DX)(AX*4), Y1, Y1
	VCMPPS  $0x1e, Y1, Y0, Y2
	VMOVUPS (BX)(AX*4), Y3
	VCMPPS  $0x1e, Y3, Y0, Y3
	VANDPS  Y2, Y3, Y2
	VMOVMSKPS Y2, R8
	MOVQ AX, R9
	SHRQ $3, R9
	MOVB R8, (DI)(R9*1)
	ADDQ $8, AX
	JMP  mloop
mdone:
	VZEROUPPER
	RET
