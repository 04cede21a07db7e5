"""Exact nearest segment / nearest point for many query points, by stamping on a bucket grid.

The query points are sorted into square buckets once. Every target (a straight segment, or a
facility point) is then *stamped* on the buckets its reach ``r`` can touch (its box widened by
``r``), and compared with the points in those buckets only: one flat numpy pass over all
(point, target) pairs, then a scatter-minimum per point. A point whose best distance found is at
most ``r`` has its exact answer: every target within ``r`` of it was compared. The others (far
from every target) are stamped again with a twice larger reach, among the targets whose widened
box holds one of them (a summed-area count of the waiting points); after three such passes the
few points still farther get GEOS's best-first nearest search (an STRtree). For a regular grid of
cell centres the buckets are the cells themselves, so nothing needs sorting.

Targets are compared by their squared distance (no square root in the inner loop: numpy's
``hypot`` alone costs more than the rest), computed exactly as written here whatever the path;
the distance returned is the square root of the smallest. Of equally near targets the one with
the smaller index wins, so an answer does not depend on the bucket size or the order of the
points.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["GridSpec", "Segments", "nearest_point", "nearest_segment"]

#: (Target, bucket row) pairs prepared per numpy pass.
_CHUNK = 32_768
#: Point-target comparisons per numpy pass (the temporaries stay in the processor caches).
_EVAL = 131_072
#: The reach grows by this factor between passes ...
_GROW = 2.0
#: ... this many times; the points still farther from every target then get GEOS's search.
_PASSES = 3
_NONE = np.iinfo(np.int64).max


@dataclass(frozen=True)
class GridSpec:
    """The query points are the cell centres of this grid: buckets are its cells.

    ``x0``, ``ytop`` is the grid's top-left corner, ``cell`` its side.
    """

    x0: float
    ytop: float
    cell: float


@dataclass(frozen=True)
class Segments:
    """Straight segments ``a``-``b`` as coordinate arrays.

    ``ll`` is the squared length (1 where the length is zero, so that the projection is 0).
    """

    ax: np.ndarray
    ay: np.ndarray
    dx: np.ndarray
    dy: np.ndarray
    ll: np.ndarray

    @classmethod
    def from_ends(cls, a: np.ndarray, b: np.ndarray) -> Segments:
        """Segments from (n, 2) arrays of first and second ends."""
        ax, ay = np.ascontiguousarray(a[:, 0]), np.ascontiguousarray(a[:, 1])
        dx = np.ascontiguousarray(b[:, 0] - a[:, 0])
        dy = np.ascontiguousarray(b[:, 1] - a[:, 1])
        ll = dx * dx + dy * dy
        return cls(ax, ay, dx, dy, np.where(ll > 0, ll, 1.0))

    def __len__(self) -> int:
        return len(self.ax)

    def distance2(self, px: np.ndarray, py: np.ndarray, e: np.ndarray) -> np.ndarray:
        """Squared distance from points ``(px, py)`` to segments ``e`` (element by element)."""
        rx = px - self.ax[e]
        ry = py - self.ay[e]
        ddx = self.dx[e]
        ddy = self.dy[e]
        t = rx * ddx
        t += ry * ddy
        t /= self.ll[e]
        np.clip(t, 0.0, 1.0, out=t)
        rx -= ddx * t
        ry -= ddy * t
        rx *= rx
        ry *= ry
        rx += ry
        return np.asarray(rx)


# ------------------------------------------------------------------------------------------
# Buckets of query points
# ------------------------------------------------------------------------------------------
@dataclass
class _Buckets:
    ox: float
    oytop: float
    size: float
    ncols: int
    nrows: int
    order: np.ndarray      # point positions (into the pass's points) sorted by bucket
    starts: np.ndarray     # first position in ``order`` of each bucket (length nb + 1)

    @property
    def counts(self) -> np.ndarray:
        return np.diff(self.starts)

    def ranges(self, lo_x: np.ndarray, lo_y: np.ndarray, hi_x: np.ndarray, hi_y: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Bucket column/row ranges of boxes, clipped; ``ok`` False for boxes off the grid."""
        s = self.size
        i0 = np.floor((lo_x - self.ox) / s)
        i1 = np.floor((hi_x - self.ox) / s)
        j0 = np.floor((self.oytop - hi_y) / s)
        j1 = np.floor((self.oytop - lo_y) / s)
        ok = (i1 >= 0) & (i0 < self.ncols) & (j1 >= 0) & (j0 < self.nrows)
        i0 = np.clip(i0, 0, self.ncols - 1).astype(np.int64)
        i1 = np.clip(i1, 0, self.ncols - 1).astype(np.int64)
        j0 = np.clip(j0, 0, self.nrows - 1).astype(np.int64)
        j1 = np.clip(j1, 0, self.nrows - 1).astype(np.int64)
        return i0, i1, j0, j1, ok

    def occupied(self, i0: np.ndarray, i1: np.ndarray, j0: np.ndarray, j1: np.ndarray
                 ) -> np.ndarray:
        """Number of points in each bucket range (summed-area table)."""
        c = self.counts.reshape(self.nrows, self.ncols)
        sat = np.zeros((self.nrows + 1, self.ncols + 1), dtype=np.int64)
        np.cumsum(np.cumsum(c, axis=0), axis=1, out=sat[1:, 1:])
        return np.asarray(sat[j1 + 1, i1 + 1] - sat[j0, i1 + 1] - sat[j1 + 1, i0] + sat[j0, i0])


def _bucket(px: np.ndarray, py: np.ndarray, size: float, grid: GridSpec | None) -> _Buckets:
    if grid is not None:
        ox, oytop, size = grid.x0, grid.ytop, grid.cell
    else:
        ox, oytop = float(px.min()), float(py.max())
    bi = np.floor((px - ox) / size).astype(np.int64)
    bj = np.floor((oytop - py) / size).astype(np.int64)
    if grid is not None:
        # cell centres: exactly their own cell (no rounding at the edges)
        np.maximum(bi, 0, out=bi)
        np.maximum(bj, 0, out=bj)
    ncols = int(bi.max()) + 1
    nrows = int(bj.max()) + 1
    key = bj * ncols + bi
    if len(key) < 2 or bool(np.all(key[1:] >= key[:-1])):
        order = np.arange(len(key), dtype=np.int64)
    else:
        order = _argsort_keys(key)
    starts = np.zeros(ncols * nrows + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=ncols * nrows), out=starts[1:])
    return _Buckets(ox, oytop, float(size), ncols, nrows, order, starts)


def _argsort_keys(key: np.ndarray) -> np.ndarray:
    """A stable argsort of non-negative integer keys by radix passes of 16 bits.

    numpy sorts 16-bit integers by radix, several times faster than a comparison sort.
    """
    if not len(key):
        return np.zeros(0, dtype=np.int64)
    top = int(key.max())
    order = np.arange(len(key), dtype=np.int64)
    shift = 0
    while True:
        digit = ((key[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
        if top >> shift == 0:
            return order


def _bucket_size(px: np.ndarray, py: np.ndarray, reach: float) -> float:
    """About one point per bucket, between reach / 8 and reach (and never a silly count)."""
    n = len(px)
    w = float(np.ptp(px)) if n else 0.0
    h = float(np.ptp(py)) if n else 0.0
    area = max(w * h, 1.0)
    size = float(np.sqrt(area / max(n, 1)))
    size = min(max(size, reach / 8.0), max(reach, 1e-6))
    # at most about 4 buckets per point (plus a floor), so the bucket arrays stay small
    while (w / size + 1) * (h / size + 1) > 4 * n + 65_536:
        size *= 2.0
    return size


# ------------------------------------------------------------------------------------------
# Stamping
# ------------------------------------------------------------------------------------------
Dist = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
Keep = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]
#: ``chord(targets, y, r)``: the x-interval, at height ``y``, of the points within ``r`` of each
#: target (a superset is fine: every point in it is compared exactly).
Chord = Callable[[np.ndarray, np.ndarray, float], tuple[np.ndarray, np.ndarray]]


def _stamp(b: _Buckets, px: np.ndarray, py: np.ndarray, lo_x: np.ndarray, lo_y: np.ndarray,
           hi_x: np.ndarray, hi_y: np.ndarray, target: np.ndarray, reach: float,
           dist: Dist, best_d: np.ndarray, best_t: np.ndarray, *, filter_empty: bool,
           keep: Keep, chord: Chord | None = None) -> None:
    """Compare every point with the targets whose box widened by ``reach`` holds its bucket.

    ``dist`` gives squared distances; ``best_d`` holds squared distances.

    With ``chord`` (buckets that are cells, one centre each), a row compares only the centres
    within the target's reach at the row's height instead of its whole box.
    """
    grow = reach * (1.0 + 1e-9) + 1e-6
    i0, i1, j0, j1, ok = b.ranges(lo_x - grow, lo_y - grow, hi_x + grow, hi_y + grow)
    if filter_empty:
        ok &= b.occupied(i0, i1, j0, j1) > 0
    sel = np.flatnonzero(ok)
    if not len(sel):
        return
    i0, i1, j0, j1, target = i0[sel], i1[sel], j0[sel], j1[sel], target[sel]
    nj = j1 - j0 + 1
    starts = b.starts
    cum = np.cumsum(nj)
    done = 0
    total = int(cum[-1])
    while done < total:
        lo = int(np.searchsorted(cum, done, side="right"))
        hi = max(int(np.searchsorted(cum, done + _CHUNK, side="right")), lo + 1)
        done = int(cum[hi - 1])
        # every (target, bucket row): the row's buckets i0..i1 hold consecutive points of
        # ``order`` (buckets are numbered row by row), so each is one range of points
        cj = nj[lo:hi]
        row_t = np.repeat(np.arange(lo, hi, dtype=np.int64), cj)
        first_row = np.cumsum(cj) - cj
        jj = np.repeat(j0[lo:hi] - first_row, cj) + np.arange(len(row_t), dtype=np.int64)
        base = jj * b.ncols
        c_lo, c_hi = i0[row_t], i1[row_t]
        if chord is not None:
            left, right = chord(target[row_t], b.oytop - (jj + 0.5) * b.size, grow)
            # clip before the cast (an empty chord comes back as +inf .. -inf)
            cl = np.clip(np.ceil((left - b.ox) / b.size - 0.5), -1, b.ncols)
            cr = np.clip(np.floor((right - b.ox) / b.size - 0.5), -1, b.ncols)
            c_lo = np.maximum(c_lo, cl.astype(np.int64))
            c_hi = np.minimum(c_hi, cr.astype(np.int64))
            c_hi = np.maximum(c_hi, c_lo - 1)
        p0 = starts[base + c_lo]
        c = starts[base + c_hi + 1] - p0
        nz = c > 0
        if not nz.all():
            row_t, p0, c = row_t[nz], p0[nz], c[nz]
        if not len(c):
            continue
        ccum = np.cumsum(c)
        k = 0
        while k < len(c):
            before = int(ccum[k - 1]) if k else 0
            z = max(int(np.searchsorted(ccum, before + _EVAL, side="right")), k + 1)
            cc = c[k:z]
            m = int(ccum[z - 1]) - before
            tgt = np.repeat(target[row_t[k:z]], cc)
            pos = np.repeat(p0[k:z] - (ccum[k:z] - cc - before), cc)
            pos += np.arange(m, dtype=np.int64)
            pt = b.order[pos]
            d = dist(px[pt], py[pt], tgt)
            keep(best_d, best_t, pt, d, tgt)
            k = z


def _keep_first(best_d: np.ndarray, best_t: np.ndarray, pt: np.ndarray, d: np.ndarray,
                tgt: np.ndarray) -> None:
    """Lower each point's best (distance, target): nearer wins, then the smaller target.

    So the answer does not depend on the order of comparison (the nearest facility's identity).
    """
    cur = best_d[pt]
    better = (d < cur) | ((d == cur) & (tgt < best_t[pt]))
    if not better.any():
        return
    pt, d, tgt, cur = pt[better], d[better], tgt[better], cur[better]
    np.minimum.at(best_d, pt, d)
    new = best_d[pt]
    best_t[pt[new < cur]] = _NONE
    at = d == new
    np.minimum.at(best_t, pt[at], tgt[at])


def _solve(px: np.ndarray, py: np.ndarray, boxes: Callable[[float], tuple[np.ndarray, ...]],
           dist: Dist, reach: float, within: float | None, grid: GridSpec | None,
           geoms: Callable[[], np.ndarray], keep: Keep, chord: Chord | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """The pass loop shared by both searches (see the module docstring)."""
    n = len(px)
    best_d = np.full(n, np.inf)
    best_t = np.full(n, _NONE, dtype=np.int64)
    todo = np.arange(n, dtype=np.int64)
    first = True
    last = within if within is not None else reach * _GROW ** _PASSES
    r = min(reach, last)
    while len(todo):
        qx, qy = px[todo], py[todo]
        size = _bucket_size(qx, qy, r) if not (first and grid is not None) else grid.cell
        b = _bucket(qx, qy, size, grid if first else None)
        lo_x, lo_y, hi_x, hi_y, target = boxes(r)
        sub_d = best_d[todo]
        sub_t = best_t[todo]
        _stamp(b, qx, qy, lo_x, lo_y, hi_x, hi_y, target, r, dist, sub_d, sub_t,
               filter_empty=not first, keep=keep,
               chord=chord if (first and grid is not None) else None)
        best_d[todo] = sub_d
        best_t[todo] = sub_t
        todo = todo[~(sub_d <= r * r)]
        if r >= last:
            break
        r = min(r * _GROW, last)
        first = False
    if within is None and len(todo):
        # far from every target: a best-first search in GEOS's STRtree (exact, O(log n) each)
        import shapely

        tree = shapely.STRtree(geoms())
        qi, ti = tree.query_nearest(shapely.points(px[todo], py[todo]), all_matches=True)
        pts = todo[qi]
        keep(best_d, best_t, pts, dist(px[pts], py[pts], ti.astype(np.int64)),
             ti.astype(np.int64))
    best_t[best_t == _NONE] = -1
    if within is not None:
        best_t[~(best_d <= within * within)] = -1
    out = np.sqrt(best_d)
    out[best_t < 0] = np.inf
    return best_t, out


def _capsule_chord(seg: Segments, e: np.ndarray, y: np.ndarray, r: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The x-interval, at height ``y``, of the points within ``r`` of segment ``e``.

    Widened by a hair; empty intervals come back with left > right.

    The capsule is the band of half-width ``r`` along the segment cut to the slab between its
    ends' perpendiculars, plus a disc at each end: the interval spans the parts that exist.
    """
    ax, ay = seg.ax[e], seg.ay[e]
    dx, dy = seg.dx[e], seg.dy[e]
    bx, by = ax + dx, ay + dy
    ll = dx * dx + dy * dy
    inf = np.full(len(e), np.inf)
    left, right = inf.copy(), -inf
    for cx, cy in ((ax, ay), (bx, by)):
        h2 = r * r - (y - cy) ** 2
        ok = h2 >= 0
        h = np.sqrt(np.where(ok, h2, 0.0))
        left = np.where(ok, np.minimum(left, cx - h), left)
        right = np.where(ok, np.maximum(right, cx + h), right)
    # band: |(x - ax) dy - (y - ay) dx| <= r L ; slab: 0 <= (x - ax) dx + (y - ay) dy <= ll
    length = np.sqrt(ll)
    with np.errstate(divide="ignore", invalid="ignore"):
        u0 = ((y - ay) * dx - r * length) / dy
        u1 = ((y - ay) * dx + r * length) / dy
        band_lo = np.where(dy != 0, ax + np.minimum(u0, u1), -np.inf)
        band_hi = np.where(dy != 0, ax + np.maximum(u0, u1), np.inf)
        in_band = (dy != 0) | (np.abs(y - ay) <= r)
        s0 = -(y - ay) * dy / dx
        s1 = (ll - (y - ay) * dy) / dx
        slab_lo = np.where(dx != 0, ax + np.minimum(s0, s1), -np.inf)
        slab_hi = np.where(dx != 0, ax + np.maximum(s0, s1), np.inf)
        t = (y - ay) * dy
        in_slab = (dx != 0) | ((t >= 0) & (t <= ll))
    lo = np.maximum(band_lo, slab_lo)
    hi = np.minimum(band_hi, slab_hi)
    ok = in_band & in_slab & (lo <= hi) & (ll > 0)
    left = np.where(ok, np.minimum(left, lo), left)
    right = np.where(ok, np.maximum(right, hi), right)
    pad = 1e-9 * (np.abs(ax) + np.abs(dx) + r) + 1e-9
    return left - pad, right + pad


def nearest_segment(px: np.ndarray, py: np.ndarray, seg: Segments, *,
                    within: float | None = None, reach: float | None = None,
                    grid: GridSpec | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The nearest segment of each point and its distance.

    Parameters
    ----------
    px, py : ndarray
        Query points.
    seg : Segments
    within : float, optional
        Only segments within this distance count: points with none get -1 and ``inf``.
    reach : float, optional
        The first pass's reach (a speed setting only; default from the segments' density).
    grid : GridSpec, optional
        The points are the cell centres of this grid (buckets = cells).

    Returns
    -------
    (segment, distance) : tuple of ndarray

    Examples
    --------
    >>> import numpy as np
    >>> s = Segments.from_ends(np.array([[0.0, 0.0], [0.0, 10.0]]),
    ...                        np.array([[10.0, 0.0], [10.0, 10.0]]))
    >>> e, d = nearest_segment(np.array([5.0, 5.0, 20.0]), np.array([1.0, 9.0, 10.0]), s)
    >>> e.tolist(), d.tolist()
    ([0, 1, 1], [1.0, 1.0, 10.0])
    """
    px = np.asarray(px, dtype=np.float64)
    py = np.asarray(py, dtype=np.float64)
    n, m = len(px), len(seg)
    if not n or not m:
        return np.full(n, -1, dtype=np.int64), np.full(n, np.inf)
    bx = seg.ax + seg.dx
    by = seg.ay + seg.dy
    sx0, sx1 = np.minimum(seg.ax, bx), np.maximum(seg.ax, bx)
    sy0, sy1 = np.minimum(seg.ay, by), np.maximum(seg.ay, by)
    length = np.sqrt(seg.dx * seg.dx + seg.dy * seg.dy)
    if reach is None:
        # on a street grid of spacing s the total length per area is about 2 / s and no point
        # is farther than s / 2 from a street; a first reach of 0.75 area / length (3 s / 8)
        # settles most points, the few farther ones wait for the next pass
        w = float(sx1.max() - sx0.min())
        h = float(sy1.max() - sy0.min())
        reach = 0.75 * max(w * h, 1.0) / max(float(length.sum()), 1e-9)
        reach = max(reach, 1e-3)

    def boxes(r: float) -> tuple[np.ndarray, ...]:
        # long segments in pieces of at most 2.8 r: their boxes stay close to their reach
        piece = 2.8 * r
        k = np.maximum(1, np.ceil(length / piece)).astype(np.int64)
        if int(k.max()) == 1:
            return sx0, sy0, sx1, sy1, np.arange(m, dtype=np.int64)
        e = np.repeat(np.arange(m, dtype=np.int64), k)
        j = np.arange(len(e), dtype=np.int64) - np.repeat(np.cumsum(k) - k, k)
        f0 = j / k[e]
        f1 = (j + 1) / k[e]
        x0 = seg.ax[e] + seg.dx[e] * f0
        x1 = seg.ax[e] + seg.dx[e] * f1
        y0 = seg.ay[e] + seg.dy[e] * f0
        y1 = seg.ay[e] + seg.dy[e] * f1
        return (np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1),
                np.maximum(y0, y1), e)

    def chord(e: np.ndarray, y: np.ndarray, r: float) -> tuple[np.ndarray, np.ndarray]:
        return _capsule_chord(seg, e, y, r)

    def geoms() -> np.ndarray:
        import shapely

        a = np.column_stack([seg.ax, seg.ay])
        return np.asarray(shapely.linestrings(np.stack([a, a + np.column_stack([seg.dx, seg.dy])],
                                                       axis=1)))

    return _solve(px, py, boxes, seg.distance2, float(reach), within, grid, geoms, _keep_first,
                  chord)


def nearest_point(px: np.ndarray, py: np.ndarray, fx: np.ndarray, fy: np.ndarray, *,
                  within: float | None = None, reach: float | None = None,
                  grid: GridSpec | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The nearest of the points ``(fx, fy)`` to each point ``(px, py)``, and its distance.

    The distance is ``sqrt(dx * dx + dy * dy)``; of equally near points the one with the smaller
    index wins. ``within``, ``reach`` and ``grid`` as for :func:`nearest_segment`; ``reach`` is
    a speed setting only (default: the radius of a disc holding about two targets), the answer is
    exact for every point.

    Examples
    --------
    >>> import numpy as np
    >>> i, d = nearest_point(np.array([0.0, 10.0]), np.array([0.0, 0.0]),
    ...                      np.array([3.0, 10.0]), np.array([4.0, 1.0]))
    >>> i.tolist(), d.tolist()
    ([0, 1], [5.0, 1.0])
    """
    px = np.asarray(px, dtype=np.float64)
    py = np.asarray(py, dtype=np.float64)
    fx = np.asarray(fx, dtype=np.float64)
    fy = np.asarray(fy, dtype=np.float64)
    n, m = len(px), len(fx)
    if not n or not m:
        return np.full(n, -1, dtype=np.int64), np.full(n, np.inf)
    if reach is None:
        area = max(float(np.ptp(fx)) * float(np.ptp(fy)), 1.0)
        reach = max(float(np.sqrt(2.0 * area / (np.pi * m))), 1e-3)
    idx = np.arange(m, dtype=np.int64)

    def boxes(_r: float) -> tuple[np.ndarray, ...]:
        return fx, fy, fx, fy, idx

    def dist(x: np.ndarray, y: np.ndarray, t: np.ndarray) -> np.ndarray:
        dx = x - fx[t]
        dy = y - fy[t]
        dx *= dx
        dy *= dy
        dx += dy
        return np.asarray(dx)

    def chord(t: np.ndarray, y: np.ndarray, r: float) -> tuple[np.ndarray, np.ndarray]:
        h = np.sqrt(np.maximum(r * r - (y - fy[t]) ** 2, 0.0)) * (1.0 + 1e-9) + 1e-9 * r
        cx = fx[t]
        return cx - h, cx + h

    def geoms() -> np.ndarray:
        import shapely

        return np.asarray(shapely.points(fx, fy))

    return _solve(px, py, boxes, dist, float(reach), within, grid, geoms, _keep_first, chord)
