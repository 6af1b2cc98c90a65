/* SPDX-License-Identifier: GPL-2.0 */
/* Optional ANSI colour on standard output. */
#ifndef VEIL_TERMINAL_H
#define VEIL_TERMINAL_H

#define TERMINAL_RESET "\x1b[0m"
#define TERMINAL_BOLD "\x1b[1m"
#define TERMINAL_FG_RED "\x1b[31m"
#define TERMINAL_FG_GREEN "\x1b[32m"
#define TERMINAL_FG_YELLOW "\x1b[33m"
#define TERMINAL_FG_CYAN "\x1b[36m"

/*
 * printf to stdout; escape sequences in the output are removed unless colour
 * is on: VEIL_COLOR_MODE (else WG_COLOR_MODE) = always | never | auto, where
 * auto (the default) means "when stdout is a terminal and NO_COLOR is not
 * set to a non-empty value".
 */
void terminal_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
