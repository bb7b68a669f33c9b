"""AAC priming: the audio a listener gets from the origin starts at the same
instant as in the source, and the frame the source's edit list hides is not
heard.  Checked by ffmpeg against the source MP4s, whose edit lists ffmpeg
honours (it drops the 1024 priming samples and starts audio and video at 0);
the set has B-frames, so the video's own edit list (composition delay) is in
play too.

- HLS TS cannot carry an edit list: the origin leaves the priming frame out
  of the first segment.  ffmpeg's decoder then starts without that frame's
  MDCT overlap, so the first real frame's PCM legitimately differs (it fades
  in); every later frame must be bit-identical, and every frame's timing
  must match the source's.
- fMP4 (HLS fMP4, CMAF, DASH) keeps the priming frame, as decoder pre-roll,
  and the init segment's edit list says presentation starts after it.
  ffmpeg 5.1 does not apply an edit list when reading fragmented MP4, so the
  test applies the init's edit list to ffmpeg's decoded frames itself
  (isobmff.edit_window); the decoded PCM is then identical, frame for frame.

Timings are compared as A/V offsets (first audio sample minus first video
frame), since players place a stream wherever its first timestamps say and
only the offset between the two is heard/seen: it must equal the source's to
1 ms."""

from fractions import Fraction
import re

import pytest

import isobmff
from clients import HLS_INPUT, TS_AUDIO_TOLERANCE, rms_ratio, ts_audio_deviation
from media import decoded_frames, decoded_pcm, http_get

MS = Fraction(1, 1000)


def seconds(tb, frames):
    return [(tb * f.pts, tb * (f.pts + f.duration), f.md5) for f in frames]


def presented(frames, window):
    """Apply an edit window (isobmff.edit_window) to decoded frames given as
    (start s, end s, md5): frames that end at or before the media time where
    presentation begins are not presented; the others move by the edit."""
    media_start, pres_start = window
    return [(s - media_start + pres_start, e - media_start + pres_start, h)
            for (s, e, h) in frames if e > media_start]


@pytest.fixture(scope="module")
def source(abr_set):
    vtb, video = decoded_frames(abr_set.renditions[0].path, "v:0")
    atb, audio = decoded_frames(abr_set.audio[0].path, "a:0")
    return seconds(vtb, video), seconds(atb, audio)


def test_source_has_priming_and_composition_delay(abr_set, source):
    """The premise: both source files carry edit lists that ffmpeg applies."""
    for path in (abr_set.renditions[0].path, abr_set.audio[0].path):
        data = open(path, "rb").read()
        assert any(mt > 0 for _, mt, _ in isobmff.elst(data[data.index(b"moov") - 4:])), path
    video, audio = source
    assert video[0][0] == 0 and audio[0][0] == 0
    assert audio[0][1] - audio[0][0] == Fraction(1024, 48000)


def check_timing(source, video, audio):
    """A/V offset as in the source (1 ms), and the same audio frames: count,
    starts and lengths relative to the first."""
    src_video, src_audio = source
    offset = (audio[0][0] - video[0][0]) - (src_audio[0][0] - src_video[0][0])
    assert abs(offset) <= MS, "A/V offset differs from the source's by %s ms" % float(offset / MS)
    assert len(audio) == len(src_audio), (len(audio), len(src_audio))
    rel = [(s - audio[0][0], e - s) for (s, e, _) in audio]
    src_rel = [(s - src_audio[0][0], e - s) for (s, e, _) in src_audio]
    assert rel == src_rel


def test_hls_ts_audio_starts_with_the_source(origin, abr_set, source):
    """The first TS audio frame is the source's first heard frame, at the
    source's A/V offset.  PCM (clients.ts_audio_deviation): the first frame
    is decoded without the priming frame's overlap and fades in (measured:
    its difference is as loud as the tone itself); from the second on the
    difference is at most -60 dB of the source (measured: -94 dB)."""
    url = origin.asset_url(abr_set, "QualityLevels(%d)/Manifest(video,format=m3u8-aapl-v3)"
                           % (abr_set.renditions[0].kbps * 1000))
    vtb, video = decoded_frames(url, "v:0", extra_input=HLS_INPUT)
    atb, audio = decoded_frames(url, "a:0", extra_input=HLS_INPUT)
    check_timing(source, seconds(vtb, video), seconds(atb, audio))
    assert ts_audio_deviation(url, abr_set.audio[0].path) <= TS_AUDIO_TOLERANCE
    want = decoded_pcm(abr_set.audio[0].path)
    got = decoded_pcm(url, "a:0", extra_input=HLS_INPUT)
    first = 1024 * 2                    # one AAC frame of stereo
    assert rms_ratio(got[:first], want[:first]) > 0.1, \
        "the first frame decoded as if the priming frame preceded it: was it sent?"


def test_hls_ts_audio_only_starts_at_video_start(origin, abr_set):
    """The audio-only variant's first PES is the first heard frame too: its
    PTS is where the muxed segments put audio (the video's first PTS)."""
    base = origin.asset_url(abr_set, "")
    muxed = base + "QualityLevels(%d)/Manifest(video,format=m3u8-aapl-v3)" % (
        abr_set.renditions[0].kbps * 1000)
    alone = base + "QualityLevels(%d)/Manifest(audio_eng,format=m3u8-aapl-v3)" % (
        abr_set.audio[0].kbps * 1000)
    vtb, video = decoded_frames(muxed, "v:0", extra_input=HLS_INPUT)
    atb, audio = decoded_frames(alone, "a:0", extra_input=HLS_INPUT)
    assert atb * audio[0].pts == vtb * video[0].pts


def fmp4_init(origin, abr_set, stream, bitrate, fmt):
    return http_get(origin.asset_url(abr_set, "QualityLevels(%d)/Fragments(%s=i,format=%s)"
                                     % (bitrate, stream, fmt))).body


@pytest.mark.parametrize("fmt,manifest", [
    ("m3u8-aapl", "m3u8-aapl"), ("m3u8-cmaf", "m3u8-cmaf"),
    ("mpd-time-csf", "mpd-time-csf"), ("mpd-time-cmaf", "mpd-time-cmaf")])
def test_fmp4_audio_starts_with_the_source(origin, abr_set, source, fmt, manifest):
    vinit = fmp4_init(origin, abr_set, "video", abr_set.renditions[0].kbps * 1000, fmt)
    ainit = fmp4_init(origin, abr_set, "audio_eng", abr_set.audio[0].kbps * 1000, fmt)
    # the init says where presentation starts: after the priming frame
    amedia, apres = isobmff.edit_window(ainit)
    assert amedia > 0 and amedia == apres, isobmff.elst(ainit)
    url = origin.asset_url(abr_set, "Manifest(format=%s)" % manifest)
    # -copyts: the fragments' own times (tfdt), which the edit list refers to
    opts = ["-copyts"] + (HLS_INPUT if fmt.startswith("m3u8") else [])
    vtb, video = decoded_frames(url, "v:0", extra_input=opts)
    atb, audio = decoded_frames(url, "a:0", extra_input=opts)
    raw_audio = seconds(atb, audio)
    # without the edit list the priming frame would be the first one heard
    assert raw_audio[0][1] <= amedia < raw_audio[1][1]
    audio = presented(raw_audio, (amedia, apres))
    check_timing(source, presented(seconds(vtb, video), isobmff.edit_window(vinit)), audio)
    # the priming frame was decoded as pre-roll: every heard frame is bit-exact
    assert [h for (_, _, h) in audio] == [h for (_, _, h) in source[1]]


def test_dash_presentation_time_offset_is_the_edit_lists_start(origin, abr_set):
    """presentationTimeOffset (10 MHz) and the inits' edit lists name the same
    instant, so players applying either one see the same timing."""
    mpd = http_get(origin.asset_url(abr_set, "Manifest(format=mpd-time-csf)")).text
    ptos = {int(x) for x in re.findall(r'presentationTimeOffset="(\d+)"', mpd)}
    assert len(ptos) == 1, ptos
    pto = Fraction(ptos.pop(), 10 ** 7)
    for stream, bitrate in (("video", abr_set.renditions[0].kbps * 1000),
                            ("audio_eng", abr_set.audio[0].kbps * 1000)):
        media, pres = isobmff.edit_window(fmp4_init(origin, abr_set, stream, bitrate,
                                                    "mpd-time-csf"))
        assert abs(media - pto) <= MS, (stream, media, pto)
        assert media == pres


@pytest.mark.parametrize("codec", ["ac3", "eac3"])
@pytest.mark.parametrize("fmt", ["m3u8-aapl", "m3u8-cmaf"])
def test_dolby_audio_init_keeps_the_sources_edit_list(origin, media_root, codec, fmt):
    """AC-3 and E-AC-3 have encoder delay too (ffmpeg's encoders: 256
    samples, hidden by the source's edit list): what the init's edit list
    hides of the audio -- from the first fragment's time (tfdt) to where
    presentation starts -- is the source's media start, with the empty edit
    that keeps the fragments' times (as for AAC above).  The times are on the
    presentation's shared timeline (shifted so the video's B-frame delay and
    the audio's delay start together).  HE-AAC is not tested: Debian's ffmpeg
    has no HE-AAC encoder (libfdk-aac is not packaged)."""
    import tricky_media as tm
    from urllib.parse import urljoin
    assets = tm.dolby_assets(media_root / "media")
    src_media, src_pres = isobmff.edit_window(assets[codec].read_bytes())
    assert src_media > 0 and src_pres == 0, isobmff.elst(assets[codec].read_bytes())
    base = origin.url("/%s/" % assets[codec + "_ism"].relative_to(media_root))
    init = http_get(base + "QualityLevels(192000)/Fragments(audio_eng=i,format=%s)" % fmt)
    assert init.status == 200, init
    media, pres = isobmff.edit_window(init.body)
    playlist_url = base + "QualityLevels(192000)/Manifest(audio_eng,format=%s)" % fmt
    playlist = http_get(playlist_url).text
    first = [l for l in playlist.splitlines() if l and not l.startswith("#")][0]
    seg = http_get(urljoin(playlist_url, first))
    assert seg.status == 200, (first, seg)
    version, _ = isobmff.flags(seg.body, "moof/traf/tfdt")
    tfdt = int.from_bytes(isobmff.body(seg.body, "moof/traf/tfdt")[:8 if version else 4], "big")
    _, media_ts = isobmff.timescales(init.body)
    assert media - Fraction(tfdt, media_ts) == src_media and pres == media, \
        (isobmff.elst(init.body), tfdt, src_media)
