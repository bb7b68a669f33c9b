#!/usr/bin/env bash
# mediaplane build driver: installs dependencies (apt-get, npm), builds every
# component, runs the demo or the test suite.
#
#   ./build.sh deps    install apt packages and the tests' npm packages
#   ./build.sh build   nginx module (.so) + format core, unit tests, tools
#   ./build.sh test    deps + build + unit tests + fuzzers + integration tests
#   ./build.sh demo    deps + build + start mediaplaned and nginx on loopback, generate
#                      a clip, upload it through the API, encode it with a job ("H264
#                      Multiple Bitrate 720p"), publish the output, print playable URLs
#   ./build.sh bench   deps + build + every tests/bench/*/run
#   ./build.sh campaigns  deps + build + the hardening campaigns (tests/campaigns/: zzuf
#                      media, SIGKILL crash consistency, 10-minute soak; ~25 minutes)
#   ./build.sh stop    stop the demo nginx and mediaplaned
#   ./build.sh clean   stop the demo, remove build/ and .demo/
#
# Environment knobs (all optional):
#   MEDIAPLANE_BUILD          build directory                 (default: ./build)
#   MEDIAPLANE_NGINX          nginx binary to build against   (default: /usr/sbin/nginx)
#   MEDIAPLANE_NGINX_SRC      nginx source tree (nginx-dev)   (default: /usr/share/nginx/src)
#   MEDIAPLANE_JOBS           parallel make jobs              (default: nproc)
#   MEDIAPLANE_FUZZ_SECONDS   run time per fuzz target        (default: 20)
#   MEDIAPLANE_DEMO_LISTEN    demo listen address (nginx)     (default: 127.0.0.1:8080)
#   MEDIAPLANE_DEMO_API_LISTEN  mediaplaned listen address    (default: 127.0.0.1:8081)
#   MEDIAPLANE_DEMO_TLS_LISTEN  mediaplaned HTTPS (v3 API)     (default: 127.0.0.1:8443)
#   MEDIAPLANE_DEMO_DURATION  demo clip length in seconds     (default: 20)
#   MEDIAPLANE_DEMO_PRESET    encoding preset of the demo     (default: H264 Multiple Bitrate 720p)
#   MEDIAPLANE_DEMO_COMPLEXITY the daemon's encoder_complexity (default: Speed)
#   MEDIAPLANE_SKIP_DEPS=1    skip the dependency step of test/demo/bench
#   PYTEST_ARGS               extra arguments for pytest (e.g. "-k smoke -x")
set -euo pipefail
cd "$(dirname "$0")"
TOP=$PWD
BUILD=${MEDIAPLANE_BUILD:-$TOP/build}
case "$BUILD" in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
NGINX_BIN=${MEDIAPLANE_NGINX:-/usr/sbin/nginx}
NGINX_SRC=${MEDIAPLANE_NGINX_SRC:-/usr/share/nginx/src}
JOBS=${MEDIAPLANE_JOBS:-$(nproc 2>/dev/null || echo 2)}
MODULE_NAME=ngx_http_mediaplane_module
MODULE_SO=$BUILD/$MODULE_NAME.so
DEMO_DIR=$TOP/.demo
DEMO_PRESET=${MEDIAPLANE_DEMO_PRESET:-H264 Multiple Bitrate 720p}
PY=/usr/bin/python3    # Debian's python: python3-pytest & co. live only there

APT_PACKAGES=(
  build-essential clang pkg-config libclang-rt-14-dev
  nginx nginx-dev libnginx-mod-rtmp libpcre2-dev libpcre3-dev zlib1g-dev libssl-dev
  liblmdb-dev lmdb-utils libjansson-dev libmicrohttpd-dev libxml2-dev libcmocka-dev
  libcurl4-openssl-dev openssl
  ffmpeg libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev
  x264 libx264-dev
  python3 python3-pytest python3-pytest-timeout python3-m3u8 python3-mpegdash python3-cryptography
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-libav gstreamer1.0-plugins-ugly
  chromium wrk curl jq xz-utils libxml2-utils mediainfo zzuf
)

log() { printf '== build.sh: %s\n' "$*" >&2; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- deps

apt_deps() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  # Node.js: any node/npm on PATH will do (this machine may carry a newer
  # nodejs than Debian's); otherwise take Debian's.
  if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
  if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# npm packages of the tests, each folder with its package.json and
# package-lock.json (versions pinned; `npm ci` reinstalls only when the lock
# file changed):
#   tests/browser    hls.js, shaka-player, dashjs, playwright-core (never
#                    downloads a browser: the tests use Debian's chromium)
#   tests/amsv2-sdk  azure-media, the AMS-era Node.js SDK (v2 client test)
#   tests/armv3-sdk  @azure/arm-mediaservices, @azure/identity, @azure/storage-blob
#                    (the AMS v3 SDKs: v3 client test)
npm_deps_in() {
  local dir=$1 stamp want
  [ -f "$dir/package.json" ] || return 0
  stamp=$dir/node_modules/.mediaplane-stamp
  want=$(cat "$dir/package.json" "$dir/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "npm: installing ${dir#"$TOP"/} packages"
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  if [ -f "$dir/package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  else
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
  want=$(cat "$dir/package.json" "$dir/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)
  echo "$want" > "$stamp"
}

npm_deps() {
  npm_deps_in "$TOP/tests/browser"
  npm_deps_in "$TOP/tests/amsv2-sdk"
  npm_deps_in "$TOP/tests/armv3-sdk"
}

deps() {
  apt_deps
  npm_deps
}

maybe_deps() {
  if [ "${MEDIAPLANE_SKIP_DEPS:-0}" = 1 ]; then return 0; fi
  deps
}

# ---------------------------------------------------------------- build

# The system nginx's ./configure arguments, one per line, with the quoting of
# `nginx -V` removed (xargs understands the '...' quoting nginx prints).
# Dynamic modules and addons of the distribution are dropped: they need extra
# libraries and are irrelevant to our module's ABI.
nginx_configure_args() {
  local line
  line=$("$NGINX_BIN" -V 2>&1 | sed -n 's/^configure arguments: //p')
  [ -n "$line" ] || die "cannot read configure arguments from '$NGINX_BIN -V'"
  xargs printf '%s\n' <<<"$line" | grep -v -E '^--(add-module|add-dynamic-module)=|^--with-[a-z0-9_]+=dynamic$' || true
}

build_module() {
  local src=$BUILD/nginx-src args=() a stamp want
  [ -x "$NGINX_BIN" ] || die "$NGINX_BIN not found (run ./build.sh deps)"
  [ -x "$NGINX_SRC/configure" ] || die "$NGINX_SRC/configure not found (apt-get install nginx-dev)"
  mkdir -p "$BUILD"

  # 1. a writable copy of Debian's nginx source tree, refreshed on upgrades
  want="$("$NGINX_BIN" -v 2>&1) $(dpkg-query -W -f='${Version}' nginx-dev 2>/dev/null || true) $NGINX_SRC"
  if [ ! -f "$src/.mediaplane-src" ] || [ "$(cat "$src/.mediaplane-src")" != "$want" ]; then
    log "copying $NGINX_SRC to $src"
    rm -rf "$src"
    cp -a "$NGINX_SRC" "$src"
    echo "$want" > "$src/.mediaplane-src"
  fi

  # 2. configure with the system nginx's ABI-relevant arguments; again only
  #    when those, ngx_module/config or the set of source files changed
  mapfile -t args < <(nginx_configure_args)
  for a in --with-compat --with-threads --with-http_ssl_module; do
    printf '%s\n' "${args[@]}" | grep -qx -- "$a" ||
      log "warning: '$NGINX_BIN -V' lacks $a; the module may not load"
  done
  args+=("--add-dynamic-module=$TOP/ngx_module")
  stamp=$src/.mediaplane-configure
  want=$( {
    printf '%s\n' "${args[@]}"
    sha256sum "$TOP/ngx_module/config"
    find "$TOP/ngx_module" "$TOP/core" "$TOP/common" \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort
  } | sha256sum | cut -d' ' -f1)
  if [ ! -f "$src/objs/Makefile" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "configuring nginx $("$NGINX_BIN" -v 2>&1 | sed 's/.*nginx\///') with $MODULE_NAME"
    rm -f "$stamp"
    if ! (cd "$src" && ./configure "${args[@]}") > "$BUILD/nginx-configure.log" 2>&1; then
      tail -n 40 "$BUILD/nginx-configure.log" >&2
      die "nginx configure failed (full log: $BUILD/nginx-configure.log)"
    fi
    echo "$want" > "$stamp"
  fi

  # 3. compile; make decides what is out of date
  log "building $MODULE_NAME.so"
  make -C "$src" -f objs/Makefile -j"$JOBS" modules
  # install atomically: a running nginx keeps its mapping of the old file
  if ! cmp -s "$src/objs/$MODULE_NAME.so" "$MODULE_SO"; then
    install -m 0644 "$src/objs/$MODULE_NAME.so" "$MODULE_SO.tmp"
    mv -f "$MODULE_SO.tmp" "$MODULE_SO"
  fi
  log "module: $MODULE_SO"
}

build_core() {
  log "building format core, unit tests and tools (make all)"
  make -C "$TOP" -j"$JOBS" BUILD="$BUILD" all
}

# A local CA and a loopback server certificate (SAN IP:127.0.0.1, IP:::1,
# DNS:localhost) for mediaplaned's HTTPS listener (tls_listen), which the v3
# (ARM) SDKs require: $BUILD/tls/{ca.pem,server.pem,server.key}.  Clients
# trust it with NODE_EXTRA_CA_CERTS=$BUILD/tls/ca.pem (Node) or
# curl --cacert.  Made once; remade when it expires within 30 days.
build_tls_cert() {
  local dir=$BUILD/tls
  mkdir -p "$dir"
  if [ -s "$dir/server.pem" ] && [ -s "$dir/server.key" ] && [ -s "$dir/ca.pem" ] &&
     openssl x509 -checkend $((30 * 86400)) -noout -in "$dir/server.pem" >/dev/null 2>&1; then
    return 0
  fi
  log "generating a local CA and a loopback TLS certificate in $dir"
  (umask 077
   openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 -subj "/CN=mediaplane local CA" \
     -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
     -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
   openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=localhost" \
     -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
   printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
     "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" > "$dir/server.ext"
   openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
     -CAcreateserial -days 398 -sha256 -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
  ) || die "openssl could not make the TLS certificate in $dir"
  chmod 644 "$dir/ca.pem" "$dir/server.pem"
  rm -f "$dir/server.csr" "$dir/server.ext"
}

build() {
  build_module
  build_core
  build_tls_cert
}

# ---------------------------------------------------------------- test

SUITES_PASSED=()
SUITES_FAILED=()

# run_suite NAME COMMAND... : run a suite with errexit inside, record the result
run_suite() {
  local name=$1 rc
  shift
  log "suite: $name"
  set +e
  ( set -e; "$@" )
  rc=$?
  set -e
  if [ $rc -eq 0 ]; then
    SUITES_PASSED+=("$name")
  else
    SUITES_FAILED+=("$name")
    log "suite $name FAILED (exit $rc)"
  fi
}

unit_suite() {
  make -C "$TOP" -j"$JOBS" BUILD="$BUILD" check
}

fuzz_suite() {
  local secs=${MEDIAPLANE_FUZZ_SECONDS:-20} f name bin seeds work dict logf rc=0 opts
  make -C "$TOP" -j"$JOBS" BUILD="$BUILD" fuzz
  mkdir -p "$BUILD/fuzz/artifacts" "$BUILD/fuzz/logs"
  # seed corpora are generated (tiny ffmpeg MP4s, URL and .ism texts), not kept in git
  "$TOP/tests/fuzz/make_seeds.sh" "$BUILD/fuzz/seeds"
  for f in "$TOP"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$f" .c)
    bin=$BUILD/fuzz/$name
    seeds=$BUILD/fuzz/seeds/$name
    work=$BUILD/fuzz/corpus/$name
    dict=$TOP/tests/fuzz/$name.dict
    logf=$BUILD/fuzz/logs/$name.log
    mkdir -p "$work"
    opts=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
          -artifact_prefix="$BUILD/fuzz/artifacts/$name-")
    [ -f "$dict" ] && opts+=(-dict="$dict")
    local dirs=("$work")
    [ -d "$seeds" ] && dirs+=("$seeds")
    if "$bin" "${opts[@]}" "${dirs[@]}" > "$logf" 2>&1; then
      printf '   %-28s ok  (%s)\n' "$name" \
        "$(grep -m1 -o 'Done [0-9]* runs in [0-9]* second(s)' "$logf" || echo "see $logf")"
    else
      printf '   %-28s FAILED, log: %s\n' "$name" "$logf"
      tail -n 60 "$logf" >&2
      rc=1
    fi
  done
  return $rc
}

integration_suite() {
  local rc=0 tests
  tests=$(find "$TOP/tests/integration" -name 'test_*.py' 2>/dev/null | head -n1)
  # shellcheck disable=SC2086
  MEDIAPLANE_BUILD=$BUILD "$PY" -m pytest -q ${PYTEST_ARGS:-} "$TOP/tests/integration" || rc=$?
  if [ $rc -eq 5 ] && [ -z "$tests" ]; then
    log "no integration tests yet"
    return 0
  fi
  return $rc
}

cmd_test() {
  maybe_deps
  build
  # sanitizer defaults for unit tests and fuzzers (callers may override)
  export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
  run_suite unit unit_suite
  if compgen -G "$TOP/tests/fuzz/fuzz_*.c" >/dev/null; then
    run_suite fuzz fuzz_suite
  fi
  run_suite integration integration_suite
  echo
  echo "suites passed: ${SUITES_PASSED[*]:-none}"
  echo "suites failed: ${SUITES_FAILED[*]:-none}"
  echo "${#SUITES_PASSED[@]} passed, ${#SUITES_FAILED[@]} failed"
  [ ${#SUITES_FAILED[@]} -eq 0 ]
}

# ---------------------------------------------------------------- demo

# render_conf TEMPLATE OUT KEY=VALUE... : replace @KEY@ by VALUE; @..._EXTRA@
# placeholders without a value become empty.
render_conf() {
  local tmpl=$1 out=$2 kv sedargs=()
  shift 2
  for kv in "$@"; do
    sedargs+=(-e "s|@${kv%%=*}@|${kv#*=}|g")
  done
  sed "${sedargs[@]}" -e 's|@[A-Z_]*_EXTRA@||g' "$tmpl" > "$out"
  if grep -q '@[A-Z_]*@' "$out"; then
    die "unfilled placeholders in $out: $(grep -o '@[A-Z_]*@' "$out" | sort -u | tr '\n' ' ')"
  fi
}

demo_pid() {
  local pidf=$DEMO_DIR/logs/nginx.pid pid
  [ -f "$pidf" ] || return 1
  pid=$(cat "$pidf" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

daemon_pid() {
  local pidf=$DEMO_DIR/logs/mediaplaned.pid pid
  [ -f "$pidf" ] || return 1
  pid=$(cat "$pidf" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# stop_pid NAME PID: SIGTERM (graceful), SIGKILL after 5 s
stop_pid() {
  log "stopping demo $1 (pid $2)"
  kill -TERM "$2" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$2" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$2" 2>/dev/null || true
}

cmd_stop() {
  local pid
  if pid=$(demo_pid); then
    log "stopping demo nginx (pid $pid)"
    kill -QUIT "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" || true; fi
  fi
  rm -f "$DEMO_DIR/logs/nginx.pid"
  if pid=$(daemon_pid); then stop_pid mediaplaned "$pid"; fi
  rm -f "$DEMO_DIR/logs/mediaplaned.pid"
}

# The demo's source: one 1280x720 H.264 + AAC clip (testsrc2 with a moving
# noise layer, so that the encoder has real work, and a tone), uploaded
# through the API and encoded there into an adaptive-bitrate set.
demo_media() {
  local dir=$DEMO_DIR/media dur=${MEDIAPLANE_DEMO_DURATION:-20} want
  want="v2 $dur"
  if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$want" ]; then return 0; fi
  log "generating the demo clip ($dur s) in $dir"
  rm -rf "$dir"; mkdir -p "$dir"
  ffmpeg -nostdin -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=$dur" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$dur" \
    -vf "noise=alls=12:allf=t" -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p \
    -c:a aac -b:a 160k -ac 2 -movflags +faststart "$dir/demo.mp4"
  echo "$want" > "$dir/.stamp"
}

# Check one manifest URL with a real client: ffprobe for HLS and DASH;
# ffmpeg has no Smooth demuxer, so GStreamer (mssdemux2) decodes Smooth.
demo_check() {
  local url=$1 out=$DEMO_DIR/logs/check.out opts=()
  case "$url" in
    *format=*)
      # AMS segment URLs have no file extension; ffmpeg's HLS demuxer needs
      # -extension_picky 0 to accept them
      case "$url" in *m3u8*) opts=(-extension_picky 0) ;; esac
      if timeout 60 ffprobe -v error "${opts[@]}" -show_entries stream=codec_name,width,height \
           -of compact "$url" > "$out" 2>&1; then
        printf '              ffprobe ok: %s\n' "$(grep '^stream' "$out" | sort -u | sed 's/^stream|//' | tr '\n' ' ')"
        return 0
      fi
      printf '              ffprobe FAILED: %s\n' "$(head -n 3 "$out" | tr '\n' ' ')"
      return 1 ;;
    *)
      if timeout 120 gst-launch-1.0 -q playbin3 uri="$url" video-sink=fakesink audio-sink=fakesink \
           > "$out" 2>&1; then
        printf '              GStreamer decoded it completely\n'
        return 0
      fi
      printf '              GStreamer FAILED: %s\n' "$(head -n 3 "$out" | tr '\n' ' ')"
      return 1 ;;
  esac
}

# The demo's client credentials: a random secret made once, kept 0600.
demo_credentials() {
  local f=$DEMO_DIR/client-secret
  if [ ! -s "$f" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$f")
  fi
}

start_daemon() {
  local api_listen=$1 public=$2 pid
  render_conf "$TOP/conf/mediaplaned.conf.in" "$DEMO_DIR/mediaplaned.conf" \
    LISTEN="$api_listen" DATA_DIR="$DEMO_DIR/data" MEDIA_ROOT="$DEMO_DIR/data/media" \
    PUBLIC_URL="$public" CLIENT_ID=demo CLIENT_SECRET="$(cat "$DEMO_DIR/client-secret")"
  # the demo encodes at Speed (x264 veryfast) unless told otherwise
  echo "encoder_complexity ${MEDIAPLANE_DEMO_COMPLEXITY:-Speed}" >> "$DEMO_DIR/mediaplaned.conf"
  # HTTPS with build/tls's loopback certificate: the AMS v3 (ARM) API
  printf '%s\n' "tls_listen $DEMO_TLS_LISTEN" "tls_certificate $BUILD/tls/server.pem" \
    "tls_certificate_key $BUILD/tls/server.key" >> "$DEMO_DIR/mediaplaned.conf"
  chmod 600 "$DEMO_DIR/mediaplaned.conf"
  "$BUILD/mediaplaned" -c "$DEMO_DIR/mediaplaned.conf" -t >/dev/null ||
    die "mediaplaned -t failed for $DEMO_DIR/mediaplaned.conf"
  nohup "$BUILD/mediaplaned" -c "$DEMO_DIR/mediaplaned.conf" \
    >> "$DEMO_DIR/logs/mediaplaned.log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$DEMO_DIR/logs/mediaplaned.pid"
  for _ in $(seq 100); do
    curl -fs "http://$api_listen/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$DEMO_DIR/logs/mediaplaned.log" >&2
  die "mediaplaned did not start (log: $DEMO_DIR/logs/mediaplaned.log)"
}

start_nginx() {
  local listen=$1 api_listen=$2 extra
  render_conf "$TOP/conf/platform-locations.conf.in" "$DEMO_DIR/platform-locations.conf" \
    API_UPSTREAM="$api_listen" CATALOG_DIR="$DEMO_DIR/data/catalog" ASSET_ROOT="$DEMO_DIR/data/media" \
    ORIGIN_KEY="$DEMO_DIR/data/origin.key"
  # the direct-mode /media/ location gets a root of its own: nginx refuses
  # one that overlaps the catalog's media root
  mkdir -p "$DEMO_DIR/vod"
  # pasted into @SERVER_EXTRA@ on one line (comments, whole-line or trailing, dropped:
  # they would eat the rest)
  extra=$(sed 's/#.*//' "$DEMO_DIR/platform-locations.conf" | tr '\n' ' ')
  render_conf "$TOP/conf/mediaplane.conf.in" "$DEMO_DIR/nginx.conf" \
    MODULE="$MODULE_SO" PREFIX="$DEMO_DIR" DAEMON=on WORKERS=2 LISTEN="$listen" \
    MEDIA_ROOT="$DEMO_DIR/vod" WWW_ROOT="$DEMO_DIR/www" WORKER_USER="$(id -un)" \
    SERVER_EXTRA="$extra"
  "$NGINX_BIN" -p "$DEMO_DIR" -c "$DEMO_DIR/nginx.conf" -t -q ||
    die "nginx -t failed for $DEMO_DIR/nginx.conf"
  "$NGINX_BIN" -p "$DEMO_DIR" -c "$DEMO_DIR/nginx.conf"
}

DEMO_TLS_LISTEN=${MEDIAPLANE_DEMO_TLS_LISTEN:-127.0.0.1:8443}

cmd_demo() {
  local listen=${MEDIAPLANE_DEMO_LISTEN:-127.0.0.1:8080}
  local api_listen=${MEDIAPLANE_DEMO_API_LISTEN:-127.0.0.1:8081}
  local host public label url rc=0 urls
  maybe_deps
  build
  demo_media
  cmd_stop
  mkdir -p "$DEMO_DIR"/{logs,tmp,www,data}
  demo_credentials
  host=$listen
  case "$host" in *:*) ;; *) host=127.0.0.1:$host ;; esac
  public="http://$host"
  start_daemon "$api_listen" "$public"
  start_nginx "$listen" "$api_listen"
  log "through the API: upload the clip, encode it with \"$DEMO_PRESET\", publish the output"
  urls=$("$PY" "$TOP/tools/mediaplane-publish" --base "$public" --client-id demo \
           --secret-file "$DEMO_DIR/client-secret" --name demo --block-size $((1 << 20)) \
           --encode "$DEMO_PRESET" "$DEMO_DIR/media/demo.mp4") ||
    die "upload, encoding or publishing failed (logs in $DEMO_DIR/logs/)"
  echo
  echo "mediaplane demo is running: nginx $(demo_pid || echo '?') on $public," \
       "mediaplaned $(daemon_pid || echo '?') on $api_listen (logs in $DEMO_DIR/logs/)"
  echo "API: $public/api/  (client_id demo, secret in $DEMO_DIR/client-secret)"
  echo "AMS v3 (ARM): authorityHost and endpoint https://$DEMO_TLS_LISTEN (any tenant," \
       "subscription and resource group; account mediaplane; same credentials)," \
       "NODE_EXTRA_CA_CERTS=$BUILD/tls/ca.pem"
  echo
  while IFS=$'\t' read -r label url; do
    printf '  %-12s %s\n' "$label" "$url"
    demo_check "$url" || rc=1
  done <<< "$urls"
  url=$(sed -n 's/^DASH\t//p' <<< "$urls")
  "$TOP/tools/install-player" "$DEMO_DIR/www" ||
    log "player page not installed (player libraries missing: ./build.sh deps)"
  echo
  echo "Player page: $public/www/player/index.html?src=${url%/Manifest*}"
  echo "Play with: ffplay '$url'"
  echo "      or:   ffplay -extension_picky 0 '$(sed -n 's/^HLS\t//p' <<< "$urls")'"
  echo "Stop with: ./build.sh stop"
  return $rc
}

# ---------------------------------------------------------------- bench

cmd_bench() {
  local r rc=0 any=0
  maybe_deps
  build
  for r in "$TOP"/tests/bench/*/run; do
    [ -x "$r" ] || continue
    any=1
    log "bench: ${r#"$TOP"/}"
    MEDIAPLANE_BUILD=$BUILD "$r" || { rc=1; log "bench ${r#"$TOP"/} FAILED"; }
  done
  [ $any = 1 ] || log "no benchmarks (tests/bench/*/run) yet"
  return $rc
}

# ---------------------------------------------------------------- campaigns

# The hardening campaigns (tests/campaigns/, long: not part of `test`):
# zzuf-mutated media through the origin, SIGKILLs of mediaplaned under load,
# a soak at saturation.  MEDIAPLANE_CAMPAIGNS picks some (space-separated
# names, default all); each prints its figures and fails on a violation.
cmd_campaigns() {
  local c rc=0
  maybe_deps
  build
  for c in ${MEDIAPLANE_CAMPAIGNS:-zzuf_media crash_consistency soak}; do
    log "campaign: $c"
    MEDIAPLANE_BUILD=$BUILD "$PY" "$TOP/tests/campaigns/$c" || { rc=1; log "campaign $c FAILED"; }
  done
  return $rc
}

# ---------------------------------------------------------------- main

case "${1:-build}" in
  deps)  deps ;;
  build) build ;;
  test)  cmd_test ;;
  demo)  cmd_demo ;;
  bench) cmd_bench ;;
  campaigns) cmd_campaigns ;;
  stop)  cmd_stop ;;
  clean) cmd_stop; rm -rf "$BUILD" "$DEMO_DIR" ;;
  *) echo "usage: $0 {deps|build|test|demo|bench|campaigns|stop|clean}" >&2; exit 2 ;;
esac
