;; Exact int16 × int16 → int32 matrix product for the exact consensus loss (PROTOCOL.md §3.10).
;; gemm(w, x, out, rows, n, kb): w int16 [n, k], x int16 [rows, k], out int32 [rows, n];
;; kb = 2k bytes, a multiple of 16; rows a multiple of 4. Every partial sum is bounded by
;; Σ|w·x| < 2^31 (§3.10.3), so the int32 lanes cannot wrap whatever the order.
(module
  (memory (export "memory") 1)
  (func (export "gemm")
    (param $w i32) (param $x i32) (param $out i32) (param $rows i32) (param $n i32) (param $kb i32)
    (local $r i32) (local $o i32) (local $i i32) (local $wr i32) (local $x0 i32) (local $ob i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $wv v128)
    (local.set $ob (i32.shl (local.get $n) (i32.const 2)))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $kb))))
        (local.set $o (i32.const 0))
        (block $odone
          (loop $oloop
            (br_if $odone (i32.ge_u (local.get $o) (local.get $n)))
            (local.set $wr (i32.add (local.get $w) (i32.mul (local.get $o) (local.get $kb))))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $i (i32.const 0))
            (block $idone
              (loop $iloop
                (br_if $idone (i32.ge_u (local.get $i) (local.get $kb)))
                (local.set $wv (v128.load (i32.add (local.get $wr) (local.get $i))))
                (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (local.get $wv)
                  (v128.load (i32.add (local.get $x0) (local.get $i))))))
                (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (local.get $wv)
                  (v128.load (i32.add (i32.add (local.get $x0) (local.get $kb)) (local.get $i))))))
                (local.set $a2 (i32x4.add (local.get $a2) (i32x4.dot_i16x8_s (local.get $wv)
                  (v128.load (i32.add (i32.add (local.get $x0) (i32.shl (local.get $kb) (i32.const 1))) (local.get $i))))))
                (local.set $a3 (i32x4.add (local.get $a3) (i32x4.dot_i16x8_s (local.get $wv)
                  (v128.load (i32.add (i32.add (local.get $x0) (i32.mul (local.get $kb) (i32.const 3))) (local.get $i))))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $iloop)))
            (call $store (i32.add (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $ob))) (i32.shl (local.get $o) (i32.const 2))) (local.get $a0))
            (call $store (i32.add (i32.add (local.get $out) (i32.mul (i32.add (local.get $r) (i32.const 1)) (local.get $ob))) (i32.shl (local.get $o) (i32.const 2))) (local.get $a1))
            (call $store (i32.add (i32.add (local.get $out) (i32.mul (i32.add (local.get $r) (i32.const 2)) (local.get $ob))) (i32.shl (local.get $o) (i32.const 2))) (local.get $a2))
            (call $store (i32.add (i32.add (local.get $out) (i32.mul (i32.add (local.get $r) (i32.const 3)) (local.get $ob))) (i32.shl (local.get $o) (i32.const 2))) (local.get $a3))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br $oloop)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rloop))))
  ;; Stores the sum of the four lanes of $v at $p.
  (func $store (param $p i32) (param $v v128)
    (i32.store (local.get $p)
      (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
        (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))))
