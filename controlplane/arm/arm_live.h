/*
 * arm_live.h — v3 live events and live outputs: two views of one catalog
 * with v2.  A liveEvent IS a v2 Channel (its v3 name the Channel's Name), a
 * liveOutput IS a v2 Program of that channel (its name the Program's Name)
 * whose archive asset is the v3 assetName.  v3-only properties are kept in
 * the record's private "_v3" member.
 */
#ifndef ARM_LIVE_H
#define ARM_LIVE_H

#include "arm/arm_router.h"

#define ARM_LIVE_EVENT_TYPE  "Microsoft.Media/mediaservices/liveEvents"
#define ARM_LIVE_OUTPUT_TYPE "Microsoft.Media/mediaservices/liveEvents/liveOutputs"

/* liveEvents/{le}/liveOutputs… (arm_live_outputs.c); channel is the live
 * event's record. */
http_response_t *arm_live_outputs_handle(arm_req_t *r, json_t *channel);
/* Stop (then delete) every live output of the channel: removeOutputsOnStop. */
int arm_live_outputs_remove_all(arm_req_t *r, const json_t *channel);
/* How many live outputs (programs) the channel has. */
int arm_live_outputs_count(arm_req_t *r, const json_t *channel);

#endif
