"""A reference reader of Apple's SAMPLE-AES MPEG-TS for tests: the
elementary streams of a TS segment (PES payloads per PID), their H.264 NAL
units and ADTS frames, and decryption as the spec says (slice NAL units
longer than 48 bytes: emulation prevention removed, then one 16-byte block
in ten CBC-decrypted after a 32-byte clear leader while more than 16 bytes
remain; AAC: every whole block after 16 clear bytes of the raw frame), with
python3-cryptography.  Independent of the C code it checks."""

from typing import List

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PID_VIDEO, PID_AUDIO = 0x100, 0x101


def pmt_stream_types(ts: bytes) -> List[int]:
    for i in range(0, len(ts), 188):
        p = ts[i:i + 188]
        if ((p[1] & 0x1f) << 8 | p[2]) == 0x1000:
            sec = p[5:]
            length = ((sec[1] & 0x0f) << 8) | sec[2]
            info = ((sec[10] & 0x0f) << 8) | sec[11]
            pos, end, types = 12 + info, 3 + length - 4, []
            while pos < end:
                types.append(sec[pos])
                pos += 5 + (((sec[pos + 3] & 0x0f) << 8) | sec[pos + 4])
            return types
    raise ValueError("no PMT")


def elementary_stream(ts: bytes, pid: int) -> bytes:
    out = bytearray()
    for i in range(0, len(ts), 188):
        p = ts[i:i + 188]
        if ((p[1] & 0x1f) << 8 | p[2]) != pid:
            continue
        afc, pos = (p[3] >> 4) & 3, 4
        if afc & 2:
            pos += 1 + p[4]
        if not afc & 1:
            continue
        payload = p[pos:]
        if p[1] & 0x40:
            payload = payload[9 + payload[8]:]
        out += payload
    return bytes(out)


def nal_units(es: bytes) -> List[bytes]:
    starts, i = [], 0
    while True:
        j = es.find(b"\x00\x00\x01", i)
        if j < 0:
            break
        starts.append(j + 3)
        i = j + 3
    units = []
    for k, s in enumerate(starts):
        e = starts[k + 1] - 3 if k + 1 < len(starts) else len(es)
        units.append(es[s:e].rstrip(b"\x00"))
    return units


def unescape(nal: bytes) -> bytes:
    out, zeros = bytearray(), 0
    for b in nal:
        if zeros >= 2 and b == 3:
            zeros = 0
            continue
        out.append(b)
        zeros = zeros + 1 if b == 0 else 0
    return bytes(out)


def decrypt_nal(nal: bytes, key: bytes, iv: bytes) -> bytes:
    if len(nal) <= 48 or (nal[0] & 0x1f) not in (1, 5):
        return nal
    d = bytearray(unescape(nal))
    blocks = list(range(32, len(d) - 16, 160))
    data = b"".join(bytes(d[p:p + 16]) for p in blocks)
    plain = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor().update(data)
    for k, p in enumerate(blocks):
        d[p:p + 16] = plain[16 * k:16 * k + 16]
    return bytes(d)


def adts_frames(es: bytes) -> List[bytes]:
    """Raw AAC frames (headers stripped) of an ADTS stream."""
    frames, i = [], 0
    while i + 7 <= len(es):
        if es[i] != 0xff or es[i + 1] & 0xf0 != 0xf0:
            raise ValueError("ADTS sync lost at %d" % i)
        head = 7 if es[i + 1] & 1 else 9
        length = ((es[i + 3] & 3) << 11) | (es[i + 4] << 3) | (es[i + 5] >> 5)
        frames.append(es[i + head:i + length])
        i += length
    return frames


def decrypt_aac(frame: bytes, key: bytes, iv: bytes) -> bytes:
    if len(frame) <= 16:
        return frame
    n = (len(frame) - 16) // 16 * 16
    plain = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor().update(frame[16:16 + n])
    return frame[:16] + plain + frame[16 + n:]
