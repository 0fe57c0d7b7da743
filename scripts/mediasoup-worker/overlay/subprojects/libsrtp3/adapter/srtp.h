/*
 * libsrtp 3 -> libsrtp 2 adapter (C++ only).
 *
 * Why this exists: mediasoup's worker is written against libsrtp 3 (it pulls
 * versatica's libsrtp 3 beta through subprojects/libsrtp3.wrap), but Debian 12
 * ships libsrtp 2.5.0 (apt: libsrtp2-dev). The worker includes <srtp.h>; this
 * file is found first, pulls in Debian's <srtp2/srtp.h>, and adds the few
 * libsrtp 3 names the worker uses:
 *
 *   - srtp_protect / srtp_protect_rtcp with separate input and output buffers,
 *     size_t lengths and an MKI index (libsrtp 2: in place, int length);
 *   - srtp_unprotect / srtp_unprotect_rtcp, same change;
 *   - srtp_stream_remove (libsrtp 2 calls it srtp_remove_stream);
 *   - the error codes srtp_err_status_buffer_small and
 *     srtp_err_status_cryptex_err, which libsrtp 2 does not have.
 *
 * The new functions are C++ overloads of the C functions (different arity), so
 * they never clash with the libsrtp 2 symbols. Everything else the worker uses
 * (srtp_policy_t, srtp_create, crypto policy setters, events) is unchanged
 * between the two versions.
 */
#ifndef ALONGSIDE_LIBSRTP3_ADAPTER_SRTP_H
#define ALONGSIDE_LIBSRTP3_ADAPTER_SRTP_H

#ifndef __cplusplus
#error "libsrtp3 adapter: C++ only"
#endif

#include <srtp2/srtp.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

// libsrtp 3 appended these two codes after srtp_err_status_pkt_idx_adv (27).
constexpr srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
constexpr srtp_err_status_t srtp_err_status_cryptex_err  = static_cast<srtp_err_status_t>(29);

namespace alongside_srtp3_adapter
{
	// libsrtp 2 transforms a packet in place and takes an int length. Copy the
	// input into the caller's output buffer (unless they are the same), make
	// sure the packet can grow by `maxGrowth` bytes, run the libsrtp 2 call on
	// the output buffer and report the resulting length.
	template<typename Fn>
	inline srtp_err_status_t InPlace(
	  Fn fn, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen, size_t maxGrowth)
	{
		if (!in || !out || !outLen || inLen > static_cast<size_t>(INT_MAX) - maxGrowth)
		{
			return srtp_err_status_bad_param;
		}
		if (*outLen < inLen + maxGrowth)
		{
			return srtp_err_status_buffer_small;
		}
		if (out != in)
		{
			std::memmove(out, in, inLen);
		}

		int len                     = static_cast<int>(inLen);
		const srtp_err_status_t err = fn(out, &len);

		if (err == srtp_err_status_ok)
		{
			*outLen = static_cast<size_t>(len);
		}

		return err;
	}

	// Without MKI (mediasoup never configures one) SRTP adds at most the auth
	// tag; SRTCP adds the tag plus the 4-byte E-flag/index word.
	constexpr size_t RtpGrowth  = SRTP_MAX_TAG_LEN;
	constexpr size_t RtcpGrowth = SRTP_MAX_TAG_LEN + 4;
} // namespace alongside_srtp3_adapter

inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtpLen, uint8_t* srtp, size_t* srtpLen, size_t mkiIndex)
{
	if (mkiIndex != 0)
	{
		return srtp_err_status_bad_mki;
	}

	return alongside_srtp3_adapter::InPlace(
	  [ctx](uint8_t* buf, int* len) { return srtp_protect(ctx, buf, len); },
	  rtp,
	  rtpLen,
	  srtp,
	  srtpLen,
	  alongside_srtp3_adapter::RtpGrowth);
}

inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtpLen, uint8_t* rtp, size_t* rtpLen)
{
	return alongside_srtp3_adapter::InPlace(
	  [ctx](uint8_t* buf, int* len) { return srtp_unprotect(ctx, buf, len); },
	  srtp,
	  srtpLen,
	  rtp,
	  rtpLen,
	  0);
}

inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcpLen, uint8_t* srtcp, size_t* srtcpLen, size_t mkiIndex)
{
	if (mkiIndex != 0)
	{
		return srtp_err_status_bad_mki;
	}

	return alongside_srtp3_adapter::InPlace(
	  [ctx](uint8_t* buf, int* len) { return srtp_protect_rtcp(ctx, buf, len); },
	  rtcp,
	  rtcpLen,
	  srtcp,
	  srtcpLen,
	  alongside_srtp3_adapter::RtcpGrowth);
}

inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcpLen, uint8_t* rtcp, size_t* rtcpLen)
{
	return alongside_srtp3_adapter::InPlace(
	  [ctx](uint8_t* buf, int* len) { return srtp_unprotect_rtcp(ctx, buf, len); },
	  srtcp,
	  srtcpLen,
	  rtcp,
	  rtcpLen,
	  0);
}

// libsrtp 3 renamed srtp_remove_stream() to srtp_stream_remove().
inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}

#endif
