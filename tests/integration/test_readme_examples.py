"""README: the curl session of the API guide (the ```sh blocks between
<!-- api-session --> and <!-- /api-session -->) runs, in order, in one bash
shell against a real installation (daemon + nginx), so the guide cannot rot."""

import re
import subprocess
from pathlib import Path

from platform_harness import CLIENT_ID, CLIENT_SECRET

README = Path(__file__).resolve().parents[2] / "README.md"


def session_script() -> str:
    text = README.read_text()
    start, end = text.index("<!-- api-session -->"), text.index("<!-- /api-session -->")
    blocks = re.findall(r"^```sh\n(.*?)^```$", text[start:end], re.S | re.M)
    assert len(blocks) >= 8, "the API guide's curl session is missing"
    return "set -euo pipefail\n" + "\n".join(blocks)


def make_clip(path: Path) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=320x180:rate=30", "-f", "lavfi", "-i", "sine", "-t", "4",
                    "-c:v", "libx264", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
                    "-c:a", "aac", str(path)], check=True)


def test_readme_curl_session(platform, tmp_path):
    make_clip(tmp_path / "clip.mp4")
    env = {"BASE": platform.origin.base.rstrip("/"), "CLIENT_ID": CLIENT_ID,
           "CLIENT_SECRET": CLIENT_SECRET, "PATH": "/usr/bin:/bin"}
    r = subprocess.run(["bash", "-c", session_script()], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, "stdout:\n%s\nstderr:\n%s" % (r.stdout, r.stderr)
    out = r.stdout
    size = (tmp_path / "clip.mp4").stat().st_size
    # both uploads registered with the file's size
    assert "clip.mp4 %d" % size in out and "copy.mp4 %d" % size in out
    assert "#EXTM3U" in out                                   # HLS through the origin locator
    assert "<MPD" in (tmp_path / "clip.mpd").read_text()      # DASH
    assert re.search(r"^403$", out, re.M)                     # Smooth blocked by the policy
    statuses = re.findall(r"^HTTP/1.1 (\d+)", out, re.M)
    assert statuses == ["201", "201", "204", "200"], out      # the $batch changeset, then the query
    assert '"code":"ResourceNotFound"' in out
