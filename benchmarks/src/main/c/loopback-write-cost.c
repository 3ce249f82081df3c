// What the kernel charges for the smallest pieces of a message's trip on this machine (BENCHMARKS.md,
// "Where an echo's CPU goes"): an empty system call (getppid) and a 60-byte write on a loopback TCP connection,
// whose reader drains it in another thread. On loopback the writer's thread also pays for the receiving side
// (the softirq that queues the data and wakes the reader), as a worker writing to its clients does.
// Not built by Maven: gcc -O2 -pthread -o loopback-write-cost loopback-write-cost.c && ./loopback-write-cost
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define ROUNDS 200000

static int reader_fd;

static void *drain(void *unused) {
    char buf[65536];
    while (read(reader_fd, buf, sizeof buf) > 0) {
    }
    return NULL;
}

// CPU time of the calling thread (user + system), in microseconds
static double thread_cpu_us(void) {
    struct rusage usage;
    getrusage(RUSAGE_THREAD, &usage);
    return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

int main(void) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *) &address, sizeof address) != 0 || listen(listener, 1) != 0
            || getsockname(listener, (struct sockaddr *) &address, &length) != 0) {
        perror("listen");
        return 1;
    }
    int writer = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(writer, (struct sockaddr *) &address, sizeof address) != 0) {
        perror("connect");
        return 1;
    }
    reader_fd = accept(listener, NULL, NULL);
    int on = 1;
    setsockopt(writer, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    pthread_t reader;
    pthread_create(&reader, NULL, drain, NULL);

    double start = thread_cpu_us();
    for (int i = 0; i < ROUNDS; i++) {
        getppid();
    }
    double syscalls = thread_cpu_us();
    char message[60];
    memset(message, 'x', sizeof message);
    for (int i = 0; i < ROUNDS; i++) {
        if (write(writer, message, sizeof message) != sizeof message) {
            perror("write");
            return 1;
        }
        if (i % 64 == 0) {
            usleep(50); // let the reader keep up, as clients do, so the socket buffer never fills
        }
    }
    double writes = thread_cpu_us();
    printf("empty system call: %.2f us; 60-byte loopback write: %.2f us (the writing thread's CPU)\n",
            (syscalls - start) / ROUNDS, (writes - syscalls) / ROUNDS);
    return 0;
}
