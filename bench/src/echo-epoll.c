/*
 * echo-epoll: the native reference for netkit's TCP echo (RFC 862).
 *
 * One thread, one level-triggered epoll loop, non-blocking sockets. Each readable connection gets
 * one read of up to 64 KiB into a shared buffer and an immediate write of what was read. What the
 * kernel does not take is copied into a per-connection pending buffer; the connection then waits
 * for EPOLLOUT and is not read again until the pending bytes are gone. So a client that does not
 * read stalls only itself and the server holds at most one read's worth per connection; an idle
 * connection owns no buffer, only its descriptor.
 *
 * Usage: echo-epoll [PORT]    (0 or none = an ephemeral port)
 * Prints "listening on [::]:PORT (tcp)" on stderr, as netkit does, so the bench parses both alike.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

struct pending {
    char *data;
    size_t off, len;
};

static struct pending *pend; /* indexed by descriptor */
static size_t pend_cap;
static int ep;
static char buf[65536];

static void die(const char *what)
{
    fprintf(stderr, "echo-epoll: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void raise_nofile(void)
{
    struct rlimit r = {1 << 20, 1 << 20};
    if (setrlimit(RLIMIT_NOFILE, &r) != 0 && getrlimit(RLIMIT_NOFILE, &r) == 0) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

static struct pending *slot(int fd)
{
    if ((size_t)fd >= pend_cap) {
        size_t cap = pend_cap ? pend_cap : 1024;
        while (cap <= (size_t)fd)
            cap *= 2;
        pend = realloc(pend, cap * sizeof *pend);
        if (!pend)
            die("realloc");
        memset(pend + pend_cap, 0, (cap - pend_cap) * sizeof *pend);
        pend_cap = cap;
    }
    return &pend[fd];
}

static void watch(int fd, int op, unsigned events)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};
    if (epoll_ctl(ep, op, fd, &ev) != 0)
        die("epoll_ctl");
}

static void drop(int fd)
{
    struct pending *p = slot(fd);
    free(p->data);
    memset(p, 0, sizeof *p);
    close(fd); /* also removes it from the epoll set */
}

/* Writes what is pending; returns 0 when all is gone, 1 when the kernel is full, -1 on error. */
static int flush(int fd, struct pending *p)
{
    while (p->off < p->len) {
        ssize_t w = send(fd, p->data + p->off, p->len - p->off, MSG_NOSIGNAL);
        if (w < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
        p->off += (size_t)w;
    }
    free(p->data);
    p->data = NULL;
    p->off = p->len = 0;
    return 0;
}

static void on_readable(int fd)
{
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) {
        drop(fd); /* the client is done and nothing is owed (we do not read while owing) */
        return;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            drop(fd);
        return;
    }
    ssize_t w = send(fd, buf, (size_t)n, MSG_NOSIGNAL);
    if (w < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            drop(fd);
            return;
        }
        w = 0;
    }
    if (w < n) {
        struct pending *p = slot(fd);
        p->len = (size_t)(n - w);
        p->off = 0;
        p->data = malloc(p->len);
        if (!p->data)
            die("malloc");
        memcpy(p->data, buf + w, p->len);
        watch(fd, EPOLL_CTL_MOD, EPOLLOUT); /* stop reading until the reply is out */
    }
}

static void on_writable(int fd)
{
    int r = flush(fd, slot(fd));
    if (r < 0)
        drop(fd);
    else if (r == 0)
        watch(fd, EPOLL_CTL_MOD, EPOLLIN);
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 0;
    raise_nofile();
    signal(SIGPIPE, SIG_IGN);

    int lfd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        die("socket");
    int off = 0, on = 1;
    setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off); /* dual stack, like netkit */
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((unsigned short)port), .sin6_addr = in6addr_any};
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) != 0)
        die("bind");
    if (listen(lfd, 4096) != 0)
        die("listen");
    socklen_t al = sizeof a;
    getsockname(lfd, (struct sockaddr *)&a, &al);
    fprintf(stderr, "listening on [::]:%d (tcp)\n", ntohs(a.sin6_port));
    fflush(stderr);

    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        die("epoll_create1");
    watch(lfd, EPOLL_CTL_ADD, EPOLLIN);

    struct epoll_event evs[1024];
    for (;;) {
        int n = epoll_wait(ep, evs, 1024, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            unsigned e = evs[i].events;
            if (fd == lfd) {
                for (;;) {
                    int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (c < 0)
                        break; /* EAGAIN, or EMFILE and friends: try again on the next event */
                    slot(c);
                    watch(c, EPOLL_CTL_ADD, EPOLLIN);
                }
            } else if (slot(fd)->data) {
                on_writable(fd); /* EPOLLOUT, or an error the failing send will report */
            } else if (e & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                on_readable(fd);
            }
        }
    }
}
