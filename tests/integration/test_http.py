"""HTTP behaviour a CDN and players rely on: exact Content-Length, content
types, validators (ETag / Last-Modified / 304), Range and HEAD on segments,
Cache-Control and CORS from the directives, gzip-able manifests, and clear
4xx answers (never a crash) for bad URLs."""

import gzip
import re

import pytest

from media import http_get, http_head

FMP4_SEG = "QualityLevels(2500000)/Fragments(video=20000000,format=mpd-time-csf)"
TS_SEG = "QualityLevels(2500000)/Fragments(video=0,format=m3u8-aapl-v3)"

CONTENT_TYPES = {
    "Manifest": "application/vnd.ms-sstr+xml",
    "Manifest(format=m3u8-aapl)": "application/vnd.apple.mpegurl",
    "Manifest(format=mpd-time-csf)": "application/dash+xml",
    "QualityLevels(2500000)/Manifest(video,format=m3u8-aapl-v3)": "application/vnd.apple.mpegurl",
    "QualityLevels(2500000)/Fragments(video=i,format=m3u8-cmaf)": "video/mp4",
    "QualityLevels(128000)/Fragments(audio_eng=i,format=mpd-time-cmaf)": "audio/mp4",
    FMP4_SEG: "video/mp4",
    "QualityLevels(2500000)/Fragments(video=0)": "video/mp4",
    TS_SEG: "video/MP2T",
}


@pytest.mark.parametrize("suffix", sorted(CONTENT_TYPES))
def test_content_type_and_exact_length(origin, abr_set, suffix):
    r = http_get(origin.asset_url(abr_set, suffix))
    assert r.status == 200, r.text[:200]
    assert r.header("Content-Type") == CONTENT_TYPES[suffix]
    assert int(r.header("Content-Length")) == len(r.body) > 0
    assert r.header("ETag") and r.header("Last-Modified")
    assert r.header("Accept-Ranges") == "bytes"


@pytest.mark.parametrize("suffix", [FMP4_SEG, TS_SEG])
def test_range_and_head_on_segments(origin, abr_set, suffix):
    url = origin.asset_url(abr_set, suffix)
    whole = http_get(url)
    head = http_head(url)
    assert head.status == 200 and head.body == b""
    assert head.header("Content-Length") == whole.header("Content-Length")
    assert head.header("ETag") == whole.header("ETag")
    n = len(whole.body)
    for first, last in ((0, 99), (1000, 1187), (n - 500, n - 1)):
        part = http_get(url, headers={"Range": "bytes=%d-%d" % (first, last)})
        assert part.status == 206
        assert part.header("Content-Range") == "bytes %d-%d/%d" % (first, last, n)
        assert part.body == whole.body[first:last + 1]
    assert http_get(url, headers={"Range": "bytes=%d-" % (n + 10)}).status == 416


def test_conditional_get(origin, abr_set):
    url = origin.asset_url(abr_set, FMP4_SEG)
    etag = http_get(url).header("ETag")
    assert http_get(url, headers={"If-None-Match": etag}).status == 304


def test_progressive_download(origin, abr_set):
    src = abr_set.renditions[1].path
    url = origin.url(abr_set.rel(origin.media_root).rsplit("/", 1)[0] + "/" + src.name)
    r = http_get(url)
    assert r.status == 200 and r.header("Content-Type") == "video/mp4"
    assert r.body == src.read_bytes()
    part = http_get(url, headers={"Range": "bytes=100-199"})
    assert part.status == 206 and part.body == src.read_bytes()[100:200]


def test_cache_control_defaults(origin, abr_set):
    manifest = http_get(origin.asset_url(abr_set, "Manifest(format=m3u8-aapl)"))
    segment = http_get(origin.asset_url(abr_set, FMP4_SEG))
    assert manifest.header("Cache-Control") == "max-age=2"
    assert segment.header("Cache-Control") == "max-age=86400"
    assert manifest.header("Access-Control-Allow-Origin") is None


@pytest.fixture(scope="module")
def cdn_origin(origin_factory):
    return origin_factory(
        http_extra="gzip on; gzip_types application/vnd.apple.mpegurl application/dash+xml "
                   "application/vnd.ms-sstr+xml; gzip_min_length 100;",
        location_extra="mediaplane_manifest_max_age 5s; mediaplane_segment_max_age 1h; "
                       "mediaplane_cors_origin *; mediaplane_segment_duration 4s; "
                       "mediaplane_fragment_duration 4s;")


def test_directives_change_headers_and_durations(cdn_origin, abr_set):
    m = http_get(cdn_origin.asset_url(abr_set, "Manifest(format=mpd-time-csf)"))
    assert m.header("Cache-Control") == "max-age=5"
    assert m.header("Access-Control-Allow-Origin") == "*"
    assert 'd="40000000"' in m.text          # 4 s fragments
    s = http_get(cdn_origin.asset_url(abr_set, "QualityLevels(2500000)/Fragments(video=40000000,"
                                                "format=mpd-time-csf)"))
    assert s.status == 200 and s.header("Cache-Control") == "max-age=3600"
    media = http_get(cdn_origin.asset_url(
        abr_set, "QualityLevels(2500000)/Manifest(video,format=m3u8-aapl)")).text
    assert [float(x) for x in re.findall(r"#EXTINF:([0-9.]+),", media)] == [4.0, 4.0, 2.0]


def test_cors_preflight(cdn_origin, abr_set):
    r = http_get(cdn_origin.asset_url(abr_set, FMP4_SEG), method="OPTIONS",
                 headers={"Origin": "http://player.example", "Access-Control-Request-Method": "GET",
                          "Access-Control-Request-Headers": "range"})
    assert r.status == 204
    assert r.header("Access-Control-Allow-Origin") == "*"
    assert "Range" in r.header("Access-Control-Allow-Headers")


def test_manifests_gzip(cdn_origin, abr_set):
    url = cdn_origin.asset_url(abr_set, "Manifest(format=mpd-time-csf)")
    plain = http_get(url).body
    r = http_get(url, headers={"Accept-Encoding": "gzip"})
    assert r.header("Content-Encoding") == "gzip"
    assert gzip.decompress(r.body) == plain


BAD_URLS = [
    ("Manifest(format=m3u8-bogus)", 400),
    ("Manifest(format=mpd-time-csf", 400),
    ("Manifest(audio-only=maybe)", 400),
    ("QualityLevels(2500000)/Fragments(video=1,format=mpd-time-csf)", 404),
    ("QualityLevels(2500000)/Fragments(video=999999999999,format=m3u8-aapl)", 404),
    ("QualityLevels(2500000)/Fragments(video=99999999999999999999999)", 400),
    ("QualityLevels(7)/Fragments(video=0,format=mpd-time-csf)", 404),
    ("QualityLevels(2500000)/Fragments(nosuch=0,format=mpd-time-csf)", 404),
    ("QualityLevels(2500000)/Fragments(video=i)", 400),
    ("QualityLevels(2500000)/Fragments(video=i,format=m3u8-aapl-v3)", 400),
    ("QualityLevels(2500000)/Manifest(video,format=mpd-time-csf)", 400),
    ("QualityLevels(abc)/Manifest(video,format=m3u8-aapl)", 404),
    ("QualityLevels(2500000)/Fragments(vi$deo=0)", 400),
    ("Whatever", 404),
]


@pytest.mark.parametrize("suffix,status", BAD_URLS)
def test_bad_urls_get_clear_errors(origin, abr_set, suffix, status):
    r = http_get(origin.asset_url(abr_set, suffix))
    assert r.status == status, (suffix, r.status)


def test_raw_server_manifests_never_served(origin, abr_set):
    rel = abr_set.rel(origin.media_root)
    assert http_get(origin.url(rel)).status == 404
    assert http_get(origin.url(rel + "c")).status == 404


def test_methods(origin, abr_set):
    r = http_get(origin.asset_url(abr_set, "Manifest"), method="POST", data=b"x")
    assert r.status == 405


def test_unparseable_media_is_415_with_reason(origin, media_root):
    bad = media_root / "media" / "broken"
    bad.mkdir(parents=True, exist_ok=True)
    (bad / "noise.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 40)
    r = http_get(origin.url("/media/broken/noise.mp4/Manifest(format=m3u8-aapl)"))
    assert r.status == 415
    log = origin.error_log()
    assert "noise.mp4" in log and ("malformed" in log or "no moov" in log), log[-2000:]
