/*
 * plan_fixture.h — the encoder unit tests' common fixture: a preset JSON
 * parsed and planned against one 10 s 1280x720 16:9 source with video and
 * audio in /in/a.mp4 (header-only; include after cmocka.h, enc_config.h and
 * enc_plan.h).  The plan is static: valid until the next call.
 */
#ifndef PLAN_FIXTURE_H
#define PLAN_FIXTURE_H

#include <stdio.h>
#include <string.h>

static inline enc_plan_t *plan_for_720p(const char *json, double fps)
{
    static enc_preset_t p;
    static enc_plan_t plan;
    static enc_sources_t s;
    char err[ENC_ERR_LEN];
    memset(&s, 0, sizeof(s));
    snprintf(s.video.path, sizeof(s.video.path), "/in/a.mp4");
    s.video.has_video = s.video.has_audio = 1;
    s.video.audio_index = 1;
    s.video.width = 1280;
    s.video.height = 720;
    s.video.display_aspect = 16.0 / 9;
    s.video.fps = fps;
    s.video.duration = 10;
    s.audio = s.video;
    s.video_found = s.audio_found = 1;
    if (enc_config_parse(json, strlen(json), &p, err, sizeof(err)) != 0) {
        fail_msg("rejected: %s", err);
    }
    assert_int_equal(enc_plan_build(&p, &s, NULL, &plan, err, sizeof(err)), ENC_PLAN_OK);
    return &plan;
}

#endif
