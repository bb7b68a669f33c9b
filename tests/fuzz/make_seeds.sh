#!/usr/bin/env bash
# make_seeds.sh OUT_DIR — writes the seed corpora of the fuzz targets into
# OUT_DIR/<target>/, generated rather than kept as binaries in git:
#   fuzz_mp4  tiny (~1 s, 64x48) MP4s made with ffmpeg: H.264 with B-frames and
#             AAC (moov at the end, and faststart), AAC only, HEVC, AC-3,
#             E-AC-3, signed ctts, no edit list, all-intra at 90 kHz, QuickTime,
#             avc3, fragmented ones (empty_moov with and without
#             default_base_moof, -frag_duration, ismv); skipped without ffmpeg
#   fuzz_mp4_ingest  Smooth pushes: ffmpeg's ismv in isml (live) mode and the
#             fragmented fuzz_mp4 seeds
#   fuzz_url  AMS packaging URLs of every form, and a few rejected ones
#   fuzz_ism  AMS-style server manifests
#   fuzz_odata_filter  $filter/$orderby/$select texts as AMS v2 clients send
#             them, a few rejected ones, one with an extra JSON entity
#   fuzz_api_request  an API resource path, a newline, then a JSON body (as
#             AMS clients POST them, verbose and light) or an SWT token
#   fuzz_endpoint_record  streaming endpoint records (catalog_endpoint.h): a
#                   running default endpoint, one with an IP list, max-age
#                   and a cross-domain policy
#   fuzz_odata_batch  a $batch Content-Type line, then a multipart body as
#             WCF Data Services clients send it (CRLF and LF): query
#             operations, changesets with Content-ID and $1 references, a
#             quoted boundary, and a few rejected ones
#   fuzz_task_body  AMS v2 TaskBody and JobTemplateBody XML: single and
#             chained tasks, every attribute, the .NET SDK's utf-16
#             declaration, and a few rejected ones (cycle, gap, DTD)
#   fuzz_token_template  TokenRestrictionTemplate XML as the AMS SDKs wrote
#             it (SWT/JWT, alternate keys, nil claim values), and rejected ones
#   fuzz_preset  mediaplane-encoder Task.Configuration texts: every preset
#             name, MES JSON presets (layers, AAC, clip, thumbnails, sprite)
#             and a few rejected ones (unknown field, XML)
# Re-running is cheap: existing files are kept (a stamp records the version).
set -euo pipefail
out=${1:?usage: make_seeds.sh OUT_DIR}
version=14
mkdir -p "$out/fuzz_mp4" "$out/fuzz_url" "$out/fuzz_ism" "$out/fuzz_odata_filter" \
  "$out/fuzz_task_body" "$out/fuzz_api_request" "$out/fuzz_endpoint_record" \
  "$out/fuzz_odata_batch" "$out/fuzz_token_template" "$out/fuzz_preset" \
  "$out/fuzz_cenc_sample" "$out/fuzz_arm_request"
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$version" ]; then
  exit 0
fi

# ---- fuzz_arm_request: paths the v3 SDK sends, an api-version, a JWT shape
i=0
while IFS= read -r seed; do
  [ -n "$seed" ] || continue
  printf '%s' "$seed" > "$out/fuzz_arm_request/arm_$((i++))"
done <<'EOF'
/subscriptions/55555555-6666-7777-8888-999999999999/resourceGroups/media-rg/providers/Microsoft.Media/mediaServices/mediaplane/assets/input-1/listContainerSas
/subscriptions/s/resourceGroups/g/providers/Microsoft.Media/mediaservices/mediaplane
/subscriptions/s/resourceGroups/g/providers/Microsoft.Media/mediaServices/a/transforms/t/jobs/j/cancelJob
/subscriptions/s/resourceGroups/g/providers/Microsoft.Media/mediaservices/a/streamingEndpoints/default/operationLocations/x
2022-08-01
eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovLzEyNy4wLjAuMTo4NDQzIiwiZXhwIjo5OTk5OTk5OTk5fQ.AAAA
EOF

# ---- fuzz_url: one URL per file, without a trailing newline
i=0
while IFS= read -r url; do
  [ -n "$url" ] || continue
  printf '%s' "$url" > "$out/fuzz_url/url_$((i++))"
done <<'EOF'
/media/demo/demo.ism/Manifest
/media/demo/demo.ism/manifest(format=m3u8-aapl)
/media/demo/demo.ism/Manifest(format=m3u8-aapl,audio-only=false)
/media/demo/demo.ism/Manifest(format=m3u8-cmaf).m3u8
/media/demo/demo.ism/Manifest(format=mpd-time-csf).mpd
/media/demo/demo.ism/Manifest(format=mpd-time-cmaf)
/media/demo/demo.ism/Manifest(format=m3u8-aapl-v3)
/media/demo/demo.ism/QualityLevels(2500000)/Manifest(video,format=m3u8-aapl)
/media/demo/demo.ism/QualityLevels(128000)/Manifest(audio_eng,format=m3u8-aapl-v3).m3u8
/media/demo/demo.ism/QualityLevels(2500000)/Fragments(video=0)
/media/demo/demo.ism/qualitylevels(128000)/fragments(audio_eng=20000000,format=m3u8-aapl-v3)
/media/demo/demo.ism/QualityLevels(2500000)/Fragments(video=i,format=mpd-time-csf)
/media/demo/demo.ism/QualityLevels(2500000)/Fragments(video=40000000,format=mpd-time-cmaf)
/media/demo/demo.ism/QualityLevels(2500000)/Fragments(video=i,format=m3u8-cmaf)
/media/x/video.mp4
/media/x/video.mp4/Manifest(format=m3u8-aapl,filter=abc)
/media/x/video.mp4/QualityLevels(1)/Fragments(audio=18446744073709551615)
/media/demo/demo.ism
/media/demo/demo.ism/Manifest(format=hls)
/media/../etc/demo.ism/Manifest
/media/demo/demo.ism/QualityLevels(99999999999)/Fragments(video=1)
/media/demo/demo.ism/QualityLevels(1)/Fragments(video=i)
EOF

# ---- fuzz_odata_filter: one query per file, without a trailing newline (a
# newline would start an extra JSON entity, as in the last seed)
i=0
while IFS= read -r query; do
  [ -n "$query" ] || continue
  printf '%s' "$query" > "$out/fuzz_odata_filter/query_$((i++))"
done <<'EOF'
Name eq 'Big Buck Bunny'
Id eq 'nb:cid:UUID:6f2d1e3a-1b2c-4d5e-8f90-0123456789ab'
startswith(Name, 'Big') and State eq 1 or not (Options ne 0)
substringof('Buck', Name) and endswith(tolower(Name), 'bunny')
Created gt datetime'2014-12-31T23:59:59.999Z' and LastModified le datetimeoffset'2015-06-01T14:30:00+02:00'
ContentFileSize gt 999999L and Score lt 2.5M and Score ge 25e-1D
length(trim(concat(Name, ' '))) eq 14 and indexof(Name, 'Buck') ne -1
substring(Name, 4, 4) eq 'Buck' and year(Created) eq 2015 and month(Created) le 12
State add 2 mul 3 sub -1 div 1 mod 7 eq 8 and -State lt 0
Key eq guid'6f2d1e3a-1b2c-4d5e-8f90-0123456789ab' and AlternateId eq null
Storage/Account eq 'acct1' and Storage/Tier gt 1 and Title eq 'it''s'
((((IsEncrypted eq false))))
Name desc, Created asc, Storage/Account
Id,Name,State
*
Name eq 'x' and (State eq 1 or
startswith(Name)
Created eq datetime'2015-13-01T00:00:00'
EOF
# nesting just past the depth limit (100)
printf '%.0s(' {1..101} > "$out/fuzz_odata_filter/deep"
printf 'State eq 1' >> "$out/fuzz_odata_filter/deep"
printf '%.0s)' {1..101} >> "$out/fuzz_odata_filter/deep"
printf '%s\n%s' "Tag eq 'x' or Size gt 10" '{"Tag":"x","Size":"11","At":"2015-01-01T00:00:00Z"}' \
  > "$out/fuzz_odata_filter/with_entity"

# ---- fuzz_ism
cat > "$out/fuzz_ism/ams.ism" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<smil xmlns="http://www.w3.org/2001/SMIL20/Language">
  <head>
    <meta name="formats" content="mp4" />
  </head>
  <body>
    <switch>
      <video src="demo_1280x720_2500.mp4" systemBitrate="2500000">
        <param name="trackID" value="1" valuetype="data" />
      </video>
      <video src="demo_640x360_800.mp4" systemBitrate="800000">
        <param name="trackID" value="1" valuetype="data" />
      </video>
      <audio src="demo_aac_eng.mp4" systemBitrate="128000" systemLanguage="eng">
        <param name="trackID" value="2" valuetype="data" />
        <param name="trackName" value="audio_en" valuetype="data" />
      </audio>
    </switch>
  </body>
</smil>
EOF
cat > "$out/fuzz_ism/compact.ism" <<'EOF'
<smil><body><switch><video src='v.mp4' systemBitrate='1000'/><audio src='a.mp4' systemLanguage='fra'/><audio src="a.mp4" systemBitrate="64000"><param name="trackID" value="3"/></audio></switch></body></smil>
EOF

# ---- fuzz_api_request: "<path>\n<body>" per file
i=0
while IFS= read -r line; do
  [ -n "$line" ] || continue
  printf '%s\n%s' "${line%%|*}" "${line#*|}" > "$out/fuzz_api_request/req_$((i++))"
done <<'EOF'
Assets|{"Name":"clip","Options":0,"AlternateId":null}
Assets('nb:cid:UUID:0badc0de-1234-4abc-8def-0123456789ab')|{"__metadata":{"type":"Microsoft.Cloud.Media.Vod.Rest.Data.Models.Asset"},"Name":"v","Created":"\\/Date(1420070400000)\\/"}
Files|{"Name":"a.mp4","ParentAssetId":"nb:cid:UUID:0badc0de-1234-4abc-8def-0123456789ab","ContentFileSize":"1024","IsPrimary":true}
Locators|{"AccessPolicyId":"nb:pid:UUID:1","AssetId":"nb:cid:UUID:2","Type":2,"StartTime":"2015-01-01T00:00:00Z"}
AccessPolicies|{"Name":"p","DurationInMinutes":43200.0,"Permissions":1}
Assets('x')/$links/ParentAssets|{"uri":"https://media.windows.net/api/Assets('nb%3Acid%3AUUID%3A1')"}
Assets(Id='a''b')/Name/$value|{"d":{"Name":"nested"}}
Assets/$count|client_id=c&Audience=urn%3aWindowsAzureMediaServices&ExpiresOn=99&Issuer=i&HMACSHA256=abc%3d
Jobs|{"Name":"j","InputMediaAssets":[{"__metadata":{"uri":"https://h/api/Assets('nb%3Acid%3AUUID%3A0badc0de-1234-4abc-8def-0123456789ab')"}}],"Tasks":[{"Configuration":"x","MediaProcessorId":"nb:mpid:UUID:0","TaskBody":"<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>"}],"JobNotificationSubscriptions":[{"NotificationEndPointId":"nb:nepid:UUID:0badc0de-1234-4abc-8def-0123456789ab","TargetJobState":1}]}
JobTemplates|{"Name":"t","JobTemplateBody":"<jobTemplate><taskBody taskTemplateId=\"nb:ttid:UUID:0badc0de-1234-4abc-8def-0123456789ab\"><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody></jobTemplate>","TaskTemplates":[{"Id":"nb:ttid:UUID:0badc0de-1234-4abc-8def-0123456789ab","MediaProcessorId":"nb:mpid:UUID:0"}]}
EncodingReservedUnitTypes(guid'0badc0de-1234-4abc-8def-0123456789ab')|{"CurrentReservedUnits":2}
/api//CreateFileInfos|{"AccessPolicyId":"nb:pid:UUID:1","AssetId":"nb:cid:UUID:2","Type":1,"StartTime":"12/7/2026 05:44:15 AM"}
Mon, 07 Dec 2026 05:44:15 GMT|{"ExpirationDateTime":"Dec 7, 2026 5:44 PM","IsEncrypted":"false"}
\/Date(1796622255000+0100)\/|{"StartTime":"2026-12-07T06:44:15.1234567+01:00"}
/API/ingestmanifestassets|{"ParentIngestManifestId":"nb:mid:UUID:0badc0de-1234-4abc-8def-0123456789ab","Asset":{"Id":"nb:cid:UUID:2"}}
EOF

# ---- fuzz_odata_batch: "<Content-Type>\n<body>" per file, each also with CRLF
batch_seed() {
  printf '%s\n%s' "$2" "$3" > "$out/fuzz_odata_batch/$1"
  printf '%s\n%s' "$2" "$(printf '%s' "$3" | sed 's/$/\r/')" > "$out/fuzz_odata_batch/$1-crlf"
}
batch_seed query 'multipart/mixed; boundary=batch_1' '--batch_1
Content-Type: application/http
Content-Transfer-Encoding: binary

GET https://media.windows.net/api/Assets?$top=2&$filter=Name%20eq%20%27a%27 HTTP/1.1
Accept: application/json;odata=verbose
DataServiceVersion: 3.0

--batch_1
Content-Type: application/http

GET $metadata HTTP/1.1
--batch_1--
'
batch_seed changeset 'multipart/mixed; boundary=batch_36522ad7-fc75-4b56-8c71-56071383e77b' '--batch_36522ad7-fc75-4b56-8c71-56071383e77b
Content-Type: multipart/mixed; boundary=changeset_77162fcd-b8da-41ac-a9f8-9357efbbd621

--changeset_77162fcd-b8da-41ac-a9f8-9357efbbd621
Content-Type: application/http
Content-Transfer-Encoding: binary

POST https://media.windows.net/api/Assets HTTP/1.1
Content-ID: 1
Content-Type: application/json;odata=verbose
Content-Length: 16

{"Name":"clip"}
--changeset_77162fcd-b8da-41ac-a9f8-9357efbbd621
Content-Type: application/http
Content-ID: 2

POST $1/$links/ContentKeys HTTP/1.1
Content-Type: application/json

{"uri":"https://media.windows.net/api/ContentKeys(%27nb%3Akid%3AUUID%3A1%27)"}
--changeset_77162fcd-b8da-41ac-a9f8-9357efbbd621
Content-Type: application/http

MERGE $1 HTTP/1.1

{"AlternateId":"x"}
--changeset_77162fcd-b8da-41ac-a9f8-9357efbbd621
Content-Type: application/http

DELETE Assets(%27nb%3Acid%3AUUID%3A2%27) HTTP/1.1
--changeset_77162fcd-b8da-41ac-a9f8-9357efbbd621--
--batch_36522ad7-fc75-4b56-8c71-56071383e77b--
'
batch_seed quoted 'multipart/mixed; boundary="b 1:x"' 'preamble
--b 1:x	
Content-Type: application/http

GET Assets HTTP/1.1

--b 1:xyz is body text
--b 1:x--
epilogue'
batch_seed nested 'multipart/mixed; boundary=a' '--a
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: multipart/mixed; boundary=c

--c--
--b--
--a--'
batch_seed get-in-changeset 'multipart/mixed; boundary=a' '--a
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: application/http

GET Assets HTTP/1.1
--b--
--a--'
batch_seed unterminated 'multipart/mixed; boundary=a' '--a
Content-Type: application/http

GET Assets HTTP/1.1
Content-Length: 5
'
# ---- fuzz_preset: one Task.Configuration per line, written without the newline
i=0
while IFS= read -r cfg; do
  [ -n "$cfg" ] || continue
  printf '%s' "$cfg" > "$out/fuzz_preset/preset_$((i++))"
done <<'EOF'
H264 Multiple Bitrate 1080p
  h264 multiple bitrate 720p  
H264 Multiple Bitrate 16x9 SD
H264 Single Bitrate 720p
AAC Good Quality Audio
Adaptive Streaming
<?xml version="1.0"?><Preset Version="1.0"/>
{"Version":1.0,"Codecs":[{"Type":"H264Video","KeyFrameInterval":"00:00:02","SceneChangeDetection":false,"H264Layers":[{"Type":"H264Layer","Profile":"Auto","Bitrate":3400,"MaxBitrate":3400,"BufferWindow":"00:00:05","Width":"1280","Height":"720","BFrames":3,"ReferenceFrames":3,"AdaptiveBFrame":true,"FrameRate":"0/1"},{"Bitrate":650,"Width":"50%","Height":"50%"}]},{"Type":"AACAudio","Profile":"AACLC","Channels":2,"SamplingRate":48000,"Bitrate":128}],"Outputs":[{"FileName":"{Basename}_{Width}x{Height}_{Bitrate}.mp4","Format":{"Type":"MP4Format"}}]}
{"Version":1.0,"Sources":[{"StartTime":"00:00:04","Duration":"00:00:16.5"}],"Codecs":[{"Type":"AACAudio","Bitrate":96}],"Outputs":[{"FileName":"{Basename}_{AudioBitrate}.mp4","Format":{"Type":"MP4Format"}}]}
{"Version":1.0,"Codecs":[{"Type":"JpgImage","Start":"{Best}","Step":"25%","Range":"80%","JpgLayers":[{"Type":"JpgLayer","Width":"50%","Height":"50%","Quality":90}]},{"Type":"PngImage","Start":"10","Step":"00:00:02","SpriteColumn":4,"PngLayers":[{"Type":"PngLayer","Width":"160","Height":"90"}]}],"Outputs":[{"FileName":"{Basename}_{Index}{Extension}","Format":{"Type":"JpgFormat"}},{"FileName":"{Basename}_sprite{Extension}","Format":{"Type":"PngFormat"}}]}
{"Version":1.0,"Codecs":[{"Type":"H264Video","Foo":1,"H264Layers":[{"Bitrate":100}]}],"Outputs":[]}
EOF

# ---- fuzz_task_body: one TaskBody or JobTemplateBody per line, written
# without the newline
i=0
while IFS= read -r body; do
  [ -n "$body" ] || continue
  printf '%s' "$body" > "$out/fuzz_task_body/body_$((i++))"
done <<'EOF'
<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetName="x" assetCreationOptions="0" assetFormatOption="0" storageAccountName="acct">JobOutputAsset(0)</outputAsset></taskBody>
<?xml version="1.0" encoding="utf-16"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetCreationOptions="1" assetName="Encoded &amp; thumbnails">JobOutputAsset(0)</outputAsset></taskBody>
<taskBody><inputAsset>JobInputAsset(1)</inputAsset><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetFormatOption="1">JobOutputAsset(1)</outputAsset><outputAsset assetCreationOptions="4" storageAccountName="media2">JobOutputAsset(0)</outputAsset></taskBody>
<taskBody> <inputAsset> JobInputAsset(0) </inputAsset> <!-- c --> <outputAsset assetName='a&#10;b'><![CDATA[JobOutputAsset(0)]]></outputAsset> </taskBody>
<taskBody><inputAsset>JobOutputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>
<!DOCTYPE taskBody [<!ENTITY a "JobInputAsset(0)">]><taskBody><inputAsset>&a;</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>
<?xml version="1.0" encoding="utf-16"?><jobTemplate><taskBody taskTemplateId="nb:ttid:UUID:1b4a1c5e-92a6-4a6c-a5a5-0d2c1c3e1f01"><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody></jobTemplate>
<?xml version="1.0" encoding="utf-16"?><jobTemplate><taskBody taskTemplateId="nb:ttid:UUID:1b4a1c5e-92a6-4a6c-a5a5-0d2c1c3e1f01"><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody><taskBody taskTemplateId="nb:ttid:UUID:2c5b2d6f-a3b7-4b7d-b6b6-1e3d2d4f2a02"><inputAsset>JobOutputAsset(0)</inputAsset><inputAsset>JobInputAsset(1)</inputAsset><outputAsset assetName="thumbs">JobOutputAsset(1)</outputAsset></taskBody><taskBody taskTemplateId="nb:ttid:UUID:3d6c3e70-b4c8-4c8e-87c7-2f4e3e503b03"><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(2)</outputAsset></taskBody></jobTemplate>
<jobTemplate><taskBody taskTemplateId="nb:ttid:UUID:1b4a1c5e-92a6-4a6c-a5a5-0d2c1c3e1f01"><inputAsset>JobOutputAsset(1)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody><taskBody taskTemplateId="nb:ttid:UUID:2c5b2d6f-a3b7-4b7d-b6b6-1e3d2d4f2a02"><inputAsset>JobOutputAsset(0)</inputAsset><outputAsset>JobOutputAsset(1)</outputAsset></taskBody></jobTemplate>
<jobTemplate><taskBody taskTemplateId="nb:ttid:UUID:1b4a1c5e-92a6-4a6c-a5a5-0d2c1c3e1f01"><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody><taskBody taskTemplateId="nb:ttid:UUID:2c5b2d6f-a3b7-4b7d-b6b6-1e3d2d4f2a02"><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(2)</outputAsset></taskBody></jobTemplate>
EOF

# ---- fuzz_mp4: tiny media files
if command -v ffmpeg >/dev/null 2>&1; then
  ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@" || echo "make_seeds.sh: ffmpeg seed failed: ${*: -1}" >&2; }
  v=(-f lavfi -i "testsrc2=size=64x48:rate=10:duration=1")
  a=(-f lavfi -i "sine=frequency=440:sample_rate=8000:duration=1")
  x264=(-c:v libx264 -preset veryfast -crf 45 -g 5 -keyint_min 5 -sc_threshold 0 -bf 2 -pix_fmt yuv420p)
  d=$out/fuzz_mp4
  ff "${v[@]}" "${a[@]}" "${x264[@]}" -c:a aac -b:a 16k -ac 1 -metadata:s:a:0 language=eng "$d/av_moov_end.mp4"
  ff "${v[@]}" "${a[@]}" "${x264[@]}" -c:a aac -b:a 16k -ac 1 -movflags +faststart "$d/av_faststart.mp4"
  ff "${a[@]}" -c:a aac -b:a 16k -ac 1 -movflags +faststart "$d/aac.mp4"
  ff "${v[@]}" -c:v libx265 -preset ultrafast -x265-params log-level=none:keyint=5 -tag:v hvc1 \
     -pix_fmt yuv420p "$d/hevc.mp4"
  ff "${a[@]}" -c:a ac3 -b:a 32k -ac 1 "$d/ac3.mp4"
  ff "${a[@]}" -c:a eac3 -b:a 32k -ac 1 "$d/eac3.mp4"
  # fragmented layouts: tfhd base-data-offset, default-base-is-moof (A/V
  # moofs), fragments cut between key frames, Smooth ismv (tfxd, 10 MHz)
  ff "${v[@]}" "${x264[@]}" -movflags frag_keyframe+empty_moov "$d/fragmented.mp4"
  ff "${v[@]}" "${a[@]}" "${x264[@]}" -c:a aac -b:a 16k -ac 1 \
     -movflags frag_keyframe+empty_moov+default_base_moof "$d/frag_av_base_moof.mp4"
  ff "${v[@]}" "${a[@]}" "${x264[@]}" -c:a aac -b:a 16k -ac 1 -frag_duration 300000 \
     -movflags empty_moov+default_base_moof "$d/frag_duration.mp4"
  ff "${v[@]}" "${a[@]}" "${x264[@]}" -c:a aac -b:a 16k -ac 1 -f ismv "$d/frag_smooth.ismv"
  # variants of the tables: signed ctts (v1), no edit list, all-intra (no stss),
  # a 90 kHz video timescale, QuickTime sound descriptions (.mov), avc3
  ff "${v[@]}" "${x264[@]}" -movflags +negative_cts_offsets "$d/ctts_v1.mp4"
  ff "${v[@]}" "${a[@]}" "${x264[@]}" -c:a aac -b:a 16k -ac 1 -use_editlist 0 "$d/no_editlist.mp4"
  ff "${v[@]}" -c:v libx264 -preset veryfast -crf 45 -g 1 -pix_fmt yuv420p -video_track_timescale 90000 \
     "$d/intra_90k.mp4"
  ff "${v[@]}" "${a[@]}" "${x264[@]}" -c:a aac -b:a 16k -ac 2 -f mov "$d/quicktime.mov"
  ff "${v[@]}" "${x264[@]}" -tag:v avc3 "$d/avc3.mp4"
  # fuzz_mp4_ingest: what Smooth encoders push (ffmpeg's isml live mode),
  # and the fragmented files above
  mkdir -p "$out/fuzz_mp4_ingest"
  ff "${v[@]}" "${a[@]}" "${x264[@]}" -c:a aac -b:a 16k -ac 1 -f ismv -movflags isml+frag_keyframe \
     "$out/fuzz_mp4_ingest/isml_push.ismv"
  cp -f "$d/frag_smooth.ismv" "$d/frag_av_base_moof.mp4" "$out/fuzz_mp4_ingest/" 2>/dev/null || true
else
  echo "make_seeds.sh: ffmpeg not found, fuzz_mp4 starts without seeds" >&2
fi
# ---- fuzz_token_template: one template per line, written without the newline
i=0
while IFS= read -r tmpl; do
  [ -n "$tmpl" ] || continue
  printf '%s' "$tmpl" > "$out/fuzz_token_template/t_$((i++))"
done <<'EOF'
<TokenRestrictionTemplate xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/TokenRestrictionTemplate/v1"><AlternateVerificationKeys><TokenVerificationKey i:type="SymmetricVerificationKey"><KeyValue>BklyAFiPTQsuJNKriQJBZHYaKM2CkCTDQX2bw9sMYuvEC9sjW0W7GUIBygQL/+POEeUqCYPnmEU2g0o1GW2Oqg==</KeyValue></TokenVerificationKey></AlternateVerificationKeys><Audience>urn:test</Audience><Issuer>http://testacs.com/</Issuer><PrimaryVerificationKey i:type="SymmetricVerificationKey"><KeyValue>E5BUHiN4vBdzUzdP0IWaHFMMU3D1uRZgF16TOhSfwwHGSw+Kbf0XqsHzEIYk11M372viB9vbiacsdcQksA0ftw==</KeyValue></PrimaryVerificationKey><RequiredClaims><TokenClaim><ClaimType>urn:microsoft:azure:mediaservices:contentkeyidentifier</ClaimType><ClaimValue i:nil="true" /></TokenClaim></RequiredClaims><TokenType>JWT</TokenType></TokenRestrictionTemplate>
<TokenRestrictionTemplate xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/TokenRestrictionTemplate/v1"><AlternateVerificationKeys /><Audience>urn:test</Audience><Issuer>http://testacs.com</Issuer><OpenIdConnectDiscoveryDocument i:nil="true" /><PrimaryVerificationKey i:type="SymmetricVerificationKey"><KeyValue>tqdCrSPGDZYJ4l3YyWR1NH7OdTvucBm7bU/ZQKPszV/hR54saMgyJK9bA9bay996NtNpcA0OruHETvy885g46A==</KeyValue></PrimaryVerificationKey><RequiredClaims><TokenClaim><ClaimType>urn:custom</ClaimType><ClaimValue>v</ClaimValue></TokenClaim></RequiredClaims><TokenType>SWT</TokenType></TokenRestrictionTemplate>
<TokenRestrictionTemplate xmlns="http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/TokenRestrictionTemplate/v1"><Audience>a</Audience><Issuer>i</Issuer><PrimaryVerificationKey type="X509CertTokenVerificationKey"><RawBody>AAAA</RawBody></PrimaryVerificationKey></TokenRestrictionTemplate>
<!DOCTYPE x [<!ENTITY a "b">]><TokenRestrictionTemplate xmlns="http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/TokenRestrictionTemplate/v1"><Issuer>&a;</Issuer></TokenRestrictionTemplate>
EOF
echo "$version" > "$out/.stamp"

# ---- fuzz_endpoint_record: binary records as mediaplaned writes them
# "MPE1" state name_len ip_count(le16) max_age(le64) [family prefix addr16]... name
# cap_len(le32, ffffffff = absent) cap cdp_len cdp
printf 'MPE1\002\007\000\000\377\377\377\377\377\377\377\377default\377\377\377\377\377\377\377\377' \
  > "$out/fuzz_endpoint_record/default_running"
printf 'MPE1\002\004\001\000\010\007\000\000\000\000\000\000\004\020\300\250\000\000\000\000\000\000\000\000\000\000\000\000\000\000edge\377\377\377\377\026\000\000\000<cross-domain-policy/>' \
  > "$out/fuzz_endpoint_record/ip_and_policy"

# ---- fuzz_cenc_sample: mode byte (length size - 1, hevc, cbcs), then NAL units:
# an H.264 SPS + a 64-byte IDR slice with 4-byte lengths, 'cenc' and 'cbcs'
sps='\000\000\000\004\147\102\300\036'
idr="\000\000\000\100\145$(printf '\\%03o' $(seq 1 63))"
printf "\003${sps}${idr}" > "$out/fuzz_cenc_sample/avc_cenc"
printf "\013${sps}${idr}" > "$out/fuzz_cenc_sample/avc_cbcs"
