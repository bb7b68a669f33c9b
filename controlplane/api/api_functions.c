/*
 * api_functions.c — the service operations of the API that are not entity
 * sets (CreateFileInfos, …) and the service document.  One table row per
 * function; each runs inside the router's transaction.
 */
#include "api/api_handlers.h"
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "odata/odata_render.h"
#include "keys/key_status.h"
#include "keys/protection_key.h"
#include "sched/job_lifecycle.h"
#include "storage/blob_store.h"
#include "util/text_codec.h"

#include <openssl/crypto.h>

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

/* Reads a quoted function argument ('…'), 400 if missing or malformed. */
static int function_arg(api_ctx_t *c, const char *name, char *out, size_t cap)
{
    const char *v = http_arg(c->req, name);

    if (v == NULL) {
        /* AMS clients vary the case of argument names */
        char alt[64];
        snprintf(alt, sizeof(alt), "%s", name);
        for (char *p = alt; *p; p++) *p = (char) ((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
        v = http_arg(c->req, alt);
    }
    if (v == NULL || odata_unquote(v, out, cap) != 0 || out[0] == '\0') {
        return api_fail(c, 400, "MissingArgument", "argument %s='…' is required", name);
    }
    return 0;
}

static http_response_t *create_file_infos(api_ctx_t *c)
{
    char arg[ENTITY_ID_MAX];
    json_t *asset = NULL;
    http_response_t *r = NULL;

    if (function_arg(c, "assetid", arg, sizeof(arg)) == 0
        && entity_load(c, &entity_assets, arg, &asset) == 0
        && asset_register_files(c, entity_str(asset, "Id")) == 0) {
        r = odata_respond_empty(c, 204);
    }
    json_decref(asset);
    return r;
}

/* A function's string result: {"d":{"<Name>":v}} or {"odata.metadata":…,"value":v}. */
static http_response_t *string_result(api_ctx_t *c, const char *name, const char *value)
{
    if (c->fmt == ODATA_VERBOSE) {
        return odata_respond_json(c, 200, json_pack("{s:{s:s}}", "d", name, value));
    }
    return odata_respond_json(c, 200, json_pack("{s:s+,s:s}", "odata.metadata",
                                                c->app->cfg.api_url, "$metadata#Edm.String",
                                                "value", value));
}

static http_response_t *get_protection_key_id(api_ctx_t *c)
{
    const char *type = http_arg(c->req, "contentKeyType");
    char *end;
    long t;

    if (type == NULL) {
        api_fail(c, 400, "MissingArgument", "argument contentKeyType=N is required");
        return NULL;
    }
    t = strtol(type, &end, 10);
    if (*end != '\0' || t < 0 || t > 8 || t == 5) {
        api_fail(c, 400, "InvalidArgument", "unknown contentKeyType %s", type);
        return NULL;
    }
    return string_result(c, "GetProtectionKeyId", protection_key_id(c->app->protection_key));
}

static http_response_t *get_protection_key(api_ctx_t *c)
{
    char id[256];

    if (function_arg(c, "ProtectionKeyId", id, sizeof(id)) != 0) {
        return NULL;
    }
    if (!protection_key_id_matches(c->app->protection_key, id)) {
        api_fail(c, 404, "ResourceNotFound", "no protection key '%s'", id);
        return NULL;
    }
    return string_result(c, "GetProtectionKey", protection_key_cert_base64(c->app->protection_key));
}

/* CancelJob?jobid='…': 204; 400 when the job is already final. */
static http_response_t *cancel_job(api_ctx_t *c)
{
    char arg[ENTITY_ID_MAX];
    json_t *job = NULL;
    http_response_t *r = NULL;

    if (function_arg(c, "jobid", arg, sizeof(arg)) == 0
        && entity_load(c, &entity_jobs, arg, &job) == 0 && job_cancel(c, job) == 0) {
        r = odata_respond_empty(c, 204);
    }
    json_decref(job);
    return r;
}

/* x509Certificate='<base64 DER>' (any case of the name; '' asks for the
 * clear key) into a malloc'ed string; a '+' the client left unencoded
 * arrives as a blank and is put back. */
static char *certificate_arg(api_ctx_t *c)
{
    static const char *const names[] = { "x509Certificate", "X509Certificate", "x509certificate" };
    const char *v = NULL;
    char *out;

    for (size_t i = 0; v == NULL && i < sizeof(names) / sizeof(names[0]); i++) {
        v = http_arg(c->req, names[i]);
    }
    if (v == NULL) {
        api_fail(c, 400, "MissingArgument",
                 "argument x509Certificate='…' is required ('' for the clear key)");
        return NULL;
    }
    if ((out = malloc(strlen(v) + 1)) == NULL || odata_unquote(v, out, strlen(v) + 1) != 0) {
        free(out);
        api_fail(c, 400, "InvalidArgument", "x509Certificate must be a quoted string");
        return NULL;
    }
    for (char *p = out; *p; p++) {
        *p = *p == ' ' ? '+' : *p;
    }
    return out;
}

/* The key for the caller: clear base64 for cert "", else RSA-OAEP for cert. */
static char *rebound_key(api_ctx_t *c, const char *cert, const uint8_t *key, size_t len)
{
    char *out = NULL;
    int rc;

    if (cert[0] == '\0') {
        return base64_encode_alloc(key, len);
    }
    rc = oaep_wrap_for_certificate(cert, key, len, &out);
    if (rc != KEY_OK) {
        api_fail(c, 400, "InvalidArgument", "x509Certificate must be the base64 DER of an X.509 "
                 "certificate with an RSA key large enough for the key (%s)", key_status_str(rc));
    }
    return out;
}

/* RebindContentKey?id='nb:kid:UUID:…'&x509Certificate='…': the content key
 * encrypted for the caller's certificate, or in the clear. */
static http_response_t *rebind_content_key(api_ctx_t *c)
{
    char id[ENTITY_ID_MAX], *cert = NULL, *value = NULL;
    uint8_t key[CONTENT_KEY_MAX];
    size_t len = 0;
    json_t *rec = NULL;
    http_response_t *r = NULL;

    if (function_arg(c, "id", id, sizeof(id)) == 0
        && entity_load(c, &entity_content_keys, id, &rec) == 0
        && (cert = certificate_arg(c)) != NULL
        && content_key_open(c, rec, key, sizeof(key), &len) == 0
        && (value = rebound_key(c, cert, key, len)) != NULL) {
        r = string_result(c, "RebindContentKey", value);
    }
    OPENSSL_cleanse(key, sizeof(key));
    if (value != NULL) {
        OPENSSL_cleanse(value, strlen(value));
    }
    free(value);
    free(cert);
    json_decref(rec);
    return r;
}

static const api_function_t functions[] = {
    { "CancelJob", "GET", true, cancel_job },
    { "CreateFileInfos", "GET", true, create_file_infos },
    { "GetProtectionKeyId", "GET", false, get_protection_key_id },
    { "GetProtectionKey", "GET", false, get_protection_key },
    { "RebindContentKey", "GET", false, rebind_content_key },
    { NULL, NULL, false, NULL },
};

const api_function_t *api_functions_all(void)
{
    return functions;
}

const api_function_t *api_function_find(const char *name)
{
    for (const api_function_t *f = functions; f->name != NULL; f++) {
        if (strcasecmp(f->name, name) == 0) {      /* any case, like entity sets */
            return f;
        }
    }
    return NULL;
}

http_response_t *api_service_document(api_ctx_t *c)
{
    json_t *sets = json_array();

    for (const entity_set_t *const *s = entity_sets_all(); *s != NULL; s++) {
        if (c->fmt == ODATA_VERBOSE) {
            json_array_append_new(sets, json_string((*s)->name));
        } else {
            json_array_append_new(sets, json_pack("{s:s,s:s}", "name", (*s)->name, "url", (*s)->name));
        }
    }
    if (c->fmt == ODATA_VERBOSE) {
        return odata_respond_json(c, 200, json_pack("{s:{s:o}}", "d", "EntitySets", sets));
    }
    return odata_respond_json(c, 200, json_pack("{s:s,s:o}", "odata.metadata",
                                                c->app->cfg.api_url, "value", sets));
}
