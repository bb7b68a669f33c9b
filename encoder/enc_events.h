/*
 * enc_events.h — the encoder's stdout line protocol for the daemon's
 * scheduler: "progress <0..100>" (monotonic, at least every second while
 * working), "output <file>", "perf <text>", "error <Code> <message>".
 * Every line is flushed at once.
 */
#ifndef ENC_EVENTS_H
#define ENC_EVENTS_H

/* Report progress; values below the last one are raised to it.  Printed when
 * it changed or 0.5 s passed since the last line (force: always). */
void enc_event_progress(double percent, int force);
void enc_event_output(const char *file);
void enc_event_perf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Exactly one per run; newlines in the message are replaced by spaces. */
void enc_event_error(const char *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
