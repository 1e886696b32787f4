/* From raw results to shown pixels, in one pass each: convolab.display's two hot loops.
 *
 * stats_f64(raw)  -> (min, max, how many values < 0, whether there is a NaN)
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
#include "_compiled.h"

#define HALF_BELOW (0.5 - 0x1p-54) /* the float just below 1/2 */

enum { CLIP = 0, ABS = 1, SCALE_ADD = 2, SUB_SCALE = 3 };

#if defined(__SSE2__)
#include <emmintrin.h>
/* SSE2 (every x86-64): the compilers do not vectorise a float min/max on their own (they
 * must keep NaN and -0.0 as C says), so it is written out: two values per register, four
 * registers of each so that the comparisons do not wait for each other. A NaN is counted on
 * the side (minpd/maxpd would skip it); the caller then takes numpy's answer. */
static void
stats(const double *x, Py_ssize_t n, double *lo, double *hi, Py_ssize_t *neg, Py_ssize_t *nan)
{
    __m128d l[4], h[4];
    __m128i c[4], bad = _mm_setzero_si128();
    const __m128d zero = _mm_setzero_pd(), first = _mm_set1_pd(x[0]);
    for (int k = 0; k < 4; k++) {
        l[k] = h[k] = first;
        c[k] = _mm_setzero_si128();
    }
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int k = 0; k < 4; k++) {
            const __m128d v = _mm_loadu_pd(x + i + 2 * k);
            l[k] = _mm_min_pd(l[k], v);
            h[k] = _mm_max_pd(h[k], v);
            c[k] = _mm_sub_epi64(c[k], _mm_castpd_si128(_mm_cmplt_pd(v, zero))); /* -1 each */
            bad = _mm_or_si128(bad, _mm_castpd_si128(_mm_cmpunord_pd(v, v)));
        }
    }
    double lv[2], hv[2];
    int64_t cv[2], bv[2];
    for (int k = 1; k < 4; k++) {
        l[0] = _mm_min_pd(l[0], l[k]);
        h[0] = _mm_max_pd(h[0], h[k]);
        c[0] = _mm_add_epi64(c[0], c[k]);
    }
    _mm_storeu_pd(lv, l[0]);
    _mm_storeu_pd(hv, h[0]);
    _mm_storeu_si128((__m128i *)cv, c[0]);
    _mm_storeu_si128((__m128i *)bv, bad);
    double lo_ = lv[0] < lv[1] ? lv[0] : lv[1], hi_ = hv[0] > hv[1] ? hv[0] : hv[1];
    Py_ssize_t count = (Py_ssize_t)(cv[0] + cv[1]), nans = (bv[0] | bv[1]) != 0;
    for (; i < n; i++) {
        const double v = x[i];
        lo_ = v < lo_ ? v : lo_;
        hi_ = v > hi_ ? v : hi_;
        count += v < 0.0;
        nans += v != v;
    }
    *lo = lo_;
    *hi = hi_;
    *neg = count;
    *nan = nans;
}
#else
static void
stats(const double *x, Py_ssize_t n, double *lo, double *hi, Py_ssize_t *neg, Py_ssize_t *nan)
{
    double lo_ = x[0], hi_ = x[0];
    Py_ssize_t count = 0, nans = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const double v = x[i];
        lo_ = v < lo_ ? v : lo_;
        hi_ = v > hi_ ? v : hi_;
        count += v < 0.0;
        nans += v != v;
    }
    *lo = lo_;
    *hi = hi_;
    *neg = count;
    *nan = nans;
}
#endif

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
