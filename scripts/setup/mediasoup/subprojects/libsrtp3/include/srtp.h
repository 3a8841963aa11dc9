/*
 * libsrtp 3 API on top of libsrtp 2.x (Debian 12 ships libsrtp2 2.5; mediasoup 3.19 calls the
 * libsrtp 3 API). Only the calls mediasoup makes are bridged.
 *
 * libsrtp 3 protects from an input buffer into a caller-sized output buffer and reports
 * "buffer too small"; libsrtp 2 protects in place and assumes the buffer has room for the
 * trailer. The room check below uses the session's real trailer length
 * (srtp_get_protect_trailer_length), NOT SRTP_MAX_TRAILER_LEN (144): mediasoup encrypts into
 * 1500-byte io_uring send buffers, so the worst-case check would reject every packet above
 * ~1356 bytes, i.e. silently drop MTU-sized video packets.
 */
#ifndef MOODROOM_SRTP3_COMPAT_H
#define MOODROOM_SRTP3_COMPAT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <srtp2/srtp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes libsrtp 3 added after srtp_err_status_pkt_idx_adv (27); mediasoup only uses them as
 * keys of its error-text map. */
#define srtp_err_status_buffer_small ((srtp_err_status_t)28)
#define srtp_err_status_cryptex_err ((srtp_err_status_t)29)

typedef srtp_err_status_t (*moodroom_srtp2_trailer_fn)(srtp_t, uint32_t, uint32_t, uint32_t *);
typedef srtp_err_status_t (*moodroom_srtp2_protect_fn)(srtp_t, void *, int *, unsigned int, unsigned int);

static inline srtp_err_status_t moodroom_srtp3_protect_common(srtp_t ctx, const uint8_t *in, size_t in_len,
                                                              uint8_t *out, size_t *out_len, size_t mki_index,
                                                              moodroom_srtp2_trailer_fn trailer_fn,
                                                              moodroom_srtp2_protect_fn protect_fn)
{
  uint32_t trailer = 0;
  srtp_err_status_t err;
  int len;

  if (in_len > (size_t)INT_MAX)
    return srtp_err_status_bad_param;
  err = trailer_fn(ctx, 0, (uint32_t)mki_index, &trailer);
  if (err != srtp_err_status_ok)
    return err;
  if (in_len + trailer > *out_len)
    return srtp_err_status_buffer_small;
  if (out != in)
    memmove(out, in, in_len);
  len = (int)in_len;
  err = protect_fn(ctx, out, &len, 0, (unsigned int)mki_index);
  if (err != srtp_err_status_ok)
    return err;
  *out_len = (size_t)len;
  return srtp_err_status_ok;
}

static inline srtp_err_status_t moodroom_srtp3_protect(srtp_t ctx, const uint8_t *rtp, size_t rtp_len, uint8_t *srtp,
                                                       size_t *srtp_len, size_t mki_index)
{
  return moodroom_srtp3_protect_common(ctx, rtp, rtp_len, srtp, srtp_len, mki_index,
                                       srtp_get_protect_trailer_length, srtp_protect_mki);
}

static inline srtp_err_status_t moodroom_srtp3_protect_rtcp(srtp_t ctx, const uint8_t *rtcp, size_t rtcp_len,
                                                            uint8_t *srtcp, size_t *srtcp_len, size_t mki_index)
{
  return moodroom_srtp3_protect_common(ctx, rtcp, rtcp_len, srtcp, srtcp_len, mki_index,
                                       srtp_get_protect_rtcp_trailer_length, srtp_protect_rtcp_mki);
}

/* 3.x: unprotect from `in` into `out` (mediasoup passes the same buffer). */
static inline srtp_err_status_t moodroom_srtp3_unprotect_common(srtp_t ctx, const uint8_t *in, size_t in_len,
                                                                uint8_t *out, size_t *out_len, int rtcp)
{
  srtp_err_status_t err;
  int len;

  if (in_len > (size_t)INT_MAX)
    return srtp_err_status_bad_param;
  if (*out_len < in_len)
    return srtp_err_status_buffer_small;
  if (out != in)
    memmove(out, in, in_len);
  len = (int)in_len;
  err = rtcp ? srtp_unprotect_rtcp(ctx, out, &len) : srtp_unprotect(ctx, out, &len);
  if (err != srtp_err_status_ok)
    return err;
  *out_len = (size_t)len;
  return srtp_err_status_ok;
}

static inline srtp_err_status_t moodroom_srtp3_unprotect(srtp_t ctx, const uint8_t *srtp, size_t srtp_len, uint8_t *rtp,
                                                         size_t *rtp_len)
{
  return moodroom_srtp3_unprotect_common(ctx, srtp, srtp_len, rtp, rtp_len, 0);
}

static inline srtp_err_status_t moodroom_srtp3_unprotect_rtcp(srtp_t ctx, const uint8_t *srtcp, size_t srtcp_len,
                                                              uint8_t *rtcp, size_t *rtcp_len)
{
  return moodroom_srtp3_unprotect_common(ctx, srtcp, srtcp_len, rtcp, rtcp_len, 1);
}

#ifdef __cplusplus
}
#endif

/* Defined after the wrappers so that the wrappers above still call the 2.x functions. */
#define srtp_protect moodroom_srtp3_protect
#define srtp_protect_rtcp moodroom_srtp3_protect_rtcp
#define srtp_unprotect moodroom_srtp3_unprotect
#define srtp_unprotect_rtcp moodroom_srtp3_unprotect_rtcp
#define srtp_stream_remove srtp_remove_stream

#endif /* MOODROOM_SRTP3_COMPAT_H */
