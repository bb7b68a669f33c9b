/*
 * access_checks.c — the IP allow list and cross-site policy checks that
 * StreamingEndpoints and Channels share (access_checks.h), and the match of
 * a client address against a channel's allow list.
 */
#include "entities/access_checks.h"
#include "entities/entity_service.h"
#include "catalog/catalog_endpoint.h"
#include "jobs/job_xml.h"

#include <arpa/inet.h>
#include <libxml/parser.h>
#include <string.h>

static int check_ip_entry(api_ctx_t *c, json_t *entry, size_t i, const char *what)
{
    json_t *prefix = json_object_get(entry, "SubnetPrefixLength");
    const char *addr = entity_str(entry, "Address");
    catalog_ip_range_t range;
    long long bits = -1;

    if (!json_is_object(entry) || addr == NULL) {
        return api_fail(c, 400, "InvalidValue", "%s.IP.Allow[%zu] needs an Address", what, i);
    }
    if (prefix != NULL && !json_is_null(prefix)) {
        bits = json_is_integer(prefix) ? json_integer_value(prefix) : 999;
    }
    if (bits > 128 || catalog_ip_range_parse(addr, (int) bits, &range) != 0) {
        return api_fail(c, 400, "InvalidValue",
                        "%s.IP.Allow[%zu]: '%s' with SubnetPrefixLength is not an "
                        "IPv4 or IPv6 range", what, i, addr);
    }
    return 0;
}

int ip_allow_check(api_ctx_t *c, json_t *ac, const char *what)
{
    json_t *ip, *allow, *entry;
    size_t i;

    if (ac == NULL || json_is_null(ac)) {
        return 0;
    }
    if (!json_is_object(ac)) {
        return api_fail(c, 400, "InvalidValue", "%s must be an object", what);
    }
    ip = json_object_get(ac, "IP");
    allow = json_object_get(ip, "Allow");
    if (json_is_object(allow) && json_is_array(json_object_get(allow, "results"))) {
        json_object_set(ip, "Allow", json_object_get(allow, "results"));   /* verbose form */
        allow = json_object_get(ip, "Allow");
    }
    if (allow != NULL && !json_is_null(allow) && !json_is_array(allow)) {
        return api_fail(c, 400, "InvalidValue", "%s.IP.Allow must be a list", what);
    }
    if (json_array_size(allow) > CATALOG_EP_MAX_IP) {
        return api_fail(c, 400, "InvalidValue", "at most %d IP allow entries", CATALOG_EP_MAX_IP);
    }
    json_array_foreach(allow, i, entry) {
        if (check_ip_entry(c, entry, i, what) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Well-formed XML, nothing loaded from the network, no internal DTD subset
 * (a DOCTYPE naming the public cross-domain DTD is fine: it is not read). */
static int check_policy(api_ctx_t *c, const json_t *policies, const char *name)
{
    json_t *v = json_object_get(policies, name);
    xmlDocPtr doc;
    bool ok;

    if (v == NULL || json_is_null(v)) {
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0
        || json_string_length(v) > CATALOG_EP_POLICY_MAX) {
        return api_fail(c, 400, "InvalidValue", "CrossSiteAccessPolicies.%s must be XML text of "
                        "at most %d bytes", name, CATALOG_EP_POLICY_MAX);
    }
    job_xml_init();
    doc = xmlReadMemory(json_string_value(v), (int) json_string_length(v), NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    ok = doc != NULL && xmlDocGetRootElement(doc) != NULL
         && (doc->intSubset == NULL || doc->intSubset->children == NULL);
    xmlFreeDoc(doc);
    return ok ? 0 : api_fail(c, 400, "InvalidValue",
                             "CrossSiteAccessPolicies.%s is not a well-formed XML document", name);
}

int cross_site_policies_check(api_ctx_t *c, const json_t *p)
{
    if (p == NULL || json_is_null(p)) {
        return 0;
    }
    if (check_policy(c, p, "ClientAccessPolicy") != 0 || check_policy(c, p, "CrossDomainPolicy") != 0) {
        return -1;
    }
    return 0;
}

bool ip_allow_permits(const json_t *ac, const char *addr)
{
    json_t *allow = json_object_get(json_object_get(ac, "IP"), "Allow"), *entry;
    catalog_endpoint_t list;
    uint8_t bytes[16];
    int family;
    size_t i;

    if (ac == NULL || json_is_null(ac) || json_object_get(ac, "IP") == NULL
        || json_is_null(json_object_get(ac, "IP")) || allow == NULL || json_is_null(allow)) {
        return true;
    }
    if (json_array_size(allow) == 0) {
        return false;                      /* AMS: an empty list lets nobody in */
    }
    family = inet_pton(AF_INET, addr, bytes) == 1 ? 4 : inet_pton(AF_INET6, addr, bytes) == 1 ? 6 : 0;
    if (family == 0) {
        return false;
    }
    memset(&list, 0, sizeof(list));
    json_array_foreach(allow, i, entry) {
        json_t *prefix = json_object_get(entry, "SubnetPrefixLength");
        const char *a = entity_str(entry, "Address");
        int bits = json_is_integer(prefix) ? (int) json_integer_value(prefix) : -1;
        if (list.ip_count < CATALOG_EP_MAX_IP && a != NULL
            && catalog_ip_range_parse(a, bits, &list.ip[list.ip_count]) == 0) {
            list.ip_count++;
        }
    }
    return list.ip_count > 0 && catalog_endpoint_ip_allowed(&list, family, bytes);
}
