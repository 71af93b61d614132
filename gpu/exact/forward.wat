;; The whole exact forward pass of PROTOCOL.md PROTOCOL 3.10 as WebAssembly kernels over buffers that stay
;; resident in this module's memory (activations never leave it between steps). The host
;; (wasm_forward.ts) lays out the buffers and calls the kernels in the order of PROTOCOL 3.10.6.
;; Every kernel is the integer function of gpu/exact/forward.ts (the readable reference) in
;; i32/i64 arithmetic; the bounds that make each width sufficient are the ones stated there.
;; Memory bytes [0, 1028): the exp2 table T[0..256] (i32), written by the host.
(module
  (memory (export "memory") 1)

  ;; rshr(x, n) = floor((x + 2^(n-1)) / 2^n) for n >= 1, x for n <= 0 (|x| < 2^52, so n >= 53 gives 0).
  (func $rshr (param $x i64) (param $n i32) (result i64)
    (if (result i64) (i32.le_s (local.get $n) (i32.const 0))
      (then (local.get $x))
      (else
        (if (result i64) (i32.ge_s (local.get $n) (i32.const 63))
          (then (i64.const 0))
          (else
            (i64.shr_s
              (i64.add (local.get $x)
                (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (local.get $n) (i32.const 1)))))
              (i64.extend_i32_u (local.get $n))))))))

  ;; clamp(x, m) to [-m, m].
  (func $clamp (param $x i64) (param $m i64) (result i64)
    (if (result i64) (i64.gt_s (local.get $x) (local.get $m))
      (then (local.get $m))
      (else
        (if (result i64) (i64.lt_s (local.get $x) (i64.sub (i64.const 0) (local.get $m)))
          (then (i64.sub (i64.const 0) (local.get $m)))
          (else (local.get $x))))))

  ;; shift(x, n, M) of PROTOCOL 3.10.1 for |x| < 2^31, M < 2^31: |x*2^k| >= 2^31 > M once k >= 31.
  (func $shiftClamp (param $x i32) (param $n i32) (param $m i32) (result i32)
    (if (result i32) (i32.eqz (local.get $x))
      (then (i32.const 0))
      (else
        (if (result i32) (i32.gt_s (local.get $n) (i32.const 0))
          (then
            (i32.wrap_i64 (call $clamp (call $rshr (i64.extend_i32_s (local.get $x)) (local.get $n))
              (i64.extend_i32_u (local.get $m)))))
          (else
            (if (result i32) (i32.ge_s (i32.sub (i32.const 0) (local.get $n)) (i32.const 31))
              (then
                (select (local.get $m) (i32.sub (i32.const 0) (local.get $m))
                  (i32.gt_s (local.get $x) (i32.const 0))))
              (else
                (i32.wrap_i64 (call $clamp
                  (i64.shl (i64.extend_i32_s (local.get $x))
                    (i64.extend_i32_u (i32.sub (i32.const 0) (local.get $n))))
                  (i64.extend_i32_u (local.get $m)))))))))))

  ;; expNeg(y) = e^(-y/2^12) in Q30 for 0 <= y <= 65535 (PROTOCOL 3.10.5).
  (func $expNeg (param $y i32) (result i32)
    (local $x i32) (local $i i32) (local $f i32) (local $ta i32) (local $a i32) (local $b i32)
    (local $v i32)
    (local.set $x (i32.wrap_i64 (i64.shr_s
      (i64.add (i64.mul (i64.extend_i32_u (local.get $y)) (i64.const 47274)) (i64.const 1024))
      (i64.const 11))))
    (local.set $i (i32.shr_u (local.get $x) (i32.const 16)))
    (local.set $f (i32.and (local.get $x) (i32.const 65535)))
    (local.set $ta (i32.shl (i32.shr_u (local.get $f) (i32.const 8)) (i32.const 2)))
    (local.set $a (i32.load (local.get $ta)))
    (local.set $b (i32.load offset=4 (local.get $ta)))
    (local.set $v (i32.sub (local.get $a)
      (i32.shr_s
        (i32.add (i32.mul (i32.sub (local.get $a) (local.get $b))
          (i32.and (local.get $f) (i32.const 255))) (i32.const 128))
        (i32.const 8))))
    (if (result i32) (i32.eqz (local.get $i))
      (then (local.get $v))
      (else
        (i32.shr_s
          (i32.add (local.get $v) (i32.shl (i32.const 1) (i32.sub (local.get $i) (i32.const 1))))
          (local.get $i)))))

  ;; sigma+(y/2^12) in Q14 for 0 <= y <= 65535 (PROTOCOL 3.10.5): floor((2^45 + D)/(2D)), D = 2^30 + expNeg(y).
  (func $sigmoidPos (param $y i32) (result i32)
    (local $den i64)
    (local.set $den (i64.add (i64.const 1073741824) (i64.extend_i32_u (call $expNeg (local.get $y)))))
    (i32.wrap_i64 (i64.div_u
      (i64.add (i64.const 35184372088832) (local.get $den))
      (i64.shl (local.get $den) (i64.const 1)))))

  ;; The address of the sigma+ table (65536 u16, written by sigmoidTable).
  (global $sigTable (mut i32) (i32.const 0))

  ;; Tabulates sigma+(y) for every y in [0, 65535] at $at (128 KiB): the sigmoids of gru and swiglu
  ;; then cost one load instead of an exp and a 64-bit division (the table is the same function).
  (func (export "sigmoidTable") (param $at i32)
    (local $y i32)
    (global.set $sigTable (local.get $at))
    (block $d (loop $l
      (br_if $d (i32.gt_u (local.get $y) (i32.const 65535)))
      (i32.store16 (i32.add (local.get $at) (i32.shl (local.get $y) (i32.const 1)))
        (call $sigmoidPos (local.get $y)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $l))))

  ;; sigma(k/2^12) in Q14 (PROTOCOL 3.10.5): sigma+(min(|k|, 65535)) for k >= 0, 2^14 - that for k < 0.
  (func $sigmoid (param $k i32) (result i32)
    (local $y i32) (local $sp i32)
    (local.set $y (select (i32.sub (i32.const 0) (local.get $k)) (local.get $k)
      (i32.lt_s (local.get $k) (i32.const 0))))
    (if (i32.gt_u (local.get $y) (i32.const 65535)) (then (local.set $y (i32.const 65535))))
    (local.set $sp (i32.load16_u (i32.add (global.get $sigTable) (i32.shl (local.get $y) (i32.const 1)))))
    (select (local.get $sp) (i32.sub (i32.const 16384) (local.get $sp))
      (i32.ge_s (local.get $k) (i32.const 0))))

  ;; floor(sqrtn) for 0 <= n < 2^53.
  (func $isqrt (param $n i64) (result i64)
    (local $r i64)
    (local.set $r (i64.trunc_f64_u (f64.sqrt (f64.convert_i64_u (local.get $n)))))
    (block $d1 (loop $l1
      (br_if $d1 (i64.le_u (i64.mul (local.get $r) (local.get $r)) (local.get $n)))
      (local.set $r (i64.sub (local.get $r) (i64.const 1)))
      (br $l1)))
    (block $d2 (loop $l2
      (br_if $d2 (i64.gt_u
        (i64.mul (i64.add (local.get $r) (i64.const 1)) (i64.add (local.get $r) (i64.const 1)))
        (local.get $n)))
      (local.set $r (i64.add (local.get $r) (i64.const 1)))
      (br $l2)))
    (local.get $r))

  ;; log2(S) in Q24 for 1 <= S < 2^53 by repeated squaring (PROTOCOL 3.10.5).
  (func $log2Q24 (param $s i64) (result i64)
    (local $b i32) (local $x i64) (local $out i64) (local $i i32)
    (local.set $b (i32.sub (i32.const 64) (i32.wrap_i64 (i64.clz (local.get $s)))))
    (local.set $x
      (if (result i64) (i32.ge_s (local.get $b) (i32.const 26))
        (then (i64.shr_u (local.get $s) (i64.extend_i32_u (i32.sub (local.get $b) (i32.const 26)))))
        (else (i64.shl (local.get $s) (i64.extend_i32_u (i32.sub (i32.const 26) (local.get $b)))))))
    (local.set $out (i64.shl (i64.extend_i32_u (i32.sub (local.get $b) (i32.const 1))) (i64.const 24)))
    (local.set $i (i32.const 1))
    (block $d (loop $l
      (br_if $d (i32.gt_s (local.get $i) (i32.const 24)))
      (local.set $x (i64.shr_u (i64.mul (local.get $x) (local.get $x)) (i64.const 25)))
      (if (i64.ge_u (local.get $x) (i64.const 67108864))
        (then
          (local.set $x (i64.shr_u (local.get $x) (i64.const 1)))
          (local.set $out (i64.add (local.get $out)
            (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (i32.const 24) (local.get $i))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $out))

  ;; The largest |v[i]| (unsigned) of n i32 values at $p, four lanes at a time.
  (func $maxAbs (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $mv v128) (local $m i32) (local $a i32)
    (block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
      (local.set $mv (i32x4.max_u (local.get $mv)
        (i32x4.abs (v128.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $vl)))
    (local.set $m (i32x4.extract_lane 0 (local.get $mv)))
    (if (i32.gt_u (i32x4.extract_lane 1 (local.get $mv)) (local.get $m)) (then (local.set $m (i32x4.extract_lane 1 (local.get $mv)))))
    (if (i32.gt_u (i32x4.extract_lane 2 (local.get $mv)) (local.get $m)) (then (local.set $m (i32x4.extract_lane 2 (local.get $mv)))))
    (if (i32.gt_u (i32x4.extract_lane 3 (local.get $mv)) (local.get $m)) (then (local.set $m (i32x4.extract_lane 3 (local.get $mv)))))
    (block $td (loop $tl
      (br_if $td (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $a (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
      (if (i32.lt_s (local.get $a) (i32.const 0)) (then (local.set $a (i32.sub (i32.const 0) (local.get $a)))))
      (if (i32.gt_u (local.get $a) (local.get $m)) (then (local.set $m (local.get $a))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $tl)))
    (local.get $m))

  ;; RMSNorm (PROTOCOL 3.10.4) of `rows` rows of width d at $h (Q16) into $out (Q12); when $conv != 0
  ;; the output is the conv input instead: clamp(rshr(xn, 4), 2^14 - 1) (Q8). h' is parked in $out.
  ;; Four lanes at a time: h' by the exact i32 rounding shift of quant (|h| < 2^30, |h'| <= 2^15),
  ;; sum h'^2 in i64 lanes; xn = floor(h'*(g*2^-24) + 1/2) in binary64, exact: |h'*g| < 2^43 and
  ;; g*2^-24 is g scaled by a power of two, so the product and the sum with 1/2 need at most 44
  ;; significant bits; |xn| < 2^20, so the conversion back to i32 is exact too.
  (func (export "rmsnorm")
    (param $h i32) (param $out i32) (param $rows i32) (param $d i32) (param $sqd i32) (param $conv i32)
    (local $r i32) (local $i i32) (local $hp i32) (local $op i32) (local $m i32) (local $a i32)
    (local $sh i32) (local $s i64) (local $j i32) (local $g i64) (local $y i32)
    (local $v v128) (local $s2 v128) (local $one v128) (local $gs v128) (local $half v128)
    (local $lo v128) (local $hi v128) (local $nmx v128) (local $nmn v128) (local $cmx v128) (local $cmn v128)
    (local.set $one (i32x4.splat (i32.const 1)))
    (local.set $half (f64x2.splat (f64.const 0.5)))
    (local.set $nmx (i32x4.splat (i32.const 524287)))
    (local.set $nmn (i32x4.splat (i32.const -524287)))
    (local.set $cmx (i32x4.splat (i32.const 16383)))
    (local.set $cmn (i32x4.splat (i32.const -16383)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $hp (i32.add (local.get $h) (i32.shl (i32.mul (local.get $r) (local.get $d)) (i32.const 2))))
      (local.set $op (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $d)) (i32.const 2))))
      (local.set $m (call $maxAbs (local.get $hp) (local.get $d)))
      (if (i32.eqz (local.get $m))
        (then (memory.fill (local.get $op) (i32.const 0) (i32.shl (local.get $d) (i32.const 2))))
        (else
          (local.set $sh (i32.sub (i32.sub (i32.const 32) (i32.clz (local.get $m))) (i32.const 15)))
          (local.set $s2 (v128.const i64x2 0 0))
          (local.set $i (i32.const 0))
          (block $sd (loop $sl
            (br_if $sd (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $d)))
            (local.set $v (v128.load (i32.add (local.get $hp) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $v (if (result v128) (i32.gt_s (local.get $sh) (i32.const 0))
              (then (i32x4.add (i32x4.shr_s (local.get $v) (local.get $sh))
                (v128.and (i32x4.shr_s (local.get $v) (i32.sub (local.get $sh) (i32.const 1))) (local.get $one))))
              (else (i32x4.shl (local.get $v) (i32.sub (i32.const 0) (local.get $sh))))))
            (v128.store (i32.add (local.get $op) (i32.shl (local.get $i) (i32.const 2))) (local.get $v))
            (local.set $s2 (i64x2.add (local.get $s2) (i64x2.add
              (i64x2.extmul_low_i32x4_s (local.get $v) (local.get $v))
              (i64x2.extmul_high_i32x4_s (local.get $v) (local.get $v)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $sl)))
          (local.set $s (i64.add (i64x2.extract_lane 0 (local.get $s2)) (i64x2.extract_lane 1 (local.get $s2))))
          (block $td (loop $tl
            (br_if $td (i32.ge_u (local.get $i) (local.get $d)))
            (local.set $a (i32.load (i32.add (local.get $hp) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $a (if (result i32) (i32.gt_s (local.get $sh) (i32.const 0))
              (then (i32.add (i32.shr_s (local.get $a) (local.get $sh))
                (i32.and (i32.shr_s (local.get $a) (i32.sub (local.get $sh) (i32.const 1))) (i32.const 1))))
              (else (i32.shl (local.get $a) (i32.sub (i32.const 0) (local.get $sh))))))
            (i32.store (i32.add (local.get $op) (i32.shl (local.get $i) (i32.const 2))) (local.get $a))
            (local.set $s (i64.add (local.get $s) (i64.mul (i64.extend_i32_s (local.get $a)) (i64.extend_i32_s (local.get $a)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $tl)))
          (local.set $s (i64.add (local.get $s)
            (call $rshr (i64.const 46116860184274) (i32.add (i32.const 30) (i32.shl (local.get $sh) (i32.const 1))))))
          (local.set $j (i32.const 0))
          (block $jd (loop $jl
            (br_if $jd (i64.ge_u
              (i64.shl (local.get $s) (i64.extend_i32_u (i32.shl (local.get $j) (i32.const 1))))
              (i64.const 17592186044416)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jl)))
          (local.set $g (i64.div_u
            (i64.shl (i64.extend_i32_u (local.get $sqd)) (i64.extend_i32_u (i32.add (local.get $j) (i32.const 16))))
            (call $isqrt (i64.shl (local.get $s) (i64.extend_i32_u (i32.shl (local.get $j) (i32.const 1)))))))
          (local.set $gs (f64x2.splat (f64.mul (f64.convert_i64_s (local.get $g)) (f64.const 0x1p-24))))
          (local.set $i (i32.const 0))
          (block $od (loop $ol
            (br_if $od (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $d)))
            (local.set $v (v128.load (i32.add (local.get $op) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $lo (f64x2.floor (f64x2.add (local.get $half)
              (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $v)) (local.get $gs)))))
            (local.set $hi (f64x2.floor (f64x2.add (local.get $half)
              (f64x2.mul (f64x2.convert_low_i32x4_s
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))
                (local.get $gs)))))
            (local.set $v (i32x4.max_s (i32x4.min_s
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (i32x4.trunc_sat_f64x2_s_zero (local.get $lo)) (i32x4.trunc_sat_f64x2_s_zero (local.get $hi)))
              (local.get $nmx)) (local.get $nmn)))
            (if (local.get $conv)
              (then (local.set $v (i32x4.max_s (i32x4.min_s
                (i32x4.add (i32x4.shr_s (local.get $v) (i32.const 4))
                  (v128.and (i32x4.shr_s (local.get $v) (i32.const 3)) (local.get $one)))
                (local.get $cmx)) (local.get $cmn)))))
            (v128.store (i32.add (local.get $op) (i32.shl (local.get $i) (i32.const 2))) (local.get $v))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $ol)))
          (block $ud (loop $ul
            (br_if $ud (i32.ge_u (local.get $i) (local.get $d)))
            (local.set $y (i32.trunc_sat_f64_s (f64.floor (f64.add (f64.const 0.5) (f64.mul
              (f64.convert_i32_s (i32.load (i32.add (local.get $op) (i32.shl (local.get $i) (i32.const 2)))))
              (f64x2.extract_lane 0 (local.get $gs)))))))
            (if (i32.gt_s (local.get $y) (i32.const 524287)) (then (local.set $y (i32.const 524287))))
            (if (i32.lt_s (local.get $y) (i32.const -524287)) (then (local.set $y (i32.const -524287))))
            (if (local.get $conv)
              (then
                (local.set $y (i32.add (i32.shr_s (local.get $y) (i32.const 4))
                  (i32.and (i32.shr_s (local.get $y) (i32.const 3)) (i32.const 1))))
                (if (i32.gt_s (local.get $y) (i32.const 16383)) (then (local.set $y (i32.const 16383))))
                (if (i32.lt_s (local.get $y) (i32.const -16383)) (then (local.set $y (i32.const -16383))))))
            (i32.store (i32.add (local.get $op) (i32.shl (local.get $i) (i32.const 2))) (local.get $y))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $ul)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; Per-row activation quantisation (PROTOCOL 3.10.3) of `rows` i32 rows of width k at $v into int16 rows
  ;; of width kp (zero-padded) at $x, the shifts into $shp; rows rows..rowsPad are zero. Eight values
  ;; at a time: rshr(v, sh) = (v >> sh) + ((v >> (sh - 1)) & 1) for sh >= 1 (v = q*2^sh + t with
  ;; 0 <= t < 2^sh: the rounding adds one exactly when t >= 2^(sh-1), i.e. bit sh-1 of v is set),
  ;; with no 64-bit intermediate; the clamped values fit int16, so the saturating narrow is exact.
  (func (export "quant")
    (param $v i32) (param $x i32) (param $shp i32) (param $rows i32) (param $rowsPad i32)
    (param $k i32) (param $kp i32) (param $bits i32)
    (local $r i32) (local $i i32) (local $vp i32) (local $xp i32) (local $m i32) (local $a i32)
    (local $sh i32) (local $max i32) (local $maxv v128) (local $minv v128) (local $one v128)
    (local $a0 v128) (local $a1 v128)
    (local.set $max (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $bits) (i32.const 1))) (i32.const 1)))
    (local.set $maxv (i32x4.splat (local.get $max)))
    (local.set $minv (i32x4.splat (i32.sub (i32.const 0) (local.get $max))))
    (local.set $one (i32x4.splat (i32.const 1)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rowsPad)))
      (local.set $xp (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $kp)) (i32.const 1))))
      (local.set $vp (i32.add (local.get $v) (i32.shl (i32.mul (local.get $r) (local.get $k)) (i32.const 2))))
      (local.set $m (i32.const 0))
      (if (i32.lt_u (local.get $r) (local.get $rows))
        (then (local.set $m (call $maxAbs (local.get $vp) (local.get $k)))))
      (if (i32.eqz (local.get $m))
        (then
          (i32.store (i32.add (local.get $shp) (i32.shl (local.get $r) (i32.const 2))) (i32.const 0))
          (memory.fill (local.get $xp) (i32.const 0) (i32.shl (local.get $kp) (i32.const 1))))
        (else
          (local.set $sh (i32.sub (i32.sub (i32.const 32) (i32.clz (local.get $m)))
            (i32.sub (local.get $bits) (i32.const 1))))
          (i32.store (i32.add (local.get $shp) (i32.shl (local.get $r) (i32.const 2))) (local.get $sh))
          (memory.fill (i32.add (local.get $xp) (i32.shl (local.get $k) (i32.const 1))) (i32.const 0)
            (i32.shl (i32.sub (local.get $kp) (local.get $k)) (i32.const 1)))
          (local.set $i (i32.const 0))
          (if (i32.gt_s (local.get $sh) (i32.const 0))
            (then
              (block $qd (loop $ql
                (br_if $qd (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $k)))
                (local.set $a0 (v128.load (i32.add (local.get $vp) (i32.shl (local.get $i) (i32.const 2)))))
                (local.set $a1 (v128.load offset=16 (i32.add (local.get $vp) (i32.shl (local.get $i) (i32.const 2)))))
                (local.set $a0 (i32x4.add (i32x4.shr_s (local.get $a0) (local.get $sh))
                  (v128.and (i32x4.shr_s (local.get $a0) (i32.sub (local.get $sh) (i32.const 1))) (local.get $one))))
                (local.set $a1 (i32x4.add (i32x4.shr_s (local.get $a1) (local.get $sh))
                  (v128.and (i32x4.shr_s (local.get $a1) (i32.sub (local.get $sh) (i32.const 1))) (local.get $one))))
                (v128.store (i32.add (local.get $xp) (i32.shl (local.get $i) (i32.const 1)))
                  (i16x8.narrow_i32x4_s
                    (i32x4.max_s (i32x4.min_s (local.get $a0) (local.get $maxv)) (local.get $minv))
                    (i32x4.max_s (i32x4.min_s (local.get $a1) (local.get $maxv)) (local.get $minv))))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $ql)))
              (block $td (loop $tl
                (br_if $td (i32.ge_u (local.get $i) (local.get $k)))
                (local.set $a (i32.load (i32.add (local.get $vp) (i32.shl (local.get $i) (i32.const 2)))))
                (local.set $a (i32.add (i32.shr_s (local.get $a) (local.get $sh))
                  (i32.and (i32.shr_s (local.get $a) (i32.sub (local.get $sh) (i32.const 1))) (i32.const 1))))
                (if (i32.gt_s (local.get $a) (local.get $max)) (then (local.set $a (local.get $max))))
                (if (i32.lt_s (local.get $a) (i32.sub (i32.const 0) (local.get $max)))
                  (then (local.set $a (i32.sub (i32.const 0) (local.get $max)))))
                (i32.store16 (i32.add (local.get $xp) (i32.shl (local.get $i) (i32.const 1))) (local.get $a))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $tl))))
            (else
              ;; |v| < 2^(bits-1-(-sh)): v*2^(-sh) fits without clamping
              (local.set $sh (i32.sub (i32.const 0) (local.get $sh)))
              (block $pd (loop $pl
                (br_if $pd (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $k)))
                (v128.store (i32.add (local.get $xp) (i32.shl (local.get $i) (i32.const 1)))
                  (i16x8.narrow_i32x4_s
                    (i32x4.shl (v128.load (i32.add (local.get $vp) (i32.shl (local.get $i) (i32.const 2)))) (local.get $sh))
                    (i32x4.shl (v128.load offset=16 (i32.add (local.get $vp) (i32.shl (local.get $i) (i32.const 2)))) (local.get $sh))))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $pl)))
              (block $ud (loop $ul
                (br_if $ud (i32.ge_u (local.get $i) (local.get $k)))
                (i32.store16 (i32.add (local.get $xp) (i32.shl (local.get $i) (i32.const 1)))
                  (i32.shl (i32.load (i32.add (local.get $vp) (i32.shl (local.get $i) (i32.const 2)))) (local.get $sh)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $ul)))))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; A projection: the products acc[r, o] = sum_i w[o, i]*x[r, i] for x int16 [rows, kp] (kb = 2kp
  ;; bytes, a multiple of 32; rows a multiple of 3) and w packed by the host (wasm_forward.ts
  ;; packLinear) in groups of 12 outputs (n a multiple of 12): for each input pair (i, i+1), three
  ;; vectors of four outputs [w[o, i], w[o, i+1]] x 4, so x[r, i..i+1] splatted to every lane gives
  ;; four outputs' partial sums in one dot product. Every partial sum is bounded by
  ;; sum |w*x| < 2^31 (PROTOCOL 3.10.3), so the int32 lanes cannot wrap whatever the order.
  ;; Each block of 48 outputs is requantised (requant, with exp, shp, fDiff, max, residual) as soon
  ;; as every row has passed, while its accumulators ($acc, [rows, 48]) are still in cache: outputs
  ;; [0, split) of the first `live` rows go to $out (row stride split), outputs [split, nReal) to
  ;; $out2 (row stride nReal - split); padding rows and outputs are never written.
  ;; Register blocking: 3 rows x 12 outputs = 9 accumulators, 3 weight vectors and one splat
  ;; (13 live vectors, within x64's 16; 4 x 12 needs 16 and measured slower), so every weight load
  ;; feeds 3 dot products and every splat 3; the input loop is unrolled 8 pairs with constant offsets.
  ;; Outputs in blocks of 48 (the block's packed weights, 48kb bytes, stay in L1/L2 while every
  ;; row passes). No horizontal sums: each accumulator is four finished outputs.
  (func (export "linear") (param $w i32) (param $x i32) (param $acc i32) (param $rows i32) (param $n i32) (param $kb i32)
    (param $live i32) (param $nReal i32) (param $exp i32) (param $shp i32) (param $fDiff i32) (param $max i32)
    (param $residual i32) (param $out i32) (param $split i32) (param $out2 i32)
    (local $ob0 i32) (local $ob1 i32) (local $r i32) (local $o i32) (local $i i32) (local $wp i32) (local $rs i32) (local $op i32)
    (local $lo i32) (local $hi i32)
    (local $x0 i32) (local $x1 i32) (local $x2 i32)
    (local $a0_0 v128) (local $a0_1 v128) (local $a0_2 v128) (local $a1_0 v128) (local $a1_1 v128) (local $a1_2 v128) (local $a2_0 v128) (local $a2_1 v128) (local $a2_2 v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $s v128)
    (local.set $rs (i32.const 192))
    (block $bd (loop $bl
    (br_if $bd (i32.ge_u (local.get $ob0) (local.get $n)))
    (local.set $ob1 (select (local.get $n) (i32.add (local.get $ob0) (i32.const 48)) (i32.gt_u (i32.add (local.get $ob0) (i32.const 48)) (local.get $n))))
    (local.set $r (i32.const 0))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $kb))))
      (local.set $x1 (i32.add (local.get $x0) (local.get $kb)))
      (local.set $x2 (i32.add (local.get $x1) (local.get $kb)))
      (local.set $o (local.get $ob0))
      (block $od (loop $ol
        (br_if $od (i32.ge_u (local.get $o) (local.get $ob1)))
        (local.set $wp (i32.add (local.get $w) (i32.mul (local.get $o) (local.get $kb))))
        (local.set $a0_0 (v128.const i32x4 0 0 0 0))
        (local.set $a0_1 (v128.const i32x4 0 0 0 0))
        (local.set $a0_2 (v128.const i32x4 0 0 0 0))
        (local.set $a1_0 (v128.const i32x4 0 0 0 0))
        (local.set $a1_1 (v128.const i32x4 0 0 0 0))
        (local.set $a1_2 (v128.const i32x4 0 0 0 0))
        (local.set $a2_0 (v128.const i32x4 0 0 0 0))
        (local.set $a2_1 (v128.const i32x4 0 0 0 0))
        (local.set $a2_2 (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (block $id (loop $il
          (local.set $w0 (v128.load offset=0 (local.get $wp)))
          (local.set $w1 (v128.load offset=16 (local.get $wp)))
          (local.set $w2 (v128.load offset=32 (local.get $wp)))
          (local.set $s (v128.load32_splat offset=0 (i32.add (local.get $x0) (local.get $i))))
          (local.set $a0_0 (i32x4.add (local.get $a0_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a0_1 (i32x4.add (local.get $a0_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a0_2 (i32x4.add (local.get $a0_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=0 (i32.add (local.get $x1) (local.get $i))))
          (local.set $a1_0 (i32x4.add (local.get $a1_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a1_1 (i32x4.add (local.get $a1_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a1_2 (i32x4.add (local.get $a1_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=0 (i32.add (local.get $x2) (local.get $i))))
          (local.set $a2_0 (i32x4.add (local.get $a2_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a2_1 (i32x4.add (local.get $a2_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a2_2 (i32x4.add (local.get $a2_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $w0 (v128.load offset=48 (local.get $wp)))
          (local.set $w1 (v128.load offset=64 (local.get $wp)))
          (local.set $w2 (v128.load offset=80 (local.get $wp)))
          (local.set $s (v128.load32_splat offset=4 (i32.add (local.get $x0) (local.get $i))))
          (local.set $a0_0 (i32x4.add (local.get $a0_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a0_1 (i32x4.add (local.get $a0_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a0_2 (i32x4.add (local.get $a0_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=4 (i32.add (local.get $x1) (local.get $i))))
          (local.set $a1_0 (i32x4.add (local.get $a1_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a1_1 (i32x4.add (local.get $a1_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a1_2 (i32x4.add (local.get $a1_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=4 (i32.add (local.get $x2) (local.get $i))))
          (local.set $a2_0 (i32x4.add (local.get $a2_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a2_1 (i32x4.add (local.get $a2_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a2_2 (i32x4.add (local.get $a2_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $w0 (v128.load offset=96 (local.get $wp)))
          (local.set $w1 (v128.load offset=112 (local.get $wp)))
          (local.set $w2 (v128.load offset=128 (local.get $wp)))
          (local.set $s (v128.load32_splat offset=8 (i32.add (local.get $x0) (local.get $i))))
          (local.set $a0_0 (i32x4.add (local.get $a0_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a0_1 (i32x4.add (local.get $a0_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a0_2 (i32x4.add (local.get $a0_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=8 (i32.add (local.get $x1) (local.get $i))))
          (local.set $a1_0 (i32x4.add (local.get $a1_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a1_1 (i32x4.add (local.get $a1_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a1_2 (i32x4.add (local.get $a1_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=8 (i32.add (local.get $x2) (local.get $i))))
          (local.set $a2_0 (i32x4.add (local.get $a2_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a2_1 (i32x4.add (local.get $a2_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a2_2 (i32x4.add (local.get $a2_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $w0 (v128.load offset=144 (local.get $wp)))
          (local.set $w1 (v128.load offset=160 (local.get $wp)))
          (local.set $w2 (v128.load offset=176 (local.get $wp)))
          (local.set $s (v128.load32_splat offset=12 (i32.add (local.get $x0) (local.get $i))))
          (local.set $a0_0 (i32x4.add (local.get $a0_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a0_1 (i32x4.add (local.get $a0_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a0_2 (i32x4.add (local.get $a0_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=12 (i32.add (local.get $x1) (local.get $i))))
          (local.set $a1_0 (i32x4.add (local.get $a1_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a1_1 (i32x4.add (local.get $a1_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a1_2 (i32x4.add (local.get $a1_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=12 (i32.add (local.get $x2) (local.get $i))))
          (local.set $a2_0 (i32x4.add (local.get $a2_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a2_1 (i32x4.add (local.get $a2_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a2_2 (i32x4.add (local.get $a2_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $w0 (v128.load offset=192 (local.get $wp)))
          (local.set $w1 (v128.load offset=208 (local.get $wp)))
          (local.set $w2 (v128.load offset=224 (local.get $wp)))
          (local.set $s (v128.load32_splat offset=16 (i32.add (local.get $x0) (local.get $i))))
          (local.set $a0_0 (i32x4.add (local.get $a0_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a0_1 (i32x4.add (local.get $a0_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a0_2 (i32x4.add (local.get $a0_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=16 (i32.add (local.get $x1) (local.get $i))))
          (local.set $a1_0 (i32x4.add (local.get $a1_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a1_1 (i32x4.add (local.get $a1_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a1_2 (i32x4.add (local.get $a1_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=16 (i32.add (local.get $x2) (local.get $i))))
          (local.set $a2_0 (i32x4.add (local.get $a2_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a2_1 (i32x4.add (local.get $a2_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a2_2 (i32x4.add (local.get $a2_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $w0 (v128.load offset=240 (local.get $wp)))
          (local.set $w1 (v128.load offset=256 (local.get $wp)))
          (local.set $w2 (v128.load offset=272 (local.get $wp)))
          (local.set $s (v128.load32_splat offset=20 (i32.add (local.get $x0) (local.get $i))))
          (local.set $a0_0 (i32x4.add (local.get $a0_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a0_1 (i32x4.add (local.get $a0_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a0_2 (i32x4.add (local.get $a0_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=20 (i32.add (local.get $x1) (local.get $i))))
          (local.set $a1_0 (i32x4.add (local.get $a1_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a1_1 (i32x4.add (local.get $a1_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a1_2 (i32x4.add (local.get $a1_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=20 (i32.add (local.get $x2) (local.get $i))))
          (local.set $a2_0 (i32x4.add (local.get $a2_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a2_1 (i32x4.add (local.get $a2_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a2_2 (i32x4.add (local.get $a2_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $w0 (v128.load offset=288 (local.get $wp)))
          (local.set $w1 (v128.load offset=304 (local.get $wp)))
          (local.set $w2 (v128.load offset=320 (local.get $wp)))
          (local.set $s (v128.load32_splat offset=24 (i32.add (local.get $x0) (local.get $i))))
          (local.set $a0_0 (i32x4.add (local.get $a0_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a0_1 (i32x4.add (local.get $a0_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a0_2 (i32x4.add (local.get $a0_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=24 (i32.add (local.get $x1) (local.get $i))))
          (local.set $a1_0 (i32x4.add (local.get $a1_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a1_1 (i32x4.add (local.get $a1_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a1_2 (i32x4.add (local.get $a1_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=24 (i32.add (local.get $x2) (local.get $i))))
          (local.set $a2_0 (i32x4.add (local.get $a2_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a2_1 (i32x4.add (local.get $a2_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a2_2 (i32x4.add (local.get $a2_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $w0 (v128.load offset=336 (local.get $wp)))
          (local.set $w1 (v128.load offset=352 (local.get $wp)))
          (local.set $w2 (v128.load offset=368 (local.get $wp)))
          (local.set $s (v128.load32_splat offset=28 (i32.add (local.get $x0) (local.get $i))))
          (local.set $a0_0 (i32x4.add (local.get $a0_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a0_1 (i32x4.add (local.get $a0_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a0_2 (i32x4.add (local.get $a0_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=28 (i32.add (local.get $x1) (local.get $i))))
          (local.set $a1_0 (i32x4.add (local.get $a1_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a1_1 (i32x4.add (local.get $a1_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a1_2 (i32x4.add (local.get $a1_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $s (v128.load32_splat offset=28 (i32.add (local.get $x2) (local.get $i))))
          (local.set $a2_0 (i32x4.add (local.get $a2_0) (i32x4.dot_i16x8_s (local.get $w0) (local.get $s))))
          (local.set $a2_1 (i32x4.add (local.get $a2_1) (i32x4.dot_i16x8_s (local.get $w1) (local.get $s))))
          (local.set $a2_2 (i32x4.add (local.get $a2_2) (i32x4.dot_i16x8_s (local.get $w2) (local.get $s))))
          (local.set $wp (i32.add (local.get $wp) (i32.const 384)))
          (local.set $i (i32.add (local.get $i) (i32.const 32)))
          (br_if $il (i32.lt_u (local.get $i) (local.get $kb)))))
        (local.set $op (i32.add (i32.add (local.get $acc) (i32.mul (local.get $r) (local.get $rs)))
          (i32.shl (i32.sub (local.get $o) (local.get $ob0)) (i32.const 2))))
        (v128.store offset=0 (local.get $op) (local.get $a0_0))
        (v128.store offset=16 (local.get $op) (local.get $a0_1))
        (v128.store offset=32 (local.get $op) (local.get $a0_2))
        (local.set $op (i32.add (local.get $op) (local.get $rs)))
        (v128.store offset=0 (local.get $op) (local.get $a1_0))
        (v128.store offset=16 (local.get $op) (local.get $a1_1))
        (v128.store offset=32 (local.get $op) (local.get $a1_2))
        (local.set $op (i32.add (local.get $op) (local.get $rs)))
        (v128.store offset=0 (local.get $op) (local.get $a2_0))
        (v128.store offset=16 (local.get $op) (local.get $a2_1))
        (v128.store offset=32 (local.get $op) (local.get $a2_2))
        (local.set $o (i32.add (local.get $o) (i32.const 12)))
        (br $ol)))
      (local.set $r (i32.add (local.get $r) (i32.const 3)))
      (br $rl)))
    ;; outputs [max(ob0, 0), min(ob1, split)) of the first part, [max(ob0, split), min(ob1, nReal)) of the second
    (local.set $hi (select (local.get $split) (local.get $ob1) (i32.lt_u (local.get $split) (local.get $ob1))))
    (if (i32.lt_u (local.get $ob0) (local.get $hi))
      (then (call $requant (local.get $acc) (local.get $rs) (i32.add (local.get $exp) (i32.shl (local.get $ob0) (i32.const 2)))
        (local.get $shp) (i32.add (local.get $out) (i32.shl (local.get $ob0) (i32.const 2)))
        (i32.shl (local.get $split) (i32.const 2)) (local.get $live) (i32.sub (local.get $hi) (local.get $ob0))
        (local.get $fDiff) (local.get $max) (local.get $residual))))
    (local.set $lo (select (local.get $split) (local.get $ob0) (i32.gt_u (local.get $split) (local.get $ob0))))
    (local.set $hi (select (local.get $nReal) (local.get $ob1) (i32.lt_u (local.get $nReal) (local.get $ob1))))
    (if (i32.lt_u (local.get $lo) (local.get $hi))
      (then (call $requant (i32.add (local.get $acc) (i32.shl (i32.sub (local.get $lo) (local.get $ob0)) (i32.const 2)))
        (local.get $rs) (i32.add (local.get $exp) (i32.shl (local.get $lo) (i32.const 2)))
        (local.get $shp) (i32.add (local.get $out2) (i32.shl (i32.sub (local.get $lo) (local.get $split)) (i32.const 2)))
        (i32.shl (i32.sub (local.get $nReal) (local.get $split)) (i32.const 2)) (local.get $live) (i32.sub (local.get $hi) (local.get $lo))
        (local.get $fDiff) (local.get $max) (local.get $residual))))
    (local.set $ob0 (local.get $ob1))
    (br $bl))))


  ;; Requantises products (PROTOCOL 3.10.3): y[r, o] = shift(acc[r, o], n, M) with n = e_o + fDiff - sh_r;
  ;; with $residual != 0, out[r, o] = clamp(out[r, o] + y, H_MAX) (the residual add), else out = y.
  ;; acc rows are $accStride bytes apart, out rows $outStride. Four outputs at a time in binary64,
  ;; which is exact here: acc*2^(-n) is |acc| < 2^31 scaled by a power of two (|n| < 340: e_o is
  ;; 9 - floor(log2 m) of a row maximum m of f32 weights times f32 gains, sh_r in [-10, 22], so no
  ;; overflow or subnormal), and adding 1/2 is exact (for n <= 53 the sum
  ;; needs at most 53 significant bits; for n > 53, |acc*2^(-n)| < 2^-22 and the sum rounds to
  ;; within (0, 1) either way), so floor(acc*2^(-n) + 1/2) = rshr(acc, n) for n > 0 and acc*2^(-n)
  ;; for n <= 0; saturating conversion then the clamp give clamp(., M) (|M| < 2^31 - 1), and
  ;; acc = 0 gives 0. 2^(-n) is built from its exponent bits: (1023 - n) << 52.
  (func $requant (export "requant")
    (param $acc i32) (param $accStride i32) (param $exp i32) (param $shp i32) (param $out i32)
    (param $outStride i32) (param $rows i32) (param $n i32) (param $fDiff i32) (param $max i32)
    (param $residual i32)
    (local $r i32) (local $o i32) (local $ap i32) (local $op i32) (local $bias i32) (local $y i32)
    (local $bv v128) (local $e v128) (local $a v128) (local $lo v128) (local $hi v128) (local $yv v128)
    (local $mx v128) (local $mn v128) (local $hmx v128) (local $hmn v128) (local $half v128)
    (local.set $mx (i32x4.splat (local.get $max)))
    (local.set $mn (i32x4.splat (i32.sub (i32.const 0) (local.get $max))))
    (local.set $hmx (i32x4.splat (i32.const 1073741823)))
    (local.set $hmn (i32x4.splat (i32.const -1073741823)))
    (local.set $half (f64x2.splat (f64.const 0.5)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
      ;; the exponent field of 2^(-n) is bias - e_o
      (local.set $bias (i32.add (i32.sub (i32.const 1023) (local.get $fDiff))
        (i32.load (i32.add (local.get $shp) (i32.shl (local.get $r) (i32.const 2))))))
      (local.set $bv (i64x2.splat (i64.extend_i32_s (local.get $bias))))
      (local.set $ap (i32.add (local.get $acc) (i32.mul (local.get $r) (local.get $accStride))))
      (local.set $op (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $outStride))))
      (local.set $o (i32.const 0))
      (block $od (loop $ol
        (br_if $od (i32.gt_u (i32.add (local.get $o) (i32.const 4)) (local.get $n)))
        (local.set $e (v128.load (i32.add (local.get $exp) (i32.shl (local.get $o) (i32.const 2)))))
        (local.set $a (v128.load (i32.add (local.get $ap) (i32.shl (local.get $o) (i32.const 2)))))
        (local.set $lo (f64x2.floor (f64x2.add (local.get $half) (f64x2.mul
          (f64x2.convert_low_i32x4_s (local.get $a))
          (i64x2.shl (i64x2.sub (local.get $bv) (i64x2.extend_low_i32x4_s (local.get $e))) (i32.const 52))))))
        (local.set $hi (f64x2.floor (f64x2.add (local.get $half) (f64x2.mul
          (f64x2.convert_low_i32x4_s
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a)))
          (i64x2.shl (i64x2.sub (local.get $bv) (i64x2.extend_high_i32x4_s (local.get $e))) (i32.const 52))))))
        (local.set $yv (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (i32x4.trunc_sat_f64x2_s_zero (local.get $lo)) (i32x4.trunc_sat_f64x2_s_zero (local.get $hi))))
        (local.set $yv (i32x4.max_s (i32x4.min_s (local.get $yv) (local.get $mx)) (local.get $mn)))
        (if (local.get $residual)
          (then (local.set $yv (i32x4.max_s (i32x4.min_s
            (i32x4.add (local.get $yv) (v128.load (i32.add (local.get $op) (i32.shl (local.get $o) (i32.const 2)))))
            (local.get $hmx)) (local.get $hmn)))))
        (v128.store (i32.add (local.get $op) (i32.shl (local.get $o) (i32.const 2))) (local.get $yv))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $ol)))
      (block $td (loop $tl
        (br_if $td (i32.ge_u (local.get $o) (local.get $n)))
        (local.set $y (i32.trunc_sat_f64_s (f64.floor (f64.add (f64.const 0.5) (f64.mul
          (f64.convert_i32_s (i32.load (i32.add (local.get $ap) (i32.shl (local.get $o) (i32.const 2)))))
          (f64.reinterpret_i64 (i64.shl (i64.extend_i32_s (i32.sub (local.get $bias)
            (i32.load (i32.add (local.get $exp) (i32.shl (local.get $o) (i32.const 2))))))
            (i64.const 52))))))))
        (if (i32.gt_s (local.get $y) (local.get $max)) (then (local.set $y (local.get $max))))
        (if (i32.lt_s (local.get $y) (i32.sub (i32.const 0) (local.get $max)))
          (then (local.set $y (i32.sub (i32.const 0) (local.get $max)))))
        (if (local.get $residual)
          (then
            (local.set $y (i32.add (local.get $y)
              (i32.load (i32.add (local.get $op) (i32.shl (local.get $o) (i32.const 2))))))
            (if (i32.gt_s (local.get $y) (i32.const 1073741823)) (then (local.set $y (i32.const 1073741823))))
            (if (i32.lt_s (local.get $y) (i32.const -1073741823)) (then (local.set $y (i32.const -1073741823))))))
        (i32.store (i32.add (local.get $op) (i32.shl (local.get $o) (i32.const 2))) (local.get $y))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $tl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; The folded causal conv products (PROTOCOL 3.10.6 2a) of `windows` windows of `time` rows:
  ;; acc[row, c] = sum_{j <= min(t, 62)} K[j, c]*n[row - j, c] for n (Q8, |n| <= 2^14 - 1) at $n
  ;; (row stride d) and the int16 kernel (|K| <= 2047) packed by the host in tap pairs: word
  ;; [jp, c] = (K[2jp, c], K[2jp + 1, c]) (tap 63 zero), row stride dp (d rounded up to 4, zeros).
  ;; First the input pairs at $pairs: word [row, c] = (n[row, c], n[row - 1, c]), the second zero
  ;; at a window's first row, so one dot product of pair words gives two taps, and a window's
  ;; history ends exactly where the reference's sum does. acc rows have stride dp; every partial
  ;; sum is below 63*2047*16383 < 2^31. The host then requantises acc into h with the residual add.
  (func (export "conv")
    (param $n i32) (param $kp i32) (param $pairs i32) (param $acc i32)
    (param $windows i32) (param $time i32) (param $d i32) (param $dp i32)
    (local $row i32) (local $rows i32) (local $t i32) (local $c i32) (local $np i32) (local $pp i32)
    (local $jp i32) (local $jn i32) (local $sum v128) (local $lo16 v128) (local $hi v128)
    (local $ks i32) (local $ps i32) (local $kq i32) (local $pq i32) (local $db i32)
    (local.set $rows (i32.mul (local.get $windows) (local.get $time)))
    (local.set $db (i32.shl (local.get $d) (i32.const 2)))
    (local.set $lo16 (i32x4.splat (i32.const 65535)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $np (i32.add (local.get $n) (i32.mul (local.get $row) (local.get $db))))
      (local.set $pp (i32.add (local.get $pairs) (i32.shl (i32.mul (local.get $row) (local.get $dp)) (i32.const 2))))
      (local.set $c (i32.const 0))
      (block $cd (loop $cl
        (br_if $cd (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $d)))
        (local.set $hi (if (result v128) (local.get $t)
          (then (i32x4.shl (v128.load (i32.sub (i32.add (local.get $np) (i32.shl (local.get $c) (i32.const 2))) (local.get $db)))
            (i32.const 16)))
          (else (v128.const i32x4 0 0 0 0))))
        (v128.store (i32.add (local.get $pp) (i32.shl (local.get $c) (i32.const 2)))
          (v128.or (v128.and (v128.load (i32.add (local.get $np) (i32.shl (local.get $c) (i32.const 2)))) (local.get $lo16))
            (local.get $hi)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cl)))
      (block $td (loop $tl
        (br_if $td (i32.ge_u (local.get $c) (local.get $dp)))
        (i32.store (i32.add (local.get $pp) (i32.shl (local.get $c) (i32.const 2)))
          (if (result i32) (i32.lt_u (local.get $c) (local.get $d))
            (then (i32.or
              (i32.and (i32.load (i32.add (local.get $np) (i32.shl (local.get $c) (i32.const 2)))) (i32.const 65535))
              (if (result i32) (local.get $t)
                (then (i32.shl (i32.load (i32.sub (i32.add (local.get $np) (i32.shl (local.get $c) (i32.const 2))) (local.get $db)))
                  (i32.const 16)))
                (else (i32.const 0)))))
            (else (i32.const 0))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $tl)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (if (i32.eq (local.get $t) (local.get $time)) (then (local.set $t (i32.const 0))))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rl)))
    ;; kernel pair rows are 4dp bytes apart; input pair rows two back are 8dp bytes back
    (local.set $ks (i32.shl (local.get $dp) (i32.const 2)))
    (local.set $ps (i32.shl (local.get $dp) (i32.const 3)))
    (local.set $row (i32.const 0))
    (local.set $t (i32.const 0))
    (block $rd2 (loop $rl2
      (br_if $rd2 (i32.ge_u (local.get $row) (local.get $rows)))
      ;; tap pairs jp = 0 .. jn - 1 with 2jp <= min(t, 62)
      (local.set $jn (i32.add (i32.shr_u
        (select (i32.const 62) (local.get $t) (i32.gt_u (local.get $t) (i32.const 62))) (i32.const 1)) (i32.const 1)))
      (local.set $pp (i32.add (local.get $pairs) (i32.shl (i32.mul (local.get $row) (local.get $dp)) (i32.const 2))))
      (local.set $c (i32.const 0))
      (block $cd2 (loop $cl2
        (br_if $cd2 (i32.ge_u (local.get $c) (local.get $dp)))
        (local.set $sum (v128.const i32x4 0 0 0 0))
        (local.set $kq (i32.add (local.get $kp) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $pq (i32.add (local.get $pp) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $jp (local.get $jn))
        (loop $jl
          (local.set $sum (i32x4.add (local.get $sum)
            (i32x4.dot_i16x8_s (v128.load (local.get $kq)) (v128.load (local.get $pq)))))
          (local.set $kq (i32.add (local.get $kq) (local.get $ks)))
          (local.set $pq (i32.sub (local.get $pq) (local.get $ps)))
          (br_if $jl (local.tee $jp (i32.sub (local.get $jp) (i32.const 1)))))
        (v128.store (i32.add (local.get $acc) (i32.shl (i32.add (i32.mul (local.get $row) (local.get $dp)) (local.get $c)) (i32.const 2)))
          (local.get $sum))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cl2)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (if (i32.eq (local.get $t) (local.get $time)) (then (local.set $t (i32.const 0))))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rl2))))

  ;; sigma of four Q12 lanes (Q14): four table loads, then the sign select of $sigmoid.
  (func $sigmoid4 (param $k v128) (result v128)
    (local $y v128) (local $sp v128) (local $t i32)
    (local.set $t (global.get $sigTable))
    (local.set $y (i32x4.shl (i32x4.min_u (i32x4.abs (local.get $k)) (i32x4.splat (i32.const 65535))) (i32.const 1)))
    (local.set $sp (i32x4.splat (i32.load16_u (i32.add (local.get $t) (i32x4.extract_lane 0 (local.get $y))))))
    (local.set $sp (i32x4.replace_lane 1 (local.get $sp)
      (i32.load16_u (i32.add (local.get $t) (i32x4.extract_lane 1 (local.get $y))))))
    (local.set $sp (i32x4.replace_lane 2 (local.get $sp)
      (i32.load16_u (i32.add (local.get $t) (i32x4.extract_lane 2 (local.get $y))))))
    (local.set $sp (i32x4.replace_lane 3 (local.get $sp)
      (i32.load16_u (i32.add (local.get $t) (i32x4.extract_lane 3 (local.get $y))))))
    (v128.bitselect (i32x4.sub (i32x4.splat (i32.const 16384)) (local.get $sp)) (local.get $sp)
      (i32x4.lt_s (local.get $k) (v128.const i32x4 0 0 0 0))))

  ;; floor(x*y*2^-s + 1/2) = rshr(x*y, s) for four i32 lanes with |x*y| < 2^46 and s <= 14: in
  ;; binary64 the product is exact, the scaling by 2^-s too, and the sum with 1/2 needs at most
  ;; 48 significant bits; the result fits i32 (the callers' bounds), so the conversion is exact.
  (func $mulRshr4 (param $x v128) (param $y v128) (param $scale f64) (result v128)
    (local $sc v128) (local $half v128)
    (local.set $sc (f64x2.splat (local.get $scale)))
    (local.set $half (f64x2.splat (f64.const 0.5)))
    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      (i32x4.trunc_sat_f64x2_s_zero (f64x2.floor (f64x2.add (local.get $half) (f64x2.mul (local.get $sc)
        (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $x)) (f64x2.convert_low_i32x4_s (local.get $y)))))))
      (i32x4.trunc_sat_f64x2_s_zero (f64x2.floor (f64x2.add (local.get $half) (f64x2.mul (local.get $sc)
        (f64x2.mul
          (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
          (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $y) (local.get $y))))))))))

  ;; minGRU (PROTOCOL 3.10.6 2b) in place: $k (Q12) becomes z = sigma(k) (Q14); $u (Q12) becomes h~ and then
  ;; the state s_t = s_{t-1} + rshr(z*(h~ - s_{t-1}), 14) from s_{-1} = 0 in every window
  ;; (|z*(h~ - s)| < 2^14*2^21). Four channels at a time; the scalar tail does the same integers.
  (func (export "gru")
    (param $k i32) (param $u i32) (param $windows i32) (param $time i32) (param $d i32)
    (local $i i32) (local $total i32) (local $p i32) (local $uv i32) (local $row i32) (local $rows i32)
    (local $t i32) (local $c i32) (local $prev i64) (local $up i32) (local $v v128) (local $pv v128)
    (local $db i32)
    (local.set $rows (i32.mul (local.get $windows) (local.get $time)))
    (local.set $total (i32.mul (local.get $rows) (local.get $d)))
    (local.set $db (i32.shl (local.get $d) (i32.const 2)))
    (block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $total)))
      (local.set $p (i32.add (local.get $k) (i32.shl (local.get $i) (i32.const 2))))
      (v128.store (local.get $p) (call $sigmoid4 (v128.load (local.get $p))))
      (local.set $p (i32.add (local.get $u) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $v (v128.load (local.get $p)))
      (v128.store (local.get $p) (v128.bitselect
        (i32x4.add (local.get $v) (i32x4.splat (i32.const 2048)))
        (i32x4.shr_s (i32x4.add (call $sigmoid4 (local.get $v)) (i32x4.splat (i32.const 2))) (i32.const 2))
        (i32x4.ge_s (local.get $v) (v128.const i32x4 0 0 0 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $vl)))
    (block $ed (loop $el
      (br_if $ed (i32.ge_u (local.get $i) (local.get $total)))
      (local.set $p (i32.add (local.get $k) (i32.shl (local.get $i) (i32.const 2))))
      (i32.store (local.get $p) (call $sigmoid (i32.load (local.get $p))))
      (local.set $p (i32.add (local.get $u) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $uv (i32.load (local.get $p)))
      (i32.store (local.get $p)
        (if (result i32) (i32.ge_s (local.get $uv) (i32.const 0))
          (then (i32.add (local.get $uv) (i32.const 2048)))
          (else (i32.shr_s (i32.add (call $sigmoid (local.get $uv)) (i32.const 2)) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $el)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $cd (loop $cl
        (br_if $cd (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $d)))
        (local.set $i (i32.add (i32.mul (local.get $row) (local.get $d)) (local.get $c)))
        (local.set $up (i32.add (local.get $u) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $pv (if (result v128) (i32.eqz (local.get $t))
          (then (v128.const i32x4 0 0 0 0))
          (else (v128.load (i32.sub (local.get $up) (local.get $db))))))
        (v128.store (local.get $up) (i32x4.add (local.get $pv) (call $mulRshr4
          (v128.load (i32.add (local.get $k) (i32.shl (local.get $i) (i32.const 2))))
          (i32x4.sub (v128.load (local.get $up)) (local.get $pv))
          (f64.const 0x1p-14))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cl)))
      (block $cd2 (loop $cl2
        (br_if $cd2 (i32.ge_u (local.get $c) (local.get $d)))
        (local.set $i (i32.add (i32.mul (local.get $row) (local.get $d)) (local.get $c)))
        (local.set $up (i32.add (local.get $u) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $prev (if (result i64) (i32.eqz (local.get $t))
          (then (i64.const 0))
          (else (i64.extend_i32_s (i32.load (i32.sub (local.get $up) (local.get $db)))))))
        (i32.store (local.get $up) (i32.wrap_i64 (i64.add (local.get $prev)
          (call $rshr
            (i64.mul
              (i64.extend_i32_s (i32.load (i32.add (local.get $k) (i32.shl (local.get $i) (i32.const 2)))))
              (i64.sub (i64.extend_i32_s (i32.load (local.get $up))) (local.get $prev)))
            (i32.const 14)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cl2)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (if (i32.eq (local.get $t) (local.get $time)) (then (local.set $t (i32.const 0))))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rl))))

  ;; Slot attention weights (PROTOCOL 3.10.6 2c) in place: scores (Q12) of `rows` rows of `slots`
  ;; become p_i = floor((e_i*2^16 + sum e)/(2sum e)) (Q15), e_i = expNeg(min(M - sc_i, 65535)).
  (func (export "softmax") (param $sc i32) (param $rows i32) (param $slots i32)
    (local $r i32) (local $i i32) (local $rp i32) (local $mx i32) (local $v i32) (local $sum i64)
    (local $p i32) (local $dif i32)
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $rp (i32.add (local.get $sc) (i32.shl (i32.mul (local.get $r) (local.get $slots)) (i32.const 2))))
      (local.set $mx (i32.const 0x80000000))
      (local.set $i (i32.const 0))
      (block $md (loop $ml
        (br_if $md (i32.ge_u (local.get $i) (local.get $slots)))
        (local.set $v (i32.load (i32.add (local.get $rp) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.gt_s (local.get $v) (local.get $mx)) (then (local.set $mx (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $ml)))
      (local.set $sum (i64.const 0))
      (local.set $i (i32.const 0))
      (block $ed (loop $el
        (br_if $ed (i32.ge_u (local.get $i) (local.get $slots)))
        (local.set $p (i32.add (local.get $rp) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $dif (i32.sub (local.get $mx) (i32.load (local.get $p))))
        (if (i32.gt_u (local.get $dif) (i32.const 65535)) (then (local.set $dif (i32.const 65535))))
        (local.set $v (call $expNeg (local.get $dif)))
        (i32.store (local.get $p) (local.get $v))
        (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $el)))
      (local.set $i (i32.const 0))
      (block $pd (loop $pl
        (br_if $pd (i32.ge_u (local.get $i) (local.get $slots)))
        (local.set $p (i32.add (local.get $rp) (i32.shl (local.get $i) (i32.const 2))))
        (i32.store (local.get $p) (i32.wrap_i64 (i64.div_u
          (i64.add (i64.shl (i64.extend_i32_u (i32.load (local.get $p))) (i64.const 16)) (local.get $sum))
          (i64.shl (local.get $sum) (i64.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $pl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; SwiGLU gate (PROTOCOL 3.10.6 2d) in place over `count` values: a becomes
  ;; m = rshr(rshr(a*sigma(a), 14)*b, 12) (Q12); |a|, |b| < 2^20, sigma <= 2^14, so |silu| < 2^20 and
  ;; |silu*b| < 2^40. Four lanes at a time: count is a multiple of 4 (rows*4d).
  (func (export "swiglu") (param $a i32) (param $b i32) (param $count i32)
    (local $i i32) (local $p i32) (local $v v128)
    (block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $count)))
      (local.set $p (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $v (v128.load (local.get $p)))
      (v128.store (local.get $p) (call $mulRshr4
        (call $mulRshr4 (local.get $v) (call $sigmoid4 (local.get $v)) (f64.const 0x1p-14))
        (v128.load (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 2))))
        (f64.const 0x1p-12)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $vl))))

  ;; Per-window loss sums (PROTOCOL 3.10.7-8): logits (Q12) [windows*time, 256] at $lg, the window bytes
  ;; at $tok; the i64 sum of the time - 1 position losses of window b at $out + 8b.
  (func (export "loss")
    (param $lg i32) (param $tok i32) (param $out i32) (param $windows i32) (param $time i32)
    (local $b i32) (local $t i32) (local $r i32) (local $lp i32) (local $mx i32) (local $v i32)
    (local $dif i32) (local $s i64) (local $sum i64)
    (block $bd (loop $bl
      (br_if $bd (i32.ge_u (local.get $b) (local.get $windows)))
      (local.set $sum (i64.const 0))
      (local.set $t (i32.const 0))
      (block $td (loop $tl
        (br_if $td (i32.ge_u (i32.add (local.get $t) (i32.const 1)) (local.get $time)))
        (local.set $r (i32.add (i32.mul (local.get $b) (local.get $time)) (local.get $t)))
        (local.set $lp (i32.add (local.get $lg) (i32.shl (local.get $r) (i32.const 10))))
        (local.set $mx (i32.const 0x80000000))
        (local.set $v (i32.const 0))
        (block $md (loop $ml
          (br_if $md (i32.ge_u (local.get $v) (i32.const 256)))
          (local.set $dif (i32.load (i32.add (local.get $lp) (i32.shl (local.get $v) (i32.const 2)))))
          (if (i32.gt_s (local.get $dif) (local.get $mx)) (then (local.set $mx (local.get $dif))))
          (local.set $v (i32.add (local.get $v) (i32.const 1)))
          (br $ml)))
        (local.set $s (i64.const 0))
        (local.set $v (i32.const 0))
        (block $ed (loop $el
          (br_if $ed (i32.ge_u (local.get $v) (i32.const 256)))
          (local.set $dif (i32.sub (local.get $mx)
            (i32.load (i32.add (local.get $lp) (i32.shl (local.get $v) (i32.const 2))))))
          (if (i32.gt_u (local.get $dif) (i32.const 65535)) (then (local.set $dif (i32.const 65535))))
          (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (call $expNeg (local.get $dif)))))
          (local.set $v (i32.add (local.get $v) (i32.const 1)))
          (br $el)))
        (local.set $sum (i64.add (local.get $sum) (i64.add
          (i64.shl (i64.extend_i32_s (i32.sub (local.get $mx)
            (i32.load (i32.add (local.get $lp)
              (i32.shl (i32.load8_u (i32.add (local.get $tok) (i32.add (local.get $r) (i32.const 1)))) (i32.const 2))))))
            (i64.const 8))
          (call $rshr
            (i64.mul (i64.sub (call $log2Q24 (local.get $s)) (i64.const 503316480)) (i64.const 11629080))
            (i32.const 28)))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tl)))
      (i64.store (i32.add (local.get $out) (i32.shl (local.get $b) (i32.const 3))) (local.get $sum))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bl))))
)
