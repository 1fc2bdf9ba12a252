/*
 * Native reference FWHT for `npm run bench` (DESIGN.md "Performance targets": the TS and WASM
 * kernels are compared with a native FWHT of our own built with gcc -O3 -march=native).
 *
 * Same algorithm as src/core/linalg/fwht.ts (unnormalised, in place, radix-2 butterflies with the
 * span loop outermost, float32), so the ratio measures the language/engine, not the algorithm.
 *
 * Usage: fwht <log2 n> <reps>. Prints "<n> <best ns per transform> <checksum>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <math.h>

static void fwht(float *restrict a, long n) {
  for (long h = 1; h < n; h *= 2) {
    for (long i = 0; i < n; i += 2 * h) {
      for (long j = i; j < i + h; j++) {
        float u = a[j], v = a[j + h];
        a[j] = u + v;
        a[j + h] = u - v;
      }
    }
  }
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  long n = 1L << atoi(argv[1]);
  int reps = atoi(argv[2]);
  float *a = aligned_alloc(64, (size_t)n * sizeof(float));
  if (!a) return 1;
  /* Deterministic input in [-1, 1); the scale after each transform keeps values bounded. */
  unsigned s = 12345u;
  for (long i = 0; i < n; i++) {
    s = s * 1664525u + 1013904223u;
    a[i] = (float)((double)(s >> 8) / 8388608.0 - 1.0);
  }
  float scale = (float)(1.0 / sqrt((double)n));
  double best = 1e300;
  for (int r = 0; r < reps; r++) {
    double t0 = now_ns();
    fwht(a, n);
    double t1 = now_ns();
    if (t1 - t0 < best) best = t1 - t0;
    /* H/√n is orthonormal: rescale outside the timed region so repeated transforms keep the norm. */
    for (long i = 0; i < n; i++) a[i] *= scale;
  }
  double check = 0;
  for (long i = 0; i < n; i++) check += a[i];
  printf("%ld %.0f %g\n", n, best, check);
  free(a);
  return 0;
}
