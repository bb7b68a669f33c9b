/*
 * enc_ismc.c — the .ismc Smooth client manifest, produced by the origin's
 * packager (libmpcore) from the .ism and the MP4s just written: the same
 * bytes the origin serves for {name}.ism/Manifest.
 */
#include "enc_manifest.h"

#include "mp4/mp4_parse.h"
#include "mp_file_reader.h"
#include "package/mp_package.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    ism_t ism;
    mp_file_list_t files;
    const mp_index_t *ix[ISM_MAX_ENTRIES];
    mp_presentation_t pres;
} ismc_job_t;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc(1 << 20) : NULL;
    *len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    return buf;
}

static int index_files(ismc_job_t *j, const char *dir, char *err, size_t err_len)
{
    for (uint32_t i = 0; i < j->files.count; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, j->files.names[i]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) != 0) {
            snprintf(err, err_len, "cannot open %s", j->files.names[i]);
            if (fd >= 0) {
                close(fd);
            }
            return -1;
        }
        mp_source_t r = mp_file_reader(fd);
        j->ix[i] = mp4_index_file(&r, (uint64_t) st.st_size, 0, err, err_len);
        close(fd);
        if (j->ix[i] == NULL) {
            return -1;
        }
    }
    return 0;
}

static int package_manifest(ismc_job_t *j, const enc_plan_t *p, mp_response_t *res, char *err,
                            size_t err_len)
{
    static const mp_package_conf_t conf = { 60000000, 20000000 };
    char uri[600];
    mp_request_t req;
    snprintf(uri, sizeof(uri), "/%s/Manifest", p->ism_file);
    if (mp_url_parse(uri, strlen(uri), &req, err, err_len) != MP_OK
        || mp_presentation_build(&j->pres, &j->ism, &j->files, j->ix, err, err_len) != MP_OK) {
        return -1;
    }
    return mp_package(&req, &j->pres, &conf, res, err, err_len) == MP_OK ? 0 : -1;
}

static int save(const char *dir, const char *name, const mp_wr_t *w, char *err, size_t err_len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(w->p, 1, w->pos, f) == w->pos;
    ok = (f != NULL && fclose(f) == 0) && ok;
    if (!ok) {
        snprintf(err, err_len, "cannot write %s", name);
    }
    return ok ? 0 : -1;
}

int enc_write_ismc(const enc_plan_t *p, const char *dir, char *err, size_t err_len)
{
    ismc_job_t *j = calloc(1, sizeof(*j));
    char path[4096];
    size_t len = 0;
    snprintf(path, sizeof(path), "%s/%s", dir, p->ism_file);
    char *xml = j ? read_file(path, &len) : NULL;
    int rc = -1;
    if (xml != NULL && ism_parse(xml, len, &j->ism, err, err_len) == MP_OK) {
        mp_asset_files(&j->ism, &j->files);
        mp_response_t res;
        if (index_files(j, dir, err, err_len) == 0
            && package_manifest(j, p, &res, err, err_len) == 0) {
            rc = save(dir, p->ismc_file, &res.head, err, err_len);
            mp_response_free(&res);
        }
    } else if (xml == NULL) {
        snprintf(err, err_len, "cannot read %s", p->ism_file);
    }
    for (uint32_t i = 0; j != NULL && i < j->files.count; i++) {
        free((void *) j->ix[i]);
    }
    free(xml);
    free(j);
    return rc;
}
