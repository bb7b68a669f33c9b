/*
 * ngx_http_mediaplane_cache.c — the metadata cache: parsed moov indexes (and
 * server manifests) in one shared-memory zone, shared by all workers, keyed
 * by file path + identity (inode, mtime, size) so a changed file is simply a
 * new key.  Least recently used entries are evicted when the zone is full;
 * entries in use by a request are pinned by a reference count and never
 * evicted under it.  Blobs are relocatable (offsets only), so the bytes are
 * used in place by every worker.  Indexes are parsed straight into the zone
 * by thread-pool tasks and published there, off the event loop.
 */
#include "ngx_http_mediaplane.h"

#define NGX_HTTP_MEDIAPLANE_EVICT_MAX 64

struct ngx_http_mediaplane_cache_node_s {
    ngx_str_node_t sn;                /* rbtree node + key */
    ngx_queue_t lru;
    ngx_atomic_t refs;
    size_t blob_size;
    u_char *blob;
};

typedef struct {
    ngx_rbtree_t rbtree;
    ngx_rbtree_node_t sentinel;
    ngx_queue_t lru;                  /* head = most recently used */
    ngx_atomic_t marked;              /* a segment was ever marked bad (a hint) */
} ngx_http_mediaplane_cache_sh_t;

/* Keys are long (a path and the file's identity) and hashed on every
 * request: MurmurHash2 costs a fraction of ngx_crc32_short's nibble loop
 * (which took 4% of a DASH segment request's CPU). */
static uint32_t
ngx_http_mediaplane_cache_hash(ngx_str_t *key)
{
    return ngx_murmur_hash2(key->data, key->len);
}

ngx_int_t
ngx_http_mediaplane_cache_init_zone(ngx_shm_zone_t *zone, void *data)
{
    ngx_slab_pool_t *shpool;
    ngx_http_mediaplane_cache_sh_t *sh;

    if (data) {
        zone->data = data;            /* reload: keep the existing cache */
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) zone->shm.addr;

    if (zone->shm.exists) {
        zone->data = shpool->data;
        return NGX_OK;
    }

    sh = ngx_slab_alloc(shpool, sizeof(ngx_http_mediaplane_cache_sh_t));
    if (sh == NULL) {
        return NGX_ERROR;
    }

    ngx_rbtree_init(&sh->rbtree, &sh->sentinel, ngx_str_rbtree_insert_value);
    ngx_queue_init(&sh->lru);
    sh->marked = 0;
    shpool->data = sh;
    zone->data = sh;
    shpool->log_nomem = 0;            /* a full zone is normal: we evict */

    return NGX_OK;
}

ngx_http_mediaplane_cache_node_t *
ngx_http_mediaplane_cache_acquire(ngx_shm_zone_t *zone, ngx_str_t *key, void **blob,
    size_t *size)
{
    ngx_slab_pool_t *shpool = (ngx_slab_pool_t *) zone->shm.addr;
    ngx_http_mediaplane_cache_sh_t *sh = zone->data;
    ngx_http_mediaplane_cache_node_t *node;

    ngx_shmtx_lock(&shpool->mutex);

    node = (ngx_http_mediaplane_cache_node_t *)
           ngx_str_rbtree_lookup(&sh->rbtree, key, ngx_http_mediaplane_cache_hash(key));

    if (node) {
        ngx_atomic_fetch_add(&node->refs, 1);
        ngx_queue_remove(&node->lru);
        ngx_queue_insert_head(&sh->lru, &node->lru);
        *blob = node->blob;
        *size = node->blob_size;
    }

    ngx_shmtx_unlock(&shpool->mutex);

    return node;
}

static void
ngx_http_mediaplane_cache_free_node(ngx_slab_pool_t *shpool,
    ngx_http_mediaplane_cache_sh_t *sh, ngx_http_mediaplane_cache_node_t *node)
{
    ngx_rbtree_delete(&sh->rbtree, &node->sn.node);
    ngx_queue_remove(&node->lru);
    ngx_slab_free_locked(shpool, node->blob);
    ngx_slab_free_locked(shpool, node);
}

/* Free unpinned entries from the cold end until n of them are gone. */
static ngx_uint_t
ngx_http_mediaplane_cache_evict(ngx_slab_pool_t *shpool, ngx_http_mediaplane_cache_sh_t *sh)
{
    ngx_uint_t freed = 0, seen = 0;
    ngx_queue_t *q, *prev;
    ngx_http_mediaplane_cache_node_t *node;

    for (q = ngx_queue_last(&sh->lru);
         q != ngx_queue_sentinel(&sh->lru) && seen < NGX_HTTP_MEDIAPLANE_EVICT_MAX;
         q = prev, seen++)
    {
        prev = ngx_queue_prev(q);
        node = ngx_queue_data(q, ngx_http_mediaplane_cache_node_t, lru);
        if (node->refs == 0) {
            ngx_http_mediaplane_cache_free_node(shpool, sh, node);
            if (++freed == 4) {
                break;
            }
        }
    }

    return freed;
}

static void *
ngx_http_mediaplane_cache_alloc(ngx_slab_pool_t *shpool, ngx_http_mediaplane_cache_sh_t *sh,
    size_t size)
{
    void *p;

    for ( ;; ) {
        p = ngx_slab_alloc_locked(shpool, size);
        if (p || ngx_http_mediaplane_cache_evict(shpool, sh) == 0) {
            return p;
        }
    }
}

void *
ngx_http_mediaplane_cache_alloc_blob(ngx_shm_zone_t *zone, size_t size)
{
    ngx_slab_pool_t *shpool = (ngx_slab_pool_t *) zone->shm.addr;
    void *p;

    ngx_shmtx_lock(&shpool->mutex);
    p = ngx_http_mediaplane_cache_alloc(shpool, zone->data, size);
    ngx_shmtx_unlock(&shpool->mutex);

    return p;
}

void
ngx_http_mediaplane_cache_free_blob(ngx_shm_zone_t *zone, void *blob)
{
    ngx_slab_pool_t *shpool = (ngx_slab_pool_t *) zone->shm.addr;

    ngx_shmtx_lock(&shpool->mutex);
    ngx_slab_free_locked(shpool, blob);
    ngx_shmtx_unlock(&shpool->mutex);
}

int
ngx_http_mediaplane_cache_owns(ngx_shm_zone_t *zone, void *p)
{
    return (u_char *) p >= zone->shm.addr && (u_char *) p < zone->shm.addr + zone->shm.size;
}

/* Publish a blob already allocated in the zone (the cache owns it from now
 * on).  Safe to call from a thread-pool thread: only the zone's mutex is
 * used.  If another worker published the same key meanwhile, ours is freed
 * and theirs returned.  The node comes back pinned (release it when done). */
ngx_http_mediaplane_cache_node_t *
ngx_http_mediaplane_cache_publish(ngx_shm_zone_t *zone, ngx_str_t *key, void *blob, size_t size,
    void **stored)
{
    uint32_t hash = ngx_http_mediaplane_cache_hash(key);
    ngx_slab_pool_t *shpool = (ngx_slab_pool_t *) zone->shm.addr;
    ngx_http_mediaplane_cache_sh_t *sh = zone->data;
    ngx_http_mediaplane_cache_node_t *node;

    ngx_shmtx_lock(&shpool->mutex);

    node = (ngx_http_mediaplane_cache_node_t *) ngx_str_rbtree_lookup(&sh->rbtree, key, hash);

    if (node) {
        ngx_slab_free_locked(shpool, blob);

    } else {
        node = ngx_http_mediaplane_cache_alloc(shpool, sh, sizeof(*node) + key->len);
        if (node == NULL) {
            ngx_slab_free_locked(shpool, blob);
            ngx_shmtx_unlock(&shpool->mutex);
            return NULL;
        }
        node->blob = blob;
        node->blob_size = size;
        node->refs = 0;
        node->sn.str.data = (u_char *) (node + 1);
        node->sn.str.len = key->len;
        ngx_memcpy(node->sn.str.data, key->data, key->len);
        node->sn.node.key = hash;
        ngx_rbtree_insert(&sh->rbtree, &node->sn.node);
        ngx_queue_insert_head(&sh->lru, &node->lru);
    }

    ngx_atomic_fetch_add(&node->refs, 1);
    *stored = node->blob;

    ngx_shmtx_unlock(&shpool->mutex);
    return node;
}

/* Copy a blob into the zone and publish it; the copy runs outside the lock. */
ngx_http_mediaplane_cache_node_t *
ngx_http_mediaplane_cache_insert(ngx_shm_zone_t *zone, ngx_str_t *key, const void *blob,
    size_t size, void **stored)
{
    void *copy = ngx_http_mediaplane_cache_alloc_blob(zone, size);

    if (copy == NULL) {
        return NULL;
    }
    ngx_memcpy(copy, blob, size);
    return ngx_http_mediaplane_cache_publish(zone, key, copy, size, stored);
}

void
ngx_http_mediaplane_cache_release(ngx_http_mediaplane_cache_node_t *node)
{
    ngx_atomic_fetch_add(&node->refs, (ngx_atomic_int_t) -1);
}

static void
ngx_http_mediaplane_cache_unpin(void *data)
{
    ngx_http_mediaplane_cache_release(data);
}

ngx_int_t
ngx_http_mediaplane_cache_pin(ngx_http_request_t *r, ngx_http_mediaplane_cache_node_t *node)
{
    ngx_pool_cleanup_t *cln = ngx_pool_cleanup_add(r->pool, 0);

    if (cln == NULL) {
        ngx_http_mediaplane_cache_release(node);
        return NGX_ERROR;
    }
    cln->handler = ngx_http_mediaplane_cache_unpin;
    cln->data = node;
    return NGX_OK;
}

/* Whether any entry was ever inserted with ngx_http_mediaplane_cache_mark:
 * read without the lock, so that requests skip a lookup that cannot hit. */
void
ngx_http_mediaplane_cache_mark(ngx_shm_zone_t *zone)
{
    ngx_http_mediaplane_cache_sh_t *sh = zone->data;

    sh->marked = 1;
}

ngx_int_t
ngx_http_mediaplane_cache_any_marked(ngx_shm_zone_t *zone)
{
    ngx_http_mediaplane_cache_sh_t *sh = zone->data;

    return sh->marked != 0;
}
