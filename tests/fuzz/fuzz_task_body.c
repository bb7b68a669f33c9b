/*
 * fuzz_task_body.c — the job-body library on arbitrary bytes, read both as a
 * TaskBody and as a JobTemplateBody (API users send both).  The input is
 * copied into a buffer of exactly its length (no NUL) so over-reads are ASan
 * reports.  Checks: every error is a non-empty, presentable message (UTF-8,
 * no control characters); an accepted body passes task_body_check, renders,
 * and reads back equal, rendering again the same bytes; the job graph built
 * from accepted bodies is consistent (run order a permutation that respects
 * every dependency, stages, producers, index ranges, limits, names).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jobs/job_graph.h"
#include "jobs/job_template_body.h"
#include "jobs/job_text.h"
#include "jobs/task_body.h"
#include "fuzz_check.h"


static task_body_t body, reread;
static job_template_body_t tmpl;
static job_graph_t graph;
static char rendered[TASK_BODY_RENDER_MAX], rendered_again[TASK_BODY_RENDER_MAX];

static void check_message(int rc, const char *err)
{
    FUZZ_CHECK(rc == -1);
    size_t len = strnlen(err, JOB_ERR_LEN);
    FUZZ_CHECK(len > 0 && len < JOB_ERR_LEN);
    FUZZ_CHECK(job_text_is_xml_safe(err, len));
    for (size_t i = 0; i < len; i++) {
        FUZZ_CHECK((unsigned char)err[i] >= 0x20);
    }
}

/* render, read back, render again */
static void check_roundtrip(const task_body_t *b)
{
    char err[JOB_ERR_LEN] = "";
    size_t len = 0, len_again = 0;
    int rc = task_body_render(b, rendered, sizeof(rendered), &len, err, sizeof(err));
    if (rc != 0) {
        check_message(rc, err);
        FUZZ_CHECK(strstr(err, "longer than") != NULL);   /* escapes can outgrow the limit */
        return;
    }
    FUZZ_CHECK(len == strlen(rendered));
    rc = task_body_parse(rendered, len, &reread, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "rendered body rejected: %s\n%s\n", err, rendered);
    }
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(task_body_equal(b, &reread));
    FUZZ_CHECK(task_body_render(&reread, rendered_again, sizeof(rendered_again), &len_again, err,
                                sizeof(err)) == 0);
    FUZZ_CHECK(len_again == len && memcmp(rendered, rendered_again, len) == 0);
}

static uint32_t inputs_needed(const task_body_t *const *tasks, uint32_t count)
{
    uint32_t n = 1;
    for (uint32_t t = 0; t < count; t++) {
        for (uint32_t i = 0; i < tasks[t]->count; i++) {
            const task_asset_t *a = &tasks[t]->assets[i];
            if (a->ref.kind == JOB_INPUT_ASSET && a->ref.index + 1 > n) {
                n = a->ref.index + 1;
            }
        }
    }
    return n;
}

static void check_inputs_resolve(const task_body_t *const *tasks, uint32_t t)
{
    for (uint32_t i = 0; i < tasks[t]->count; i++) {
        const task_asset_t *a = &tasks[t]->assets[i];
        if (a->role != TASK_ASSET_INPUT) {
            continue;
        }
        if (a->ref.kind == JOB_INPUT_ASSET) {
            FUZZ_CHECK(a->ref.index < graph.input_count);
        } else {
            FUZZ_CHECK(a->ref.index < graph.output_count);
            uint32_t producer = graph.producer[a->ref.index];
            FUZZ_CHECK(graph.depends_on[t] >> producer & 1u);
            FUZZ_CHECK(graph.stage[t] > graph.stage[producer]);
        }
    }
}

static void check_graph(const task_body_t *const *tasks, uint32_t count)
{
    FUZZ_CHECK(graph.task_count == count);
    FUZZ_CHECK(graph.input_count + graph.output_count <= JOB_MAX_ASSETS);
    uint32_t placed = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t t = graph.order[i];
        FUZZ_CHECK(t < count && !(placed >> t & 1u));
        FUZZ_CHECK((graph.depends_on[t] & ~placed) == 0);   /* what it waits for ran before */
        FUZZ_CHECK((graph.stage[t] == 0) == (graph.depends_on[t] == 0));
        FUZZ_CHECK(i == 0 || graph.stage[graph.order[i - 1]] <= graph.stage[t]);
        placed |= 1u << t;
        check_inputs_resolve(tasks, t);
    }
    for (uint32_t j = 0; j < graph.output_count; j++) {
        const task_asset_t *out = job_graph_output(&graph, tasks, j);
        FUZZ_CHECK(out != NULL && out->role == TASK_ASSET_OUTPUT && out->ref.index == j);
        char name[TASK_ASSET_NAME_MAX + 64];
        FUZZ_CHECK(job_output_name(&graph, tasks, j, "job", "nb:jid:UUID:x", name,
                                   sizeof(name)) == 0);
        FUZZ_CHECK(out->name[0] != '\0' ? strcmp(name, out->name) == 0
                                         : strncmp(name, "JobOutputAsset(", 15) == 0);
    }
    FUZZ_CHECK(job_graph_output(&graph, tasks, graph.output_count) == NULL);
}

static void build_graph(const task_body_t *const *tasks, uint32_t count)
{
    char err[JOB_ERR_LEN] = "";
    uint32_t inputs = inputs_needed(tasks, count);
    int rc = job_graph_build(inputs, tasks, count, &graph, err, sizeof(err));
    if (rc != 0) {
        check_message(rc, err);
    } else {
        check_graph(tasks, count);
    }
}

static void fuzz_task_body(const char *xml, size_t size)
{
    char err[JOB_ERR_LEN] = "";
    int rc = task_body_parse(xml, size, &body, err, sizeof(err));
    if (rc != 0) {
        check_message(rc, err);
        return;
    }
    FUZZ_CHECK(task_body_check(&body, err, sizeof(err)) == 0);
    check_roundtrip(&body);
    const task_body_t *tasks[] = { &body };
    build_graph(tasks, 1);
}

/* the TaskTemplates a template names, with the counts its bodies have */
static bool lookup_own_counts(void *context, const char *id, task_template_counts_t *counts)
{
    const job_template_body_t *t = context;
    for (uint32_t i = 0; i < t->task_count; i++) {
        if (strcmp(t->tasks[i].task_template_id, id) == 0) {
            counts->input_count = task_body_count(&t->tasks[i].body, TASK_ASSET_INPUT);
            counts->output_count = task_body_count(&t->tasks[i].body, TASK_ASSET_OUTPUT);
            return true;
        }
    }
    return false;
}

static void fuzz_job_template(const char *xml, size_t size)
{
    char err[JOB_ERR_LEN] = "";
    int rc = job_template_body_parse(xml, size, &tmpl, err, sizeof(err));
    if (rc != 0) {
        check_message(rc, err);
        return;
    }
    FUZZ_CHECK(tmpl.task_count >= 1 && tmpl.task_count <= JOB_MAX_TASKS);
    const task_body_t *tasks[JOB_MAX_TASKS];
    FUZZ_CHECK(job_template_body_tasks(&tmpl, tasks) == tmpl.task_count);
    for (uint32_t t = 0; t < tmpl.task_count; t++) {
        const char *id = tmpl.tasks[t].task_template_id;
        FUZZ_CHECK(strlen(id) == TASK_TEMPLATE_ID_LEN && strncmp(id, "nb:ttid:UUID:", 13) == 0);
        for (uint32_t u = 0; u < t; u++) {
            FUZZ_CHECK(strcasecmp(id, tmpl.tasks[u].task_template_id) != 0);
        }
        FUZZ_CHECK(task_body_check(tasks[t], err, sizeof(err)) == 0);
        check_roundtrip(tasks[t]);
    }
    uint32_t inputs = inputs_needed(tasks, tmpl.task_count);
    rc = job_template_body_check(&tmpl, lookup_own_counts, &tmpl, inputs, &graph, err,
                                 sizeof(err));
    if (rc != 0) {
        check_message(rc, err);
    } else {
        check_graph(tasks, tmpl.task_count);
    }
    build_graph(tasks, tmpl.task_count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = malloc(size ? size : 1);
    FUZZ_CHECK(xml != NULL);
    memcpy(xml, data, size);
    fuzz_task_body(xml, size);
    fuzz_job_template(xml, size);
    free(xml);
    return 0;
}
