/*
 * main.c — mediaplane-encoder: the program the daemon's scheduler runs for a
 * Media Encoder Standard task (see README "Encoder" for the contract):
 *
 *   mediaplane-encoder --config-file FILE --output-dir DIR [--basename NAME]
 *                      [--complexity Speed|Balanced|Quality] [--x264-preset P]
 *                      [--storage-keys FILE] [--no-sandbox] --input FILE [--input FILE ...]
 *                      [--input-url URL ... [--fetch-max-bytes N] [--fetch-timeout S]
 *                       [--fetch-allow-private]]
 *   mediaplane-encoder --check-config FILE
 *
 * --input-url inputs (AMS v3 JobInputHttp) are downloaded first (enc_fetch.h),
 * before the sandbox is applied, and follow the --input files.
 *
 * Before it opens any input the task confines itself (enc_sandbox.h): it and
 * its ffmpeg processes can read the system and the inputs and write only the
 * task directory (the output directory's parent, where TMPDIR is pointed).
 *
 * Exit 0 success, 1 task failed ("error" line), 2 usage, 3 canceled (SIGTERM/SIGINT).
 */
#include "enc_analysis.h"
#include "enc_command.h"
#include "enc_config.h"
#include "enc_events.h"
#include "enc_fetch.h"
#include "enc_manifest.h"
#include "enc_outdir.h"
#include "enc_probe.h"
#include "enc_quality.h"
#include "enc_quality_report.h"
#include "enc_runner.h"
#include "enc_sandbox.h"
#include "enc_storage.h"
#include "enc_vtt.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_INPUTS 64
#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_CANCELED 3

typedef struct {
    const char *config_file, *check_config, *output_dir, *basename, *speed_preset;
    const char *storage_keys;         /* --storage-keys: keys of storage-encrypted inputs */
    enc_complexity_t complexity;      /* --complexity: the default of presets without one */
    int no_sandbox;                   /* --no-sandbox: skip the Landlock confinement */
    char *inputs[MAX_INPUTS];
    int input_count;
    const char *urls[MAX_INPUTS];     /* --input-url: downloaded before the sandbox (enc_fetch.h) */
    int url_count;
    enc_fetch_limits_t fetch;         /* --fetch-max-bytes, --fetch-timeout, --fetch-allow-private */
} args_t;

static volatile sig_atomic_t canceled;
static double progress_seconds;      /* output seconds of the running ffmpeg at 100 % */

static void on_signal(int sig)
{
    (void) sig;
    canceled = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;        /* no SA_RESTART: waits wake up */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int usage(const char *why)
{
    fprintf(stderr, "mediaplane-encoder: %s\n"
            "usage: mediaplane-encoder --config-file FILE --output-dir DIR [--basename NAME]\n"
            "                          [--complexity Speed|Balanced|Quality] [--x264-preset PRESET]\n"
            "                          [--storage-keys FILE] [--no-sandbox] --input FILE [--input FILE ...]\n"
            "                          [--input-url URL ... [--fetch-max-bytes N] [--fetch-timeout S]\n"
            "                           [--fetch-allow-private]]\n"
            "       mediaplane-encoder --check-config FILE\n", why);
    return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, args_t *a)
{
    static const struct option opts[] = {
        { "config-file", required_argument, NULL, 'c' }, { "output-dir", required_argument, NULL, 'o' },
        { "basename", required_argument, NULL, 'b' }, { "input", required_argument, NULL, 'i' },
        { "check-config", required_argument, NULL, 'k' },
        { "x264-preset", required_argument, NULL, 'x' },
        { "complexity", required_argument, NULL, 'q' }, { "no-sandbox", no_argument, NULL, 'n' },
        { "storage-keys", required_argument, NULL, 's' },
        { "input-url", required_argument, NULL, 'u' },
        { "fetch-max-bytes", required_argument, NULL, 'm' },
        { "fetch-timeout", required_argument, NULL, 't' },
        { "fetch-allow-private", no_argument, NULL, 'p' }, { NULL, 0, NULL, 0 }
    };
    memset(a, 0, sizeof(*a));
    a->complexity = ENC_COMPLEXITY_BALANCED;
    a->fetch = (enc_fetch_limits_t) { 1LL << 30, 600, 0, &canceled };
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': a->config_file = optarg; break;
        case 'o': a->output_dir = optarg; break;
        case 'b': a->basename = optarg; break;
        case 'k': a->check_config = optarg; break;
        case 'x': a->speed_preset = optarg; break;
        case 'n': a->no_sandbox = 1; break;
        case 's': a->storage_keys = optarg; break;
        case 'p': a->fetch.allow_private = 1; break;
        case 'm': a->fetch.max_bytes = strtoll(optarg, NULL, 10); break;
        case 't': a->fetch.timeout_s = strtol(optarg, NULL, 10); break;
        case 'u':
            if (a->url_count == MAX_INPUTS) {
                return -1;
            }
            a->urls[a->url_count++] = optarg;
            break;
        case 'q':
            if ((a->complexity = enc_complexity_parse(optarg)) == ENC_COMPLEXITY_UNSET) {
                return -1;
            }
            break;
        case 'i':
            if (a->input_count == MAX_INPUTS) {
                return -1;
            }
            a->inputs[a->input_count++] = optarg;
            break;
        default: return -1;
        }
    }
    return optind == argc && a->fetch.max_bytes > 0 && a->fetch.timeout_s > 0 ? 0 : -1;
}

/* ------------------------------------------------------------ phases */

static int fail(const char *dir, const char *code, const char *msg)
{
    enc_outdir_clear(dir);
    enc_event_error(code, "%s", msg);
    return EXIT_FAILED;
}

static int cancel_exit(const char *dir)
{
    enc_outdir_clear(dir);
    enc_event_error("Canceled", "the task was canceled; partial outputs were removed");
    return EXIT_CANCELED;
}

/* progress of the running ffmpeg maps onto [progress_base, progress_base + progress_span] */
static double progress_base, progress_span = 98.0;

static void on_ffmpeg_progress(double out_seconds, void *ctx)
{
    (void) ctx;
    double d = progress_seconds;
    double f = d > 0 ? out_seconds / d : 0;
    enc_event_progress(progress_base + progress_span * (f > 1 ? 1 : f), 0);
}

static const char *speed_preset(const enc_plan_t *p, const args_t *a)
{
    return a->speed_preset ? a->speed_preset : enc_codec_preset(p->codec, p->complexity);
}

/* one ffmpeg run; cpu and wall seconds add up in res */
static int run_ffmpeg(const enc_plan_t *p, const args_t *a, int pass, const char *passlog_dir,
                      enc_run_result_t *res)
{
    const char *ffmpeg = getenv("MEDIAPLANE_FFMPEG") ? getenv("MEDIAPLANE_FFMPEG") : "ffmpeg";
    enc_command_opts_t co = { ffmpeg, speed_preset(p, a), a->output_dir, pass, passlog_dir };
    enc_argv_t cmd;
    if (enc_command_build(p, &co, &cmd) != 0) {
        snprintf(res->last_line, sizeof(res->last_line), "too many outputs for one ffmpeg command");
        return ENC_RUN_FAILED;
    }
    char *line = enc_argv_join(&cmd);
    fprintf(stderr, "running: %s\n", line ? line : cmd.argv[0]);
    free(line);
    progress_seconds = p->duration;
    enc_run_opts_t ro = { &canceled, on_ffmpeg_progress, NULL };
    enc_run_result_t one;
    enc_run_status_t rc = enc_run(cmd.argv, &ro, &one);
    enc_argv_free(&cmd);
    res->cpu_seconds += one.cpu_seconds;
    res->wall_seconds += one.wall_seconds;
    memcpy(res->last_line, one.last_line, sizeof(res->last_line));
    return rc;
}

/* the encode: one ffmpeg run, or two for two-pass (stats in a private
 * temporary directory).  Progress: [from, from + span]. */
static int encode(const enc_plan_t *p, const args_t *a, double from, double span,
                  enc_run_result_t *res)
{
    memset(res, 0, sizeof(*res));
    if (!p->two_pass || p->layer_count == 0) {
        progress_base = from;
        progress_span = span;
        return run_ffmpeg(p, a, 0, NULL, res);
    }
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/mediaplane-passlog-XXXXXX", tmp);
    if (mkdtemp(dir) == NULL) {
        snprintf(res->last_line, sizeof(res->last_line), "cannot create a directory in %s", tmp);
        return ENC_RUN_FAILED;
    }
    progress_base = from;
    progress_span = span * 0.35;
    int rc = run_ffmpeg(p, a, 1, dir, res);
    if (rc == ENC_RUN_OK) {
        progress_base = from + span * 0.35;
        progress_span = span * 0.65;
        rc = run_ffmpeg(p, a, 2, dir, res);
    }
    enc_outdir_clear(dir);
    rmdir(dir);
    return rc;
}

/* ------------------------------------------------------------ content-aware */

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n = -1;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0) {
        n = ftell(f);
    }
    if (f != NULL) {
        fclose(f);
    }
    return n;
}

/* the probe encodes of a content-aware preset (progress 0..span); fills fig */
static int analyze(const enc_plan_t *pre, const enc_preset_t *pr, double span,
                   enc_probe_figures_t *fig, enc_run_result_t *res)
{
    const char *ffmpeg = getenv("MEDIAPLANE_FFMPEG") ? getenv("MEDIAPLANE_FFMPEG") : "ffmpeg";
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    enc_cae_limits_t lim;
    enc_stretches_t st;
    char dir[4096], path[4200];
    memset(res, 0, sizeof(*res));
    memset(fig, 0, sizeof(*fig));
    enc_ladder_limits(pre->video, pr->codec, &pr->cae, &lim);
    enc_ladder_probe_heights(pre->video, &lim, &fig->high_height, &fig->low_height);
    enc_probe_stretches(pre->clip_start, pre->duration, &st);
    snprintf(dir, sizeof(dir), "%s/mediaplane-probe-XXXXXX", tmp);
    if (mkdtemp(dir) == NULL) {
        snprintf(res->last_line, sizeof(res->last_line), "cannot create a directory in %s", tmp);
        return ENC_RUN_FAILED;
    }
    enc_argv_t cmd;
    if (enc_analysis_command(pre->video, &st, fig->high_height, fig->low_height, ffmpeg, dir,
                             &cmd) != 0) {
        rmdir(dir);
        snprintf(res->last_line, sizeof(res->last_line), "cannot build the analysis command");
        return ENC_RUN_FAILED;
    }
    char *line = enc_argv_join(&cmd);
    fprintf(stderr, "running: %s\n", line ? line : cmd.argv[0]);
    free(line);
    progress_base = 0;
    progress_span = span;
    progress_seconds = st.count * st.seconds;
    enc_run_opts_t ro = { &canceled, on_ffmpeg_progress, NULL };
    int rc = enc_run(cmd.argv, &ro, res);
    enc_argv_free(&cmd);
    fig->cpu_seconds = res->cpu_seconds;
    for (int i = 0; i < 2 && rc == ENC_RUN_OK; i++) {
        snprintf(path, sizeof(path), "%s/probe-%d.h264", dir, i);
        long bytes = i == 1 && fig->low_height == fig->high_height ? -2 : file_size(path);
        double kbps = bytes > 0 ? bytes * 8.0 / 1000.0 / (st.count * st.seconds) : 0;
        if (bytes == -2) {
            fig->low_kbps = fig->high_kbps;
        } else if (kbps <= 0) {
            snprintf(res->last_line, sizeof(res->last_line), "the analysis produced no probe");
            rc = ENC_RUN_FAILED;
        } else if (i == 0) {
            fig->high_kbps = kbps;
        } else {
            fig->low_kbps = kbps;
        }
    }
    enc_outdir_clear(dir);
    rmdir(dir);
    return rc;
}

/* ------------------------------------------------------------ quality report */

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, 2 * cap + 1);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
    }
    return buf;
}

static int parse_stats(const char *dir, int i, enc_layer_quality_t *q)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/psnr-%d.log", dir, i);
    char *psnr = read_text(path);
    snprintf(path, sizeof(path), "%s/ssim-%d.log", dir, i);
    char *ssim = read_text(path);
    int rc = psnr && ssim && enc_quality_parse_psnr(psnr, q) == 0
             && enc_quality_parse_ssim(ssim, q) == 0 ? 0 : -1;
    free(psnr);
    free(ssim);
    return rc;
}

/* the metrics run (progress from..from+span) and the per-layer numbers */
static int measure_quality(const enc_plan_t *p, const args_t *a, double from, double span,
                           enc_layer_quality_t *q, enc_run_result_t *res)
{
    const char *ffmpeg = getenv("MEDIAPLANE_FFMPEG") ? getenv("MEDIAPLANE_FFMPEG") : "ffmpeg";
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char dir[4096];
    memset(res, 0, sizeof(*res));
    snprintf(dir, sizeof(dir), "%s/mediaplane-quality-XXXXXX", tmp);
    if (mkdtemp(dir) == NULL) {
        snprintf(res->last_line, sizeof(res->last_line), "cannot create a directory in %s", tmp);
        return ENC_RUN_FAILED;
    }
    enc_argv_t cmd;
    if (enc_quality_command(p, ffmpeg, a->output_dir, dir, &cmd) != 0) {
        rmdir(dir);
        snprintf(res->last_line, sizeof(res->last_line), "cannot build the quality command");
        return ENC_RUN_FAILED;
    }
    char *line = enc_argv_join(&cmd);
    fprintf(stderr, "running: %s\n", line ? line : cmd.argv[0]);
    free(line);
    progress_base = from;
    progress_span = span;
    progress_seconds = p->duration;
    enc_run_opts_t ro = { &canceled, on_ffmpeg_progress, NULL };
    int rc = enc_run(cmd.argv, &ro, res);
    enc_argv_free(&cmd);
    for (int i = 0; i < p->layer_count && rc == ENC_RUN_OK; i++) {
        if (parse_stats(dir, i, &q[i]) != 0) {
            snprintf(res->last_line, sizeof(res->last_line), "no quality figures for %s",
                     p->layers[i].file);
            rc = ENC_RUN_FAILED;
        }
        char path[4400], err[ENC_ERR_LEN];
        enc_input_t in;
        snprintf(path, sizeof(path), "%s/%s", a->output_dir, p->layers[i].file);
        q[i].kbps = enc_probe_file(path, &in, err, sizeof(err)) == 0 ? in.video_kbps : 0;
    }
    enc_outdir_clear(dir);
    rmdir(dir);
    return rc;
}

static int write_manifests(const enc_plan_t *p, const char *dir, char *err, size_t err_len)
{
    for (int i = 0; i < p->thumb_count; i++) {
        if (p->thumbs[i].vtt_file[0] && enc_write_vtt(&p->thumbs[i], p->duration, dir) != 0) {
            snprintf(err, err_len, "cannot write %s", p->thumbs[i].vtt_file);
            return -1;
        }
    }
    if (p->ism_file[0] == '\0') {
        return 0;
    }
    if (enc_write_ism(p, dir, err, err_len) != 0) {
        return -1;
    }
    enc_event_progress(99, 0);
    return enc_write_ismc(p, dir, err, err_len);
}

static void report_perf(const enc_plan_t *p, const args_t *a, const enc_run_result_t *res,
                        const enc_layer_quality_t *q, const enc_run_result_t *qres,
                        const enc_probe_figures_t *fig)
{
    char summary[800] = "";
    size_t n = 0;
    if (fig != NULL) {
        n += (size_t) snprintf(summary, sizeof(summary), "; content-aware ladder from probes "
                               "%dp %.0f kbps / %dp %.0f kbps (%.1f CPU-s)", fig->high_height,
                               fig->high_kbps, fig->low_height, fig->low_kbps, fig->cpu_seconds);
    }
    if (q != NULL) {
        n += (size_t) snprintf(summary + n, sizeof(summary) - n, "; quality report %.1f CPU-s; ",
                               qres->cpu_seconds);
        enc_quality_summary(p, q, summary + n, sizeof(summary) - n);
    }
    double speed = res->wall_seconds > 0 ? p->duration / res->wall_seconds : 0;
    if (p->video != NULL) {
        enc_event_perf("encoded %.1f s of %dx%d in %.1f s (%.2fx realtime, %.1f CPU-s), %d layers%s, "
                       "%s %s (%s%s)%s",
                       p->duration, p->video->width, p->video->height, res->wall_seconds, speed,
                       res->cpu_seconds, p->layer_count, p->audio ? " + AAC" : "",
                       enc_codec_encoder(p->codec), speed_preset(p, a),
                       enc_complexity_name(p->complexity), p->two_pass ? ", two-pass" : "",
                       summary);
    } else {
        enc_event_perf("encoded %.1f s of audio in %.1f s (%.2fx realtime, %.1f CPU-s)",
                       p->duration, res->wall_seconds, speed, res->cpu_seconds);
    }
}

static int run_task(args_t *a)
{
    static char clear[MAX_INPUTS][ENC_STORAGE_PATH_MAX];
    static mp_storage_key_t out_key;
    int encrypt_outputs = 0;
    static enc_preset_t preset;
    static enc_sources_t src;
    static enc_plan_t plan;
    static enc_probe_figures_t figures;
    char err[ENC_ERR_LEN];
    int rc;
    enc_event_progress(0, 1);
    if (enc_config_load(a->config_file, &preset, err, sizeof(err)) != 0) {
        return fail(a->output_dir, "InvalidConfiguration", err);
    }
    if (a->storage_keys != NULL
        && enc_storage_inputs(a->storage_keys, a->inputs, a->input_count, clear, &out_key,
                              &encrypt_outputs, err, sizeof(err)) != 0) {
        return fail(a->output_dir, "InvalidInput", err);
    }
    if (enc_pick_sources(a->inputs, a->input_count, &src, err, sizeof(err)) != 0) {
        return fail(a->output_dir, "InvalidInput", err);
    }
    enc_plan_status_t ps = enc_plan_build(&preset, &src, a->basename, &plan, err, sizeof(err));
    if (ps != ENC_PLAN_OK) {
        return fail(a->output_dir, ps == ENC_PLAN_BAD_INPUT ? "InvalidInput" : "InvalidConfiguration", err);
    }
    enc_run_result_t ares;
    memset(&ares, 0, sizeof(ares));
    double start = 0;
    if (preset.content_aware) {
        /* the plan so far knows the clip; the analysis picks the layers */
        rc = analyze(&plan, &preset, 8, &figures, &ares);
        if (rc == ENC_RUN_CANCELED || canceled) {
            return cancel_exit(a->output_dir);
        }
        if (rc != ENC_RUN_OK) {
            return fail(a->output_dir, "EncodingFailed", ares.last_line);
        }
        enc_ladder_choose(&figures, plan.video, preset.codec, &preset.cae, preset.layers,
                          &preset.layer_count);
        preset.content_aware = 0;
        ps = enc_plan_build(&preset, &src, a->basename, &plan, err, sizeof(err));
        if (ps != ENC_PLAN_OK) {
            return fail(a->output_dir, ps == ENC_PLAN_BAD_INPUT ? "InvalidInput" : "InvalidConfiguration", err);
        }
        start = 8;
    }
    if (canceled) {
        return cancel_exit(a->output_dir);
    }
    if (plan.complexity == ENC_COMPLEXITY_UNSET) {
        plan.complexity = a->complexity;
    }
    enc_run_result_t res, qres;
    double encode_span = (plan.layer_count > 0 ? 88 : 98) - start;
    rc = encode(&plan, a, start, encode_span, &res);
    if (rc == ENC_RUN_CANCELED || canceled) {
        return cancel_exit(a->output_dir);
    }
    if (rc != ENC_RUN_OK) {
        return fail(a->output_dir, "EncodingFailed", res.last_line);
    }
    static enc_layer_quality_t quality[ENC_MAX_LAYERS];
    memset(&qres, 0, sizeof(qres));
    if (plan.layer_count > 0) {
        rc = measure_quality(&plan, a, start + encode_span, 98 - start - encode_span, quality, &qres);
        if (rc == ENC_RUN_CANCELED || canceled) {
            return cancel_exit(a->output_dir);
        }
        if (rc != ENC_RUN_OK) {
            return fail(a->output_dir, "EncodingFailed", qres.last_line);
        }
        enc_quality_costs_t costs = { enc_codec_encoder(plan.codec), speed_preset(&plan, a),
                                      res.cpu_seconds, res.wall_seconds, ares.cpu_seconds,
                                      qres.cpu_seconds };
        if (enc_quality_write(&plan, quality, &costs, a->output_dir, err, sizeof(err)) != 0) {
            return fail(a->output_dir, "EncodingFailed", err);
        }
    }
    if (write_manifests(&plan, a->output_dir, err, sizeof(err)) != 0) {
        return fail(a->output_dir, "EncodingFailed", err);
    }
    if (canceled) {
        return cancel_exit(a->output_dir);
    }
    if (encrypt_outputs) {
        int erc = enc_storage_outputs(a->storage_keys, a->output_dir, &out_key, err, sizeof(err));
        OPENSSL_cleanse(&out_key, sizeof(out_key));
        if (erc != 0) {
            return fail(a->output_dir, "EncodingFailed", err);
        }
    }
    enc_outdir_list(a->output_dir, enc_event_output);
    report_perf(&plan, a, &res, plan.layer_count > 0 ? quality : NULL, &qres,
                figures.high_kbps > 0 ? &figures : NULL);
    enc_event_progress(100, 1);
    return 0;
}

static int check_config(const char *path)
{
    static enc_preset_t preset;
    char err[ENC_ERR_LEN];
    if (enc_config_load(path, &preset, err, sizeof(err)) != 0) {
        enc_event_error("InvalidConfiguration", "%s", err);
        return EXIT_FAILED;
    }
    return 0;
}

/* The --input-url inputs, each into <task dir>/input-<i>/ (the output
 * directory's parent), appended to the inputs; errors are the task's. */
static int fetch_inputs(args_t *a)
{
    static char paths[MAX_INPUTS][PATH_MAX];
    char out[PATH_MAX], dir[PATH_MAX + 32], err[ENC_ERR_LEN];
    const char *code;

    if (realpath(a->output_dir, out) == NULL) {
        return fail(a->output_dir, "DownloadTransientError", strerror(errno));
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    for (int i = 0; i < a->url_count; i++) {
        if (a->input_count == MAX_INPUTS) {
            return fail(a->output_dir, "InvalidInput", "too many inputs");
        }
        snprintf(dir, sizeof(dir), "%s/input-%d", dirname(strcpy(paths[i], out)), i);
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            return fail(a->output_dir, "DownloadTransientError", strerror(errno));
        }
        if (enc_fetch(a->urls[i], dir, &a->fetch, paths[i], sizeof(paths[i]), &code, err,
                      sizeof(err)) != 0) {
            return strcmp(code, "Canceled") == 0 ? cancel_exit(a->output_dir)
                                                 : fail(a->output_dir, code, err);
        }
        a->inputs[a->input_count++] = paths[i];
    }
    curl_global_cleanup();
    return 0;
}

/* The task directory (the output directory's parent) becomes the only
 * writable place; TMPDIR moves into it for the encoder's scratch folders. */
static int confine(const args_t *a, char *err, size_t err_len)
{
    char out[PATH_MAX], task_dir[PATH_MAX], tmp[PATH_MAX + 8], ffmpeg_dir[PATH_MAX];
    const char *ffmpeg = getenv("MEDIAPLANE_FFMPEG"), *extra = NULL;
    enc_sandbox_result_t r;

    if (realpath(a->output_dir, out) == NULL) {
        snprintf(err, err_len, "%.900s: %s", a->output_dir, strerror(errno));
        return -1;
    }
    snprintf(task_dir, sizeof(task_dir), "%s", dirname(out));
    snprintf(tmp, sizeof(tmp), "%s/tmp", task_dir);
    if ((mkdir(tmp, 0700) != 0 && errno != EEXIST) || setenv("TMPDIR", tmp, 1) != 0) {
        snprintf(err, err_len, "cannot create %.900s: %s", tmp, strerror(errno));
        return -1;
    }
    if (ffmpeg != NULL && ffmpeg[0] == '/') {
        snprintf(ffmpeg_dir, sizeof(ffmpeg_dir), "%s", ffmpeg);
        extra = dirname(ffmpeg_dir);
    }
    r = enc_sandbox_apply(a->inputs, a->input_count, a->config_file, task_dir, extra, err,
                          err_len);
    if (r == ENC_SANDBOX_UNAVAILABLE) {
        fprintf(stderr, "warning: %s\n", err);
    }
    return r == ENC_SANDBOX_FAILED ? -1 : 0;
}

int main(int argc, char **argv)
{
    args_t a;
    char err[ENC_ERR_LEN];
    install_signals();
    if (parse_args(argc, argv, &a) != 0) {
        return usage("bad arguments");
    }
    if (a.check_config != NULL) {
        return check_config(a.check_config);
    }
    if (a.config_file == NULL || a.output_dir == NULL || a.input_count + a.url_count == 0) {
        return usage("--config-file, --output-dir and --input are required");
    }
    if (a.speed_preset != NULL && !enc_known_speed_preset(a.speed_preset)) {
        return usage("unknown --x264-preset");
    }
    if (enc_outdir_check(a.output_dir, err, sizeof(err)) != 0) {
        return usage(err);
    }
    int fetched = a.url_count > 0 ? fetch_inputs(&a) : 0;
    if (fetched != 0) {
        return fetched;
    }
    if (!a.no_sandbox && confine(&a, err, sizeof(err)) != 0) {
        enc_event_error("SandboxError", "%s", err);
        return EXIT_FAILED;
    }
    return run_task(&a);
}
