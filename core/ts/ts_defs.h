/*
 * ts_defs.h — MPEG-2 Transport Stream constants shared by the TS muxer's
 * parts (PSI tables, codec framing, packetiser): packet geometry, PIDs,
 * stream types and the 90 kHz clock.
 */
#ifndef TS_DEFS_H
#define TS_DEFS_H

#define TS_PACKET           188
#define TS_PAYLOAD          (TS_PACKET - 4)
#define TS_PID_PAT          0x0000
#define TS_PID_PMT          0x1000
#define TS_PID_VIDEO        0x0100
#define TS_PID_AUDIO        0x0101
#define TS_STREAM_H264      0x1B
#define TS_STREAM_AAC_ADTS  0x0F
#define TS_STREAM_H264_SAMPLE_AES 0xDB  /* HLS SAMPLE-AES (Apple) */
#define TS_STREAM_AAC_SAMPLE_AES  0xCF
#define TS_CLOCK            90000u
#define TS_TIME_MASK        0x1FFFFFFFFull   /* PTS, DTS and PCR base are 33 bits */
#define TS_START_CODE_LEN   4
#define TS_ADTS_LEN         7
#define TS_ADTS_MAX_FRAME   0x1FFF           /* 13-bit frame_length */

#endif
