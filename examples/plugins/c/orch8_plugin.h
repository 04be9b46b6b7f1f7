/*
 * Helpers for Orch8 WASM plugins written in C (no libc, no imports).
 *
 * The engine calls alloc(len), copies the input envelope (JSON) there, calls handle(ptr, len) and
 * reads the result at (ret >> 32) with length (ret & 0xffffffff). Every call runs in a fresh
 * instance, so a bump allocator that never frees is enough.
 *
 * Build: clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-dynamic -o plugin.wasm plugin.c
 */
#ifndef ORCH8_PLUGIN_H
#define ORCH8_PLUGIN_H

#define ORCH8_EXPORT(name) __attribute__((export_name(#name)))

typedef unsigned int o8_size;
typedef unsigned long long o8_u64;

extern unsigned char __heap_base;
static unsigned char *o8_heap = &__heap_base;

/* Grows linear memory when the bump pointer passes its end; 0 when the engine refuses. */
static void *o8_alloc(o8_size size) {
    unsigned char *start = (unsigned char *)(((unsigned long)o8_heap + 7) & ~7UL);
    unsigned long end = (unsigned long)start + size;
    unsigned long have = __builtin_wasm_memory_size(0) * 65536UL;
    if (end > have) {
        unsigned long pages = (end - have + 65535) / 65536;
        if (__builtin_wasm_memory_grow(0, pages) == (unsigned long)-1) return 0;
    }
    o8_heap = (unsigned char *)end;
    return start;
}

ORCH8_EXPORT(alloc) int alloc(int size) { return (int)(unsigned long)o8_alloc((o8_size)size); }
ORCH8_EXPORT(dealloc) void dealloc(int ptr, int size) { (void)ptr; (void)size; }

/* Packs a result for the engine. */
static long long o8_result(const void *ptr, o8_size len) {
    return (long long)(((o8_u64)(unsigned long)ptr << 32) | (o8_u64)len);
}

static o8_size o8_strlen(const char *s) {
    o8_size n = 0;
    while (s[n]) n++;
    return n;
}

/* The first occurrence of needle (length m) in haystack (length n), or -1. */
static int o8_find(const char *haystack, o8_size n, const char *needle, o8_size m) {
    if (m > n) return -1;
    for (o8_size i = 0; i + m <= n; i++) {
        o8_size j = 0;
        while (j < m && haystack[i + j] == needle[j]) j++;
        if (j == m) return (int)i;
    }
    return -1;
}

/*
 * Finds the JSON string value of "key" after offset `from` and copies it, unescaped (\" \\ \/ \n
 * \t; \uXXXX kept as is), to out (capacity cap). Returns its length, or -1 if absent.
 */
static int o8_string_field(const char *json, o8_size n, o8_size from, const char *key, char *out, o8_size cap) {
    char pattern[64];
    o8_size k = o8_strlen(key);
    if (k + 2 > sizeof pattern) return -1;
    pattern[0] = '"';
    for (o8_size i = 0; i < k; i++) pattern[i + 1] = key[i];
    pattern[k + 1] = '"';
    int at = o8_find(json + from, n - from, pattern, k + 2);
    if (at < 0) return -1;
    o8_size i = from + (o8_size)at + k + 2;
    while (i < n && (json[i] == ' ' || json[i] == ':' || json[i] == '\n' || json[i] == '\t')) i++;
    if (i >= n || json[i] != '"') return -1;
    i++;
    o8_size len = 0;
    while (i < n && json[i] != '"') {
        char c = json[i++];
        if (c == '\\' && i < n) {
            char e = json[i++];
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
        }
        if (len < cap) out[len] = c;
        len++;
    }
    return (int)(len < cap ? len : cap);
}

/* Writes the decimal form of v; returns the number of characters. */
static o8_size o8_itoa(unsigned long v, char *out) {
    char tmp[20];
    o8_size n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (o8_size i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    return n;
}

#endif
