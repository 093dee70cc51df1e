/*
 * c1-brute-force.c: the baseline of `npm run bench`'s passkey figure, a
 * crackle-style (github.com/mikeryan/crackle) brute force of the LE legacy
 * passkey in C, written for this bench (no crackle code copied).
 *
 * The loop does what crackle's does per candidate: build the TK (96 zero bits,
 * then the passkey as a big-endian 32-bit word, Core Vol 3 Part H 2.3.5.3),
 * compute c1 (2.2.3) as two calls of a one-block AES helper that allocates a
 * context, runs the full AES-128 key schedule (FIPS-197 5.2), encrypts with
 * 32-bit T-tables (FIPS-197 5.1), wipes and frees the context, then compare
 * the 16 octets with the confirm.
 *
 * Usage: c1-brute-force P1 P2 RAND CONFIRM  (32 hex digits each, spec order:
 * most significant octet first, p1 = pres || preq || rat' || iat',
 * p2 = padding || ia || ra). Prints "<passkey or -1> <wall seconds of the loop>
 * <CPU seconds of the loop>".
 * Build: cc -O2 -o c1-brute-force c1-brute-force.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint8_t sbox[256];
static uint32_t te0[256], te1[256], te2[256], te3[256];

static uint8_t xtime(uint8_t b) { return (uint8_t)((b << 1) ^ ((b & 0x80) ? 0x1b : 0)); }

/* S-box from the GF(2^8) inverse and the affine map (FIPS-197 5.1.1), then the round tables. */
static void make_tables(void) {
    uint8_t pow3[256], log3[256];
    uint8_t x = 1;
    for (int i = 0; i < 255; i++) {
        pow3[i] = x;
        log3[x] = (uint8_t)i;
        x ^= xtime(x);
    }
    for (int i = 0; i < 256; i++) {
        uint8_t inv = i == 0 ? 0 : pow3[(255 - log3[i]) % 255];
        uint8_t s = inv, r = inv;
        for (int k = 0; k < 4; k++) {
            r = (uint8_t)((r << 1) | (r >> 7));
            s ^= r;
        }
        s ^= 0x63;
        sbox[i] = s;
        uint32_t w = ((uint32_t)xtime(s) << 24) | ((uint32_t)s << 16) | ((uint32_t)s << 8) | (uint32_t)(xtime(s) ^ s);
        te0[i] = w;
        te1[i] = (w >> 8) | (w << 24);
        te2[i] = (w >> 16) | (w << 16);
        te3[i] = (w >> 24) | (w << 8);
    }
}

static uint32_t load32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void store32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t sub_word(uint32_t w) {
    return ((uint32_t)sbox[w >> 24] << 24) | ((uint32_t)sbox[(w >> 16) & 0xff] << 16) |
           ((uint32_t)sbox[(w >> 8) & 0xff] << 8) | sbox[w & 0xff];
}

#define SCHEDULE_WORDS 44

/* FIPS-197 5.2: the 44-word schedule of a 16-octet key, into a freshly allocated context. */
static uint32_t *key_setup(const uint8_t key[16]) {
    static const uint8_t rcon[10] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36};
    uint32_t *w = malloc(SCHEDULE_WORDS * sizeof(uint32_t));
    if (w == NULL) return NULL;
    for (int i = 0; i < 4; i++) w[i] = load32(key + 4 * i);
    for (int i = 4; i < SCHEDULE_WORDS; i++) {
        uint32_t t = w[i - 1];
        if (i % 4 == 0) t = sub_word((t << 8) | (t >> 24)) ^ ((uint32_t)rcon[i / 4 - 1] << 24);
        w[i] = w[i - 4] ^ t;
    }
    return w;
}

/* FIPS-197 5.1 with T-tables: nine full rounds, then the last without MixColumns. */
static void encrypt_block(const uint32_t *rk, const uint8_t in[16], uint8_t out[16]) {
    uint32_t s0 = load32(in) ^ rk[0], s1 = load32(in + 4) ^ rk[1];
    uint32_t s2 = load32(in + 8) ^ rk[2], s3 = load32(in + 12) ^ rk[3];
    for (int r = 1; r < 10; r++) {
        const uint32_t *k = rk + 4 * r;
        uint32_t t0 = te0[s0 >> 24] ^ te1[(s1 >> 16) & 0xff] ^ te2[(s2 >> 8) & 0xff] ^ te3[s3 & 0xff] ^ k[0];
        uint32_t t1 = te0[s1 >> 24] ^ te1[(s2 >> 16) & 0xff] ^ te2[(s3 >> 8) & 0xff] ^ te3[s0 & 0xff] ^ k[1];
        uint32_t t2 = te0[s2 >> 24] ^ te1[(s3 >> 16) & 0xff] ^ te2[(s0 >> 8) & 0xff] ^ te3[s1 & 0xff] ^ k[2];
        uint32_t t3 = te0[s3 >> 24] ^ te1[(s0 >> 16) & 0xff] ^ te2[(s1 >> 8) & 0xff] ^ te3[s2 & 0xff] ^ k[3];
        s0 = t0;
        s1 = t1;
        s2 = t2;
        s3 = t3;
    }
    const uint32_t *k = rk + 40;
#define LAST(a, b, c, d, key)                                                                              \
    ((((uint32_t)sbox[(a) >> 24]) << 24) | (((uint32_t)sbox[((b) >> 16) & 0xff]) << 16) |               \
     (((uint32_t)sbox[((c) >> 8) & 0xff]) << 8) | sbox[(d) & 0xff]) ^ (key)
    store32(out, LAST(s0, s1, s2, s3, k[0]));
    store32(out + 4, LAST(s1, s2, s3, s0, k[1]));
    store32(out + 8, LAST(s2, s3, s0, s1, k[2]));
    store32(out + 12, LAST(s3, s0, s1, s2, k[3]));
#undef LAST
}

/* One AES block the way a generic helper does it: set up, encrypt, wipe, free. */
static void aes_block(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) {
    uint32_t *ctx = key_setup(key);
    if (ctx == NULL) abort();
    encrypt_block(ctx, in, out);
    memset(ctx, 0, SCHEDULE_WORDS * sizeof(uint32_t));
    free(ctx);
}

/* c1 (Core Vol 3 Part H 2.2.3): e(k, e(k, r XOR p1) XOR p2), spec order. */
static void c1(const uint8_t k[16], const uint8_t r[16], const uint8_t p1[16], const uint8_t p2[16], uint8_t out[16]) {
    uint8_t block[16];
    for (int i = 0; i < 16; i++) block[i] = r[i] ^ p1[i];
    aes_block(k, block, out);
    for (int i = 0; i < 16; i++) block[i] = out[i] ^ p2[i];
    aes_block(k, block, out);
}

static int parse_hex(const char *text, uint8_t out[16]) {
    if (strlen(text) != 32) return -1;
    for (int i = 0; i < 16; i++) {
        unsigned v;
        if (sscanf(text + 2 * i, "%2x", &v) != 1) return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

int main(int argc, char **argv) {
    uint8_t p1[16], p2[16], rand[16], confirm[16], tk[16], out[16];
    if (argc != 5 || parse_hex(argv[1], p1) || parse_hex(argv[2], p2) || parse_hex(argv[3], rand) ||
        parse_hex(argv[4], confirm)) {
        fprintf(stderr, "usage: %s P1 P2 RAND CONFIRM (32 hex digits each, spec order)\n", argv[0]);
        return 2;
    }
    make_tables();
    struct timespec start, end, cpu_start, cpu_end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_start);
    long found = -1;
    for (uint32_t passkey = 0; passkey < 1000000; passkey++) {
        memset(tk, 0, 12);
        store32(tk + 12, passkey);
        c1(tk, rand, p1, p2, out);
        if (memcmp(out, confirm, 16) == 0) {
            found = (long)passkey;
            break;
        }
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_end);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    double cpu = (double)(cpu_end.tv_sec - cpu_start.tv_sec) + (double)(cpu_end.tv_nsec - cpu_start.tv_nsec) / 1e9;
    printf("%ld %.6f %.6f\n", found, seconds, cpu);
    return 0;
}
