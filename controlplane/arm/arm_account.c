/*
 * arm_account.c — the Media Services account resource (GET only): this
 * installation is one account, named account_name, with one storage account
 * of the same name.
 */
#include "arm/arm_error.h"
#include "arm/arm_router.h"

#include <stdio.h>
#include <string.h>

http_response_t *arm_account_handle(arm_req_t *r)
{
    json_t *props, *account;
    char storage_id[ARM_ID_MAX + 128];

    if (strcmp(r->method, "GET") != 0) {
        return arm_error(405, "MethodNotAllowed", "the account is configured in mediaplaned.conf "
                         "(account_name), not through the API");
    }
    snprintf(storage_id, sizeof(storage_id), "/subscriptions/%s/resourceGroups/%s/providers/"
             "Microsoft.Storage/storageAccounts/%s", r->path.subscription, r->path.group,
             r->c.app->cfg.account_name);
    props = json_pack("{s:s,s:[{s:s,s:s}],s:s,s:s}", "mediaServiceId",
                      "00000000-0000-0000-0000-000000000000", "storageAccounts", "id", storage_id,
                      "type", "Primary", "storageAuthentication", "System", "provisioningState",
                      "Succeeded");
    account = json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", r->account_id, "name",
                        r->c.app->cfg.account_name, "type", "Microsoft.Media/mediaservices",
                        "location", "local", "properties", props);
    return arm_json(200, account);
}
