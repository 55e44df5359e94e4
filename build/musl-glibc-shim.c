/*
 * build/smoke-musl.sh runs .NET's musl runtime (libcoreclr.so built against musl) in a root with
 * musl and no glibc. Alpine's libstdc++ and libgcc_s are not on this machine, so that root borrows
 * Debian's, which were linked against glibc: musl's loader ignores symbol versions and resolves
 * everything else from musl, but these few glibc-only symbols would stop the load. This library,
 * built with musl-gcc and named ld-linux-x86-64.so.2 (Debian's libstdc++ lists that name as
 * needed), supplies them, as Alpine's gcompat does. It is test scaffolding, never shipped.
 */
#define _GNU_SOURCE
#include <link.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* 0: libstdc++ then always uses atomic reference counts, which is correct with any thread count. */
char __libc_single_threaded = 0;

/* libgcc_s refers to its own GCC_4.8.0 cpu-model symbols through a hidden version musl skips. */
struct { unsigned vendor, type, subtype, features[1]; } __cpu_model;
int __cpu_indicator_init(void) { return 0; }

size_t __strftime_l(char *s, size_t n, const char *format, const struct tm *tm, locale_t locale)
{
    return strftime_l(s, n, format, tm, locale);
}

uint32_t arc4random(void)
{
    uint32_t value;
    while (getrandom(&value, sizeof value, 0) != (ssize_t)sizeof value) {}
    return value;
}

/* thread_local destructors: run, newest first, when the thread exits. */
struct destructor { void (*fn)(void *); void *object; struct destructor *next; };
static pthread_key_t destructors;
static pthread_once_t destructors_once = PTHREAD_ONCE_INIT;

static void run_destructors(void *head)
{
    for (struct destructor *d = head, *next; d != NULL; d = next) {
        next = d->next;
        d->fn(d->object);
        free(d);
    }
}

static void make_key(void) { pthread_key_create(&destructors, run_destructors); }

int __cxa_thread_atexit_impl(void (*fn)(void *), void *object, void *dso)
{
    (void)dso;
    pthread_once(&destructors_once, make_key);
    struct destructor *d = malloc(sizeof *d);
    if (d == NULL) return -1;
    d->fn = fn;
    d->object = object;
    d->next = pthread_getspecific(destructors);
    pthread_setspecific(destructors, d);
    return 0;
}

/* glibc 2.35's _dl_find_object, which libgcc's unwinder uses to find a PC's .eh_frame_hdr (C++
 * exceptions, and so the runtime's own exception handling, depend on it): the loaded object whose
 * PT_LOAD segments hold the PC, and its PT_GNU_EH_FRAME segment. Same layout as glibc's struct. */
struct dl_find_object {
    unsigned long long flags;
    void *map_start, *map_end, *link_map, *eh_frame;
    unsigned long long reserved[7];
};

struct query { uintptr_t pc; struct dl_find_object *result; };

static int find_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct query *q = data;
    uintptr_t low = UINTPTR_MAX, high = 0;
    void *eh_frame = NULL;
    int holds_pc = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD) {
            if (start < low) low = start;
            if (start + ph->p_memsz > high) high = start + ph->p_memsz;
            if (q->pc >= start && q->pc < start + ph->p_memsz) holds_pc = 1;
        } else if (ph->p_type == PT_GNU_EH_FRAME) {
            eh_frame = (void *)start;
        }
    }
    if (!holds_pc) return 0;
    memset(q->result, 0, sizeof *q->result);
    q->result->map_start = (void *)low;
    q->result->map_end = (void *)high;
    q->result->eh_frame = eh_frame;
    return 1;
}

int _dl_find_object(void *pc, struct dl_find_object *result)
{
    struct query q = { (uintptr_t)pc, result };
    return dl_iterate_phdr(find_object, &q) ? 0 : -1;
}
