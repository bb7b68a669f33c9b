/*
 * entity_task_templates.c — TaskTemplates: the processor, configuration and
 * asset counts of one task of a job template.  Their ids are chosen by the
 * client (nb:ttid:UUID:…, referenced from the JobTemplateBody); they are
 * created inline with their JobTemplate (entity_job_templates.c) and go
 * with it.  Private member: _JobTemplateId.
 */
#include "entities/entity_service.h"
#include "entities/entity_sets.h"

static const entity_prop_t tt_props[] = {
    { "Id", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { "Configuration", EDM_STRING, P_ONCE | P_NULLABLE, 100000, NULL, NULL },
    { "MediaProcessorId", EDM_STRING, P_REQUIRED | P_ONCE, 256, NULL, NULL },
    { "Name", EDM_STRING, P_ONCE | P_NULLABLE, 4000, NULL, NULL },
    { "NumberofInputAssets", EDM_INT32, P_ONCE, 0, "1", NULL },
    { "NumberofOutputAssets", EDM_INT32, P_ONCE, 0, "1", NULL },
    { "Options", EDM_INT32, P_ONCE, 0, "0", NULL },
    { "EncryptionKeyId", EDM_STRING, P_ONCE | P_NULLABLE, 256, NULL, NULL },
    { "EncryptionScheme", EDM_STRING, P_ONCE | P_NULLABLE, 64, NULL, NULL },
    { "EncryptionVersion", EDM_STRING, P_ONCE | P_NULLABLE, 64, NULL, NULL },
    { "InitializationVector", EDM_STRING, P_ONCE | P_NULLABLE, 64, NULL, NULL },
    { "TaskTemplateBody", EDM_STRING, P_SERVER, 0, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL },
};

static const entity_nav_t tt_navs[] = {
    { NULL, NULL, 0, NULL, false, NULL },
};

const entity_set_t entity_task_templates = {
    .name = "TaskTemplates",
    .type_name = AMS_TYPE("TaskTemplate"),
    .id_prefix = "nb:ttid:UUID:",
    .flags = ES_SERVER_MADE | ES_NO_UPDATE | ES_CLIENT_ID,
    .props = tt_props,
    .navs = tt_navs,
};
