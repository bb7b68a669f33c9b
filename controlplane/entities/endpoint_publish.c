/*
 * endpoint_publish.c — keeps the catalog's endpoints database
 * (catalog_schema.h, catalog_endpoint.h) in step with StreamingEndpoints:
 * the record the origin reads per request (state, IP allow list,
 * Cache-Control max-age, cross-site policies), stored under each host name
 * of the endpoint and, for the default endpoint, under the default key.
 * Written in the same transaction as the API change.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"
#include "catalog/catalog_endpoint.h"
#include "catalog/catalog_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[CATALOG_EP_STATE_COUNT] = {
    "Stopped", "Starting", "Running", "Stopping", "Deleting", "Scaling",
};

static uint8_t state_of(const char *name)
{
    for (uint8_t i = 0; i < CATALOG_EP_STATE_COUNT; i++) {
        if (name != NULL && strcmp(name, state_names[i]) == 0) {
            return i;
        }
    }
    return CATALOG_EP_STOPPED;
}

static void add_host_key(json_t *keys, const char *host)
{
    char key[CATALOG_HOST_KEY_MAX + 1];

    if (host != NULL && catalog_host_key(host, strlen(host), key, sizeof(key)) > 0) {
        json_array_append_new(keys, json_string(key));
    }
}

json_t *endpoint_host_keys(const json_t *rec)
{
    json_t *keys = json_array(), *v;
    size_t i;

    add_host_key(keys, entity_str(rec, "HostName"));
    json_array_foreach(json_object_get(rec, "CustomHostNames"), i, v) {
        add_host_key(keys, json_string_value(v));
    }
    return keys;
}

static void fill_ip_list(const json_t *rec, catalog_endpoint_t *e)
{
    json_t *allow = json_object_get(json_object_get(json_object_get(rec, "AccessControl"), "IP"),
                                    "Allow");
    json_t *entry;
    size_t i;

    json_array_foreach(allow, i, entry) {
        json_t *prefix = json_object_get(entry, "SubnetPrefixLength");
        int bits = json_is_integer(prefix) ? (int) json_integer_value(prefix) : -1;
        const char *addr = entity_str(entry, "Address");
        if (e->ip_count < CATALOG_EP_MAX_IP && addr != NULL
            && catalog_ip_range_parse(addr, bits, &e->ip[e->ip_count]) == 0) {
            e->ip_count++;
        }
    }
}

static void fill_policy(const json_t *policies, const char *name, const char **doc, size_t *len)
{
    json_t *v = json_object_get(policies, name);

    *doc = json_is_string(v) ? json_string_value(v) : NULL;
    *len = json_is_string(v) ? json_string_length(v) : 0;
}

/* The binary record of an endpoint's JSON (validated by the set's hooks). */
static void endpoint_record(const json_t *rec, catalog_endpoint_t *e)
{
    const json_t *policies = json_object_get(rec, "CrossSiteAccessPolicies");
    const char *max_age = entity_str(json_object_get(rec, "CacheControl"), "MaxAge");

    memset(e, 0, sizeof(*e));
    e->state = state_of(entity_str(rec, "State"));
    e->max_age = max_age != NULL ? strtoll(max_age, NULL, 10) : -1;
    snprintf(e->name, sizeof(e->name), "%s", entity_str(rec, "Name") ? entity_str(rec, "Name") : "");
    fill_ip_list(rec, e);
    fill_policy(policies, "ClientAccessPolicy", &e->client_access_policy,
                &e->client_access_policy_len);
    fill_policy(policies, "CrossDomainPolicy", &e->cross_domain_policy,
                &e->cross_domain_policy_len);
}

static int delete_keys(api_ctx_t *c, json_t *keys)
{
    json_t *k;
    size_t i;

    json_array_foreach(keys, i, k) {
        int rc = catalog_raw_del(&c->txn, CATALOG_DB_ENDPOINTS, json_string_value(k),
                                 json_string_length(k));
        if (rc != 0 && rc != MDB_NOTFOUND) {
            return api_fail(c, 500, "InternalError", "endpoint record: %s", mdb_strerror(rc));
        }
    }
    return 0;
}

static int put_keys(api_ctx_t *c, json_t *keys, const uint8_t *buf, size_t len)
{
    json_t *k;
    size_t i;

    json_array_foreach(keys, i, k) {
        int rc = catalog_raw_put(&c->txn, CATALOG_DB_ENDPOINTS, json_string_value(k),
                                 json_string_length(k), buf, len);
        if (rc != 0) {
            return api_fail(c, 500, "InternalError", "endpoint record: %s", mdb_strerror(rc));
        }
    }
    return 0;
}

int endpoint_publish(api_ctx_t *c, const json_t *rec, const json_t *old)
{
    json_t *keys = endpoint_host_keys(rec), *old_keys = old ? endpoint_host_keys(old) : NULL;
    uint8_t *buf = malloc(CATALOG_EP_MAX_SIZE);
    catalog_endpoint_t e;
    size_t len = 0;
    int rc = -1;

    if (json_is_true(json_object_get(rec, "_default"))) {
        json_array_append_new(keys, json_string(CATALOG_EP_DEFAULT_KEY));
    }
    endpoint_record(rec, &e);
    if (buf != NULL) {
        len = catalog_endpoint_encode(&e, buf, CATALOG_EP_MAX_SIZE);
    }
    if (len == 0) {
        api_fail(c, 500, "InternalError", "cannot encode the endpoint record");
    } else if ((old_keys == NULL || delete_keys(c, old_keys) == 0)
               && put_keys(c, keys, buf, len) == 0) {
        rc = 0;
    }
    free(buf);
    json_decref(keys);
    json_decref(old_keys);
    return rc;
}

int endpoint_unpublish(api_ctx_t *c, const json_t *rec)
{
    json_t *keys = endpoint_host_keys(rec);
    int rc = delete_keys(c, keys);

    json_decref(keys);
    return rc;
}
