/*
 * entity_tasks.c — Tasks: one processing step of a job.  Clients create
 * them only inline with their job (job_create.c) and read them afterwards;
 * the scheduler (sched/) updates their state, progress and history.
 * Private members: _JobId (owner), _Position (index in the job),
 * _InputAssetIds / _OutputAssetIds (ordered, as the TaskBody names them),
 * _DependsOn (positions of the tasks whose outputs it reads).
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

static const entity_prop_t task_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Configuration", EDM_STRING, P_ONCE | P_NULLABLE, 100000, NULL, NULL },
    { "EndTime", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "ErrorDetails", EDM_COLLECTION, P_SERVER, 0, "[]", AMS_TYPE("ErrorDetail") },
    { "HistoricalEvents", EDM_COLLECTION, P_SERVER, 0, "[]", AMS_TYPE("TaskHistoricalEvent") },
    { "MediaProcessorId", EDM_STRING, P_REQUIRED | P_ONCE, 256, NULL, NULL },
    { "Name", EDM_STRING, P_ONCE | P_NULLABLE, 4000, NULL, NULL },
    { "PerfMessage", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Priority", EDM_INT32, P_ONCE, 0, "0", NULL },
    { "Progress", EDM_DOUBLE, P_SERVER, 0, "0.0", NULL },
    { "RunningDuration", EDM_DOUBLE, P_SERVER, 0, "0.0", NULL },
    { "StartTime", EDM_DATETIME, P_SERVER, 0, NULL, NULL },
    { "State", EDM_INT32, P_SERVER, 0, "0", NULL },
    { "TaskBody", EDM_STRING, P_REQUIRED | P_ONCE, 100000, NULL, NULL },
    { "Options", EDM_INT32, P_ONCE, 0, "0", NULL },
    { "EncryptionKeyId", EDM_STRING, P_ONCE | P_NULLABLE, 256, NULL, NULL },
    { "EncryptionScheme", EDM_STRING, P_ONCE | P_NULLABLE, 64, NULL, NULL },
    { "EncryptionVersion", EDM_STRING, P_ONCE | P_NULLABLE, 64, NULL, NULL },
    { "InitializationVector", EDM_STRING, P_ONCE | P_NULLABLE, 64, NULL, NULL },
    { "TaskNotificationSubscriptions", EDM_COLLECTION, P_ONCE, 0, "[]",
      AMS_TYPE("TaskNotificationSubscription") },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t task_navs[] = {
    { "InputMediaAssets", "Assets", NAV_LINKS, NULL, false, "_InputAssetIds" },
    { "OutputMediaAssets", "Assets", NAV_LINKS, NULL, false, "_OutputAssetIds" },
    { NULL, NULL, 0, NULL, false, NULL },
};

const entity_set_t entity_tasks = {
    .name = "Tasks",
    .type_name = AMS_TYPE("Task"),
    .id_prefix = "nb:tid:UUID:",
    .flags = ES_SERVER_MADE | ES_NO_UPDATE,
    .props = task_props,
    .navs = task_navs,
};
