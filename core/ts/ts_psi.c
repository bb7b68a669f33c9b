/*
 * ts_psi.c — PAT and PMT packets and the MPEG-2 CRC32 (polynomial
 * 0x04C11DB7, MSB first, no final xor) that ends every PSI section.
 */
#include "ts_psi.h"

#include <string.h>

static uint32_t ts_crc32(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (n--) {
        crc ^= (uint32_t) *p++ << 24;
        for (int b = 0; b < 8; b++) {
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
        }
    }
    return crc;
}

/* One PSI packet: header, pointer_field, section + CRC, 0xFF stuffing. */
static void ts_psi_packet(uint8_t *pkt, uint16_t pid, uint8_t cc, const uint8_t *sec, size_t len)
{
    pkt[0] = 0x47;
    pkt[1] = (uint8_t) (0x40 | (pid >> 8));
    pkt[2] = (uint8_t) pid;
    pkt[3] = (uint8_t) (0x10 | (cc & 0x0F));
    pkt[4] = 0;
    memcpy(pkt + 5, sec, len);
    uint32_t crc = ts_crc32(sec, len);
    uint8_t *c = pkt + 5 + len;
    c[0] = (uint8_t) (crc >> 24);
    c[1] = (uint8_t) (crc >> 16);
    c[2] = (uint8_t) (crc >> 8);
    c[3] = (uint8_t) crc;
    memset(c + 4, 0xFF, TS_PACKET - (5 + len + 4));
}

void ts_write_pat(uint8_t pkt[TS_PACKET], uint8_t cc)
{
    static const uint8_t sec[] = {
        0x00, 0xB0, 13,                 /* table_id, section_length = 13 */
        0x00, 0x01, 0xC1, 0x00, 0x00,   /* tsid 1, version 0, current */
        0x00, 0x01,                     /* program 1 */
        0xE0 | (TS_PID_PMT >> 8), TS_PID_PMT & 0xFF
    };
    ts_psi_packet(pkt, TS_PID_PAT, cc, sec, sizeof(sec));
}

static size_t ts_pmt_stream(uint8_t *p, uint8_t type, uint16_t pid)
{
    p[0] = type;
    p[1] = (uint8_t) (0xE0 | (pid >> 8));
    p[2] = (uint8_t) pid;
    p[3] = 0xF0;                        /* ES_info_length = 0 */
    p[4] = 0x00;
    return 5;
}

void ts_write_pmt(uint8_t pkt[TS_PACKET], uint8_t cc, int video, int audio, uint16_t pcr_pid,
                  int sample_aes)
{
    uint8_t sec[32];
    size_t n = 12;
    if (video) {
        n += ts_pmt_stream(sec + n, sample_aes ? TS_STREAM_H264_SAMPLE_AES : TS_STREAM_H264,
                           TS_PID_VIDEO);
    }
    if (audio) {
        n += ts_pmt_stream(sec + n, sample_aes ? TS_STREAM_AAC_SAMPLE_AES : TS_STREAM_AAC_ADTS,
                           TS_PID_AUDIO);
    }
    size_t section_length = n - 3 + 4;
    const uint8_t head[12] = {
        0x02, (uint8_t) (0xB0 | (section_length >> 8)), (uint8_t) section_length,
        0x00, 0x01, 0xC1, 0x00, 0x00,   /* program 1, version 0, current */
        (uint8_t) (0xE0 | (pcr_pid >> 8)), (uint8_t) pcr_pid,
        0xF0, 0x00                      /* program_info_length = 0 */
    };
    memcpy(sec, head, sizeof(head));
    ts_psi_packet(pkt, TS_PID_PMT, cc, sec, n);
}
