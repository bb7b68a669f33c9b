/*
 * ts_psi.h — the PSI packets of an HLS TS segment: PAT and PMT (one program,
 * H.264 and/or AAC-ADTS elementary streams), each a single packet with its
 * MPEG-2 CRC32.
 */
#ifndef TS_PSI_H
#define TS_PSI_H

#include <stdint.h>

#include "ts_defs.h"

/* PAT of program 1 -> PMT PID, continuity counter cc. */
void ts_write_pat(uint8_t pkt[TS_PACKET], uint8_t cc);

/* PMT listing the video and/or audio PID; PCR on pcr_pid.  sample_aes:
 * the SAMPLE-AES stream types (0xDB H.264, 0xCF AAC-ADTS) instead. */
void ts_write_pmt(uint8_t pkt[TS_PACKET], uint8_t cc, int video, int audio, uint16_t pcr_pid,
                  int sample_aes);

#endif
