/* From raw results to shown pixels, in one pass each: convolab.display's two hot loops.
 *
 * stats_f64(raw)  -> (min, max, how many values < 0, how many NaN)
 * pixels_f64(raw, out, mapping, a, b): out = the shown uint8 pixels
 *
 * pixels_f64 computes, value by value, what convolab.display.display_values computes in
 * numpy (that function calls it for large arrays; tests/test_display.py compares both bit
 * for bit): the mapped value y ("clip": x; "abs": |x|; "offset": x * a + b; "rescale":
 * (x - a) * b), then w = y + (1/2 - 2**-54), cut to 0..255 and truncated, which is
 * round-half-up of y cut to 0..255 (display._cut_and_truncate proves it). Every operation
 * is one IEEE operation in numpy's order (no fused multiply-add: setup.py passes
 * -ffp-contract=off), so the pixels are numpy's. The GIL is released while it runs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && defined(__linux__)
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

#define HALF_BELOW (0.5 - 0x1p-54) /* the float just below 1/2 */

enum { CLIP = 0, ABS = 1, SCALE_ADD = 2, SUB_SCALE = 3 };

CLONES static void
stats(const double *x, Py_ssize_t n, double *lo, double *hi, Py_ssize_t *neg, Py_ssize_t *nan)
{
    /* four lanes of each, so that the comparisons do not wait for each other */
    double l[4], h[4];
    Py_ssize_t c[4] = {0, 0, 0, 0}, bad = 0;
    for (int k = 0; k < 4; k++) l[k] = h[k] = x[0];
    Py_ssize_t i = 0;
    for (; i + 4 <= n; i += 4) {
        for (int k = 0; k < 4; k++) {
            const double v = x[i + k];
            l[k] = v < l[k] ? v : l[k];
            h[k] = v > h[k] ? v : h[k];
            c[k] += v < 0.0;
            bad += v != v;
        }
    }
    for (; i < n; i++) {
        const double v = x[i];
        l[0] = v < l[0] ? v : l[0];
        h[0] = v > h[0] ? v : h[0];
        c[0] += v < 0.0;
        bad += v != v;
    }
    for (int k = 1; k < 4; k++) {
        l[0] = l[k] < l[0] ? l[k] : l[0];
        h[0] = h[k] > h[0] ? h[k] : h[0];
        c[0] += c[k];
    }
    *lo = l[0];
    *hi = h[0];
    *neg = c[0];
    *nan = bad;
}

/* 0..255, NaN to 0 (numpy's clip keeps NaN, and its cast to uint8 gives 0 here) */
static inline double
cut(double w)
{
    return !(w >= 0.0) ? 0.0 : (w > 255.0 ? 255.0 : w);
}

CLONES static void
pixels(const double *x, uint8_t *out, Py_ssize_t n, int mapping, double a, double b)
{
    switch (mapping) {
    case CLIP:
        for (Py_ssize_t i = 0; i < n; i++) out[i] = (uint8_t)cut(x[i] + HALF_BELOW);
        break;
    case ABS:
        for (Py_ssize_t i = 0; i < n; i++) out[i] = (uint8_t)cut(fabs(x[i]) + HALF_BELOW);
        break;
    case SCALE_ADD:
        for (Py_ssize_t i = 0; i < n; i++) {
            const double y = x[i] * a + b; /* two roundings, as numpy's multiply then add */
            out[i] = (uint8_t)cut(y + HALF_BELOW);
        }
        break;
    default: /* SUB_SCALE */
        for (Py_ssize_t i = 0; i < n; i++) {
            const double y = (x[i] - a) * b;
            out[i] = (uint8_t)cut(y + HALF_BELOW);
        }
        break;
    }
}

static PyObject *
stats_f64(PyObject *self, PyObject *args)
{
    Py_buffer raw = {0};
    (void)self;
    if (!PyArg_ParseTuple(args, "y*", &raw))
        return NULL;
    const Py_ssize_t n = raw.len / (Py_ssize_t)sizeof(double);
    if (raw.len % (Py_ssize_t)sizeof(double) || n < 1) {
        PyBuffer_Release(&raw);
        PyErr_SetString(PyExc_ValueError, "raw: one or more float64 values");
        return NULL;
    }
    double lo, hi;
    Py_ssize_t neg, nan;
    Py_BEGIN_ALLOW_THREADS
    stats((const double *)raw.buf, n, &lo, &hi, &neg, &nan);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&raw);
    return Py_BuildValue("ddnn", lo, hi, neg, nan);
}

static PyObject *
pixels_f64(PyObject *self, PyObject *args)
{
    Py_buffer raw = {0}, out = {0};
    int mapping;
    double a, b;
    PyObject *result = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*w*idd", &raw, &out, &mapping, &a, &b))
        return NULL;
    const Py_ssize_t n = raw.len / (Py_ssize_t)sizeof(double);
    if (raw.len % (Py_ssize_t)sizeof(double) || out.len != n) {
        PyErr_SetString(PyExc_ValueError, "raw: float64 values; out: one uint8 per value");
    } else if (mapping < CLIP || mapping > SUB_SCALE) {
        PyErr_SetString(PyExc_ValueError, "mapping: 0 clip, 1 abs, 2 scale-add, 3 sub-scale");
    } else {
        Py_BEGIN_ALLOW_THREADS
        pixels((const double *)raw.buf, (uint8_t *)out.buf, n, mapping, a, b);
        Py_END_ALLOW_THREADS
        result = Py_NewRef(Py_None);
    }
    PyBuffer_Release(&raw);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"stats_f64", stats_f64, METH_VARARGS,
     "stats_f64(raw) -> (min, max, values below 0, NaN values) of float64 values."},
    {"pixels_f64", pixels_f64, METH_VARARGS,
     "pixels_f64(raw, out, mapping, a, b): the shown uint8 pixels of float64 values; mapping\n"
     "0 clip (x), 1 abs (|x|), 2 x * a + b, 3 (x - a) * b; rounded half up, cut to 0..255."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_display", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit__display(void)
{
    return PyModule_Create(&module);
}
