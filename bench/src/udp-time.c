/*
 * udp-time: the native reference for netkit's UDP time server. Every datagram, empty included,
 * is answered with 4 bytes: Unix seconds, big-endian (the tutorial's struct.pack("!I", time)).
 *
 * Usage: udp-time [PORT] [--mmsg]
 *   default  one recvfrom and one sendto per request (the classic loop)
 *   --mmsg   recvmmsg takes up to 64 queued datagrams per call, sendmmsg answers them in one call
 * One thread, blocking socket, dual-stack [::] like netkit. Prints "listening on [::]:PORT (udp)".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static void die(const char *what)
{
    fprintf(stderr, "udp-time: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void serve_plain(int fd)
{
    char in[2048];
    struct sockaddr_storage from;
    for (;;) {
        socklen_t fl = sizeof from;
        if (recvfrom(fd, in, sizeof in, 0, (struct sockaddr *)&from, &fl) < 0)
            continue; /* EINTR, ICMP errors: never stop */
        uint32_t t = htonl((uint32_t)time(NULL));
        sendto(fd, &t, sizeof t, 0, (struct sockaddr *)&from, fl);
    }
}

static void serve_mmsg(int fd)
{
    static char in[BATCH][2048];
    static struct sockaddr_storage from[BATCH];
    static struct iovec iin[BATCH], iout[BATCH];
    static struct mmsghdr rx[BATCH], tx[BATCH];
    uint32_t t;
    for (int i = 0; i < BATCH; i++) {
        iin[i] = (struct iovec){in[i], sizeof in[i]};
        iout[i] = (struct iovec){&t, sizeof t};
    }
    for (;;) {
        for (int i = 0; i < BATCH; i++) {
            rx[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof from[i], .msg_iov = &iin[i], .msg_iovlen = 1};
        }
        int n = recvmmsg(fd, rx, BATCH, MSG_WAITFORONE, NULL);
        if (n <= 0)
            continue;
        t = htonl((uint32_t)time(NULL));
        for (int i = 0; i < n; i++) {
            tx[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = rx[i].msg_hdr.msg_namelen, .msg_iov = &iout[i], .msg_iovlen = 1};
        }
        for (int sent = 0; sent < n;) {
            int r = sendmmsg(fd, tx + sent, (unsigned)(n - sent), 0);
            if (r <= 0) {
                sent++; /* a failed destination: skip it, as sendto's loop would */
                continue;
            }
            sent += r;
        }
    }
}

int main(int argc, char **argv)
{
    int port = 0, mmsg = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mmsg") == 0)
            mmsg = 1;
        else
            port = atoi(argv[i]);
    }
    int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    int off = 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((unsigned short)port), .sin6_addr = in6addr_any};
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
        die("bind");
    socklen_t al = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &al);
    fprintf(stderr, "listening on [::]:%d (udp)\n", ntohs(a.sin6_port));
    fflush(stderr);
    if (mmsg)
        serve_mmsg(fd);
    else
        serve_plain(fd);
}
