"""Dynamic packaging checked by real clients: every protocol of a
multi-rendition set is read by ffprobe, decodes to exactly the source's
frames (framemd5), and plays in GStreamer; Smooth is checked through
GStreamer's mssdemux2 since ffmpeg has no Smooth demuxer."""

import re
import xml.etree.ElementTree as ET

import pytest

from clients import (FORMATS, HLS_INPUT, decode_ok, gst_play, gst_video_md5, input_opts,
                     manifest_suffix, video_hashes)
from media import ffprobe_json, framemd5, http_get


@pytest.fixture(scope="module")
def source_hashes(abr_set):
    return {r.kbps * 1000: video_hashes(r.path) for r in abr_set.renditions}


def test_source_renditions_differ(source_hashes):
    hashes = list(source_hashes.values())
    assert len(hashes) == 2 and hashes[0] != hashes[1] and len(hashes[0]) == 300


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_ffprobe_reads_manifest(origin, abr_set, fmt):
    url = origin.asset_url(abr_set, manifest_suffix(FORMATS[fmt]))
    info = ffprobe_json(url, extra=input_opts(FORMATS[fmt]))
    kinds = sorted({(s["codec_type"], s["codec_name"], s.get("width")) for s in info["streams"]},
                   key=str)
    assert ("video", "h264", 1280) in kinds and ("video", "h264", 640) in kinds, kinds
    assert ("audio", "aac", None) in kinds, kinds
    assert abs(float(info["format"]["duration"]) - abr_set.duration) < 0.5


@pytest.mark.parametrize("fmt", ["hls-fmp4", "hls-cmaf", "hls-ts"])
def test_hls_rendition_is_lossless(origin, abr_set, source_hashes, fmt):
    for bitrate, expected in source_hashes.items():
        url = origin.asset_url(abr_set, "QualityLevels(%d)/Manifest(video,format=%s)"
                               % (bitrate, FORMATS[fmt]))
        assert framemd5(url, "v:0", extra_input=HLS_INPUT) == expected, url


@pytest.mark.parametrize("fmt", ["dash-csf", "dash-cmaf"])
def test_dash_representations_are_lossless(origin, abr_set, source_hashes, fmt):
    url = origin.asset_url(abr_set, manifest_suffix(FORMATS[fmt]))
    streams = ffprobe_json(url)["streams"]
    for index, s in enumerate(st for st in streams if st["codec_type"] == "video"):
        bitrate = 2500000 if s["width"] == 1280 else 800000
        assert framemd5(url, "v:%d" % index) == source_hashes[bitrate]


def test_audio_is_lossless(origin, abr_set):
    """fMP4 audio: the source's frames exactly, after one pre-roll frame (the
    AAC priming the init's edit list hides; ffmpeg 5.1 applies no edit list
    to fragmented MP4).  MPEG-TS leaves the priming frame out, so its first
    frame decodes differently: test_audio_priming checks TS PCM and timing."""
    src = framemd5(abr_set.audio[0].path, "a:0")
    for fmt in ("mpd-time-csf", "m3u8-aapl"):
        url = origin.asset_url(abr_set, manifest_suffix(fmt))
        got = framemd5(url, "a:0", extra_input=input_opts(fmt))
        assert got[1:] == src, (fmt, len(src), len(got))


@pytest.mark.parametrize("fmt", sorted(FORMATS) + ["smooth"])
def test_gstreamer_plays(origin, abr_set, fmt):
    url = origin.asset_url(abr_set, manifest_suffix(FORMATS.get(fmt, "")))
    p = gst_play(url)
    assert p.returncode == 0, p.stdout.decode(errors="replace")[-2000:]


def test_smooth_decodes_source_frames(origin, abr_set, source_hashes):
    got = gst_video_md5(origin.asset_url(abr_set, "Manifest"))
    known = set(source_hashes[2500000]) | set(source_hashes[800000])
    assert len(got) == 300
    assert set(got) <= known, "frames that are in no source rendition"


def test_every_fragment_in_manifests_exists(origin, abr_set):
    """Walk Smooth and DASH timelines and fetch every fragment they name."""
    base = origin.asset_url(abr_set, "")
    mss = ET.fromstring(http_get(base + "Manifest").body)
    fetched = 0
    for si in mss.iter("StreamIndex"):
        t = 0
        template = si.get("Url")
        for c in si.iter("c"):
            t = int(c.get("t", t))
            for _ in range(int(c.get("r", 1))):
                for ql in si.iter("QualityLevel"):
                    u = template.replace("{bitrate}", ql.get("Bitrate")).replace("{start time}", str(t))
                    r = http_get(base + u)
                    assert r.status == 200, u
                    assert r.body[4:8] == b"moof"
                    fetched += 1
                t += int(c.get("d"))
    assert fetched >= 10


def test_hls_media_playlist_shape(origin, abr_set):
    master = http_get(origin.asset_url(abr_set, "Manifest(format=m3u8-aapl)")).text
    assert master.startswith("#EXTM3U")
    assert re.search(r'CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"', master)
    assert "RESOLUTION=1280x720" in master and "RESOLUTION=640x360" in master
    assert 'TYPE=AUDIO' in master and 'LANGUAGE="en' in master
    media = http_get(origin.asset_url(
        abr_set, "QualityLevels(2500000)/Manifest(video,format=m3u8-aapl)")).text
    durations = [float(x) for x in re.findall(r"#EXTINF:([0-9.]+),", media)]
    target = int(re.search(r"#EXT-X-TARGETDURATION:(\d+)", media).group(1))
    assert durations == [6.0, 4.0]  # 6 s segments of 2 s GOPs, 10 s asset
    assert all(round(d) <= target for d in durations)
    assert '#EXT-X-MAP:URI="Fragments(video=i,format=m3u8-aapl)"' in media
    assert media.rstrip().endswith("#EXT-X-ENDLIST")


def test_dash_mpd_shape(origin, abr_set):
    body = http_get(origin.asset_url(abr_set, "Manifest(format=mpd-time-csf)")).body
    ns = {"d": "urn:mpeg:dash:schema:mpd:2011"}
    mpd = ET.fromstring(body)
    sets = mpd.findall(".//d:AdaptationSet", ns)
    assert [s.get("contentType") for s in sets] == ["video", "audio"]
    tmpl = sets[0].find("d:SegmentTemplate", ns)
    assert tmpl.get("timescale") == "10000000"
    assert tmpl.get("media") == "QualityLevels($Bandwidth$)/Fragments(video=$Time$,format=mpd-time-csf)"
    reps = sets[0].findall("d:Representation", ns)
    assert sorted(int(r.get("bandwidth")) for r in reps) == [800000, 2500000]
    s = tmpl.findall(".//d:S", ns)
    assert s[0].get("t") == "0" and s[0].get("d") == "20000000" and s[0].get("r") == "4"


def test_hls_ts_audio_only_variant(origin, abr_set):
    with_audio = http_get(origin.asset_url(abr_set, "Manifest(format=m3u8-aapl-v3)")).text
    without = http_get(origin.asset_url(abr_set, "Manifest(format=m3u8-aapl-v3,audio-only=false)")).text
    audio_variant = "QualityLevels(128000)/Manifest(audio_eng,format=m3u8-aapl-v3)"
    assert with_audio.count("#EXT-X-STREAM-INF") == 3 and audio_variant in with_audio
    assert without.count("#EXT-X-STREAM-INF") == 2 and audio_variant not in without
    # muxed A/V: every video TS segment carries the audio too
    seg = origin.asset_url(abr_set, "QualityLevels(800000)/Fragments(video=0,format=m3u8-aapl-v3)")
    kinds = {s["codec_type"] for s in ffprobe_json(seg)["streams"]}
    assert kinds == {"video", "audio"}
