/* Exact sums of small integer kernels over uint8 images, in one pass.
 *
 * convolab.engine calls this for a kernel of whole numbers N over a divisor D
 * (convolab.exact.integer_form) on a uint8 image it has padded already:
 *
 *     out[r, x] = S / D,   S = sum_t N_t * src[r * sh * src_row + x' + offset_t]
 *
 * where x runs over the output row's elements (pixels times channels) and x'
 * is its place in the padded row (x itself when the stride is 1). S is summed
 * in int16 when sum |N| * 255 fits int16, else in int32 (the module refuses a
 * kernel whose sums could overflow int32), so every S is the exact whole
 * number; it becomes a double exactly, and the division is one IEEE division
 * (correctly rounded, as numpy's S / D), or for D a power of two one exact
 * multiplication by 1 / D. The result is therefore bit for bit the value of
 * convolab's other engines and of the step trace: tests/test_sums.py checks
 * that against the numpy engine.
 *
 * OpenCV writes the same sums as int16 or float64 in one pass, but a division
 * or a conversion to float64 then takes a second pass over the whole image;
 * here each row's sums stay in a small buffer in the cache between the taps
 * and the division. The GIL is released while it runs.
 *
 * Only the buffer protocol is used (no numpy headers): the module builds with
 * nothing but Python's headers and a C compiler.
 */
#include "_compiled.h"

typedef struct {
    const uint8_t *src;
    double *out;
    const int64_t *offsets; /* in elements of the padded image */
    const int32_t *weights;
    Py_ssize_t taps, src_row, rows, cols, channels, sh, sw;
    double divisor;
    int multiply; /* 1: D is a power of two, multiply by 1 / D (exact) */
} job_t;

#define GROUP 9 /* taps summed in one loop: a 3 x 3 kernel in one read of each row */

/* acc[x] (+)= sum over T taps of w[t] * s[t][x], T a constant after inlining, so that the
 * loop over t unrolls and the loop over x is vectorised */
#define DEFINE_GROUP(ACC, SRC, NAME)                                                       \
    static inline __attribute__((always_inline)) void NAME(                               \
        ACC *restrict acc, const SRC *const *s, const int32_t *w, const int T,             \
        const Py_ssize_t n, const int first)                                               \
    {                                                                                      \
        ACC wt[GROUP];                                                                     \
        for (int t = 0; t < T; t++) wt[t] = (ACC)w[t];                                     \
        for (Py_ssize_t x = 0; x < n; x++) {                                               \
            ACC a = first ? 0 : acc[x];                                                    \
            for (int t = 0; t < T; t++) a = (ACC)(a + wt[t] * s[t][x]);                    \
            acc[x] = a;                                                                    \
        }                                                                                  \
    }

DEFINE_GROUP(int16_t, uint8_t, group16)
DEFINE_GROUP(int32_t, uint8_t, group32)
DEFINE_GROUP(int32_t, int32_t, group32i) /* the row pass over int32 column sums */

/* every group of up to GROUP taps in turn, the first writing acc, the others adding */
#define GROUPS(FN, ACC, S, W, TAPS, N)                                                    \
    for (Py_ssize_t t0 = 0; t0 < (TAPS); t0 += GROUP) {                                    \
        const int T = (TAPS) - t0 < GROUP ? (int)((TAPS) - t0) : GROUP;                    \
        const int first = t0 == 0;                                                         \
        switch (T) {                                                                       \
        case 1: FN(ACC, (S) + t0, (W) + t0, 1, N, first); break;                           \
        case 2: FN(ACC, (S) + t0, (W) + t0, 2, N, first); break;                           \
        case 3: FN(ACC, (S) + t0, (W) + t0, 3, N, first); break;                           \
        case 4: FN(ACC, (S) + t0, (W) + t0, 4, N, first); break;                           \
        case 5: FN(ACC, (S) + t0, (W) + t0, 5, N, first); break;                           \
        case 6: FN(ACC, (S) + t0, (W) + t0, 6, N, first); break;                           \
        case 7: FN(ACC, (S) + t0, (W) + t0, 7, N, first); break;                           \
        case 8: FN(ACC, (S) + t0, (W) + t0, 8, N, first); break;                           \
        default: FN(ACC, (S) + t0, (W) + t0, GROUP, N, first); break;                      \
        }                                                                                  \
    }

#define DEFINE_ROWS(ACC, NAME, GROUPFN)                                                    \
    CLONES static void NAME(const job_t *j, ACC *restrict acc, const uint8_t **s)          \
    {                                                                                      \
        const Py_ssize_t n = j->cols * j->channels, c = j->channels;                       \
        const double d = j->divisor, inv = 1.0 / j->divisor;                               \
        for (Py_ssize_t r = 0; r < j->rows; r++) {                                         \
            const uint8_t *base = j->src + r * j->sh * j->src_row;                         \
            if (j->sw == 1) {                                                              \
                for (Py_ssize_t t = 0; t < j->taps; t++) s[t] = base + j->offsets[t];      \
                GROUPS(GROUPFN, acc, s, j->weights, j->taps, n)                            \
            } else {                                                                       \
                const Py_ssize_t step = j->sw * c;                                         \
                for (Py_ssize_t t = 0; t < j->taps; t++) {                                 \
                    const uint8_t *s = base + j->offsets[t];                               \
                    const ACC w = (ACC)j->weights[t];                                      \
                    for (Py_ssize_t x = 0; x < n; x++) {                                   \
                        const ACC v = (ACC)(w * s[(x / c) * step + x % c]);                \
                        acc[x] = t == 0 ? v : (ACC)(acc[x] + v);                           \
                    }                                                                      \
                }                                                                          \
            }                                                                              \
            double *restrict o = j->out + r * n;                                           \
            if (j->multiply) {                                                             \
                for (Py_ssize_t x = 0; x < n; x++) o[x] = (double)acc[x] * inv;            \
            } else {                                                                       \
                for (Py_ssize_t x = 0; x < n; x++) o[x] = (double)acc[x] / d;              \
            }                                                                              \
        }                                                                                  \
    }

DEFINE_ROWS(int16_t, rows16, group16)
DEFINE_ROWS(int32_t, rows32, group32)


/* the same for double values and weights (the separable kernels' second pass): every
 * product and partial sum is a whole number of at most 2**53, so each is exact */
static inline __attribute__((always_inline)) void
groupd(double *restrict acc, const double *const *s, const double *w, const int T,
       const Py_ssize_t n, const int first)
{
    double wt[GROUP];
    for (int t = 0; t < T; t++) wt[t] = w[t];
    for (Py_ssize_t x = 0; x < n; x++) {
        double a = first ? 0.0 : acc[x];
        for (int t = 0; t < T; t++) a += wt[t] * s[t][x];
        acc[x] = a;
    }
}

typedef struct {
    const uint8_t *src;
    double *out;
    const int64_t *coffsets; /* column taps: in padded rows */
    const int32_t *cweights;
    const int64_t *roffsets; /* row taps: in elements of a padded row */
    const double *rweights;
    const int32_t *rweights32; /* the same as int32 */
    int int32sums; /* 1: every sum fits int32, the row pass adds int32 */
    Py_ssize_t ctaps, rtaps, src_row, rows, cols, channels, sh, sw;
    double divisor;
    int multiply;
} sep_t;

/* Two passes per output row: the column taps over whole padded rows (uint8 to int32, the
 * rows in the cache for the next output rows), then the row taps over that one row (as
 * doubles), divided at once */
CLONES static void
separable_rows(const sep_t *j, int32_t *restrict colsum, double *restrict cold,
               int32_t *restrict acc, const uint8_t **s, const void **sr)
{
    const Py_ssize_t n = j->cols * j->channels, c = j->channels, m = j->src_row;
    const double d = j->divisor, inv = 1.0 / j->divisor;
    for (Py_ssize_t r = 0; r < j->rows; r++) {
        const uint8_t *base = j->src + r * j->sh * j->src_row;
        for (Py_ssize_t t = 0; t < j->ctaps; t++) s[t] = base + j->coffsets[t] * j->src_row;
        GROUPS(group32, colsum, s, j->cweights, j->ctaps, m)
        double *restrict o = j->out + r * n;
        if (j->int32sums && j->sw == 1) {
            const int32_t **si = (const int32_t **)sr;
            for (Py_ssize_t t = 0; t < j->rtaps; t++) si[t] = colsum + j->roffsets[t];
            GROUPS(group32i, acc, si, j->rweights32, j->rtaps, n)
            if (j->multiply)
                for (Py_ssize_t x = 0; x < n; x++) o[x] = (double)acc[x] * inv;
            else
                for (Py_ssize_t x = 0; x < n; x++) o[x] = (double)acc[x] / d;
            continue;
        }
        for (Py_ssize_t x = 0; x < m; x++) cold[x] = (double)colsum[x];
        if (j->sw == 1) {
            const double **sd = (const double **)sr;
            for (Py_ssize_t t = 0; t < j->rtaps; t++) sd[t] = cold + j->roffsets[t];
            GROUPS(groupd, o, sd, j->rweights, j->rtaps, n)
        } else {
            const Py_ssize_t step = j->sw * c;
            for (Py_ssize_t x = 0; x < n; x++) {
                const double *v = cold + (x / c) * step + x % c;
                double a = 0.0;
                for (Py_ssize_t t = 0; t < j->rtaps; t++) a += j->rweights[t] * v[j->roffsets[t]];
                o[x] = a;
            }
        }
        if (j->multiply) {
            if (inv != 1.0)
                for (Py_ssize_t x = 0; x < n; x++) o[x] *= inv;
        } else {
            for (Py_ssize_t x = 0; x < n; x++) o[x] /= d;
        }
    }
}

/* Float kernels (no exact form) on uint8 images: the step trace's own sum, in its order.
 * For each output value a = 0; a = a + w_t * pixel_t for every tap t in raster order (zeros
 * included), each product and each sum rounded once: what convolab.exact.sequential_sum
 * and the numpy engine compute, so the value is theirs bit for bit and no tie needs
 * settling. The loop over x is vectorised; the order over t stays as written. */
static inline __attribute__((always_inline)) void
groupf(double *restrict acc, const double *const *s, const double *w, const int T,
       const Py_ssize_t n, const int first)
{
    double wt[GROUP];
    for (int t = 0; t < T; t++) wt[t] = w[t];
    for (Py_ssize_t x = 0; x < n; x++) {
        double a = first ? 0.0 : acc[x];
        for (int t = 0; t < T; t++) a = a + wt[t] * s[t][x];
        acc[x] = a;
    }
}

typedef struct {
    const uint8_t *src;
    double *out;
    const int64_t *row_taps; /* each tap's padded row, relative to the window's first */
    const int64_t *col_taps; /* each tap's element in that row, relative to the window's */
    const double *weights;
    Py_ssize_t taps, src_row, span, rows, cols, channels, sh, sw;
} seq_t;

/* The padded rows an output row reads, as doubles (each converted once, in a ring of
 * span = (kh - 1) * dh + 1 rows that moves down the image with the output row) */
CLONES static void
sequential_rows(const seq_t *j, double *restrict ring, const double **s)
{
    const Py_ssize_t n = j->cols * j->channels, c = j->channels, m = j->src_row;
    Py_ssize_t next = 0; /* the first padded row not converted yet */
    for (Py_ssize_t r = 0; r < j->rows; r++) {
        const Py_ssize_t top = r * j->sh;
        if (next < top) next = top; /* rows skipped by the stride are never read */
        for (; next < top + j->span; next++) {
            const uint8_t *from = j->src + next * m;
            double *to = ring + (next % j->span) * m;
            for (Py_ssize_t x = 0; x < m; x++) to[x] = (double)from[x];
        }
        for (Py_ssize_t t = 0; t < j->taps; t++)
            s[t] = ring + ((top + j->row_taps[t]) % j->span) * m + j->col_taps[t];
        double *restrict o = j->out + r * n;
        if (j->sw == 1) {
            GROUPS(groupf, o, s, j->weights, j->taps, n)
        } else {
            const Py_ssize_t step = j->sw * c;
            for (Py_ssize_t x = 0; x < n; x++) {
                const Py_ssize_t at = (x / c) * step + x % c;
                double a = 0.0;
                for (Py_ssize_t t = 0; t < j->taps; t++) a = a + j->weights[t] * s[t][at];
                o[x] = a;
            }
        }
    }
}

/* what both functions check first: every size, stride and the divisor at least 1, and an
 * output of rows x cols x channels doubles */
static int
geometry_ok(Py_ssize_t src_row, Py_ssize_t rows, Py_ssize_t cols, Py_ssize_t channels,
            Py_ssize_t sh, Py_ssize_t sw, double divisor, Py_ssize_t out_len)
{
    if (rows < 1 || cols < 1 || channels < 1 || sh < 1 || sw < 1 || src_row < 1
        || !(divisor >= 1.0)) {
        PyErr_SetString(PyExc_ValueError, "rows, cols, channels, strides, row length and divisor >= 1");
        return 0;
    }
    if ((int64_t)rows * cols * channels * (int64_t)sizeof(double) > out_len) {
        PyErr_SetString(PyExc_ValueError, "the output buffer is too small");
        return 0;
    }
    return 1;
}

static PyObject *
separable_u8(PyObject *self, PyObject *args)
{
    Py_buffer src = {0}, out = {0}, co = {0}, cw = {0}, ro = {0}, rw = {0};
    sep_t j;
    PyObject *result = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*w*y*y*y*y*nnnnnnd", &src, &out, &co, &cw, &ro, &rw,
                          &j.src_row, &j.rows, &j.cols, &j.channels, &j.sh, &j.sw, &j.divisor))
        return NULL;
    j.ctaps = co.len / (Py_ssize_t)sizeof(int64_t);
    j.rtaps = ro.len / (Py_ssize_t)sizeof(int64_t);
    if (co.len % (Py_ssize_t)sizeof(int64_t) || cw.len != j.ctaps * (Py_ssize_t)sizeof(int32_t)
        || ro.len % (Py_ssize_t)sizeof(int64_t) || rw.len != j.rtaps * (Py_ssize_t)sizeof(double)
        || j.ctaps < 1 || j.rtaps < 1) {
        PyErr_SetString(PyExc_ValueError,
                        "column taps: int64 offsets, int32 weights; row taps: int64, double");
        goto done;
    }
    if (!geometry_ok(j.src_row, j.rows, j.cols, j.channels, j.sh, j.sw, j.divisor, out.len))
        goto done;
    j.src = (const uint8_t *)src.buf;
    j.out = (double *)out.buf;
    j.coffsets = (const int64_t *)co.buf;
    j.cweights = (const int32_t *)cw.buf;
    j.roffsets = (const int64_t *)ro.buf;
    j.rweights = (const double *)rw.buf;
    {
        int64_t clo = 0, chi = 0, rlo = 0, rhi = 0, cweight = 0;
        double rweight = 0.0;
        for (Py_ssize_t t = 0; t < j.ctaps; t++) {
            if (t == 0 || j.coffsets[t] < clo) clo = j.coffsets[t];
            if (t == 0 || j.coffsets[t] > chi) chi = j.coffsets[t];
            cweight += j.cweights[t] < 0 ? -(int64_t)j.cweights[t] : j.cweights[t];
        }
        for (Py_ssize_t t = 0; t < j.rtaps; t++) {
            if (t == 0 || j.roffsets[t] < rlo) rlo = j.roffsets[t];
            if (t == 0 || j.roffsets[t] > rhi) rhi = j.roffsets[t];
            if (j.rweights[t] != floor(j.rweights[t])) {
                PyErr_SetString(PyExc_ValueError, "row weights are whole numbers");
                goto done;
            }
            rweight += fabs(j.rweights[t]);
        }
        const int64_t last_row = (int64_t)(j.rows - 1) * j.sh + chi;
        const int64_t last_col = (int64_t)(j.cols - 1) * j.sw * j.channels + j.channels - 1 + rhi;
        if (clo < 0 || rlo < 0 || last_col >= j.src_row
            || (last_row + 1) * (int64_t)j.src_row > src.len) {
            PyErr_SetString(PyExc_ValueError, "a tap reads outside the source");
            goto done;
        }
        /* column sums in int32; every row-pass value a whole number within 2**53 */
        if (cweight > INT32_MAX / 255 || (double)cweight * 255.0 * rweight > 9007199254740992.0) {
            PyErr_SetString(PyExc_ValueError, "the sums must fit int32 and 2**53");
            goto done;
        }
        int frac;
        j.multiply = frexp(j.divisor, &frac) == 0.5;
        j.int32sums = (double)cweight * 255.0 * rweight <= (double)(INT32_MAX);
        int32_t *rw32 = malloc((size_t)j.rtaps * sizeof(int32_t));
        int32_t *colsum = malloc((size_t)j.src_row * sizeof(int32_t));
        double *cold = malloc((size_t)j.src_row * sizeof(double));
        int32_t *acc = malloc((size_t)(j.cols * j.channels) * sizeof(int32_t));
        const uint8_t **s = malloc((size_t)j.ctaps * sizeof(*s));
        const void **sr = malloc((size_t)j.rtaps * sizeof(*sr));
        if (rw32 && colsum && cold && acc && s && sr) {
            /* whole numbers: exact as int32 when the sums are (rweight * 255 * cweight fits) */
            for (Py_ssize_t t = 0; t < j.rtaps; t++)
                rw32[t] = j.int32sums ? (int32_t)j.rweights[t] : 0;
            j.rweights32 = rw32;
            Py_BEGIN_ALLOW_THREADS
            separable_rows(&j, colsum, cold, acc, s, sr);
            Py_END_ALLOW_THREADS
            result = Py_NewRef(Py_None);
        } else {
            PyErr_NoMemory();
        }
        free(rw32);
        free(colsum);
        free(cold);
        free(acc);
        free((void *)s);
        free((void *)sr);
    }
done:
    PyBuffer_Release(&src);
    PyBuffer_Release(&out);
    PyBuffer_Release(&co);
    PyBuffer_Release(&cw);
    PyBuffer_Release(&ro);
    PyBuffer_Release(&rw);
    return result;
}

static PyObject *
correlate_u8(PyObject *self, PyObject *args)
{
    Py_buffer src = {0}, out = {0}, offsets = {0}, weights = {0};
    job_t j;
    PyObject *result = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*w*y*y*nnnnnnd", &src, &out, &offsets, &weights, &j.src_row,
                          &j.rows, &j.cols, &j.channels, &j.sh, &j.sw, &j.divisor))
        return NULL;
    j.taps = offsets.len / (Py_ssize_t)sizeof(int64_t);
    if (offsets.len % (Py_ssize_t)sizeof(int64_t) || weights.len != j.taps * (Py_ssize_t)sizeof(int32_t)
        || j.taps < 1) {
        PyErr_SetString(PyExc_ValueError, "one int64 offset and one int32 weight per tap");
        goto done;
    }
    if (!geometry_ok(j.src_row, j.rows, j.cols, j.channels, j.sh, j.sw, j.divisor, out.len))
        goto done;
    j.src = (const uint8_t *)src.buf;
    j.out = (double *)out.buf;
    j.offsets = (const int64_t *)offsets.buf;
    j.weights = (const int32_t *)weights.buf;
    {
        /* every read inside the source, every write inside the output, no sum overflowing */
        int64_t lo = 0, hi = 0, weight = 0;
        for (Py_ssize_t t = 0; t < j.taps; t++) {
            if (t == 0 || j.offsets[t] < lo) lo = j.offsets[t];
            if (t == 0 || j.offsets[t] > hi) hi = j.offsets[t];
            weight += j.weights[t] < 0 ? -(int64_t)j.weights[t] : j.weights[t];
        }
        const int64_t last = (int64_t)(j.rows - 1) * j.sh * j.src_row
                             + (int64_t)(j.cols - 1) * j.sw * j.channels + j.channels - 1 + hi;
        if (lo < 0 || last >= src.len) {
            PyErr_SetString(PyExc_ValueError, "a tap reads outside the source");
            goto done;
        }
        if (weight > INT32_MAX / 255) {
            PyErr_SetString(PyExc_ValueError, "sum |weight| * 255 must fit int32");
            goto done;
        }
        int frac;
        j.multiply = frexp(j.divisor, &frac) == 0.5;
        const int narrow = weight <= INT16_MAX / 255;
        const size_t n = (size_t)(j.cols * j.channels);
        void *acc = malloc(n * (narrow ? sizeof(int16_t) : sizeof(int32_t)));
        const uint8_t **s = malloc((size_t)j.taps * sizeof(*s));
        if (acc == NULL || s == NULL) {
            free(acc);
            free((void *)s);
            PyErr_NoMemory();
            goto done;
        }
        Py_BEGIN_ALLOW_THREADS
        if (narrow)
            rows16(&j, (int16_t *)acc, s);
        else
            rows32(&j, (int32_t *)acc, s);
        Py_END_ALLOW_THREADS
        free(acc);
        free((void *)s);
    }
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&src);
    PyBuffer_Release(&out);
    PyBuffer_Release(&offsets);
    PyBuffer_Release(&weights);
    return result;
}

static PyObject *
sequential_u8(PyObject *self, PyObject *args)
{
    Py_buffer src = {0}, out = {0}, rt = {0}, ct = {0}, weights = {0};
    seq_t j;
    PyObject *result = NULL;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*w*y*y*y*nnnnnn", &src, &out, &rt, &ct, &weights,
                          &j.src_row, &j.rows, &j.cols, &j.channels, &j.sh, &j.sw))
        return NULL;
    j.taps = rt.len / (Py_ssize_t)sizeof(int64_t);
    if (rt.len % (Py_ssize_t)sizeof(int64_t) || ct.len != rt.len
        || weights.len != j.taps * (Py_ssize_t)sizeof(double) || j.taps < 1) {
        PyErr_SetString(PyExc_ValueError, "one int64 row, one int64 column, one double weight per tap");
        goto done;
    }
    if (!geometry_ok(j.src_row, j.rows, j.cols, j.channels, j.sh, j.sw, 1.0, out.len))
        goto done;
    j.src = (const uint8_t *)src.buf;
    j.out = (double *)out.buf;
    j.row_taps = (const int64_t *)rt.buf;
    j.col_taps = (const int64_t *)ct.buf;
    j.weights = (const double *)weights.buf;
    {
        int64_t rlo = 0, rhi = 0, clo = 0, chi = 0;
        for (Py_ssize_t t = 0; t < j.taps; t++) {
            if (t == 0 || j.row_taps[t] < rlo) rlo = j.row_taps[t];
            if (t == 0 || j.row_taps[t] > rhi) rhi = j.row_taps[t];
            if (t == 0 || j.col_taps[t] < clo) clo = j.col_taps[t];
            if (t == 0 || j.col_taps[t] > chi) chi = j.col_taps[t];
            if (!isfinite(j.weights[t])) {
                PyErr_SetString(PyExc_ValueError, "the weights are finite");
                goto done;
            }
        }
        j.span = (Py_ssize_t)rhi + 1;
        const int64_t last_row = (int64_t)(j.rows - 1) * j.sh + rhi;
        const int64_t last_col = (int64_t)(j.cols - 1) * j.sw * j.channels + j.channels - 1 + chi;
        if (rlo < 0 || clo < 0 || last_col >= j.src_row
            || (last_row + 1) * (int64_t)j.src_row > src.len) {
            PyErr_SetString(PyExc_ValueError, "a tap reads outside the source");
            goto done;
        }
        double *ring = malloc((size_t)j.span * (size_t)j.src_row * sizeof(double));
        const double **s = malloc((size_t)j.taps * sizeof(*s));
        if (ring && s) {
            Py_BEGIN_ALLOW_THREADS
            sequential_rows(&j, ring, s);
            Py_END_ALLOW_THREADS
            result = Py_NewRef(Py_None);
        } else {
            PyErr_NoMemory();
        }
        free(ring);
        free((void *)s);
    }
done:
    PyBuffer_Release(&src);
    PyBuffer_Release(&out);
    PyBuffer_Release(&rt);
    PyBuffer_Release(&ct);
    PyBuffer_Release(&weights);
    return result;
}

static PyMethodDef methods[] = {
    {"correlate_u8", correlate_u8, METH_VARARGS,
     "correlate_u8(src, out, offsets, weights, src_row, rows, cols, channels, sh, sw, divisor)\n"
     "--\n\n"
     "Exact sums of whole-number weights over a padded uint8 image, each divided by the\n"
     "divisor, written as float64 into out (rows x cols x channels). See _sums.c."},
    {"separable_u8", separable_u8, METH_VARARGS,
     "separable_u8(src, out, col_offsets, col_weights, row_offsets, row_weights, src_row, rows,\n"
     "             cols, channels, sh, sw, divisor)\n"
     "--\n\n"
     "The same sums for a kernel outer(column, row): column taps (offsets in padded rows,\n"
     "int32 weights), then row taps (offsets in elements, whole-number double weights)."},
    {"sequential_u8", sequential_u8, METH_VARARGS,
     "sequential_u8(src, out, row_taps, col_taps, weights, src_row, rows, cols, channels, sh, sw)\n"
     "--\n\n"
     "Float sums over a padded uint8 image: 0 + w0 * p0 + w1 * p1 + ... over every tap in\n"
     "the order given, each product and sum rounded once (the step trace's order)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_sums", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit__sums(void)
{
    return PyModule_Create(&module);
}
