/* What convolab's two compiled parts (_sums.c, _display.c) share: Python's headers, the
 * float rules and the per-CPU copies of the hot loops. */
#ifndef CONVOLAB_COMPILED_H
#define CONVOLAB_COMPILED_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* every float operation as written: no product fused with its sum (setup.py also passes
 * -ffp-contract=off, which GCC needs; this pragma is for compilers that read it) */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && defined(__linux__)
/* copies for AVX-512 and AVX2 machines and one for any x86-64, chosen when the module
 * loads (AVX-512 halves the time of the divisions) */
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

#endif
