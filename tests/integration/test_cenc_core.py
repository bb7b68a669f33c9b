"""Common encryption ('cenc' AES-CTR and 'cbcs' 1:9 pattern) as the format
core produces it, checked by a real client: build/tools/mp_get (the origin
without nginx) writes every DASH segment of every track of an asset clear
and protected; ffmpeg decrypts each protected segment with the key
(-decryption_key) and must decode exactly the frames of its clear self
(framemd5), for H.264 with B-frames, HEVC and two audio languages.  The box
structure players rely on is asserted too: encv/enca with frma/schm/tenc
(KID, IV size, pattern, constant IV), PSSH boxes (common v1 with the KID,
Widevine, PlayReady), and in every moof senc entries that cover each sample
exactly (subsample sums = trun sizes), saiz sizes that match and a saio
offset that points at the first senc entry.

ffmpeg 5.1 mis-assigns senc entries after the first fragment of one file,
so each segment is decrypted as init + that segment alone.
"""

import os
import re
import subprocess
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import isobmff
from media import framemd5, run
from tricky_media import hevc_assets

BUILD = Path(os.environ.get("MEDIAPLANE_BUILD",
                            str(Path(__file__).resolve().parents[2] / "build")))
MP_GET = BUILD / "tools" / "mp_get"
KEY = bytes.fromhex("00112233445566778899aabbccddeeff")
KID = uuid.UUID("6a5b2d3c-1f0e-4d9c-8b7a-695847362514")
CBCS_IV = bytes(range(0xa0, 0xb0))
DASH = "format=mpd-time-csf"
NS = {"d": "urn:mpeg:dash:schema:mpd:2011"}


def env_for(scheme, **extra):
    env = {"MP_GET_CENC_KEY": KEY.hex(), "MP_GET_CENC_KID": KID.hex, "MP_GET_CENC_SCHEME": scheme,
           "MP_GET_CBCS_IV": CBCS_IV.hex()}
    env.update(extra)
    return env


def mp_get(root, uri, env_extra=None):
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("MP_GET_"):
            del env[k]
    env.update(env_extra or {})
    p = subprocess.run([str(MP_GET), str(root), uri], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=120)
    return p


def get(root, uri, env_extra=None):
    p = mp_get(root, uri, env_extra)
    assert p.returncode == 0, "%s: %s" % (uri, p.stderr.decode())
    return p.stdout


def tracks(root, asset_uri):
    """(stream name, bitrate, [segment times]) of every Representation."""
    mpd = ET.fromstring(get(root, "%s/Manifest(%s)" % (asset_uri, DASH)))
    out = []
    for aset in mpd.iter("{%s}AdaptationSet" % NS["d"]):
        tmpl = aset.find("d:SegmentTemplate", NS)
        stream = re.search(r"Fragments\((\w+)=\$Time\$", tmpl.get("media")).group(1)
        times, t = [], 0
        for s in tmpl.find("d:SegmentTimeline", NS):
            t = int(s.get("t", t))
            for _ in range(int(s.get("r", 0)) + 1):
                times.append(t)
                t += int(s.get("d"))
        for rep in aset.findall("d:Representation", NS):
            out.append((stream, int(rep.get("bandwidth")), times))
    return out


def decoded(path, key=None):
    extra = ["-decryption_key", key.hex()] if key is not None else []
    return framemd5(path, "0", extra)


@pytest.fixture(scope="module")
def h264_asset(media_root, media_factory):
    if not MP_GET.exists():
        pytest.fail("%s missing: run ./build.sh build" % MP_GET)
    s = media_factory("cenc", duration=6, renditions=[(640, 360, 600)], bframes=2,
                      audio_langs=("eng", "fra"))
    return s.rel(media_root)


@pytest.fixture(scope="module")
def hevc_asset(media_root):
    return "/" + hevc_assets(media_root / "media")["hevc_ism"].relative_to(media_root).as_posix()


def check_segment_boxes(init, seg, scheme):
    t = isobmff.tenc(init)
    entries = isobmff.senc(seg, t["iv_size"])
    sizes = isobmff.trun_sizes(seg)
    assert len(entries) == len(sizes) == len(isobmff.saiz(seg))
    for e, size, aux in zip(entries, sizes, isobmff.saiz(seg)):
        assert aux == t["iv_size"] + (2 + 6 * len(e["subsamples"]) if e["subsamples"] else 0)
        if e["subsamples"]:
            assert sum(c + p for c, p in e["subsamples"]) == size
            if scheme == "cenc":
                assert all(p % 16 == 0 for _, p in e["subsamples"])
    moof = isobmff.find(seg, "moof")[0][0]
    senc_at = isobmff.find(seg, "senc")[0][0]
    assert isobmff.saio_offset(seg) == senc_at + 16 - moof
    if scheme == "cenc":
        ivs = [e["iv"] for e in entries]
        assert len(set(ivs)) == len(ivs)          # one IV per sample


@pytest.mark.parametrize("scheme", ["cenc", "cbcs"])
@pytest.mark.parametrize("which", ["h264", "hevc"])
def test_ffmpeg_decrypts_every_segment(request, media_root, tmp_path, scheme, which):
    asset = request.getfixturevalue(which + "_asset")
    env = env_for(scheme)
    checked = set()
    for stream, bitrate, times in tracks(media_root, asset):
        base = "%s/QualityLevels(%d)/Fragments(%s=" % (asset, bitrate, stream)
        init_clear = get(media_root, base + "i,%s)" % DASH)
        init = get(media_root, base + "i,%s)" % DASH, env)
        t = isobmff.tenc(init)
        assert isobmff.scheme(init) == scheme
        assert t["kid"] == KID and t["protected"] == 1
        video = stream == "video"
        assert isobmff.find(init, "encv" if video else "enca")
        assert isobmff.original_format(init) in (("avc1", "hvc1") if video else ("mp4a",))
        if scheme == "cenc":
            assert (t["version"], t["iv_size"]) == (0, 8)
        else:
            assert (t["version"], t["iv_size"], t["constant_iv"]) == (1, 0, CBCS_IV)
            assert (t["crypt"], t["skip"]) == ((1, 9) if video else (1, 0))
        for time in times:
            clear = init_clear + get(media_root, base + "%d,%s)" % (time, DASH))
            seg = get(media_root, base + "%d,%s)" % (time, DASH), env)
            check_segment_boxes(init, seg, scheme)
            n = sum(isobmff.trun_sizes(seg))
            assert seg[-n:] != clear[-n:] and len(seg[-n:]) == len(clear[-n:])
            (tmp_path / "c.mp4").write_bytes(clear)
            (tmp_path / "e.mp4").write_bytes(init + seg)
            want = decoded(tmp_path / "c.mp4")
            assert want, "no frames in %s %d" % (stream, time)
            assert decoded(tmp_path / "e.mp4", KEY) == want, (stream, time)
            checked.add(stream)
    assert "video" in checked and any(s.startswith("audio") for s in checked)
    if which == "h264":
        assert {"audio_eng", "audio_fra"} <= checked


@pytest.mark.parametrize("scheme", ["cenc", "cbcs"])
def test_wrong_key_does_not_decode(h264_asset, media_root, tmp_path, scheme):
    stream, bitrate, times = tracks(media_root, h264_asset)[0]
    base = "%s/QualityLevels(%d)/Fragments(%s=" % (h264_asset, bitrate, stream)
    env = env_for(scheme)
    (tmp_path / "c.mp4").write_bytes(get(media_root, base + "i,%s)" % DASH)
                                     + get(media_root, base + "0,%s)" % DASH))
    (tmp_path / "e.mp4").write_bytes(get(media_root, base + "i,%s)" % DASH, env)
                                     + get(media_root, base + "0,%s)" % DASH, env))
    want = decoded(tmp_path / "c.mp4")
    p = run(["ffmpeg", "-nostdin", "-v", "error", "-decryption_key", bytes(16).hex(), "-i",
             str(tmp_path / "e.mp4"), "-map", "0", "-f", "framemd5", "-"], check=False, timeout=120)
    got = [l.rsplit(",", 1)[-1].strip() for l in p.stdout.decode().splitlines()
           if l and not l.startswith("#")]
    assert got != want


def test_pssh_boxes(h264_asset, media_root):
    stream, bitrate, _ = tracks(media_root, h264_asset)[0]
    uri = "%s/QualityLevels(%d)/Fragments(%s=i,%s)" % (h264_asset, bitrate, stream, DASH)
    only_common = isobmff.pssh(get(media_root, uri, env_for("cenc")))
    assert [(p["system"], p["version"], p["kids"]) for p in only_common] == \
        [(isobmff.SYSTEM_COMMON, 1, [KID])]
    env = env_for("cenc", MP_GET_WIDEVINE_URL="https://wv.example/license",
                  MP_GET_PLAYREADY_URL="https://pr.example/rightsmanager.asmx?a=1&b=2")
    boxes = {p["system"]: p for p in isobmff.pssh(get(media_root, uri, env))}
    assert set(boxes) == {isobmff.SYSTEM_COMMON, isobmff.SYSTEM_WIDEVINE, isobmff.SYSTEM_PLAYREADY}
    assert boxes[isobmff.SYSTEM_WIDEVINE]["data"][:2] == b"\x12\x10"
    assert boxes[isobmff.SYSTEM_WIDEVINE]["data"][2:18] == KID.bytes
    pro = boxes[isobmff.SYSTEM_PLAYREADY]["data"]
    assert int.from_bytes(pro[:4], "little") == len(pro)
    xml = pro[10:].decode("utf-16-le")
    assert "<LA_URL>https://pr.example/rightsmanager.asmx?a=1&amp;b=2</LA_URL>" in xml
    import base64
    assert "<KID>%s</KID>" % base64.b64encode(KID.bytes_le).decode() in xml
    ET.fromstring(xml)


def test_common_encryption_never_serves_ts(h264_asset, media_root):
    for req in ("Manifest(format=m3u8-aapl-v3)", "QualityLevels(600000)/Fragments(video=0,format=m3u8-aapl-v3)"):
        p = mp_get(media_root, "%s/%s" % (h264_asset, req), env_for("cenc"))
        assert p.returncode != 0 and p.stdout == b"", req


def test_smooth_playready_cenc(h264_asset, media_root):
    """Smooth Streaming under 'cenc' as AMS served it with PlayReady: the
    manifest's ProtectionHeader is a PlayReady Object naming the KID, every
    fragment carries PIFF's SampleEncryptionBox whose entries cover its
    samples, and undoing AES-CTR with them gives the clear fragment's bytes."""
    import base64
    env = env_for("cenc", MP_GET_PLAYREADY_URL="https://pr.example/rightsmanager.asmx")
    man = ET.fromstring(get(media_root, "%s/Manifest" % h264_asset, env))
    ph = man.find("Protection/ProtectionHeader")
    assert ph.get("SystemID").lower() == str(isobmff.SYSTEM_PLAYREADY)
    pro = base64.b64decode(ph.text)
    xml = pro[10:].decode("utf-16-le")
    assert "<KID>%s</KID>" % base64.b64encode(KID.bytes_le).decode() in xml
    assert "<LA_URL>https://pr.example/rightsmanager.asmx</LA_URL>" in xml
    checked = 0
    for si in man.findall("StreamIndex"):
        url = si.get("Url")
        level = si.find("QualityLevel").get("Bitrate")
        t = 0
        for c in si.findall("c")[:2]:
            t = int(c.get("t", t))
            path = "%s/%s" % (h264_asset, url.replace("{bitrate}", level).replace("{start time}", str(t)))
            clear, seg = get(media_root, path), get(media_root, path, env)
            entries = isobmff.piff_senc(seg)
            sizes = isobmff.trun_sizes(seg)
            assert len(entries) == len(sizes) and not isobmff.find(seg, "senc")
            for e, size in zip(entries, sizes):
                assert not e["subsamples"] or sum(a + b for a, b in e["subsamples"]) == size
            payload = isobmff.mdat_payload(seg)
            assert payload != isobmff.mdat_payload(clear)
            assert isobmff.ctr_decrypt_samples(payload, sizes, entries, KEY) == isobmff.mdat_payload(clear)
            checked += 1
            t += int(c.get("d"))
    assert checked >= 4
    # cbcs is not how Smooth was protected
    p = mp_get(media_root, "%s/Manifest" % h264_asset, env_for("cbcs"))
    assert p.returncode != 0 and b"cenc" in p.stderr


def test_sample_aes_ts(h264_asset, media_root):
    """HLS MPEG-TS of a 'cbcs' asset is SAMPLE-AES as Apple specifies: the
    PMT announces it (0xDB, 0xCF), the playlist names the raw key with the
    constant IV (KEYFORMAT identity, version 5), and decrypting every slice
    NAL unit and AAC frame with a reference reader gives back exactly the
    units and frames of the clear segment."""
    import sample_aes
    env = env_for("cbcs", MP_GET_KEY_URI="https://keys.example/?KID=%s" % KID)
    q = "%s/QualityLevels(600000)/" % h264_asset
    text = get(media_root, q + "Manifest(video,format=m3u8-aapl-v3)", env).decode()
    assert "#EXT-X-VERSION:5" in text
    assert ('#EXT-X-KEY:METHOD=SAMPLE-AES,URI="https://keys.example/?KID=%s",IV=0x%s,'
            'KEYFORMAT="identity"' % (KID, CBCS_IV.hex().upper())) in text
    segs = [l for l in text.splitlines() if l and not l.startswith("#")]
    encrypted = 0
    for name in segs:
        clear, enc = get(media_root, q + name), get(media_root, q + name, env)
        assert sample_aes.pmt_stream_types(clear) == [0x1b, 0x0f]
        assert sample_aes.pmt_stream_types(enc) == [0xdb, 0xcf]
        cn = sample_aes.nal_units(sample_aes.elementary_stream(clear, sample_aes.PID_VIDEO))
        en = sample_aes.nal_units(sample_aes.elementary_stream(enc, sample_aes.PID_VIDEO))
        assert len(cn) == len(en)
        encrypted += sum(1 for c, e in zip(cn, en) if c != e)
        assert [sample_aes.decrypt_nal(e, KEY, CBCS_IV) for e in en] == cn
        ca = sample_aes.adts_frames(sample_aes.elementary_stream(clear, sample_aes.PID_AUDIO))
        ea = sample_aes.adts_frames(sample_aes.elementary_stream(enc, sample_aes.PID_AUDIO))
        assert ca != ea and [sample_aes.decrypt_aac(e, KEY, CBCS_IV) for e in ea] == ca
    assert encrypted > 0


@pytest.mark.parametrize("fmt", ["m3u8-aapl", "m3u8-aapl-v3"])
def test_fairplay_signalling(h264_asset, media_root, fmt):
    """cbcs over HLS names the FairPlay license server as skd:// (AMS's form
    of FairPlayLicenseAcquisitionUrl), in fMP4 and SAMPLE-AES TS playlists;
    'cenc' never does (FairPlay is cbcs only)."""
    url = "https://fp.example/FairPlay/?KID=%s" % KID
    uri = "%s/QualityLevels(600000)/Manifest(video,format=%s)" % (h264_asset, fmt)
    text = get(media_root, uri, env_for("cbcs", MP_GET_FAIRPLAY_URL=url)).decode()
    assert ('#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://fp.example/FairPlay/?KID=%s",'
            'KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"' % KID) in text
    assert "skd://" not in get(media_root, uri, env_for("cbcs")).decode()
    if fmt == "m3u8-aapl":
        cenc = get(media_root, uri, env_for("cenc", MP_GET_FAIRPLAY_URL=url)).decode()
        assert "skd://" not in cenc
