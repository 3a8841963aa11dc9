/*
 * liburing >= 2.5 API on top of an older system liburing (Debian 12 ships 2.3). Adds only what
 * mediasoup 3.19 calls: io_uring_major_version()/io_uring_minor_version() (2.4) and
 * io_uring_prep_sendto() (2.5, = send + destination address). MOODROOM_LIBURING_MAJOR/MINOR come
 * from the stub's meson.build (pkg-config version of the system library).
 */
#ifndef MOODROOM_LIBURING_COMPAT_H
#define MOODROOM_LIBURING_COMPAT_H

#include_next <liburing.h>

#if !defined(MOODROOM_LIBURING_MAJOR) || !defined(MOODROOM_LIBURING_MINOR)
#error "MOODROOM_LIBURING_MAJOR/MINOR must be defined by the liburing stub subproject"
#endif

#define MOODROOM_LIBURING_AT_LEAST(major, minor) \
  (MOODROOM_LIBURING_MAJOR > (major) || (MOODROOM_LIBURING_MAJOR == (major) && MOODROOM_LIBURING_MINOR >= (minor)))

#ifdef __cplusplus
extern "C" {
#endif

#if !MOODROOM_LIBURING_AT_LEAST(2, 4)
static inline int io_uring_major_version(void) { return MOODROOM_LIBURING_MAJOR; }
static inline int io_uring_minor_version(void) { return MOODROOM_LIBURING_MINOR; }
#endif

#if !MOODROOM_LIBURING_AT_LEAST(2, 5)
static inline void io_uring_prep_sendto(struct io_uring_sqe *sqe, int sockfd, const void *buf, size_t len, int flags,
                                        const struct sockaddr *addr, socklen_t addrlen)
{
  io_uring_prep_send(sqe, sockfd, buf, len, flags);
  io_uring_prep_send_set_addr(sqe, addr, (__u16)addrlen);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* MOODROOM_LIBURING_COMPAT_H */
