/*
 * entity_operations.c — Operations: the records of long-running actions
 * (StreamingEndpoints Start/Stop/Scale/create/delete; channels and programs
 * later).  The request that starts an action stores the Operation
 * InProgress and answers 202 with an operation-id header; right after its
 * commit, a second transaction lets the target's set finish the action
 * (complete_operation hook) and marks the Operation Succeeded, or Failed
 * with ErrorCode/ErrorMessage.  Operations left InProgress by a stopped
 * daemon are finished at the next start.  Clients poll /api/Operations('…').
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "daemon/daemon_log.h"
#include "util/time_text.h"

#include <stdio.h>
#include <string.h>

static const entity_prop_t operation_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "State", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "TargetEntityId", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "ErrorCode", EDM_STRING, P_SERVER | P_NULLABLE, 0, NULL, NULL },
    { "ErrorMessage", EDM_STRING, P_SERVER | P_NULLABLE, 0, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t operation_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};

static void operation_run(app_t *app, const char *op_id);

int operation_begin(api_ctx_t *c, const char *target_id)
{
    json_t *rec = json_pack("{s:s,s:s,s:n,s:n}", "State", "InProgress", "TargetEntityId",
                            target_id, "ErrorCode", "ErrorMessage");
    int rc = entity_insert(c, &entity_operations, rec);

    if (rc == 0) {
        snprintf(c->operation_id, sizeof(c->operation_id), "%s", entity_str(rec, "Id"));
        rc = api_after_commit(c, operation_run, c->operation_id);
    }
    json_decref(rec);
    return rc;
}

/* Marks the operation final in the open transaction. */
static int operation_finish(api_ctx_t *c, json_t *op, const api_error_t *failure)
{
    json_object_set_new(op, "State", json_string(failure ? "Failed" : "Succeeded"));
    json_object_set_new(op, "ErrorCode", failure ? json_string(failure->code) : json_null());
    json_object_set_new(op, "ErrorMessage", failure ? json_string(failure->message) : json_null());
    return entity_save(c, &entity_operations, op);
}

/* One attempt: load the operation; if still InProgress, complete it (or,
 * with failure set, only record the failure).  0: committed or nothing to
 * do; -1: aborted with c->err set. */
static int operation_attempt(api_ctx_t *c, const char *op_id, const api_error_t *failure)
{
    const entity_set_t *target_set;
    json_t *op = NULL;
    const char *target;
    int rc;

    if (catalog_begin(c->app->store, true, &c->txn) != 0) {
        return api_fail(c, 503, "ServiceUnavailable", "catalog busy");
    }
    if (catalog_get(&c->txn, entity_operations.name, op_id, &op) != 0
        || strcmp(entity_str(op, "State") ? entity_str(op, "State") : "", "InProgress") != 0) {
        json_decref(op);
        catalog_abort(&c->txn);
        return 0;
    }
    target = entity_str(op, "TargetEntityId");
    target_set = target != NULL ? entity_set_by_prefix(target) : NULL;
    rc = 0;
    if (failure == NULL && target_set != NULL && target_set->complete_operation != NULL) {
        rc = target_set->complete_operation(c, target);
    }
    if (rc == 0) {
        rc = operation_finish(c, op, failure);
    }
    json_decref(op);
    if (rc != 0) {
        catalog_abort(&c->txn);
        return -1;
    }
    rc = catalog_commit(&c->txn);
    return rc == 0 ? 0 : api_fail(c, 500, "InternalError", "commit: %s", mdb_strerror(rc));
}

static void operation_run(app_t *app, const char *op_id)
{
    api_ctx_t c = { .app = app, .now_ms = time_now_ms() };
    api_ctx_t again = { .app = app, .now_ms = time_now_ms() };

    if (operation_attempt(&c, op_id, NULL) == 0) {
        api_after_commit_run(&c);   /* operations a completion began (v3 live) */
        api_ctx_release(&c);
        return;
    }
    api_ctx_release(&c);
    log_warn("operation %s failed: %s: %s", op_id, c.err.code, c.err.message);
    if (operation_attempt(&again, op_id, &c.err) != 0) {
        log_error("operation %s: cannot record the failure: %s", op_id, again.err.message);
    }
}

static int collect_in_progress(const char *id, json_t *rec, void *arg)
{
    const char *state = entity_str(rec, "State");

    if (state != NULL && strcmp(state, "InProgress") == 0) {
        json_array_append_new(arg, json_string(id));
    }
    return 0;
}

void operations_resume(app_t *app)
{
    catalog_txn_t txn;
    json_t *ids = json_array(), *id;
    size_t i;

    if (catalog_begin(app->store, false, &txn) == 0) {
        catalog_each(&txn, entity_operations.name, collect_in_progress, ids);
        catalog_abort(&txn);
    }
    json_array_foreach(ids, i, id) {
        log_info("finishing operation %s left in progress", json_string_value(id));
        operation_run(app, json_string_value(id));
    }
    json_decref(ids);
}

const entity_set_t entity_operations = {
    .name = "Operations",
    .type_name = AMS_TYPE("Operation"),
    .id_prefix = "nb:opid:UUID:",
    .flags = ES_READ_ONLY,
    .props = operation_props,
    .navs = operation_navs,
};
