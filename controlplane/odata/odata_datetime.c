/*
 * odata_datetime.c — strict ISO-8601 parsing to 100-ns ticks since the Unix
 * epoch and back to UTC calendar fields (civil-date arithmetic after
 * H. Hinnant's days_from_civil / civil_from_days).
 */
#include "odata/odata_datetime.h"

typedef struct {
    const char *s;
    size_t len;
    size_t pos;
} cursor_t;

static bool take_digits(cursor_t *c, int count, int *value)
{
    int v = 0;
    if (c->len - c->pos < (size_t) count) {
        return false;
    }
    for (int i = 0; i < count; i++) {
        char ch = c->s[c->pos + i];
        if (ch < '0' || ch > '9') {
            return false;
        }
        v = v * 10 + (ch - '0');
    }
    c->pos += count;
    *value = v;
    return true;
}

static bool take_char(cursor_t *c, char want)
{
    if (c->pos < c->len && c->s[c->pos] == want) {
        c->pos++;
        return true;
    }
    return false;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool parse_date(cursor_t *c, int *y, int *m, int *d)
{
    if (!take_digits(c, 4, y) || !take_char(c, '-') || !take_digits(c, 2, m) ||
        !take_char(c, '-') || !take_digits(c, 2, d)) {
        return false;
    }
    return *y >= 1 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= days_in_month(*y, *m);
}

/* ".fffffff…" -> 100-ns units (digits beyond the seventh are ignored). */
static bool parse_fraction(cursor_t *c, int64_t *ticks)
{
    int64_t scale = ODATA_TICKS_PER_SECOND / 10;
    size_t start = c->pos;
    *ticks = 0;
    while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
        *ticks += (c->s[c->pos] - '0') * scale;
        scale /= 10;
        c->pos++;
    }
    return c->pos > start;
}

/* "THH:MM[:SS[.f]]" -> ticks within the day. */
static bool parse_time(cursor_t *c, int64_t *ticks)
{
    int h, mi, s = 0;
    int64_t fraction = 0;
    if (!take_digits(c, 2, &h) || !take_char(c, ':') || !take_digits(c, 2, &mi)) {
        return false;
    }
    if (take_char(c, ':')) {
        if (!take_digits(c, 2, &s)) {
            return false;
        }
        if (take_char(c, '.') && !parse_fraction(c, &fraction)) {
            return false;
        }
    }
    if (h > 23 || mi > 59 || s > 59) {
        return false;
    }
    *ticks = ((int64_t) h * 3600 + mi * 60 + s) * ODATA_TICKS_PER_SECOND + fraction;
    return true;
}

/* "Z", "+HH:MM", "-HH:MM" or nothing -> offset east of UTC in ticks. */
static bool parse_zone(cursor_t *c, int64_t *offset)
{
    int sign, h, m;
    *offset = 0;
    if (c->pos == c->len || take_char(c, 'Z')) {
        return true;
    }
    if (take_char(c, '+')) {
        sign = 1;
    } else if (take_char(c, '-')) {
        sign = -1;
    } else {
        return false;
    }
    if (!take_digits(c, 2, &h) || !take_char(c, ':') || !take_digits(c, 2, &m) || h > 23 || m > 59) {
        return false;
    }
    *offset = sign * ((int64_t) h * 3600 + m * 60) * ODATA_TICKS_PER_SECOND;
    return true;
}

bool odata_datetime_parse(const char *s, size_t len, int64_t *ticks)
{
    cursor_t c = { s, len, 0 };
    int y, m, d;
    int64_t time_of_day = 0, offset = 0;
    if (!parse_date(&c, &y, &m, &d)) {
        return false;
    }
    if (take_char(&c, 'T') && (!parse_time(&c, &time_of_day) || !parse_zone(&c, &offset))) {
        return false;
    }
    if (c.pos != c.len) {
        return false;
    }
    *ticks = days_from_civil(y, m, d) * 86400 * ODATA_TICKS_PER_SECOND + time_of_day - offset;
    return true;
}

/* Proleptic Gregorian date of a day count since 1970-01-01. */
static void civil_from_days(int64_t days, odata_datetime_fields_t *out)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    out->day = (int) (doy - (153 * mp + 2) / 5 + 1);
    out->month = (int) (mp < 10 ? mp + 3 : mp - 9);
    out->year = (int) (yoe + era * 400 + (out->month <= 2));
}

void odata_datetime_split(int64_t ticks, odata_datetime_fields_t *out)
{
    int64_t day_ticks = 86400 * ODATA_TICKS_PER_SECOND;
    int64_t days = ticks / day_ticks, rem = ticks % day_ticks;
    if (rem < 0) {
        rem += day_ticks;
        days--;
    }
    int64_t secs = rem / ODATA_TICKS_PER_SECOND;
    out->hour = (int) (secs / 3600);
    out->minute = (int) (secs / 60 % 60);
    out->second = (int) (secs % 60);
    civil_from_days(days, out);
}
