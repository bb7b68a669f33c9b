#!/bin/sh
# protocol-encoder.sh — a stand-in that speaks mediaplane-encoder's stdout
# protocol (progress/output/perf/error lines, exit codes 0/1/2/3) without
# encoding, for the unit tests of the daemon's job runner
# (test_scheduler.c).  Integration tests always run the real encoder.  Inputs are copied to the output dir
# with a SMIL .ism naming them.  Configurations it accepts: the MES preset
# names and any text starting with '{'; "slow" in the configuration makes
# it take ~20 s (for cancel tests); an input named *.wav fails like a video
# preset on audio-only input.
usage() { echo "usage: $0 --check-config FILE | --config-file F --output-dir D --input F..." >&2; exit 2; }
check() {
    case "$(cat "$1")" in
        "H264 Multiple Bitrate 1080p"|"H264 Multiple Bitrate 720p"|"H264 Multiple Bitrate 16x9 SD"|\
        "H264 Single Bitrate 720p"|"Adaptive Streaming"|"slow"|\{*) return 0 ;;
    esac
    echo "error InvalidConfiguration unknown preset or malformed JSON: $(head -c 60 "$1")"
    return 1
}
[ "$1" = "--check-config" ] && { [ -f "$2" ] || usage; check "$2"; exit $?; }
config= out= inputs= base= complexity=none
while [ $# -gt 0 ]; do
    case "$1" in
        --config-file) config=$2; shift 2 ;;
        --output-dir) out=$2; shift 2 ;;
        --basename) base=$2; shift 2 ;;
        --complexity) complexity=$2; shift 2 ;;
        --input) inputs="$inputs $2"; shift 2 ;;
        *) usage ;;
    esac
done
[ -n "$config" ] && [ -d "$out" ] && [ -n "$inputs" ] || usage
check "$config" || exit 1
trap 'rm -f "$out"/*; echo "error Canceled canceled"; exit 3' TERM
steps=3; grep -q slow "$config" && steps=20
for i in $inputs; do
    case "$i" in *.wav) echo "error InvalidInput the input has no video stream"; exit 1 ;; esac
done
n=0
while [ $n -lt $steps ]; do
    echo "progress $((n * 100 / steps))"; sleep 1 & wait $!; n=$((n + 1))
done
first=$(echo $inputs | cut -d' ' -f1); name=${base:-$(basename "${first%.*}")}
echo '<?xml version="1.0" encoding="utf-8"?><smil xmlns="http://www.w3.org/2001/SMIL20/Language"><head/><body><switch>' > "$out/$name.ism"
for i in $inputs; do cp "$i" "$out/$(basename "$i")"; echo "<video src=\"$(basename "$i")\"/>" >> "$out/$name.ism"; echo "output $(basename "$i")"; done
echo '</switch></body></smil>' >> "$out/$name.ism"; echo "output $name.ism"
echo "progress 100"; echo "perf protocol-encoder: $steps steps, complexity $complexity"
exit 0
