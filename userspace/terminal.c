// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "terminal.h"

static bool color_enabled(void)
{
	static int mode = -1;
	const char *v;

	if (mode >= 0)
		return mode;
	v = getenv("VEIL_COLOR_MODE");
	if (!v)
		v = getenv("WG_COLOR_MODE");
	if (v && !strcmp(v, "always"))
		mode = 1;
	else if (v && !strcmp(v, "never"))
		mode = 0;
	else if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		mode = 0;	/* https://no-color.org */
	else
		mode = isatty(STDOUT_FILENO) ? 1 : 0;
	return mode;
}

/* Writes @s without ESC '[' ... final-byte sequences. */
static void put_filtered(const char *s)
{
	while (*s) {
		if (s[0] == '\x1b' && s[1] == '[') {
			s += 2;
			while (*s && !(*s >= 0x40 && *s <= 0x7e))
				++s;
			if (*s)
				++s;
			continue;
		}
		putchar(*s++);
	}
}

void terminal_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (color_enabled())
		fputs(s, stdout);
	else
		put_filtered(s);
	free(s);
}
