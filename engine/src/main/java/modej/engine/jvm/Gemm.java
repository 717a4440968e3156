package modej.engine.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-threaded packed GEMM on the Vector API: {@code C[m0..m1) (=|+=) A·B}, the one primitive
 * behind the {@code *Vector} fast paths.
 *
 * <p>Operands are strided views of flat arrays, so one routine serves every layout:
 * <pre>
 *   A(i,k) = a[aOff + i·ars + k·aks]      row-major A: (ars, aks) = (lda, 1); Aᵀ stored: (1, lda)
 *   B(k,j) = b[bOff + k·bks + j·bcs]      row-major B: (bks, bcs) = (ldb, 1); Bᵀ stored: (1, ldb)
 *   C(i,j) = c[cOff + i·ldc + j]          rows i in [m0, m1), columns j in [0, n), k in [0, K)
 * </pre>
 * B is packed per (KC × NC) block into k-major panels NR columns wide, A per (MC × KC) block (per
 * KC chunk of all rows when C is wider than NC) into k-major panels MR rows tall (or, for narrow C
 * and a transposed A, read in place); a 6×(2 vectors) register block (6×16 with AVX2: 12
 * {@code FloatVector} accumulators and fma) runs over them. Packing scratch is per thread, about
 * 0.6–0.9 MB plus the A panels of a wide call's rows (up to rows·KC floats), allocated on first
 * use and grown only when a larger call comes, so a steady-state call allocates nothing.
 * The register block needs {@code -XX:-OptoRegScheduling} with AVX2 (16 vector registers),
 * otherwise an accumulator spills.
 *
 * <p><b>Reproducibility.</b> Every element of C is one chain of {@code fma} over k ascending,
 * started from 0 ({@code accumulate = false}) or from C's old value ({@code accumulate = true});
 * K-blocking stores and reloads the float accumulator, which is exact. Edges are not special
 * cases: A panels are padded with zero rows and B panels with zero columns, the full register
 * block runs, and only the valid part is stored. Row blocks are aligned to multiples of MR in
 * absolute row numbers, so a row's block, and with it any causal k-range, is the same for every
 * [m0, m1) that contains it. Hence results are bit-identical however callers split the rows, and
 * do not depend on the vector width either.
 *
 * <p><b>Causal structure</b> (for attention; i, j and k are absolute indices):
 * {@link #LOWER_COLS}: only C(i,j) with j ≤ i is wanted (the others are left with any value);
 * {@link #LOWER_K}: A(i,k) = 0 for k &gt; i; {@link #UPPER_K}: A(i,k) = 0 for k &lt; i (then
 * m1 ≤ K). The zero parts are skipped per register block.
 */
public final class Gemm {

    /**
     * Vector shape: the machine's preferred width (256 bits with AVX2, 512 with AVX-512), or
     * {@code -Dmodej.gemm.bits=256|512}. GEMM results do not depend on it.
     */
    static final VectorSpecies<Float> SPECIES = switch (Integer.getInteger("modej.gemm.bits", 0)) {
        case 256 -> FloatVector.SPECIES_256;
        case 512 -> FloatVector.SPECIES_512;
        default -> FloatVector.SPECIES_PREFERRED;
    };
    static final int V = SPECIES.length();
    /** Register block: MR rows × NR columns, 2·MR accumulators (12 of AVX2's 16 registers). */
    static final int MR = 6;
    static final int NR = 2 * V;
    /**
     * Cache blocks: MC rows of A (multiple of MR), KC depth, NC columns of B (multiple of NR).
     * A B micro-panel (KC × NR) is 24 KiB with AVX2 and 32 KiB with AVX-512, to stay in L1.
     * Measured on 2 cores (1 thread, rows 2048, C 384, OC 384/1536): MC 24–96, KC 192–768 and
     * NC 256–1536 are within 10% of each other with 256-bit vectors; with 512-bit vectors
     * KC 192–256 with NC 512 beat KC 384 with NC 256 by ~20%.
     */
    static final int MC = 48;
    static final int KC = NR >= 32 ? 256 : 384;
    static final int NC = 512;
    /**
     * Full register blocks of a transposed A (A(i,k) = a[i + k·lda]) are read in place, without
     * packing, when C has at most this many NR-column panels (each A block is then reused only a
     * few times, e.g. attention with n = head size); wider products pack A. A row-major A is always
     * packed: a register block reading six rows in place (six scalar streams) ran at 40% of the
     * packed kernel's speed with {@code -XX:-OptoRegScheduling} on JDK 25 (an accumulator spills),
     * so packing it first is 1.8× faster even for n = 64 (AMD EPYC Zen 3, AVX2, 2026-12-03).
     */
    static final int DIRECT_A_PANELS = Integer.getInteger("modej.gemm.directPanels", 4);

    /** All of C is wanted and A is dense. */
    public static final int FULL = 0;
    /** Only C(i,j) with j ≤ i is wanted. */
    public static final int LOWER_COLS = 1;
    /** A(i,k) = 0 for k &gt; i. */
    public static final int LOWER_K = 2;
    /** A(i,k) = 0 for k &lt; i. */
    public static final int UPPER_K = 3;

    private Gemm() {
    }

    /** Per-thread packing buffers, allocated on a thread's first call. */
    static final class Scratch {
        final float[] pa = new float[MC * KC];
        final float[] pb = new float[NC * KC];
        final float[] tile = new float[MR * NR];
        /** Packed A panels of all of a call's rows for one KC chunk (wide C); grown on demand. */
        float[] packedA = new float[0];

        float[] packedA(int n) {
            if (packedA.length < n) {
                packedA = new float[n];
            }
            return packedA;
        }

        /** Free for callers (attention rows, bias sums); grown on demand. */
        float[] extra = new float[0];

        float[] extra(int n) {
            if (extra.length < n) {
                extra = new float[n];
            }
            return extra;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() {
        return SCRATCH.get();
    }

    /**
     * C(i,j) for i in [m0, m1), j in [0, n): {@code C = A·B} or, with {@code accumulate},
     * {@code C += A·B}, the sum running over k in [0, K) in ascending order.
     */
    public static void multiply(int m0, int m1, int n, int K,
                                float[] a, int aOff, int ars, int aks,
                                float[] b, int bOff, int bks, int bcs,
                                float[] c, int cOff, int ldc,
                                boolean accumulate, int causal) {
        if (m1 <= m0 || n <= 0) {
            return;
        }
        if (K <= 0) {
            if (!accumulate) {
                for (int i = m0; i < m1; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        Scratch s = SCRATCH.get();
        boolean direct = ars == 1 && aks != 1 && n <= DIRECT_A_PANELS * NR;
        int first = m0 - m0 % MR;                       // absolute alignment of register blocks
        // The k-range any block needs.
        int kBegin = causal == UPPER_K ? Math.min(first, K) : 0;
        int kEnd = causal == LOWER_K ? Math.min(K, m1 - 1 + MR - (m1 - 1) % MR) : K;
        if (n <= NC) {
            for (int jc = 0; jc < n; jc += NC) {
                int nc = Math.min(NC, n - jc);
                for (int pc = kBegin; pc < kEnd; pc += KC) {
                    int kc = Math.min(KC, kEnd - pc);
                    packB(s.pb, kc, nc, b, bOff + pc * bks, bks, bcs, jc, n);
                    for (int ic = first; ic < m1; ic += MC) {
                        int mc = Math.min(MC, m1 - ic);
                        packA(s.pa, 0, kc, mc, a, aOff + pc * aks, ars, aks, ic, m0, m1, direct);
                        macro(s.pa, 0, s, kc, pc, kBegin, K, ic, mc, jc, nc, m0, m1, n, c, cOff, ldc, accumulate, causal,
                                direct ? a : null, aOff + pc * aks, ars, aks);
                    }
                }
            }
            return;
        }
        // Wide C (several NC blocks): each KC chunk of all the call's A rows is packed once and used
        // for every NC block, instead of once per NC block (2–4% faster for n = 1536–3072 on 1 core
        // of an AMD EPYC Zen 3; the per-element fma chains are the same, so are the results).
        float[] pa = s.packedA((m1 - first + MR - 1) / MR * MR * KC);
        for (int pc = kBegin; pc < kEnd; pc += KC) {
            int kc = Math.min(KC, kEnd - pc);
            packA(pa, 0, kc, m1 - first, a, aOff + pc * aks, ars, aks, first, m0, m1, direct);
            for (int jc = 0; jc < n; jc += NC) {
                int nc = Math.min(NC, n - jc);
                packB(s.pb, kc, nc, b, bOff + pc * bks, bks, bcs, jc, n);
                for (int ic = first; ic < m1; ic += MC) {
                    int mc = Math.min(MC, m1 - ic);
                    macro(pa, (ic - first) * kc, s, kc, pc, kBegin, K, ic, mc, jc, nc, m0, m1, n, c, cOff, ldc,
                            accumulate, causal, direct ? a : null, aOff + pc * aks, ars, aks);
                }
            }
        }
    }

    /** All register blocks of one (MC × KC) A block against one (KC × NC) B block. */
    private static void macro(float[] pa, int paBase, Scratch s, int kc, int pc, int kBegin, int K, int ic, int mc,
                              int jc, int nc, int m0, int m1, int n, float[] c, int cOff, int ldc,
                              boolean accumulate, int causal, float[] a, int aChunk, int ars, int aks) {
        float[] pb = s.pb;
        for (int jr = 0; jr < nc; jr += NR) {
            int j0 = jc + jr;
            int bPanel = jr * kc;
            for (int ir = 0; ir < mc; ir += MR) {
                int i0 = ic + ir;
                if (causal == LOWER_COLS && j0 > i0 + MR - 1) {
                    continue;                                   // block wholly above the diagonal
                }
                // The block's k-range [lo, hi) within this KC chunk [pc, pc + kc).
                int lo = pc;
                int hi = pc + kc;
                if (causal == LOWER_K) {
                    hi = Math.min(hi, Math.min(K, i0 + MR));
                } else if (causal == UPPER_K) {
                    lo = Math.max(lo, i0);
                }
                if (lo >= hi) {
                    continue;
                }
                // Where the block's whole k-range starts: the chunk holding it initialises C.
                int blockStart = causal == UPPER_K ? Math.max(i0, kBegin) : kBegin;
                boolean load = accumulate || blockStart < pc;
                int aAt = paBase + ir * kc + (lo - pc) * MR;
                int bAt = bPanel + (lo - pc) * NR;
                int rLo = Math.max(i0, m0);
                int rHi = Math.min(i0 + MR, m1);
                int cols = Math.min(NR, n - j0);
                boolean fullRows = rLo == i0 && rHi == i0 + MR;
                if (fullRows && cols == NR) {
                    int ci = cOff + i0 * ldc + j0;
                    if (a == null) {
                        kernel(hi - lo, pa, aAt, MR, pb, bAt, c, ci, ldc, load);
                    } else {
                        kernel(hi - lo, a, aChunk + i0 + (lo - pc) * aks, aks, pb, bAt, c, ci, ldc, load);
                    }
                } else if (a != null && fullRows) {
                    // Only the columns are partial: A in place, C through the tile.
                    edgeDirect(hi - lo, a, aChunk + i0 + (lo - pc) * aks, aks, pb, bAt,
                            c, cOff + j0, ldc, load, s.tile, i0, cols);
                } else {
                    edge(hi - lo, pa, aAt, pb, bAt, c, cOff + j0, ldc, load, s.tile, i0, rLo, rHi, cols);
                }
            }
        }
    }

    /** A block with all rows valid but partial columns, a transposed A read in place. */
    private static void edgeDirect(int kc, float[] a, int ai, int aks, float[] pb, int bAt,
                                   float[] c, int cCol, int ldc, boolean load, float[] tile, int i0, int cols) {
        if (load) {
            for (int i = 0; i < MR; i++) {
                System.arraycopy(c, cCol + (i0 + i) * ldc, tile, i * NR, cols);
            }
        }
        kernel(kc, a, ai, aks, pb, bAt, tile, 0, NR, load);
        for (int i = 0; i < MR; i++) {
            System.arraycopy(tile, i * NR, c, cCol + (i0 + i) * ldc, cols);
        }
    }

    /** A partial register block: computed in full on a padded tile, then its valid part stored. */
    private static void edge(int kc, float[] pa, int aAt, float[] pb, int bAt, float[] c, int cCol, int ldc,
                             boolean load, float[] tile, int i0, int rLo, int rHi, int cols) {
        if (load) {
            java.util.Arrays.fill(tile, 0f);
            for (int i = rLo; i < rHi; i++) {
                System.arraycopy(c, cCol + i * ldc, tile, (i - i0) * NR, cols);
            }
        }
        kernel(kc, pa, aAt, MR, pb, bAt, tile, 0, NR, load);
        for (int i = rLo; i < rHi; i++) {
            System.arraycopy(tile, (i - i0) * NR, c, cCol + i * ldc, cols);
        }
    }

    /**
     * The register block: C[6×NR] (=|+=) Σ_p A(·, p) ⊗ B-panel[p][0..NR), p in [0, kc), each
     * element a chain of fma in p order, with A(i, p) = pa[ai + p·aStep + i] (a packed panel:
     * aStep = MR; A stored transposed: its leading dimension). Kept small: it is the hot loop.
     */
    static void kernel(int kc, float[] pa, int ai, int aStep, float[] pb, int bi, float[] c, int ci, int ldc,
                       boolean load) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (load) {
            c00 = FloatVector.fromArray(SPECIES, c, ci);
            c01 = FloatVector.fromArray(SPECIES, c, ci + V);
            c10 = FloatVector.fromArray(SPECIES, c, ci + ldc);
            c11 = FloatVector.fromArray(SPECIES, c, ci + ldc + V);
            c20 = FloatVector.fromArray(SPECIES, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(SPECIES, c, ci + 2 * ldc + V);
            c30 = FloatVector.fromArray(SPECIES, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(SPECIES, c, ci + 3 * ldc + V);
            c40 = FloatVector.fromArray(SPECIES, c, ci + 4 * ldc);
            c41 = FloatVector.fromArray(SPECIES, c, ci + 4 * ldc + V);
            c50 = FloatVector.fromArray(SPECIES, c, ci + 5 * ldc);
            c51 = FloatVector.fromArray(SPECIES, c, ci + 5 * ldc + V);
        } else {
            FloatVector z = FloatVector.zero(SPECIES);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z;
            c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z;
        }
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bi + V);
            FloatVector a = FloatVector.broadcast(SPECIES, pa[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SPECIES, pa[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(SPECIES, pa[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SPECIES, pa[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(SPECIES, pa[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(SPECIES, pa[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            ai += aStep;
            bi += NR;
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + V);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + V);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + V);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + V);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + V);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + V);
    }

    /**
     * Packs B(k, jc + j) for k in [0, kc) (b already offset to the chunk), j in [0, nc) into
     * panels of NR columns, {@code pb[panel·kc·NR + p·NR + j]}; columns at or beyond n are zero.
     */
    private static void packB(float[] pb, int kc, int nc, float[] b, int bOff, int bks, int bcs, int jc, int n) {
        for (int jr = 0; jr < nc; jr += NR) {
            int j0 = jc + jr;
            int cols = Math.min(NR, n - j0);
            int dst = jr * kc;
            if (bcs == 1 && cols == NR) {
                packRows(pb, dst, kc, b, bOff + j0, bks);
            } else if (bks == 1) {
                for (int j = 0; j < NR; j++) {
                    if (j < cols) {
                        packColumn(pb, dst + j, NR, kc, b, bOff + (j0 + j) * bcs);
                    } else {
                        zeroColumn(pb, dst + j, NR, kc);
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + p * bks + j0 * bcs;
                    for (int j = 0; j < NR; j++) {
                        pb[dst + p * NR + j] = j < cols ? b[src + j * bcs] : 0f;
                    }
                }
            }
        }
    }

    /** pb[dst + p·NR + (0..NR)] = b[src + p·bks + (0..NR)]: a B panel whose rows are contiguous. */
    private static void packRows(float[] pb, int dst, int kc, float[] b, int src, int bks) {
        for (int p = 0; p < kc; p++) {
            FloatVector.fromArray(SPECIES, b, src).intoArray(pb, dst);
            FloatVector.fromArray(SPECIES, b, src + V).intoArray(pb, dst + V);
            src += bks;
            dst += NR;
        }
    }

    /** dst[at + p·stride] = src[from + p] for p in [0, kc): a contiguous run, transposed into a panel. */
    private static void packColumn(float[] dst, int at, int stride, int kc, float[] src, int from) {
        for (int p = 0; p < kc; p++) {
            dst[at + p * stride] = src[from + p];
        }
    }

    private static void zeroColumn(float[] dst, int at, int stride, int kc) {
        for (int p = 0; p < kc; p++) {
            dst[at + p * stride] = 0f;
        }
    }

    /**
     * Packs A(ic + i, k) for i in [0, mc) rounded up to MR, k in [0, kc) (a already offset to the
     * chunk) into panels of MR rows, {@code pa[panel·kc·MR + p·MR + i]}; rows outside [m0, m1)
     * are zero.
     */
    private static void packA(float[] pa, int paBase, int kc, int mc, float[] a, int aOff, int ars, int aks,
                              int ic, int m0, int m1, boolean direct) {
        for (int ir = 0; ir < mc; ir += MR) {
            int i0 = ic + ir;
            int dst = paBase + ir * kc;
            boolean full = i0 >= m0 && i0 + MR <= m1;
            if (direct && full) {
                continue;                       // read in place by the macro-kernel
            }
            if (ars == 1 && full) {
                packRowsOf6(pa, dst, kc, a, aOff + i0, aks);
            } else if (aks == 1) {
                for (int i = 0; i < MR; i++) {
                    int row = i0 + i;
                    if (row >= m0 && row < m1) {
                        packColumn(pa, dst + i, MR, kc, a, aOff + row * ars);
                    } else {
                        zeroColumn(pa, dst + i, MR, kc);
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    for (int i = 0; i < MR; i++) {
                        int row = i0 + i;
                        pa[dst + p * MR + i] = row >= m0 && row < m1 ? a[aOff + row * ars + p * aks] : 0f;
                    }
                }
            }
        }
    }

    /** pa[dst + p·MR + (0..MR)] = a[src + p·aks + (0..MR)]: an A panel stored transposed. */
    private static void packRowsOf6(float[] pa, int dst, int kc, float[] a, int src, int aks) {
        for (int p = 0; p < kc; p++) {
            pa[dst] = a[src];
            pa[dst + 1] = a[src + 1];
            pa[dst + 2] = a[src + 2];
            pa[dst + 3] = a[src + 3];
            pa[dst + 4] = a[src + 4];
            pa[dst + 5] = a[src + 5];
            src += aks;
            dst += MR;
        }
    }
}
