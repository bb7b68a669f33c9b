"""A small ISO BMFF box reader for tests: walks the boxes of an init or media
segment and decodes the common-encryption ones (tenc, senc, saiz, saio,
pssh, trun sample sizes) and the edit list, so a test can assert their fields and that they
agree with each other.  Not a general parser: just what the tests check."""

import struct
import uuid
from fractions import Fraction
from typing import Dict, List, Tuple

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"moof", b"traf", b"sinf",
              b"schi", b"mvex", b"dinf", b"edts"}
SAMPLE_ENTRY_CHILDREN = {b"encv": 78, b"enca": 28, b"avc1": 78, b"hvc1": 78, b"mp4a": 28}

SYSTEM_COMMON = uuid.UUID("1077efec-c0b2-4d02-ace3-3c1e52e2fb4b")
SYSTEM_WIDEVINE = uuid.UUID("edef8ba9-79d6-4ace-a3c8-27dcd51d21ed")
SYSTEM_PLAYREADY = uuid.UUID("9a04f079-9840-4286-ab92-e65be0885f95")


def walk(data: bytes, off: int = 0, end: int = None, path: str = "") -> List[Tuple[str, int, int]]:
    """(path, offset, size) of every box, depth first; path like 'moov/trak'."""
    end = len(data) if end is None else end
    out = []
    while off + 8 <= end:
        size, typ = struct.unpack(">I4s", data[off:off + 8])
        if size < 8 or off + size > end:
            raise ValueError("box %r at %d has size %d past %d" % (typ, off, size, end))
        name = typ.decode("latin1")
        p = path + "/" + name if path else name
        out.append((p, off, size))
        if typ in CONTAINERS:
            out += walk(data, off + 8, off + size, p)
        elif typ == b"stsd":
            out += walk(data, off + 16, off + size, p)
        elif typ in SAMPLE_ENTRY_CHILDREN:
            out += walk(data, off + 8 + SAMPLE_ENTRY_CHILDREN[typ], off + size, p)
        off += size
    return out


def find(data: bytes, suffix: str) -> List[Tuple[int, int]]:
    return [(o, s) for (p, o, s) in walk(data) if p.endswith(suffix)]


def body(data: bytes, suffix: str, full: bool = True) -> bytes:
    """Payload of the first box whose path ends with suffix (after version/flags)."""
    hits = find(data, suffix)
    if not hits:
        raise KeyError(suffix)
    o, s = hits[0]
    return data[o + (12 if full else 8):o + s]


def flags(data: bytes, suffix: str) -> Tuple[int, int]:
    o, _ = find(data, suffix)[0]
    return data[o + 8], int.from_bytes(data[o + 9:o + 12], "big")


def timescales(init: bytes) -> Tuple[int, int]:
    """(mvhd timescale, mdhd timescale) of a one-track init segment."""
    def ts(suffix):
        version, _ = flags(init, suffix)
        return struct.unpack(">I", body(init, suffix)[16 if version else 8:][:4])[0]
    return ts("mvhd"), ts("mdhd")


def elst(init: bytes) -> List[Tuple[int, int, int]]:
    """(segment_duration, media_time, media_rate_integer) of each edit; [] without one."""
    if not find(init, "edts/elst"):
        return []
    version, _ = flags(init, "edts/elst")
    b = body(init, "edts/elst")
    fmt, size = (">QqhH", 20) if version else (">IihH", 12)
    count = struct.unpack(">I", b[:4])[0]
    return [struct.unpack(fmt, b[4 + i * size:4 + (i + 1) * size])[:3] for i in range(count)]


def edit_window(init: bytes) -> Tuple[Fraction, Fraction]:
    """What the edit list does to a track, in seconds: (media time where
    presentation begins, presentation time it begins at) -- the first
    non-empty edit's media_time and the empty edits before it.  (0, 0)
    without an edit list."""
    movie_ts, media_ts = timescales(init)
    empty = Fraction(0)
    for duration, media_time, _ in elst(init):
        if media_time == -1:
            empty += Fraction(duration, movie_ts)
        else:
            return Fraction(media_time, media_ts), empty
    return Fraction(0), Fraction(0)


def tenc(init: bytes) -> Dict:
    version, _ = flags(init, "tenc")
    b = body(init, "tenc")
    t = {"version": version, "crypt": b[1] >> 4, "skip": b[1] & 15, "protected": b[2],
         "iv_size": b[3], "kid": uuid.UUID(bytes=b[4:20])}
    if t["protected"] and t["iv_size"] == 0:
        n = b[20]
        t["constant_iv"] = b[21:21 + n]
    return t


def scheme(init: bytes) -> str:
    return body(init, "schm")[:4].decode()


def original_format(init: bytes) -> str:
    return body(init, "frma", full=False)[:4].decode()


def pssh(init: bytes) -> List[Dict]:
    out = []
    for o, s in find(init, "pssh"):
        version = init[o + 8]
        b = init[o + 12:o + s]
        system = uuid.UUID(bytes=b[:16])
        pos, kids = 16, []
        if version > 0:
            n = struct.unpack(">I", b[pos:pos + 4])[0]
            kids = [uuid.UUID(bytes=b[pos + 4 + 16 * i:pos + 20 + 16 * i]) for i in range(n)]
            pos += 4 + 16 * n
        size = struct.unpack(">I", b[pos:pos + 4])[0]
        out.append({"version": version, "system": system, "kids": kids,
                    "data": b[pos + 4:pos + 4 + size], "box": init[o:o + s]})
    return out


def trun_sizes(seg: bytes) -> List[int]:
    _, fl = flags(seg, "trun")
    b = body(seg, "trun")
    n = struct.unpack(">I", b[:4])[0]
    pos = 4 + (4 if fl & 1 else 0) + (4 if fl & 4 else 0)
    per = sum(4 for bit in (0x100, 0x200, 0x400, 0x800) if fl & bit)
    sizes = []
    for i in range(n):
        field = pos + i * per + (4 if fl & 0x100 else 0)
        sizes.append(struct.unpack(">I", b[field:field + 4])[0])
    return sizes


def sample_entries(b: bytes, fl: int, iv_size: int, what: str) -> List[Dict]:
    """The entries of a SampleEncryptionBox body (after version/flags)."""
    n = struct.unpack(">I", b[:4])[0]
    pos, out = 4, []
    for _ in range(n):
        e = {"iv": b[pos:pos + iv_size], "subsamples": []}
        pos += iv_size
        if fl & 2:
            k = struct.unpack(">H", b[pos:pos + 2])[0]
            pos += 2
            for _ in range(k):
                e["subsamples"].append(struct.unpack(">HI", b[pos:pos + 6]))
                pos += 6
        out.append(e)
    if pos != len(b):
        raise ValueError("%s has %d bytes after its %d entries" % (what, len(b) - pos, n))
    return out


def senc(seg: bytes, iv_size: int) -> List[Dict]:
    _, fl = flags(seg, "senc")
    return sample_entries(body(seg, "senc"), fl, iv_size, "senc")


def saiz(seg: bytes) -> List[int]:
    b = body(seg, "saiz")
    default, n = b[0], struct.unpack(">I", b[1:5])[0]
    return [default] * n if default else list(b[5:5 + n])


def saio_offset(seg: bytes) -> int:
    b = body(seg, "saio")
    assert struct.unpack(">I", b[:4])[0] == 1
    return struct.unpack(">I", b[4:8])[0]


PIFF_SENC = uuid.UUID("a2394f52-5a9b-4f14-a244-6c427c648df4")


def piff_senc(seg: bytes, iv_size: int = 8) -> List[Dict]:
    """The entries of a Smooth fragment's PIFF SampleEncryptionBox (uuid)."""
    for o, s in find(seg, "traf/uuid"):
        if uuid.UUID(bytes=seg[o + 8:o + 24]) == PIFF_SENC:
            fl = int.from_bytes(seg[o + 25:o + 28], "big")
            return sample_entries(seg[o + 28:o + s], fl, iv_size, "PIFF senc")
    raise KeyError("no PIFF SampleEncryptionBox")


def mdat_payload(seg: bytes) -> bytes:
    o, s = find(seg, "mdat")[0]
    return seg[o + 8:o + s]


def ctr_decrypt_samples(payload: bytes, sizes: List[int], entries: List[Dict], key: bytes) -> bytes:
    """Undo 'cenc' (AES-CTR, the counter running over a sample's protected
    ranges) with the python3-cryptography package."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    out, pos = bytearray(), 0
    for size, e in zip(sizes, entries):
        sample = bytearray(payload[pos:pos + size])
        dec = Cipher(algorithms.AES(key), modes.CTR(e["iv"] + bytes(16 - len(e["iv"])))).decryptor()
        at = 0
        for clear, prot in (e["subsamples"] or [(0, size)]):
            at += clear
            sample[at:at + prot] = dec.update(bytes(sample[at:at + prot]))
            at += prot
        out += sample
        pos += size
    return bytes(out)
