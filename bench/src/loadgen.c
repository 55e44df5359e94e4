/*
 * loadgen: the load generator of netkit's benchmarks. One thread, one epoll loop, non-blocking
 * sockets, and every byte that comes back is checked: a server that loses, reorders, duplicates or
 * invents a byte fails the run, it does not just look slower.
 *
 *   loadgen echo     HOST PORT [-c 100] [-k 4] [-s 32] [-d 5] [-w 1] [-n MSGS]
 *       C connections, each with K messages of S bytes in flight; a message is counted when its
 *       last byte is back and then the next one is sent. For D seconds after W seconds of warm-up
 *       (msg/s over the window), or until N messages in all are back. Then the in-flight rest
 *       is drained and checked too.
 *   loadgen pingpong HOST PORT [-s 32] [-d 5] [-w 1]      echo with -c 1 -k 1: round trips/s
 *   loadgen bulk     HOST PORT [-b 1073741824] [-W 65536]
 *       1 connection; sends B bytes in writes of W bytes while reading the echo back at the same
 *       time (full duplex, so a correct server never deadlocks), MB/s = B / elapsed / 1e6.
 *   loadgen idle     HOST PORT [-c 10000] [-d 5] [-P PID]
 *       Opens C connections, one 1-byte round trip on each (so the server has accepted and served
 *       every one), holds them D seconds, reads VmRSS/VmHWM of PID from /proc, then a second round
 *       trip on each (the server must still serve them all).
 *   loadgen udp      HOST PORT [-c 4] [-k 32] [-d 5] [-w 1]
 *       C connected UDP sockets with K empty requests in flight each; each reply must be 4 bytes of
 *       big-endian Unix seconds within 5 s of the local clock. A socket with no reply for 20 ms is
 *       topped up again (lost datagrams). Replies/s over the window.
 *   loadgen freeport                                       prints a free TCP port
 *   loadgen wait     HOST PORT [-t 10]                     waits until HOST:PORT accepts
 *
 * Common: -t TIMEOUT (hard bound on the whole run, s), -S STALL (fail when nothing arrives for this
 * long while bytes are owed, s). Output: one JSON line on stdout. Exit 0 ok, 1 failed (wrong
 * bytes, reset, closed, refused), 3 timed out or stalled.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAT_P 65521u              /* prime, so a chunk out of place never matches by accident */
#define PAT_SPAN (PAT_P + (1u << 20)) /* any slice of up to 1 MiB is contiguous */
#define RBUF (256 * 1024)

static const char *mode = "?";
static char extra[1024];          /* partial results to report even when the run fails */
static unsigned char *pat;
static unsigned char rbuf[RBUF];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void emit(int ok, const char *status, const char *error, const char *fields)
{
    printf("{\"mode\":\"%s\",\"ok\":%s,\"status\":\"%s\"", mode, ok ? "true" : "false", status);
    if (error)
        printf(",\"error\":\"%s\"", error);
    if (fields && *fields)
        printf(",%s", fields);
    printf("}\n");
    fflush(stdout);
}

static void fail(int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if (*p == '"' || *p == '\\')
            *p = '\'';
    fprintf(stderr, "loadgen %s: %s\n", mode, msg);
    emit(0, code == 3 ? "timeout" : "failed", msg, extra);
    exit(code);
}

static void raise_nofile(rlim_t want)
{
    struct rlimit r;
    getrlimit(RLIMIT_NOFILE, &r);
    if (r.rlim_cur >= want)
        return;
    struct rlimit n = {want, want > r.rlim_max ? want : r.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &n) != 0) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

static void pat_init(void)
{
    pat = malloc(PAT_SPAN);
    uint32_t x = 2463534242u;
    for (uint32_t i = 0; i < PAT_P; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        pat[i] = (unsigned char)(x >> 24);
    }
    for (uint32_t i = PAT_P; i < PAT_SPAN; i++)
        pat[i] = pat[i - PAT_P];
}

/* The byte stream of connection id starts at its own place in the pattern. */
static const unsigned char *pat_at(int id, uint64_t off)
{
    return pat + (off + (uint64_t)id * 7919u) % PAT_P;
}

static struct sockaddr_storage target;
static socklen_t target_len;

static void resolve(const char *host, const char *port, int type)
{
    struct addrinfo hints = {.ai_socktype = type}, *res;
    int r = getaddrinfo(host, port, &hints, &res);
    if (r != 0)
        fail(1, "resolve %s: %s", host, gai_strerror(r));
    memcpy(&target, res->ai_addr, res->ai_addrlen);
    target_len = res->ai_addrlen;
    freeaddrinfo(res);
}

/* ---------------------------------------------------------------- TCP engine */

struct conn {
    int fd, id;
    int connected, out_armed, closed;
    uint64_t goal;  /* bytes committed to send */
    uint64_t sent;  /* bytes the kernel took */
    uint64_t recvd; /* bytes back and verified */
};

static int ep;
static struct conn *conns;
static int nconns;
static uint64_t msg_size = 32;    /* S: messages are counted in units of S bytes */
static uint64_t window_bytes;     /* K*S in flight per connection; UINT64_MAX = no window (bulk) */
static uint64_t total_bytes;      /* bulk: bytes per connection */
static uint64_t msg_budget = UINT64_MAX; /* -n: messages still to be sent, all connections together */
static size_t write_max = 65536;
static int sending = 1;
static uint64_t msgs_back;        /* messages back and verified, all connections */
static uint64_t bytes_back;
static double last_progress, stall_s = 5, t_begin, hard_timeout = 60;

static void arm(struct conn *c, int out)
{
    if (c->out_armed == out)
        return;
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.u32 = (uint32_t)c->id};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) != 0)
        fail(1, "epoll_ctl: %s", strerror(errno));
    c->out_armed = out;
}

static void refill(struct conn *c)
{
    if (!sending)
        return;
    uint64_t allowed;
    if (window_bytes == UINT64_MAX)
        allowed = total_bytes;
    else
        allowed = (c->recvd / msg_size) * msg_size + window_bytes;
    if (allowed <= c->goal)
        return;
    uint64_t add = allowed - c->goal;
    if (msg_budget != UINT64_MAX && window_bytes != UINT64_MAX) {
        uint64_t m = add / msg_size;
        if (m > msg_budget)
            m = msg_budget;
        msg_budget -= m;
        add = m * msg_size;
    }
    c->goal += add;
}

static void flush(struct conn *c)
{
    while (c->sent < c->goal) {
        uint64_t len = c->goal - c->sent;
        if (len > write_max)
            len = write_max;
        ssize_t w = send(c->fd, pat_at(c->id, c->sent), (size_t)len, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                arm(c, 1);
                return;
            }
            fail(1, "send on connection %d after %llu bytes: %s", c->id, (unsigned long long)c->sent, strerror(errno));
        }
        c->sent += (uint64_t)w;
        if ((uint64_t)w < len) {
            arm(c, 1);
            return;
        }
    }
    arm(c, 0);
}

static void on_readable(struct conn *c)
{
    ssize_t n = recv(c->fd, rbuf, RBUF, 0);
    if (n == 0)
        fail(1, "server closed connection %d after echoing %llu of %llu bytes", c->id,
             (unsigned long long)c->recvd, (unsigned long long)c->sent);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        fail(1, "recv on connection %d after %llu bytes: %s", c->id, (unsigned long long)c->recvd, strerror(errno));
    }
    if (c->recvd + (uint64_t)n > c->sent)
        fail(1, "connection %d: server sent %llu bytes more than it was sent", c->id,
             (unsigned long long)(c->recvd + (uint64_t)n - c->sent));
    const unsigned char *want = pat_at(c->id, c->recvd);
    if (memcmp(rbuf, want, (size_t)n) != 0) {
        ssize_t i = 0;
        while (rbuf[i] == want[i])
            i++;
        fail(1, "connection %d: wrong byte at stream offset %llu (got 0x%02x, sent 0x%02x)", c->id,
             (unsigned long long)(c->recvd + (uint64_t)i), rbuf[i], want[i]);
    }
    msgs_back += (c->recvd + (uint64_t)n) / msg_size - c->recvd / msg_size;
    c->recvd += (uint64_t)n;
    bytes_back += (uint64_t)n;
    last_progress = now();
    refill(c);
    flush(c);
}

static uint64_t owed(void)
{
    uint64_t o = 0;
    for (int i = 0; i < nconns; i++)
        o += conns[i].sent - conns[i].recvd;
    return o;
}

static int all_back(void)
{
    for (int i = 0; i < nconns; i++)
        if (conns[i].recvd < conns[i].goal)
            return 0;
    return 1;
}

/* Handles events for up to timeout_ms; fails on a stall or on the hard timeout. */
static void poll_once(int timeout_ms)
{
    static struct epoll_event evs[1024];
    double t = now();
    if (t - t_begin > hard_timeout)
        fail(3, "no result within the %.0f s bound (%llu bytes owed)", hard_timeout, (unsigned long long)owed());
    if (t - last_progress > stall_s && owed() > 0)
        fail(3, "stalled: nothing came back for %.0f s with %llu bytes owed", stall_s, (unsigned long long)owed());
    int n = epoll_wait(ep, evs, 1024, timeout_ms);
    if (n < 0 && errno != EINTR)
        fail(1, "epoll_wait: %s", strerror(errno));
    for (int i = 0; i < n; i++) {
        struct conn *c = &conns[evs[i].data.u32];
        if (evs[i].events & EPOLLOUT)
            flush(c);
        if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
            on_readable(c);
    }
}

/* Opens every connection, at most 256 handshakes at once so a server's backlog never overflows. */
static void connect_all(int n)
{
    nconns = n;
    conns = calloc((size_t)n, sizeof *conns);
    raise_nofile((rlim_t)n + 1024);
    ep = epoll_create1(EPOLL_CLOEXEC);
    static struct epoll_event evs[1024];
    int started = 0, done = 0, inflight = 0;
    double start = now();
    while (done < n) {
        while (started < n && inflight < 256) {
            struct conn *c = &conns[started];
            c->id = started++;
            c->fd = socket(target.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (c->fd < 0)
                fail(1, "socket for connection %d: %s", c->id, strerror(errno));
            int on = 1;
            setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
            if (connect(c->fd, (struct sockaddr *)&target, target_len) != 0 && errno != EINPROGRESS)
                fail(1, "connect %d: %s", c->id, strerror(errno));
            struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)c->id};
            epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
            c->out_armed = 1;
            inflight++;
        }
        if (now() - start > hard_timeout)
            fail(3, "only %d of %d connections established within %.0f s", done, n, hard_timeout);
        int k = epoll_wait(ep, evs, 1024, 100);
        for (int i = 0; i < k; i++) {
            struct conn *c = &conns[evs[i].data.u32];
            if (c->connected)
                continue;
            int err = 0;
            socklen_t el = sizeof err;
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
            if (err)
                fail(1, "connect %d of %d: %s", c->id + 1, n, strerror(err));
            c->connected = 1;
            arm(c, 0);
            inflight--;
            done++;
        }
    }
}

static void tcp_setup(const char *host, const char *port, int n)
{
    pat_init();
    resolve(host, port, SOCK_STREAM);
    connect_all(n);
    t_begin = last_progress = now();
}

/* Waits until every committed byte is back; used for the final drain and the idle round trips. */
static void drain(double bound)
{
    sending = 0;
    double until = now() + bound;
    while (!all_back()) {
        if (now() > until) {
            int stuck = 0, first = -1;
            for (int i = 0; i < nconns; i++)
                if (conns[i].recvd < conns[i].goal && stuck++ == 0)
                    first = i;
            fail(3, "drain: %llu bytes still owed after %.0f s on %d connection(s), e.g. connection %d: %llu of %llu back",
                 (unsigned long long)owed(), bound, stuck, first, (unsigned long long)conns[first].recvd,
                 (unsigned long long)conns[first].sent);
        }
        poll_once(10);
    }
}

static int run_echo(const char *host, const char *port, int c, int k, double dur, double warm, uint64_t nmsgs)
{
    window_bytes = (uint64_t)k * msg_size;
    if (nmsgs)
        msg_budget = nmsgs;
    tcp_setup(host, port, c);
    double t0 = now(), t_warm = t0 + warm, t_end = t_warm + dur, t_mark = 0;
    uint64_t m_mark = 0;
    int marked = 0;
    for (int i = 0; i < nconns; i++) {
        refill(&conns[i]);
        flush(&conns[i]);
    }
    double rate, secs;
    uint64_t count;
    if (nmsgs) {
        while (!(msg_budget == 0 && all_back()))
            poll_once(10);
        secs = now() - t0;
        count = msgs_back;
    } else {
        for (;;) {
            double t = now();
            if (!marked && t >= t_warm) {
                marked = 1;
                t_mark = t;
                m_mark = msgs_back;
            }
            if (t >= t_end)
                break;
            poll_once(5);
        }
        secs = now() - t_mark;
        count = msgs_back - m_mark;
        snprintf(extra, sizeof extra, "\"conns\":%d,\"inflight\":%d,\"size\":%llu,\"seconds\":%.3f,\"messages\":%llu,"
                 "\"rate\":%.1f,\"unit\":\"msg/s\",\"partial\":true", c, k, (unsigned long long)msg_size, secs,
                 (unsigned long long)count, (double)count / secs);
        drain(5);
    }
    rate = (double)count / secs;
    char f[512];
    snprintf(f, sizeof f,
             "\"conns\":%d,\"inflight\":%d,\"size\":%llu,\"seconds\":%.3f,\"messages\":%llu,\"rate\":%.1f,"
             "\"unit\":\"msg/s\",\"verified_bytes\":%llu,\"mean_rtt_us\":%.1f",
             c, k, (unsigned long long)msg_size, secs, (unsigned long long)count, rate,
             (unsigned long long)bytes_back, rate > 0 ? 1e6 * c * k / rate : 0.0);
    emit(1, "ok", NULL, f);
    return 0;
}

static int run_bulk(const char *host, const char *port, uint64_t bytes)
{
    window_bytes = UINT64_MAX;
    total_bytes = bytes;
    tcp_setup(host, port, 1);
    double t0 = now();
    struct conn *c = &conns[0];
    refill(c);
    flush(c);
    while (c->recvd < bytes) {
        double t = now();
        double secs = t - t0;
        snprintf(extra, sizeof extra,
                 "\"bytes\":%llu,\"verified_bytes\":%llu,\"seconds\":%.3f,\"rate\":%.1f,\"unit\":\"MB/s\",\"partial\":true",
                 (unsigned long long)bytes, (unsigned long long)c->recvd, secs, secs > 0 ? (double)c->recvd / secs / 1e6 : 0.0);
        poll_once(50);
    }
    double secs = now() - t0;
    char f[256];
    snprintf(f, sizeof f, "\"bytes\":%llu,\"verified_bytes\":%llu,\"write_size\":%zu,\"seconds\":%.3f,\"rate\":%.1f,\"unit\":\"MB/s\"",
             (unsigned long long)bytes, (unsigned long long)c->recvd, write_max, secs, (double)bytes / secs / 1e6);
    emit(1, "ok", NULL, f);
    return 0;
}

static long status_kib(int pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':')
            v = atol(line + kl + 1);
    fclose(f);
    return v;
}

static void round_trip_all(double bound)
{
    for (int i = 0; i < nconns; i++) {
        conns[i].goal += 1;
        flush(&conns[i]);
    }
    last_progress = now();
    drain(bound);
}

static int run_idle(const char *host, const char *port, int n, double hold, int pid)
{
    msg_size = 1;
    sending = 0;
    long before = pid ? status_kib(pid, "VmRSS") : -1;
    pat_init();
    resolve(host, port, SOCK_STREAM);
    t_begin = now();
    connect_all(n);
    double t_conn = now() - t_begin;
    last_progress = now();
    round_trip_all(30);
    double t_ready = now() - t_begin;
    /* Hold: an idle server sends nothing, so any event here is a close or a stray byte. */
    double until = now() + hold;
    long rss_max = 0;
    while (now() < until) {
        last_progress = now();
        poll_once(100);
        if (pid) {
            long r = status_kib(pid, "VmRSS");
            if (r < 0)
                fail(1, "server process %d is gone", pid);
            if (r > rss_max)
                rss_max = r;
        }
    }
    long rss = pid ? status_kib(pid, "VmRSS") : -1;
    long hwm = pid ? status_kib(pid, "VmHWM") : -1;
    snprintf(extra, sizeof extra, "\"conns\":%d,\"rss_before_kib\":%ld,\"rss_kib\":%ld,\"rss_max_kib\":%ld,\"hwm_kib\":%ld",
             n, before, rss, rss_max, hwm);
    round_trip_all(30);
    char f[1200];
    snprintf(f, sizeof f, "%s,\"connect_seconds\":%.3f,\"ready_seconds\":%.3f,\"hold_seconds\":%.1f,\"rate\":%.3f,\"unit\":\"MiB\"",
             extra, t_conn, t_ready, hold, rss / 1024.0);
    emit(1, "ok", NULL, f);
    return 0;
}

/* ---------------------------------------------------------------- UDP */

#define UBATCH 64

struct usock {
    int fd;
    int outstanding;
    double last_reply;
};

static int run_udp(const char *host, const char *port, int ns, int k, double dur, double warm)
{
    resolve(host, port, SOCK_DGRAM);
    ep = epoll_create1(EPOLL_CLOEXEC);
    struct usock *s = calloc((size_t)ns, sizeof *s);
    static struct mmsghdr tx[UBATCH], rx[UBATCH];
    static struct iovec rxv[UBATCH];
    static unsigned char rxb[UBATCH][64];
    for (int i = 0; i < UBATCH; i++) {
        rxv[i] = (struct iovec){rxb[i], sizeof rxb[i]};
        tx[i].msg_hdr = (struct msghdr){0}; /* empty datagrams, like the tutorial's client */
    }
    for (int i = 0; i < ns; i++) {
        s[i].fd = socket(target.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s[i].fd < 0 || connect(s[i].fd, (struct sockaddr *)&target, target_len) != 0)
            fail(1, "udp socket: %s", strerror(errno));
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, s[i].fd, &ev);
    }
    uint64_t replies = 0, sent = 0, topups = 0, bad = 0, refused = 0;
    double t0 = now(), t_warm = t0 + warm, t_end = t_warm + dur, t_mark = 0;
    uint64_t r_mark = 0;
    int marked = 0;
    static struct epoll_event evs[256];
    for (;;) {
        double t = now();
        if (!marked && t >= t_warm) {
            marked = 1;
            t_mark = t;
            r_mark = replies;
        }
        if (t >= t_end)
            break;
        if (t - t0 > 5 && replies == 0)
            fail(1, "no reply at all in 5 s (%llu requests sent, %llu refused)", (unsigned long long)sent, (unsigned long long)refused);
        for (int i = 0; i < ns; i++) {
            if (s[i].outstanding > 0 && t - s[i].last_reply > 0.02) {
                s[i].outstanding = 0; /* the rest was dropped somewhere: top up again */
                topups++;
            }
            while (s[i].outstanding < k) {
                int want = k - s[i].outstanding;
                if (want > UBATCH)
                    want = UBATCH;
                int r = sendmmsg(s[i].fd, tx, (unsigned)want, 0);
                if (r <= 0) {
                    if (r < 0 && errno == ECONNREFUSED) {
                        refused++;
                        continue;
                    }
                    break;
                }
                s[i].outstanding += r;
                sent += (uint64_t)r;
                if (s[i].last_reply < t - 0.02)
                    s[i].last_reply = t;
            }
        }
        int n = epoll_wait(ep, evs, 256, 5);
        t = now();
        for (int e = 0; e < n; e++) {
            struct usock *u = &s[evs[e].data.u32];
            for (;;) {
                for (int i = 0; i < UBATCH; i++)
                    rx[i].msg_hdr = (struct msghdr){.msg_iov = &rxv[i], .msg_iovlen = 1};
                int r = recvmmsg(u->fd, rx, UBATCH, MSG_DONTWAIT, NULL);
                if (r <= 0) {
                    if (r < 0 && errno == ECONNREFUSED) {
                        refused++;
                        continue;
                    }
                    break;
                }
                uint32_t local = (uint32_t)time(NULL);
                for (int i = 0; i < r; i++) {
                    uint32_t v;
                    memcpy(&v, rxb[i], 4);
                    v = ntohl(v);
                    int32_t diff = (int32_t)(v - local);
                    if (rx[i].msg_len != 4 || diff > 5 || diff < -5) {
                        bad++;
                        if (bad == 1)
                            fprintf(stderr, "loadgen udp: bad reply of %u bytes, value %u, local %u\n", rx[i].msg_len, v, local);
                    }
                }
                replies += (uint64_t)r;
                u->outstanding -= r;
                if (u->outstanding < 0)
                    u->outstanding = 0;
                u->last_reply = t;
                if (r < UBATCH)
                    break;
            }
        }
    }
    double secs = now() - t_mark;
    uint64_t count = replies - r_mark;
    char f[512];
    snprintf(f, sizeof f,
             "\"sockets\":%d,\"inflight\":%d,\"seconds\":%.3f,\"replies\":%llu,\"rate\":%.1f,\"unit\":\"replies/s\","
             "\"requests_sent\":%llu,\"topups\":%llu,\"bad_replies\":%llu,\"refused\":%llu",
             ns, k, secs, (unsigned long long)count, (double)count / secs, (unsigned long long)sent,
             (unsigned long long)topups, (unsigned long long)bad, (unsigned long long)refused);
    if (bad) {
        snprintf(extra, sizeof extra, "%s", f);
        fail(1, "%llu replies were not 4 bytes of the current Unix time", (unsigned long long)bad);
    }
    emit(1, "ok", NULL, f);
    return 0;
}

/* ---------------------------------------------------------------- helpers for the script */

static int run_freeport(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t l = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &l) != 0)
        return 1;
    printf("%d\n", ntohs(a.sin_port));
    close(fd);
    return 0;
}

static int run_wait(const char *host, const char *port)
{
    resolve(host, port, SOCK_STREAM);
    double until = now() + hard_timeout;
    while (now() < until) {
        int fd = socket(target.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, (struct sockaddr *)&target, target_len) == 0) {
            close(fd);
            return 0;
        }
        close(fd);
        usleep(20000);
    }
    fprintf(stderr, "loadgen wait: %s:%s does not accept\n", host, port);
    return 3;
}

static void usage(void)
{
    fprintf(stderr, "usage: loadgen echo|pingpong|bulk|idle|udp [options] HOST PORT | loadgen freeport | loadgen wait HOST PORT\n"
                    "  -c conns/sockets  -k in flight  -s size  -d seconds  -w warm-up  -n messages\n"
                    "  -b bulk bytes  -W write size  -P server pid  -t timeout  -S stall seconds\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    mode = argv[1];
    signal(SIGPIPE, SIG_IGN);
    int conns_opt = -1, k = -1, pid = 0;
    double dur = 5, warm = 1, dur_set = 0;
    uint64_t nmsgs = 0, bulk = 1ull << 30;
    int opt;
    while ((opt = getopt(argc - 1, argv + 1, "c:k:s:d:w:n:b:W:P:t:S:")) != -1) {
        switch (opt) {
        case 'c': conns_opt = atoi(optarg); break;
        case 'k': k = atoi(optarg); break;
        case 's': msg_size = strtoull(optarg, NULL, 10); break;
        case 'd': dur = atof(optarg); dur_set = 1; break;
        case 'w': warm = atof(optarg); break;
        case 'n': nmsgs = strtoull(optarg, NULL, 10); break;
        case 'b': bulk = strtoull(optarg, NULL, 10); break;
        case 'W': write_max = strtoull(optarg, NULL, 10); break;
        case 'P': pid = atoi(optarg); break;
        case 't': hard_timeout = atof(optarg); break;
        case 'S': stall_s = atof(optarg); break;
        default: usage();
        }
    }
    int rest = argc - 1 - optind;
    char **pos = argv + 1 + optind;
    if (strcmp(mode, "freeport") == 0)
        return run_freeport();
    if (rest != 2 || msg_size == 0 || write_max == 0 || write_max > (1u << 20))
        usage();
    if (strcmp(mode, "wait") == 0)
        return run_wait(pos[0], pos[1]);
    if (strcmp(mode, "echo") == 0)
        return run_echo(pos[0], pos[1], conns_opt > 0 ? conns_opt : 100, k > 0 ? k : 4, dur, warm, nmsgs);
    if (strcmp(mode, "pingpong") == 0)
        return run_echo(pos[0], pos[1], 1, 1, dur, warm, nmsgs);
    if (strcmp(mode, "bulk") == 0)
        return run_bulk(pos[0], pos[1], bulk);
    if (strcmp(mode, "idle") == 0)
        return run_idle(pos[0], pos[1], conns_opt > 0 ? conns_opt : 10000, dur_set ? dur : 5, pid);
    if (strcmp(mode, "udp") == 0)
        return run_udp(pos[0], pos[1], conns_opt > 0 ? conns_opt : 4, k > 0 ? k : 32, dur, warm);
    usage();
}
