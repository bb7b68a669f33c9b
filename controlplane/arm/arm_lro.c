/*
 * arm_lro.c — v3 long-running operations over v2 Operations (see
 * arm_lro.h).  A v2 action or create/delete that began an Operation
 * (entity_operations.c) is answered here; the operation's GUID is the v3
 * operation id.
 */
#include "arm/arm_lro.h"
#include "arm/arm_error.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

#include <stdio.h>
#include <string.h>

http_response_t *arm_lro_accepted(arm_req_t *r, int status, const char *ops,
                                  const char *resource_path)
{
    const char *guid = entity_guid(r->c.operation_id);
    const char *version = http_arg(r->c.req, "api-version");
    char url[CONFIG_URL_MAX + ARM_ID_MAX + 4 * ARM_NAME_MAX + 160];
    http_response_t *out = http_response_new(status, NULL);

    if (out == NULL || guid == NULL) {
        http_response_free(out);
        return arm_error(500, "InternalError", "the operation was not recorded");
    }
    snprintf(url, sizeof(url), "%s%s/%s/%s?api-version=%s", r->c.app->cfg.arm_url,
             r->account_id, ops, guid, version);
    http_response_header(out, "Azure-AsyncOperation", url);
    snprintf(url, sizeof(url), "%s%s/%s/operationLocations/%s?api-version=%s",
             r->c.app->cfg.arm_url, r->account_id, resource_path, guid, version);
    http_response_header(out, "Location", url);
    http_response_header(out, "Retry-After", "1");
    return out;
}

json_t *arm_lro_operation(arm_req_t *r, const char *guid)
{
    char id[ENTITY_ID_MAX];
    json_t *op = NULL;

    if (strlen(guid) != 36) {
        return NULL;
    }
    snprintf(id, sizeof(id), "%s%s", entity_operations.id_prefix, guid);
    return catalog_get(&r->c.txn, entity_operations.name, id, &op) == 0 ? op : NULL;
}

static const char *op_state(const json_t *op)
{
    const char *s = entity_str(op, "State");
    return s != NULL ? s : "InProgress";
}

static const char *op_text(const json_t *op, const char *name, const char *dflt)
{
    const char *s = entity_str(op, name);
    return s != NULL ? s : dflt;
}

http_response_t *arm_lro_status_handle(arm_req_t *r)
{
    json_t *op, *status;

    if (r->path.nseg != 2 || strcmp(r->method, "GET") != 0) {
        return arm_error(404, "NotSupported", "%s/{id} is read with GET", r->path.seg[0]);
    }
    op = arm_lro_operation(r, r->path.seg[1]);
    if (op == NULL) {
        return arm_error(404, "ResourceNotFound", "no operation '%s'", r->path.seg[1]);
    }
    status = json_pack("{s:s,s:s}", "name", r->path.seg[1], "status", op_state(op));
    if (strcmp(op_state(op), "Failed") == 0) {
        json_object_set_new(status, "error", json_pack("{s:s,s:s}", "code",
                            op_text(op, "ErrorCode", "Failed"), "message",
                            op_text(op, "ErrorMessage", "")));
    }
    json_decref(op);
    return arm_json(200, status);
}

http_response_t *arm_lro_location(arm_req_t *r, const char *guid, const json_t *rec,
                                  json_t *(*render)(arm_req_t *r, const json_t *rec))
{
    json_t *op = arm_lro_operation(r, guid);
    const char *state;
    http_response_t *out;

    if (op == NULL || strcmp(op_text(op, "TargetEntityId", ""), entity_str(rec, "Id")) != 0) {
        json_decref(op);
        return arm_error(404, "ResourceNotFound", "no operation '%s' of this resource", guid);
    }
    state = op_state(op);
    out = strcmp(state, "InProgress") == 0 ? http_response_new(202, NULL)
          : strcmp(state, "Succeeded") == 0 ? arm_json(200, render(r, rec))
          : arm_error(500, op_text(op, "ErrorCode", "Failed"), "%s",
                      op_text(op, "ErrorMessage", ""));
    json_decref(op);
    return out;
}
