/**
 * WGSL shared by the GPU quantizers that decide a rounding by an exact comparison with a midpoint
 * instead of a float32 quotient (fp8, nvfp4), so the decision equals the CPU reference's.
 *
 * cmp_exact(a, c, sh, sl) is the sign of a − c·(sh + sl), with the scale split into a high and a
 * low part of 12 significant bits each (s = sh + sl exactly). The products c·sh and c·sl are exact
 * when the grid midpoint c has at most 12 significant bits (fp8: M + 2; nvfp4: 7), so each fits
 * float32's 24; and a − c·sh is exact where the sign is in doubt (Sterbenz's lemma: a and c·sh
 * within a factor 2 of each other); outside that range the sign is clear from the first tests.
 */
export const CMP_EXACT_WGSL = /* wgsl */ `
fn cmp_exact(a: f32, c: f32, sh: f32, sl: f32) -> i32 {
  let ph = c * sh;
  if (ph > 2.0 * a) { return -1; }
  if (2.0 * ph < a) { return 1; }
  let d1 = a - ph;
  let pl = c * sl;
  if (d1 > pl) { return 1; }
  if (d1 < pl) { return -1; }
  return 0;
}`;
