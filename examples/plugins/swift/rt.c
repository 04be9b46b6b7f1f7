/* The little runtime an Embedded Swift plugin needs without libc: a bump allocator behind
   malloc/posix_memalign/free, and the mem* functions the compiler emits calls to. Every plugin call
   runs in a fresh instance, so memory is never given back. */
typedef unsigned long size_t;
extern unsigned char __heap_base;
static unsigned long heap = 0;

static void *bump(size_t size, size_t align) {
    if (heap == 0) heap = (unsigned long)&__heap_base;
    unsigned long start = (heap + align - 1) & ~(align - 1);
    unsigned long end = start + size;
    unsigned long have = __builtin_wasm_memory_size(0) * 65536UL;
    if (end > have) {
        unsigned long pages = (end - have + 65535) / 65536;
        if (__builtin_wasm_memory_grow(0, pages) == (unsigned long)-1) return 0;
    }
    heap = end;
    return (void *)start;
}

void *malloc(size_t size) { return bump(size, 16); }
void free(void *ptr) { (void)ptr; }
int posix_memalign(void **out, size_t align, size_t size) {
    void *p = bump(size, align < 16 ? 16 : align);
    if (!p) return 12;
    *out = p;
    return 0;
}
void *memcpy(void *dst, const void *src, size_t n) {
    unsigned char *d = dst; const unsigned char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}
void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = dst; const unsigned char *s = src;
    if (d < s) { while (n--) *d++ = *s++; } else { d += n; s += n; while (n--) *--d = *--s; }
    return dst;
}
void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}
int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++) if (*x != *y) return *x - *y;
    return 0;
}
