/*
 * arm_lro.h — v3 long-running operations over v2 Operations, shared by
 * streaming endpoints, live events and live outputs: the 202/201 answer
 * carrying Azure-AsyncOperation ({account}/{ops}/{guid}) and Location
 * ({resource}/operationLocations/{guid}), the status document and the
 * Location poll (202 while running, then 200 + the resource).
 */
#ifndef ARM_LRO_H
#define ARM_LRO_H

#include "arm/arm_router.h"

/* status (201/202) + the two polling URLs of the operation the request began
 * (r->c.operation_id); ops is "liveEventOperations" etc., resource_path the
 * resource's path below the account ("liveEvents/{name}"). */
http_response_t *arm_lro_accepted(arm_req_t *r, int status, const char *ops,
                                  const char *resource_path);
/* The v2 Operation of a v3 operation id (a GUID), or NULL. */
json_t *arm_lro_operation(arm_req_t *r, const char *guid);
/* GET {ops}/{guid}: {"name","status":InProgress|Succeeded|Failed,"error"?}. */
http_response_t *arm_lro_status_handle(arm_req_t *r);
/* GET {resource}/operationLocations/{guid} of the record rec (v2 id in
 * "Id"): 202 while running, 200 + render(rec) once done, the error if failed. */
http_response_t *arm_lro_location(arm_req_t *r, const char *guid, const json_t *rec,
                                  json_t *(*render)(arm_req_t *r, const json_t *rec));

#endif
