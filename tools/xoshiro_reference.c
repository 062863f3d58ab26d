/*
 * Developer tool: prints reference outputs of xoshiro128** 1.1 (Blackman & Vigna),
 * seeded by SplitMix64 as lib/core/random.ts does, for tests/core/random_test.ts.
 * Written from the published algorithm description.
 *   gcc -O2 -o /tmp/xoshiro_reference tools/xoshiro_reference.c && /tmp/xoshiro_reference
 */
#include <stdint.h>
#include <stdio.h>
#include <inttypes.h>

static uint32_t s[4];

static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static uint32_t next(void) {
  uint32_t result = rotl(s[1] * 5, 7) * 9;
  uint32_t t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

static uint64_t sm;
static uint64_t splitmix64(void) {
  uint64_t z = (sm += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static void seed(uint64_t v) {
  sm = v;
  uint64_t a = splitmix64(), b = splitmix64();
  s[0] = (uint32_t)a; s[1] = (uint32_t)(a >> 32);
  s[2] = (uint32_t)b; s[3] = (uint32_t)(b >> 32);
}

int main(void) {
  /* 1. raw state {1, 2, 3, 4}: first 8 outputs */
  s[0] = 1; s[1] = 2; s[2] = 3; s[3] = 4;
  printf("state 1,2,3,4:");
  for (int i = 0; i < 8; i++) printf(" %" PRIu32, next());
  printf("\n");
  /* 2. seeds via SplitMix64 */
  uint64_t seeds[] = {0, 42, 20240101ULL, 9007199254740991ULL};
  for (int k = 0; k < 4; k++) {
    seed(seeds[k]);
    printf("seed %" PRIu64 " state: %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 "\n", seeds[k], s[0], s[1], s[2], s[3]);
    printf("seed %" PRIu64 " outputs:", seeds[k]);
    for (int i = 0; i < 6; i++) printf(" %" PRIu32, next());
    printf("\n");
  }
  /* 3. seed 42: next() as a 53-bit double from two outputs, (a >> 5) * 2^26 + (b >> 6), over 2^53 */
  seed(42);
  printf("seed 42 doubles:");
  for (int i = 0; i < 4; i++) {
    uint32_t a = next() >> 5, b = next() >> 6;
    printf(" %.17g", ((double)a * 67108864.0 + (double)b) / 9007199254740992.0);
  }
  printf("\n");
  /* 4. after 1,000,000 outputs from seed 7 */
  seed(7);
  for (int i = 0; i < 1000000; i++) next();
  printf("seed 7 output 1000001: %" PRIu32 "\n", next());
  return 0;
}
