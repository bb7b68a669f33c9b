/*
 * test_scheduler.c — the scheduler's pure parts and its process layer:
 * encoder stdout lines (each form, bad values, CRLF, split and over-long
 * lines), task readiness and run order, job states from task states,
 * notification targets; then --check-config and a whole encoder run
 * (progress, outputs, cancel by SIGTERM) against the protocol stand-in
 * tests/controlplane/protocol-encoder.sh.
 */
#include "../unit/unit_helpers.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jobs/job_state.h"
#include "sched/encoder_check.h"
#include "sched/encoder_proc.h"
#include "sched/encoder_protocol.h"
#include "sched/job_events.h"
#include "sched/sched_order.h"
#include "sched/task_workdir.h"

#define STAND_IN "tests/controlplane/protocol-encoder.sh"

static int parse(const char *s, encoder_line_t *l)
{
    return encoder_line_parse(s, strlen(s), l);
}

static void test_protocol_lines(void **state)
{
    encoder_line_t l;
    (void) state;

    assert_int_equal(parse("progress 42.5", &l), 0);
    assert_int_equal(l.kind, ENCODER_LINE_PROGRESS);
    assert_true(l.progress == 42.5);
    assert_int_equal(parse("progress 100\r", &l), 0);
    assert_true(l.progress == 100);
    assert_int_equal(parse("progress 101", &l), -1);
    assert_int_equal(parse("progress -1", &l), -1);
    assert_int_equal(parse("progress nan", &l), -1);
    assert_int_equal(parse("progress 5x", &l), -1);
    assert_int_equal(parse("progress ", &l), -1);
    assert_int_equal(parse("output clip_1280x720_4500.mp4", &l), 0);
    assert_int_equal(l.kind, ENCODER_LINE_OUTPUT);
    assert_string_equal(l.text, "clip_1280x720_4500.mp4");
    assert_int_equal(parse("perf 2.1x realtime", &l), 0);
    assert_string_equal(l.text, "2.1x realtime");
    assert_int_equal(parse("error InvalidInput the input has no video stream", &l), 0);
    assert_int_equal(l.kind, ENCODER_LINE_ERROR);
    assert_string_equal(l.code, "InvalidInput");
    assert_string_equal(l.text, "the input has no video stream");
    assert_int_equal(parse("error Lonely", &l), -1);
    assert_int_equal(parse("hello world", &l), -1);
    assert_int_equal(parse("", &l), -1);
    assert_int_equal(parse("output", &l), -1);
    /* control characters never reach the catalog */
    assert_int_equal(parse("perf a\tb", &l), 0);
    assert_string_equal(l.text, "a b");
}

typedef struct {
    int count;
    double last_progress;
    char last_error[64];
} collected_t;

static void collect(const encoder_line_t *line, void *arg)
{
    collected_t *c = arg;
    c->count++;
    if (line->kind == ENCODER_LINE_PROGRESS) c->last_progress = line->progress;
    if (line->kind == ENCODER_LINE_ERROR) snprintf(c->last_error, sizeof(c->last_error), "%s", line->code);
}

static void test_reader_splits_lines(void **state)
{
    encoder_reader_t r = { 0 };
    collected_t c = { 0 };
    char *huge = malloc(3 * ENCODER_LINE_MAX);
    (void) state;

    encoder_reader_feed(&r, "progr", 5, collect, &c);
    assert_int_equal(c.count, 0);
    encoder_reader_feed(&r, "ess 10\nprogress 20\nerr", 22, collect, &c);
    assert_int_equal(c.count, 2);
    assert_true(c.last_progress == 20);
    encoder_reader_feed(&r, "or EncodingFailed x\n", 20, collect, &c);
    assert_string_equal(c.last_error, "EncodingFailed");
    /* an over-long line is cut once, its tail ignored, the next line read */
    memset(huge, 'a', 3 * ENCODER_LINE_MAX);
    memcpy(huge, "perf ", 5);
    encoder_reader_feed(&r, huge, 3 * ENCODER_LINE_MAX, collect, &c);
    assert_int_equal(c.count, 4);
    encoder_reader_feed(&r, "\nprogress 30\n", 13, collect, &c);
    assert_int_equal(c.count, 5);
    assert_true(c.last_progress == 30);
    free(huge);
}

static void test_readiness(void **state)
{
    int fin[] = { JOB_FINISHED, JOB_FINISHED }, mixed[] = { JOB_FINISHED, JOB_PROCESSING };
    int failed[] = { JOB_FINISHED, JOB_ERROR }, canceled[] = { JOB_CANCELED };
    (void) state;

    assert_int_equal(sched_task_readiness(JOB_QUEUED, JOB_QUEUED, NULL, 0), TASK_RUNNABLE);
    assert_int_equal(sched_task_readiness(JOB_QUEUED, JOB_PROCESSING, fin, 2), TASK_RUNNABLE);
    assert_int_equal(sched_task_readiness(JOB_QUEUED, JOB_PROCESSING, mixed, 2), TASK_WAITING);
    assert_int_equal(sched_task_readiness(JOB_QUEUED, JOB_PROCESSING, failed, 2), TASK_DOOMED);
    assert_int_equal(sched_task_readiness(JOB_QUEUED, JOB_PROCESSING, canceled, 1), TASK_DOOMED);
    assert_int_equal(sched_task_readiness(JOB_PROCESSING, JOB_PROCESSING, NULL, 0), TASK_WAITING);
    assert_int_equal(sched_task_readiness(JOB_QUEUED, JOB_CANCELING, NULL, 0), TASK_WAITING);
    assert_int_equal(sched_task_readiness(JOB_QUEUED, JOB_ERROR, NULL, 0), TASK_WAITING);
}

static void test_run_order(void **state)
{
    sched_candidate_t c[] = {
        { .job_priority = 0, .task_priority = 0, .created_ms = 100, .position = 0, .index = 0 },
        { .job_priority = 5, .task_priority = 0, .created_ms = 300, .position = 0, .index = 1 },
        { .job_priority = 5, .task_priority = 2, .created_ms = 400, .position = 1, .index = 2 },
        { .job_priority = 0, .task_priority = 0, .created_ms = 50, .position = 3, .index = 3 },
        { .job_priority = 0, .task_priority = 0, .created_ms = 50, .position = 1, .index = 4 },
    };
    size_t want[] = { 2, 1, 4, 3, 0 };
    (void) state;

    qsort(c, 5, sizeof(c[0]), sched_candidate_compare);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(c[i].index, want[i]);
    }
}

static void test_job_state_from_tasks(void **state)
{
    int queued[] = { 0, 0 }, running[] = { 3, 2 }, done[] = { 3, 3 }, err[] = { 3, 4, 5 };
    int canc[] = { 3, 5 }, waiting_after_cancel[] = { 5, 2 };
    (void) state;

    assert_int_equal(job_state_from_tasks(JOB_QUEUED, queued, 2), JOB_QUEUED);
    assert_int_equal(job_state_from_tasks(JOB_SCHEDULED, running, 2), JOB_PROCESSING);
    assert_int_equal(job_state_from_tasks(JOB_PROCESSING, done, 2), JOB_FINISHED);
    assert_int_equal(job_state_from_tasks(JOB_PROCESSING, err, 3), JOB_ERROR);
    assert_int_equal(job_state_from_tasks(JOB_CANCELING, canc, 2), JOB_CANCELED);
    assert_int_equal(job_state_from_tasks(JOB_CANCELING, waiting_after_cancel, 2), JOB_CANCELING);
    assert_true(job_state_is_final(JOB_CANCELED) && !job_state_is_final(JOB_CANCELING));
    assert_string_equal(job_state_name(JOB_CANCELING), "Canceling");
    assert_string_equal(job_state_name(42), "Unknown");
}

static void test_notification_targets(void **state)
{
    (void) state;
    assert_false(job_events_wanted(NOTIFY_TARGET_NONE, JOB_FINISHED));
    assert_true(job_events_wanted(NOTIFY_TARGET_FINAL_ONLY, JOB_ERROR));
    assert_false(job_events_wanted(NOTIFY_TARGET_FINAL_ONLY, JOB_PROCESSING));
    assert_true(job_events_wanted(NOTIFY_TARGET_ALL, JOB_SCHEDULED));
}

/* ---- processes, against the protocol stand-in ---------------------------- */

static char tmp[256];

static int make_tmp(void **state)
{
    (void) state;
    snprintf(tmp, sizeof(tmp), "/tmp/mp-sched-test-XXXXXX");
    return mkdtemp(tmp) != NULL ? 0 : -1;
}

static int remove_tmp(void **state)
{
    (void) state;
    task_workdir_remove(tmp);
    return 0;
}

static void test_check_config(void **state)
{
    char msg[512];
    (void) state;

    assert_int_equal(encoder_check_config(STAND_IN, tmp, "H264 Single Bitrate 720p", msg, sizeof(msg)),
                     ENCODER_CHECK_OK);
    assert_int_equal(encoder_check_config(STAND_IN, tmp, "no such preset", msg, sizeof(msg)),
                     ENCODER_CHECK_REJECTED);
    assert_non_null(strstr(msg, "InvalidConfiguration"));
    assert_int_equal(encoder_check_config("/nonexistent/encoder", tmp, "x", msg, sizeof(msg)),
                     ENCODER_CHECK_UNAVAILABLE);
}

static void run_until_done(encoder_proc_t *p, int max_ms)
{
    for (int waited = 0; !encoder_proc_done(p) && waited < max_ms; waited += 20) {
        encoder_proc_poll(p);
        usleep(20000);
    }
}

static void start(encoder_proc_t *p, task_workdir_t *w, const char *config, const char *input)
{
    const char *inputs[] = { input };
    encoder_args_t a = { STAND_IN, w->config, w->out, inputs, 1, "Speed", NULL, NULL, 0, 0, 0, false };
    char err[256];
    FILE *f = fopen(input, "w");

    fputs("media", f);
    fclose(f);
    task_workdir_paths(tmp, "11111111-2222-3333-4444-555555555555", w);
    assert_int_equal(task_workdir_create(w, config, err, sizeof(err)), 0);
    assert_int_equal(encoder_proc_start(p, &a, err, sizeof(err)), 0);
}

static void test_run_and_move_outputs(void **state)
{
    encoder_proc_t p;
    task_workdir_t w;
    char input[300], dest[300], path[700], err[256];
    struct stat st;
    (void) state;

    snprintf(input, sizeof(input), "%s/in.mp4", tmp);
    start(&p, &w, "H264 Single Bitrate 720p", input);
    run_until_done(&p, 15000);
    assert_true(encoder_proc_done(&p));
    assert_true(WIFEXITED(p.status) && WEXITSTATUS(p.status) == 0);
    assert_true(p.progress == 100);
    assert_non_null(strstr(p.perf, "protocol-encoder"));
    assert_non_null(strstr(p.perf, "complexity Speed"));     /* --complexity was passed */
    snprintf(dest, sizeof(dest), "%s/dest", tmp);
    mkdir(dest, 0750);
    assert_int_equal(task_workdir_move_outputs(&w, dest, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/in.ism", dest);
    assert_int_equal(stat(path, &st), 0);
    snprintf(path, sizeof(path), "%s/in.mp4", dest);
    assert_int_equal(stat(path, &st), 0);
    task_workdir_remove(w.dir);
    assert_int_not_equal(stat(w.dir, &st), 0);
}

static void test_failure_line(void **state)
{
    encoder_proc_t p;
    task_workdir_t w;
    char input[300];
    (void) state;

    snprintf(input, sizeof(input), "%s/tone.wav", tmp);
    start(&p, &w, "H264 Single Bitrate 720p", input);
    run_until_done(&p, 15000);
    assert_true(WIFEXITED(p.status) && WEXITSTATUS(p.status) == 1);
    assert_string_equal(p.err_code, "InvalidInput");
    task_workdir_remove(w.dir);
}

static void test_cancel_by_sigterm(void **state)
{
    encoder_proc_t p;
    task_workdir_t w;
    char input[300];
    (void) state;

    snprintf(input, sizeof(input), "%s/in.mp4", tmp);
    start(&p, &w, "slow", input);
    usleep(300000);
    encoder_proc_poll(&p);
    assert_false(p.exited);
    encoder_proc_signal(&p, SIGTERM);
    run_until_done(&p, 3000);
    assert_true(encoder_proc_done(&p));
    assert_true(WIFEXITED(p.status) && WEXITSTATUS(p.status) == 3);
    assert_string_equal(p.err_code, "Canceled");
    task_workdir_remove(w.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocol_lines),
        cmocka_unit_test(test_reader_splits_lines),
        cmocka_unit_test(test_readiness),
        cmocka_unit_test(test_run_order),
        cmocka_unit_test(test_job_state_from_tasks),
        cmocka_unit_test(test_notification_targets),
        cmocka_unit_test_setup_teardown(test_check_config, make_tmp, remove_tmp),
        cmocka_unit_test_setup_teardown(test_run_and_move_outputs, make_tmp, remove_tmp),
        cmocka_unit_test_setup_teardown(test_failure_line, make_tmp, remove_tmp),
        cmocka_unit_test_setup_teardown(test_cancel_by_sigterm, make_tmp, remove_tmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
