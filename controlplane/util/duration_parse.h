/*
 * duration_parse.h — the durations API clients send for Edm.Time values
 * (Channel Input.KeyFrameInterval, Program ArchiveWindowLength): an
 * xs:duration as OData v3 JSON carries a .NET TimeSpan ("PT2S", "PT1H30M",
 * "P1DT1H", "PT0.5S"), or the TimeSpan text "[d.]hh:mm:ss[.fff]".
 */
#ifndef DURATION_PARSE_H
#define DURATION_PARSE_H

/* 0 and the duration in seconds, or -1 when text is none of the forms
 * (negative durations, years and months are refused). */
int duration_parse(const char *text, double *seconds);

#endif
