"""Smoke tests: the module loads into the system nginx, the packaging location
answers, and the test media generator produces what the other tests expect."""

from media import ffprobe_json, http_get, http_head


def test_nginx_starts_with_module(origin):
    assert origin.running
    r = http_get(origin.url("/healthz"))
    assert r.status == 200 and r.body == b"ok\n"
    log = origin.error_log()
    assert "[emerg]" not in log, log


def test_nginx_config_check(nginx_check):
    p = nginx_check()
    assert p.returncode == 0, p.stdout
    assert "test is successful" in p.stdout


def test_unknown_directive_value_rejected(nginx_check):
    p = nginx_check(location_extra="mediaplane maybe;")
    assert p.returncode != 0, p.stdout


def test_missing_asset_is_404(origin):
    for path in ("/media/nope/nope.ism/Manifest",
                 "/media/nope/nope.ism/Manifest(format=m3u8-aapl)",
                 "/media/nope/nope.ism/Manifest(format=mpd-time-cmaf)"):
        r = http_get(origin.url(path))
        assert r.status == 404, (path, r.status, r.text[:200])
    assert http_head(origin.url("/media/nope/nope.ism/Manifest")).status == 404


def test_generated_media(abr_set):
    assert abr_set.ism.exists()
    assert [(r.width, r.height) for r in abr_set.renditions] == [(1280, 720), (640, 360)]
    for r in abr_set.renditions:
        info = ffprobe_json(r.path)
        (v,) = [s for s in info["streams"] if s["codec_type"] == "video"]
        assert (v["codec_name"], v["width"], v["height"]) == ("h264", r.width, r.height)
        assert abs(float(info["format"]["duration"]) - abr_set.duration) < 0.5
    (a,) = abr_set.audio
    info = ffprobe_json(a.path)
    (s,) = info["streams"]
    assert s["codec_name"] == "aac" and s["tags"]["language"] == "eng"
    ism = abr_set.ism.read_text()
    assert 'systemLanguage="eng"' in ism and "abr_1280x720_2500.mp4" in ism
