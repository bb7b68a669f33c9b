/*
 * live_archiver.c — archivers of running programs (live_archiver.h): the
 * process table, the supervisor thread, adoption after a daemon restart,
 * Program Start/Stop's archive steps (the files themselves:
 * live_archive_files.c).
 *
 * An archiver is `ffmpeg -i <rtmp_local_url>live/<channel token> -c copy`
 * with one fragmented-MP4 output per track (video: a fragment per GOP,
 * `+frag_keyframe`; audio: 2 s fragments), `+empty_moov+default_base_moof`
 * (the form the fmp4-input origin packages, as ffmpeg's own), written
 * fragment by fragment (`-flush_packets 1`), and fsync'ed by the supervisor
 * every tick: a crash of the archiver, the daemon or nginx loses at most the
 * fragment in flight (a power loss, that and the last LIVE_TICK_MS of
 * writes), and what is on disk stays readable.  Its pid is kept in <work_dir>/live/<program>.pid
 * and its output in <program>.log beside it.  The process is its own
 * process group: a daemon SIGKILL leaves it archiving; the next daemon
 * finds it by the pid file, checks /proc/<pid>/cmdline still names the
 * archive, and adopts it.
 *
 * Reconnects: an archiver ends when its publisher leaves (nginx-rtmp
 * `play_restart on` sends it Play.Stop; it writes its last fragment); the
 * next one waits for the next publish and writes session n into
 * <work_dir>/live/<program>/<n>_{video,audio}.mp4.  Program Stop joins the
 * sessions to the first (ffmpeg concat demuxer, stream copy): a continuous
 * timeline without the time the encoder was away.
 */
#define _GNU_SOURCE
#include "live/live_archiver.h"
#include "live/live_archive_files.h"
#include "live/live_hooks.h"
#include "live/live_smooth_archive.h"
#include "daemon/daemon_log.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "util/proc_info.h"
#include "util/time_text.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define LIVE_TICK_MS         500
#define LIVE_RETRY_MS        2000
#define LIVE_STOP_GRACE_MS   10000

typedef struct {
    char    program_id[ENTITY_ID_MAX];
    pid_t   pid;            /* 0: none running */
    bool    child;          /* ours (waitpid) or adopted (kill 0) */
    bool    done;           /* stopped by Program Stop: not restarted */
    bool    stopping;       /* Program Stop owns it now */
    int     session;        /* the publish session it writes (adopted: the last one begun) */
    int64_t retry_at_ms;
    bool    failed;         /* ours, and it exited with an error (not the end of a publish) */
} archiver_t;

static struct {
    pthread_mutex_t lock;
    pthread_t       thread;
    bool            running;
    volatile bool   quit;
    app_t          *app;
    archiver_t      a[LIVE_MAX_ARCHIVERS];
} L = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A program of a FragmentedMP4 channel: Smooth ingest writes its archive
 * (live_smooth_archive.c), no archiver runs for it. */
static bool archived_by_smooth_ingest(api_ctx_t *c, const json_t *program)
{
    json_t *channel = NULL;
    const char *proto;
    bool smooth;

    catalog_get(&c->txn, entity_channels.name, entity_str(program, "ChannelId"), &channel);
    proto = entity_str(json_object_get(channel, "Input"), "StreamingProtocol");
    smooth = proto != NULL && strcmp(proto, "FragmentedMP4") == 0;
    json_decref(channel);
    return smooth;
}

static int paths_of_program(api_ctx_t *c, const json_t *program, archive_paths_t *p)
{
    json_t *channel = NULL;
    int rc;

    catalog_get(&c->txn, entity_channels.name, entity_str(program, "ChannelId"), &channel);
    rc = live_archive_paths(c->app, entity_str(program, "Id"), entity_str(program, "AssetId"),
                       entity_str(program, "ManifestName"), entity_str(channel, "_token"), p);
    json_decref(channel);
    return rc;
}

/* ------------------------------------------------------------ processes */

static bool alive(archiver_t *a)
{
    int status;

    if (a->pid <= 0) {
        return false;
    }
    if (a->child) {
        pid_t r = waitpid(a->pid, &status, WNOHANG);
        if (r == a->pid) {
            a->failed = WIFEXITED(status) && WEXITSTATUS(status) != 0;
            return false;
        }
        return !(r < 0 && errno == ECHILD);
    }
    if (kill(a->pid, 0) != 0 && errno != EPERM) {
        return false;
    }
    return !proc_is_zombie(a->pid);    /* an adopted one is reaped by whoever adopted it, if at all */
}

/* True if pid runs the archiver of p (its command line names the archive's
 * files or the program's sessions folder). */
static bool is_our_archiver(pid_t pid, const archive_paths_t *p)
{
    return proc_cmdline_contains(pid, p->video) || proc_cmdline_contains(pid, p->sessions);
}

static pid_t read_pid_file(const char *path)
{
    FILE *f = fopen(path, "r");
    int pid = 0;

    if (f != NULL) {
        if (fscanf(f, "%d", &pid) != 1) {
            pid = 0;
        }
        fclose(f);
    }
    return (pid_t) pid;
}

static void write_pid_file(const char *path, pid_t pid)
{
    char tmp[LIVE_PATH_MAX + 8];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if ((f = fopen(tmp, "w")) != NULL) {
        fprintf(f, "%d\n", (int) pid);
        fflush(f);
        fsync(fileno(f));
        fclose(f);
        rename(tmp, path);
    }
}

static void add_arg(char **argv, int *k, const char *s)
{
    argv[(*k)++] = (char *) s;
}

/* ffmpeg pulling the channel's stream into the two track files of a session. */
static pid_t spawn_archiver(const app_t *app, const archive_paths_t *p, const char *video,
                            const char *audio)
{
    static const char *frag_video = "+frag_keyframe+empty_moov+default_base_moof";
    static const char *frag_audio = "+empty_moov+default_base_moof";
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t def, none;
    char *argv[64];
    pid_t pid = 0;
    int k = 0, rc;

    add_arg(argv, &k, app->cfg.ffmpeg_path);
    add_arg(argv, &k, "-nostdin");
    add_arg(argv, &k, "-hide_banner");
    add_arg(argv, &k, "-loglevel");
    add_arg(argv, &k, "warning");
    add_arg(argv, &k, "-f");             /* FLV with timestamp discontinuities (AVFMT_TS_DISCONT) */
    add_arg(argv, &k, "live_flv");
    add_arg(argv, &k, "-i");
    add_arg(argv, &k, p->source);
    const char *video_out[] = { "-map", "0:v:0", "-c", "copy", "-f", "mp4", "-movflags", frag_video,
                                "-flush_packets", "1", "-y", video };
    const char *audio_out[] = { "-map", "0:a:0", "-c", "copy", "-f", "mp4", "-movflags", frag_audio,
                                "-frag_duration", "2000000", "-flush_packets", "1", "-y", audio };
    for (size_t i = 0; i < sizeof(video_out) / sizeof(video_out[0]); i++) {
        add_arg(argv, &k, video_out[i]);
    }
    for (size_t i = 0; i < sizeof(audio_out) / sizeof(audio_out[0]); i++) {
        add_arg(argv, &k, audio_out[i]);
    }
    argv[k] = NULL;

    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    sigaddset(&def, SIGTERM);
    sigaddset(&def, SIGINT);
    sigemptyset(&none);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF
                                    | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigdefault(&attr, &def);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, p->log_file,
                                     O_WRONLY | O_CREAT | O_APPEND, 0660);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    rc = posix_spawnp(&pid, app->cfg.ffmpeg_path, &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        log_error("live: cannot run %s: %s", app->cfg.ffmpeg_path, strerror(rc));
        return 0;
    }
    write_pid_file(p->pid_file, pid);
    return pid;
}

/* The last `lines` lines ffmpeg wrote (why it stopped: it often says what
 * went wrong, then that it stops), on one line, for the log. */
static void last_log_lines(const char *path, int lines, char *out, size_t cap)
{
    char buf[1024], *from;
    FILE *f = fopen(path, "r");
    long size;
    size_t n;

    out[0] = '\0';
    if (f == NULL) {
        return;
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, size > (long) sizeof(buf) - 1 ? size - (long) sizeof(buf) + 1 : 0, SEEK_SET);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) {
        n--;
    }
    buf[n] = '\0';
    from = buf + n;
    for (int k = 0; k < lines && from > buf; k++) {
        do {
            from--;
        } while (from > buf && from[-1] != '\n');
    }
    for (char *c = from; *c != '\0'; c++) {
        if (*c == '\n' || *c == '\r') {
            *c = ' ';
        }
    }
    if (snprintf(out, cap, "%s", from) >= (int) cap) {
        out[cap - 1] = '\0';
    }
}

/* The stream key (the last path segment of the source URL) starred out of
 * text bound for the daemon's log: the key is a secret. */
static void mask_key(const archive_paths_t *p, char *text)
{
    const char *key = strrchr(p->source, '/');
    char *at;
    size_t n;

    if (key == NULL || (n = strlen(key + 1)) == 0) {
        return;
    }
    while ((at = strstr(text, key + 1)) != NULL) {
        memset(at, '*', n);
    }
}

/* An archiver that exited with an error read a stream it cannot archive
 * (ffmpeg ends normally, 0, when its publisher leaves): that publish is
 * dropped at its next on_update, with ffmpeg's reason. */
static void reject_publish(const archive_paths_t *p, const char *reason)
{
    const char *key = strrchr(p->source, '/');
    char why[640];

    snprintf(why, sizeof(why), "the stream cannot be archived (H.264 video and AAC audio only): %s",
             reason[0] ? reason : "the archiver failed");
    if (key != NULL) {
        live_hooks_reject_publish(key + 1, why);
    }
}

/* ------------------------------------------------------------ the table */

static archiver_t *find(const char *program_id)
{
    for (size_t i = 0; i < LIVE_MAX_ARCHIVERS; i++) {
        if (strcmp(L.a[i].program_id, program_id) == 0) {
            return &L.a[i];
        }
    }
    return NULL;
}

static archiver_t *add(const char *program_id)
{
    archiver_t *a = find(program_id);

    for (size_t i = 0; a == NULL && i < LIVE_MAX_ARCHIVERS; i++) {
        if (L.a[i].program_id[0] == '\0') {
            a = &L.a[i];
            memset(a, 0, sizeof(*a));
            snprintf(a->program_id, sizeof(a->program_id), "%s", program_id);
        }
    }
    return a;
}

/* One Running program: its archiver adopted, started, or its exit noted.
 * An archiver ends when its publisher leaves (nginx-rtmp play_restart); the
 * next one waits for the next publish and writes the next session. */
static void supervise(const archive_paths_t *p, const char *program_id, int64_t now)
{
    archiver_t *a = add(program_id);
    char reason[512], video[LIVE_PATH_MAX + 32], audio[LIVE_PATH_MAX + 32];
    pid_t pid;
    int k;

    if (a == NULL || a->done || a->stopping) {
        return;
    }
    if (a->pid > 0) {
        live_sync_session(p, a->session);
        live_sync_session(p, a->session + 1);   /* an adopted one may be past the last begun */
    }
    if (a->pid > 0 && !alive(a)) {
        last_log_lines(p->log_file, 3, reason, sizeof(reason));
        mask_key(p, reason);
        a->pid = 0;
        log_info("live: archiver of %s ended (%s)", program_id, reason[0] ? reason : "exit");
        a->retry_at_ms = now + LIVE_RETRY_MS / 4;
        if (a->failed) {
            reject_publish(p, reason);
        }
    }
    if (a->pid > 0 || now < a->retry_at_ms) {
        return;
    }
    pid = read_pid_file(p->pid_file);
    if (pid > 0 && is_our_archiver(pid, p)) {
        a->pid = pid;
        a->child = false;
        a->session = live_next_session(p) > 1 ? live_next_session(p) - 1 : 1;
        log_info("live: adopted archiver %d of %s", (int) pid, program_id);
        return;
    }
    k = live_next_session(p);
    live_session_files(p, k, video, audio, sizeof(video));
    if (k > 1 && mkdir(p->sessions, 0770) != 0 && errno != EEXIST) {
        log_error("live: cannot make %s: %s", p->sessions, strerror(errno));
        a->retry_at_ms = now + LIVE_RETRY_MS;
        return;
    }
    if (video[0] != '\0' && (pid = spawn_archiver(L.app, p, video, audio)) > 0) {
        a->pid = pid;
        a->child = true;
        a->failed = false;
        a->session = k;
        log_info("live: archiver %d of %s pulls its channel's stream (session %d)", (int) pid,
                 program_id, k);
    } else {
        a->retry_at_ms = now + LIVE_RETRY_MS;
    }
}

typedef struct {
    api_ctx_t *c;
    json_t    *running;     /* program id -> paths as [dir…] */
} tick_walk_t;

static int collect_running(const char *id, json_t *rec, void *arg)
{
    tick_walk_t *w = arg;
    const char *state = entity_str(rec, "State");

    if (state != NULL && strcmp(state, "Running") == 0) {
        json_object_set(w->running, id, rec);
    }
    return 0;
}

static void tick(void)
{
    api_ctx_t c = { .app = L.app, .now_ms = time_now_ms() };
    tick_walk_t w = { &c, json_object() };
    const char *id;
    json_t *rec;
    archive_paths_t p;

    if (catalog_begin(L.app->store, false, &c.txn) != 0) {
        json_decref(w.running);
        return;
    }
    catalog_each(&c.txn, entity_programs.name, collect_running, &w);
    pthread_mutex_lock(&L.lock);
    json_object_foreach(w.running, id, rec) {
        if (!archived_by_smooth_ingest(&c, rec) && paths_of_program(&c, rec, &p) == 0) {
            supervise(&p, id, c.now_ms);
        }
    }
    for (size_t i = 0; i < LIVE_MAX_ARCHIVERS; i++) {   /* forget programs no longer Running */
        archiver_t *a = &L.a[i];
        if (a->program_id[0] != '\0' && !a->stopping
            && json_object_get(w.running, a->program_id) == NULL) {
            if (alive(a)) {
                kill(a->pid, SIGINT);
            }
            memset(a, 0, sizeof(*a));
        }
    }
    pthread_mutex_unlock(&L.lock);
    catalog_abort(&c.txn);
    json_decref(w.running);
}

static void *supervisor(void *arg)
{
    (void) arg;
    while (!L.quit) {
        tick();
        usleep(LIVE_TICK_MS * 1000);
    }
    return NULL;
}

/* ------------------------------------------------------------ API side */

static int ensure_dir(const char *path)
{
    return mkdir(path, 0770) == 0 || errno == EEXIST ? 0 : -1;
}

int live_archive_begin(api_ctx_t *c, json_t *program)
{
    archive_paths_t p;
    char live_dir[LIVE_PATH_MAX];

    snprintf(live_dir, sizeof(live_dir), "%s/live", c->app->cfg.work_dir);
    if (paths_of_program(c, program, &p) != 0 || ensure_dir(c->app->cfg.work_dir) != 0
        || ensure_dir(live_dir) != 0 || ensure_dir(p.dir) != 0) {
        return api_fail(c, 500, "StorageError", "cannot make the archive's folders: %s",
                        strerror(errno));
    }
    if (live_write_ism(&p, 0) != 0) {
        return api_fail(c, 500, "StorageError", "cannot write %s: %s", p.ism, strerror(errno));
    }
    json_object_set_new(program, "_startedMs", json_integer(c->now_ms));
    pthread_mutex_lock(&L.lock);
    archiver_t *a = find(entity_str(program, "Id"));
    if (a != NULL) {
        memset(a, 0, sizeof(*a));      /* a restarted program archives again */
    }
    pthread_mutex_unlock(&L.lock);
    return asset_register_files(c, entity_str(program, "AssetId"));
}

/* SIGINT twice (ffmpeg's first one ends its loop, the second interrupts a
 * read blocked on an idle stream; either way it writes the last fragment),
 * then SIGKILL after the grace time; waits for the end. */
static void stop_process(archiver_t *a)
{
    for (int waited = 0; alive(a); waited += 50) {
        if (waited == 0 || waited == 1500) {
            kill(a->pid, SIGINT);
        } else if (waited == LIVE_STOP_GRACE_MS) {
            log_warn("live: archiver %d did not stop in %d ms: killed", (int) a->pid,
                     LIVE_STOP_GRACE_MS);
            kill(a->pid, SIGKILL);
        }
        usleep(50 * 1000);
    }
    a->pid = 0;
}

int live_archive_end(api_ctx_t *c, json_t *program)
{
    archive_paths_t p;
    archiver_t *a, copy = { 0 };
    pid_t pid;

    if (paths_of_program(c, program, &p) != 0) {
        return api_fail(c, 500, "InternalError", "bad program record");
    }
    pthread_mutex_lock(&L.lock);
    a = add(entity_str(program, "Id"));
    if (a != NULL) {
        a->stopping = true;
        copy = *a;
    }
    pthread_mutex_unlock(&L.lock);
    if (copy.pid <= 0 && (pid = read_pid_file(p.pid_file)) > 0 && is_our_archiver(pid, &p)) {
        copy.pid = pid;       /* not adopted yet (a stop right after a restart) */
        copy.child = false;
    }
    stop_process(&copy);
    live_smooth_quiesce();           /* a Smooth-ingest write in progress ends first */
    unlink(p.pid_file);
    pthread_mutex_lock(&L.lock);
    if (a != NULL) {
        a->pid = 0;
        a->done = true;
    }
    pthread_mutex_unlock(&L.lock);
    if (live_join_sessions(c->app, &p) != 0) {
        return api_fail(c, 500, "StorageError", "cannot join the archive's publish sessions");
    }
    /* the bit rates the program started with, not measured ones: they are
     * in every QualityLevels(...) URL a player of the live stream holds,
     * and those URLs must go on answering after Stop */
    if (live_write_ism(&p, 0) != 0) {
        return api_fail(c, 500, "StorageError", "cannot write %s: %s", p.ism, strerror(errno));
    }
    log_info("live: archive of %s closed: %s (%lld bytes), %s (%lld bytes)",
             entity_str(program, "Id"), p.video, (long long) live_file_size(p.video), p.audio,
             (long long) live_file_size(p.audio));
    return asset_register_files(c, entity_str(program, "AssetId"));
}

int live_archivers_start(app_t *app)
{
    L.app = app;
    L.quit = false;
    if (pthread_create(&L.thread, NULL, supervisor, NULL) != 0) {
        log_error("live: cannot start the archiver supervisor");
        return -1;
    }
    L.running = true;
    return 0;
}

void live_archivers_stop(void)
{
    if (L.running) {
        L.quit = true;
        pthread_join(L.thread, NULL);
        L.running = false;
    }
}
