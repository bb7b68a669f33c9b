/*
 * arm_policies.c — v3 streaming policies (arm_policies.h):
 *   GET streamingPolicies            the predefined clear policies
 *   GET streamingPolicies/{name}     one (404 for others)
 *   PUT/DELETE                       400: custom policies are not served yet
 * The origin serves every protocol (and downloads) of a published asset
 * whatever the policy: the policy decides the paths listPaths answers.
 */
#include "arm/arm_error.h"
#include "arm/arm_policies.h"
#include "arm/arm_router.h"

#include <string.h>
#include <strings.h>

#define POLICY_TYPE "Microsoft.Media/mediaservices/streamingPolicies"

static const arm_policy_t policies[] = {
    { "Predefined_ClearStreamingOnly", true, false, false },
    { "Predefined_DownloadAndClearStreaming", true, true, false },
    { "Predefined_DownloadOnly", false, true, false },
    { "Predefined_ClearKey", true, false, true },
};

const arm_policy_t *arm_policy_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(policies) / sizeof(policies[0]); i++) {
        if (strcasecmp(policies[i].name, name) == 0) {
            return &policies[i];
        }
    }
    return NULL;
}

static json_t *policy_json(arm_req_t *r, const arm_policy_t *p)
{
    json_t *protocols = json_pack("{s:{s:b},s:{s:b},s:{s:b},s:{s:b}}", "hls", "enabled",
                                  p->streaming, "dash", "enabled", p->streaming,
                                  "smoothStreaming", "enabled", p->streaming, "download",
                                  "enabled", p->download);
    json_t *props = json_pack("{s:s,s:{s:o}}", "created", "2018-01-01T00:00:00Z",
                              p->envelope ? "envelopeEncryption" : "noEncryption",
                              "enabledProtocols", protocols);
    return arm_resource(r, "streamingPolicies", POLICY_TYPE, p->name, props);
}

http_response_t *arm_policies_handle(arm_req_t *r)
{
    const arm_policy_t *p;
    json_t *value;

    if (strcmp(r->method, "GET") != 0 || r->path.nseg > 2) {
        return arm_error(400, "NotSupported", "custom streaming policies are not served yet: "
                         "use Predefined_ClearStreamingOnly, Predefined_DownloadAndClearStreaming, "
                         "Predefined_DownloadOnly or Predefined_ClearKey");
    }
    if (r->path.nseg == 1) {
        value = json_array();
        for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
            json_array_append_new(value, policy_json(r, &policies[i]));
        }
        return arm_json(200, json_pack("{s:o}", "value", value));
    }
    p = arm_policy_find(r->path.seg[1]);
    return p != NULL ? arm_json(200, policy_json(r, p))
                     : arm_error(404, "ResourceNotFound", "the streaming policy '%s' was not "
                                 "found", r->path.seg[1]);
}
