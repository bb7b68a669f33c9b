/*
 * live_archive_files.c — the files of a program's archive (see
 * live_archive_files.h): paths, the SMIL .ism (as encoder/enc_ism.c writes
 * for VoD, with the archive's two tracks), fsync of what archivers wrote,
 * and the join of publish sessions (ffmpeg's concat demuxer, stream copy:
 * each session's timestamps follow the previous one's end).
 */
#include "live/live_archive_files.h"
#include "daemon/daemon_log.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;


int live_archive_paths(const app_t *app, const char *program_id, const char *asset_id,
                         const char *manifest, const char *token, archive_paths_t *p)
{
    char container[64];
    const char *guid = entity_guid(program_id);

    if (guid == NULL || asset_container_name(asset_id, container, sizeof(container)) != 0) {
        return -1;
    }
    int n[8];

    n[0] = snprintf(p->dir, sizeof(p->dir), "%s/%s", app->cfg.media_root, container);
    n[1] = snprintf(p->ism, sizeof(p->ism), "%s/%s.ism", p->dir, manifest);
    n[2] = snprintf(p->video, sizeof(p->video), "%s/%s_video.mp4", p->dir, manifest);
    n[3] = snprintf(p->audio, sizeof(p->audio), "%s/%s_audio.mp4", p->dir, manifest);
    n[4] = snprintf(p->pid_file, sizeof(p->pid_file), "%s/live/%s.pid", app->cfg.work_dir, guid);
    n[5] = snprintf(p->log_file, sizeof(p->log_file), "%s/live/%s.log", app->cfg.work_dir, guid);
    n[7] = snprintf(p->sessions, sizeof(p->sessions), "%s/live/%s", app->cfg.work_dir, guid);
    n[6] = snprintf(p->source, sizeof(p->source), "%slive/%s", app->cfg.rtmp_local_url,
                    token != NULL ? token : "");
    for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
        if (n[i] < 0 || n[i] >= LIVE_PATH_MAX) {
            return -1;
        }
    }
    return 0;
}

off_t live_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* The track files of publish session k: session 1 writes the archive's
 * own files in the asset's folder; later ones (after a publisher
 * reconnected) <sessions>/<k>_video.mp4, joined to it at Program Stop. */
void live_session_files(const archive_paths_t *p, int k, char *video, char *audio, size_t cap)
{
    if (k <= 1) {
        snprintf(video, cap, "%s", p->video);
        snprintf(audio, cap, "%s", p->audio);
    } else {
        if (snprintf(video, cap, "%s/%d_video.mp4", p->sessions, k) >= (int) cap
            || snprintf(audio, cap, "%s/%d_audio.mp4", p->sessions, k) >= (int) cap) {
            video[0] = audio[0] = '\0';
        }
    }
}

/* The first session without video written yet. */
int live_next_session(const archive_paths_t *p)
{
    char video[LIVE_PATH_MAX + 32], audio[LIVE_PATH_MAX + 32];
    int k = 1;

    for (;; k++) {
        live_session_files(p, k, video, audio, sizeof(video));
        if (live_file_size(video) <= 0) {
            return k;
        }
    }
}

/* ------------------------------------------------------------ the .ism */

static void ism_entry(FILE *f, const char *kind, const char *path, long long bps)
{
    const char *name = strrchr(path, '/') + 1;

    fprintf(f, "      <%s src=\"%s\" systemBitrate=\"%lld\"%s>\n"
               "        <param name=\"trackID\" value=\"1\" valuetype=\"data\" />\n"
               "      </%s>\n", kind, name, bps, strcmp(kind, "audio") == 0
               ? " systemLanguage=\"und\"" : "", kind);
}

/* The SMIL server manifest naming both tracks (as encoder/enc_ism.c writes
 * for VoD); bit rates from the files' sizes over `seconds` (nominal while
 * the program runs).  Written to a temporary name, fsync'ed, renamed. */
int live_write_ism(const archive_paths_t *p, double seconds)
{
    char tmp[LIVE_PATH_MAX + 8];
    off_t v = live_file_size(p->video), a = live_file_size(p->audio);
    FILE *f;
    int ok;

    snprintf(tmp, sizeof(tmp), "%s.tmp", p->ism);
    if ((f = fopen(tmp, "w")) == NULL) {
        return -1;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
               "<smil xmlns=\"http://www.w3.org/2001/SMIL20/Language\">\n"
               "  <head>\n    <meta name=\"formats\" content=\"fmp4\" />\n  </head>\n"
               "  <body>\n    <switch>\n");
    ism_entry(f, "video", p->video, seconds > 0 && v > 0 ? (long long) (v * 8 / seconds) : 2000000);
    ism_entry(f, "audio", p->audio, seconds > 0 && a > 0 ? (long long) (a * 8 / seconds) : 128000);
    fprintf(f, "    </switch>\n  </body>\n</smil>\n");
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, p->ism) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* What an archiver wrote so far made durable: ffmpeg writes each fragment
 * whole but never fsyncs, so the supervisor does, every tick (a power loss
 * then loses at most the fragment in flight and one tick of writes). */
void live_sync_session(const archive_paths_t *p, int k)
{
    char video[LIVE_PATH_MAX + 32], audio[LIVE_PATH_MAX + 32];

    live_session_files(p, k, video, audio, sizeof(video));
    if (video[0] != '\0') {
        live_fsync(video);
        live_fsync(audio);
    }
}

/* ------------------------------------------------------------ sessions */

/* Runs ffmpeg with args to the end (output to the program's log); 0 on exit 0. */
static int run_ffmpeg(const app_t *app, const archive_paths_t *p, char **args)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc, status = -1;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, p->log_file,
                                     O_WRONLY | O_CREAT | O_APPEND, 0660);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    rc = posix_spawnp(&pid, app->cfg.ffmpeg_path, &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        return -1;
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int live_fsync(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

    if (fd < 0) {
        return -1;
    }
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* One track: sessions 1..n joined end to end by ffmpeg's concat demuxer
 * (each session's timestamps follow the previous one's end: a continuous
 * timeline, the time the encoder was away left out) into a temporary file,
 * fsync'ed and renamed over session 1's file. */
static int join_track(const app_t *app, const archive_paths_t *p, bool video, int n)
{
    char list[LIVE_PATH_MAX + 32], out[LIVE_PATH_MAX + 32];
    char v[LIVE_PATH_MAX + 32], a[LIVE_PATH_MAX + 32];
    const char *target = video ? p->video : p->audio;
    FILE *f;

    snprintf(list, sizeof(list), "%s/%s.txt", p->sessions, video ? "video" : "audio");
    snprintf(out, sizeof(out), "%s.join.tmp", target);
    if ((f = fopen(list, "w")) == NULL) {
        return -1;
    }
    for (int k = 1; k <= n; k++) {
        live_session_files(p, k, v, a, sizeof(v));
        if (live_file_size(video ? v : a) > 0) {
            fprintf(f, "file '%s'\n", video ? v : a);
        }
    }
    if (fclose(f) != 0) {
        return -1;
    }
    char *args[] = { (char *) app->cfg.ffmpeg_path, "-nostdin", "-hide_banner", "-loglevel", "warning",
                     "-f", "concat", "-safe", "0", "-i", list, "-map", "0", "-c", "copy",
                     "-f", "mp4", "-movflags",
                     video ? "+frag_keyframe+empty_moov+default_base_moof"
                           : "+empty_moov+default_base_moof",
                     "-frag_duration", video ? "0" : "2000000", "-y", out, NULL };
    if (run_ffmpeg(app, p, args) != 0 || live_fsync(out) != 0 || rename(out, target) != 0) {
        unlink(out);
        return -1;
    }
    unlink(list);
    return 0;
}

/* After the last archiver: later sessions joined to the first, then removed. */
int live_join_sessions(const app_t *app, const archive_paths_t *p)
{
    char v[LIVE_PATH_MAX + 32], a[LIVE_PATH_MAX + 32];
    int n = live_next_session(p) - 1;

    if (n <= 1) {
        return 0;
    }
    if (join_track(app, p, true, n) != 0 || join_track(app, p, false, n) != 0) {
        log_error("live: cannot join the %d publish sessions of %s (see %s)", n, p->dir, p->log_file);
        return -1;
    }
    for (int k = 2; k <= n; k++) {
        live_session_files(p, k, v, a, sizeof(v));
        unlink(v);
        unlink(a);
    }
    rmdir(p->sessions);
    live_fsync(p->dir);
    log_info("live: joined %d publish sessions into %s", n, p->video);
    return 0;
}

