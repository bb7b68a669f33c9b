/*
 * arm_locators.c — v3 streaming locators (placeholder until the locator
 * slice lands): listStreamingLocators of an asset answers an empty list.
 */
#include "arm/arm_error.h"
#include "arm/arm_router.h"

http_response_t *arm_asset_locators(arm_req_t *r, const json_t *asset)
{
    (void) r;
    (void) asset;
    return arm_json(200, json_pack("{s:[]}", "streamingLocators"));
}
