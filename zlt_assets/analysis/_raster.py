"""Cell-grid helpers with numpy and shapely only.

Which centres a polygon holds, which cells lie within a radius of points, 4-connected patches
and their outlines as polygons.

Rows count down from the top edge ``ytop``, columns right from ``x0``; cell ``(r, c)`` has its
centre at ``(x0 + (c + 0.5) cell, ytop - (r + 0.5) cell)``.

* :func:`polygon_mask` - a scanline fill (even-odd per polygon part) at the centres' heights;
  the centres within a hair of an edge crossing, and whole rows through a vertex, are then decided
  with ``shapely.intersects_xy`` (a centre on the boundary belongs to the polygon), so the answer
  is exactly "the centre intersects the polygon" for every cell.
* :func:`disc_mask` - the cells whose centre lies within ``radius`` of any of some points, marked
  as one run of columns per point and row (the ends of each run checked with the same distance
  formula as everywhere else), then one cumulative sum.
* :func:`label_patches` - 4-connected patches from runs of cells (union of overlapping runs of
  neighbouring rows), numbered in raster order like ``scipy.ndimage.label``.
* :func:`patch_polygons` - each patch's outline as a polygon with holes: boundary pieces between a
  patch cell and another cell, joined into rings (at a corner where two cells of the same patch
  touch diagonally the ring turns so that a hole touches its shell there, a valid polygon).
"""
from __future__ import annotations

import numpy as np
import shapely

from ._graph import components, unique

__all__ = ["disc_mask", "label_patches", "nonzero2d", "patch_polygons", "polygon_mask"]

_TOL = 1e-7


def nonzero2d(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-D array (rows, columns in raster order), several times faster.

    Examples
    --------
    >>> import numpy as np
    >>> r, c = nonzero2d(np.array([[0, 1], [1, 1]]))
    >>> r.tolist(), c.tolist()
    ([0, 1, 1], [1, 0, 1])
    """
    flat = np.flatnonzero(img)
    row, col = np.divmod(flat, img.shape[1])
    return row.astype(np.int64, copy=False), col.astype(np.int64, copy=False)


def _edges(geom: shapely.Geometry) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                            np.ndarray]:
    """Every ring edge of every polygon part: ``(xa, ya, xb, yb, part)``."""
    parts = shapely.get_parts(geom)
    parts = parts[shapely.get_type_id(parts) == 3]
    if not len(parts):
        z = np.zeros(0)
        return z, z, z, z, np.zeros(0, dtype=np.int64)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ridx = shapely.get_coordinates(rings, return_index=True)
    same = ridx[1:] == ridx[:-1]
    a = xy[:-1][same]
    b = xy[1:][same]
    part = ring_part[ridx[:-1][same]]
    return a[:, 0], a[:, 1], b[:, 0], b[:, 1], part.astype(np.int64)


def polygon_mask(geom: shapely.Geometry | None, x0: float, ytop: float, cell: float,
                 nrows: int, ncols: int, r0: int = 0, c0: int = 0) -> np.ndarray:
    """Boolean image (nrows, ncols): the cell centre intersects ``geom``.

    The image is the window of rows ``r0 ..`` and columns ``c0 ..`` of the grid whose top-left
    corner is ``(x0, ytop)`` (centres computed from the grid's corner, as the grid does).

    Examples
    --------
    >>> import shapely
    >>> polygon_mask(shapely.box(0, 0, 20, 10), 0.0, 10.0, 10.0, 1, 3).tolist()
    [[True, True, False]]
    """
    img = np.zeros((nrows, ncols), dtype=bool)
    if geom is None or shapely.is_empty(geom) or nrows == 0 or ncols == 0:
        return img
    xa, ya, xb, yb, part = _edges(geom)
    if not len(xa):
        return img
    tol = _TOL * max(cell, 1.0)
    rmax, cmax = r0 + nrows - 1, c0 + ncols - 1
    # rows whose centre height y_r = ytop - (r + 0.5) cell lies in [min(ya, yb), max(ya, yb))
    lo_y = np.minimum(ya, yb)
    hi_y = np.maximum(ya, yb)
    r_first = np.ceil((ytop - hi_y) / cell - 0.5).astype(np.int64)
    r_last = np.floor((ytop - lo_y) / cell - 0.5).astype(np.int64)
    r_first = np.maximum(r_first, r0)
    r_last = np.minimum(r_last, rmax)
    n = np.maximum(r_last - r_first + 1, 0)
    n[ya == yb] = 0
    e = np.repeat(np.arange(len(xa), dtype=np.int64), n)
    row = np.repeat(r_first - (np.cumsum(n) - n), n) + np.arange(int(n.sum()), dtype=np.int64)
    yr = ytop - (row + 0.5) * cell
    inside = (yr >= lo_y[e]) & (yr < hi_y[e])  # half-open: a vertex counts for one edge
    e, row, yr = e[inside], row[inside], yr[inside]
    x = xa[e] + (yr - ya[e]) * (xb[e] - xa[e]) / (yb[e] - ya[e])
    key = part[e] * (rmax + 1) + row
    order = np.lexsort((x, key))
    key, x, row = key[order], x[order], row[order]
    # crossings pair up per (part, row): fill between the first and second, third and fourth ...
    rank = np.arange(len(key)) - np.searchsorted(key, key, side="left")
    start = rank % 2 == 0
    nxt = np.flatnonzero(start)
    nxt = nxt[nxt + 1 < len(key)]
    nxt = nxt[key[nxt + 1] == key[nxt]]
    xl, xr, rr = x[nxt], x[nxt + 1], row[nxt]
    c_lo = np.maximum(np.ceil((xl - x0) / cell - 0.5).astype(np.int64), c0)
    c_hi = np.minimum(np.floor((xr - x0) / cell - 0.5).astype(np.int64), cmax)
    ok = c_hi >= c_lo
    diff = np.zeros((nrows, ncols + 1), dtype=np.int32)
    np.add.at(diff, (rr[ok] - r0, c_lo[ok] - c0), 1)
    np.add.at(diff, (rr[ok] - r0, c_hi[ok] + 1 - c0), -1)
    img = np.cumsum(diff[:, :ncols], axis=1) > 0
    # decide exactly the centres next to a crossing, and every centre of rows through a vertex
    shapely.prepare(geom)
    cc = np.rint((x - x0) / cell - 0.5).astype(np.int64)
    near = (np.abs(x0 + (cc + 0.5) * cell - x) <= tol) & (cc >= c0) & (cc <= cmax)
    rows_v = unique(np.concatenate([ya, yb]))
    rv = np.rint((ytop - rows_v) / cell - 0.5).astype(np.int64)
    on = (np.abs(ytop - (rv + 0.5) * cell - rows_v) <= tol) & (rv >= r0) & (rv <= rmax)
    rv = unique(rv[on])
    if near.any():
        r_n, c_n = row[near], cc[near]
        img[r_n - r0, c_n - c0] = shapely.intersects_xy(geom, x0 + (c_n + 0.5) * cell,
                                                        ytop - (r_n + 0.5) * cell)
    if len(rv):
        minx, _miny, maxx, _maxy = geom.bounds
        ca = max(int(np.floor((minx - x0) / cell - 0.5)), c0)
        cb = min(int(np.ceil((maxx - x0) / cell - 0.5)), cmax)
        if cb >= ca:
            cols = np.arange(ca, cb + 1)
            rg, cg = np.meshgrid(rv, cols, indexing="ij")
            img[rg - r0, cg - c0] = shapely.intersects_xy(geom, x0 + (cg + 0.5) * cell,
                                                          ytop - (rg + 0.5) * cell)
    return img


def disc_mask(fx: np.ndarray, fy: np.ndarray, radius: float, x0: float, ytop: float,
              cell: float, nrows: int, ncols: int) -> np.ndarray:
    """Boolean image: some point ``(fx, fy)`` lies within ``radius`` of the cell centre.

    "Within" is ``sqrt(dx * dx + dy * dy) <= radius`` in floating point, the same test as
    :func:`zlt_assets.analysis._nearest.nearest_point` distances, decided exactly at the ends of
    every run of columns.

    Examples
    --------
    >>> import numpy as np
    >>> disc_mask(np.array([15.0]), np.array([-15.0]), 10.0, 0.0, 0.0, 10.0, 3, 3).astype(int)
    array([[0, 1, 0],
           [1, 1, 1],
           [0, 1, 0]])
    """
    fx = np.asarray(fx, dtype=np.float64)
    fy = np.asarray(fy, dtype=np.float64)
    if not len(fx) or nrows == 0 or ncols == 0 or not radius >= 0:
        return np.zeros((nrows, ncols), dtype=bool)
    r_first = np.maximum(np.floor((ytop - fy - radius) / cell - 0.5).astype(np.int64), 0)
    r_last = np.minimum(np.ceil((ytop - fy + radius) / cell - 0.5).astype(np.int64), nrows - 1)
    n = np.maximum(r_last - r_first + 1, 0)
    f = np.repeat(np.arange(len(fx), dtype=np.int64), n)
    row = np.repeat(r_first - (np.cumsum(n) - n), n) + np.arange(int(n.sum()), dtype=np.int64)
    px, py = fx[f], fy[f]
    yc = ytop - (row + 0.5) * cell
    dy = yc - py
    half = np.sqrt(np.maximum(radius * radius - dy * dy, 0.0))
    lo = np.ceil((px - half - x0) / cell - 0.5).astype(np.int64)
    hi = np.floor((px + half - x0) / cell - 0.5).astype(np.int64)

    def within(c: np.ndarray) -> np.ndarray:
        dx = (x0 + (c + 0.5) * cell) - px
        return np.asarray(np.sqrt(dx * dx + dy * dy) <= radius)

    # widen or narrow each run by single cells until its ends are exact
    for _ in range(3):
        grow = within(lo - 1)
        lo = np.where(grow, lo - 1, lo)
        hi = np.where(within(hi + 1), hi + 1, hi)
        if not grow.any():
            break
    lo = np.where(within(lo) | (lo > hi), lo, lo + 1)
    hi = np.where(within(hi) | (lo > hi), hi, hi - 1)
    lo = np.maximum(lo, 0)
    hi = np.minimum(hi, ncols - 1)
    ok = (hi >= lo) & within(lo)
    # +1 where a run starts, -1 after it ends, counted per cell of the padded image
    w1 = ncols + 1
    start = row[ok] * w1
    end = start + hi[ok]
    end += 1
    start += lo[ok]
    diff = np.bincount(start, minlength=nrows * w1)
    diff -= np.bincount(end, minlength=nrows * w1)
    return np.cumsum(diff.reshape(nrows, w1)[:, :ncols], axis=1) > 0


def _runs(img: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of True cells per row: ``(row, first column, last column)`` in raster order."""
    h, w = img.shape
    pad = np.zeros((h, w + 2), dtype=np.int8)
    pad[:, 1:-1] = img
    d = np.diff(pad, axis=1)
    sr, sc = nonzero2d(d == 1)
    _er, ec = nonzero2d(d == -1)
    return sr.astype(np.int64), sc.astype(np.int64), ec.astype(np.int64) - 1


def label_patches(img: np.ndarray) -> tuple[np.ndarray, int]:
    """4-connected patches of True cells: ``(labels, count)``.

    Label 0 is "not selected"; patches 1..n are numbered in the raster order of their first cell.

    Examples
    --------
    >>> import numpy as np
    >>> lab, n = label_patches(np.array([[1, 0, 1], [1, 0, 0], [0, 1, 1]], dtype=bool))
    >>> n, lab.tolist()
    (3, [[1, 0, 2], [1, 0, 0], [0, 3, 3]])
    """
    labels = np.zeros(img.shape, dtype=np.int32)
    row, c0, c1 = _runs(img)
    if not len(row):
        return labels, 0
    w = img.shape[1] + 1
    key0 = row * w + c0
    key1 = row * w + c1
    # runs of the next row that share a column with each run
    lo = np.searchsorted(key1, (row + 1) * w + c0, side="left")
    hi = np.searchsorted(key0, (row + 1) * w + c1, side="right")
    cnt = np.maximum(hi - lo, 0)
    a = np.repeat(np.arange(len(row), dtype=np.int64), cnt)
    b = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(int(cnt.sum()), dtype=np.int64)
    n, lab = components(len(row), a, b)
    length = c1 - c0 + 1
    rr = np.repeat(row, length)
    cc = np.repeat(c0 - (np.cumsum(length) - length), length) + np.arange(int(length.sum()))
    labels[rr, cc] = np.repeat(lab + 1, length)
    return labels, int(n)


# directions of boundary pieces (world x right, y up): east, north, west, south
_DX = np.array([1, 0, -1, 0], dtype=np.int64)
_DY = np.array([0, -1, 0, 1], dtype=np.int64)  # in row units (rows go down)


def _pieces(labels: np.ndarray) -> tuple[np.ndarray, ...]:
    """Maximal straight boundary pieces with their patch on the left, in corner coordinates.

    Returns ``(start column, start row, direction, length, label)``; corners are numbered like
    cells (column ``i`` is the left edge of cell column ``i``).
    """
    h, w = labels.shape
    lab = np.zeros((h + 2, w + 2), dtype=labels.dtype)
    lab[1:-1, 1:-1] = labels
    out = []
    # horizontal lines between padded rows k and k + 1 (corner row k of the image)
    up, down = lab[:-1, 1:-1], lab[1:, 1:-1]
    for direction, here, there in ((0, up, down), (2, down, up)):
        # east pieces: patch above the line (bottom side of cells), west: patch below (top side)
        sel = (here > 0) & (here != there)
        k, i = nonzero2d(sel)
        if not len(k):
            continue
        v = here[k, i]
        brk = np.ones(len(k), dtype=bool)
        brk[1:] = (k[1:] != k[:-1]) | (i[1:] != i[:-1] + 1) | (v[1:] != v[:-1])
        first = np.flatnonzero(brk)
        last = np.r_[first[1:], len(k)] - 1
        length = i[last] - i[first] + 1
        if direction == 0:
            out.append((i[first], k[first], np.zeros(len(first), dtype=np.int64), length,
                        v[first]))
        else:
            out.append((i[last] + 1, k[first], np.full(len(first), 2, dtype=np.int64),
                        length, v[first]))
    # vertical lines between padded columns m and m + 1 (corner column m of the image)
    left, right = lab[1:-1, :-1], lab[1:-1, 1:]
    for direction, here, there in ((1, left, right), (3, right, left)):
        # north pieces: patch on the left of the line (right side of cells), south: on the right
        sel = (here > 0) & (here != there)
        m, k = nonzero2d(np.ascontiguousarray(sel.T))
        if not len(m):
            continue
        v = here[k, m]
        brk = np.ones(len(m), dtype=bool)
        brk[1:] = (m[1:] != m[:-1]) | (k[1:] != k[:-1] + 1) | (v[1:] != v[:-1])
        first = np.flatnonzero(brk)
        last = np.r_[first[1:], len(m)] - 1
        length = k[last] - k[first] + 1
        if direction == 1:
            out.append((m[first], k[last] + 1, np.ones(len(first), dtype=np.int64), length,
                        v[first]))
        else:
            out.append((m[first], k[first], np.full(len(first), 3, dtype=np.int64), length,
                        v[first]))
    if not out:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z, z, z
    return tuple(np.concatenate([o[j] for o in out]).astype(np.int64) for j in range(5))


def patch_polygons(labels: np.ndarray, n: int, x0: float, ytop: float, cell: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The outline of each patch as a polygon (with its holes).

    ``labels`` is a label image (0 = none, 1..n) whose top-left corner is at ``(x0, ytop)``.
    Returns ``(polygons, labels)``: one polygon per patch, in label order.

    Examples
    --------
    >>> import numpy as np
    >>> img = np.ones((3, 3), dtype=bool); img[1, 1] = False
    >>> lab, n = label_patches(img)
    >>> (poly,), _ = patch_polygons(lab, n, 0.0, 3.0, 1.0)
    >>> poly.area, len(poly.interiors)
    (8.0, 1)
    """
    if n == 0:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
    sx, sy, d, length, lab = _pieces(labels)
    ex = sx + _DX[d] * length
    ey = sy + _DY[d] * length
    w = labels.shape[1]
    stride = w + 3
    start_key = sy * stride + sx
    end_key = ey * stride + ex
    order = np.argsort(start_key, kind="stable")
    skeys = start_key[order]
    lo = np.searchsorted(skeys, end_key, side="left")
    hi = np.searchsorted(skeys, end_key, side="right")
    nxt = order[np.minimum(lo, len(order) - 1)]
    two = (hi - lo) == 2
    if two.any():
        # a corner where two cells touch diagonally: turn left (stay with the cell) unless both
        # cells belong to the same patch, then right (the hole touches the shell: valid)
        k = np.flatnonzero(two)
        c1, c2 = order[lo[k]], order[lo[k] + 1]
        left_turn = (d[k] + 1) % 4
        take1 = d[c1] == left_turn
        left_piece = np.where(take1, c1, c2)
        right_piece = np.where(take1, c2, c1)
        same = lab[c1] == lab[c2]
        nxt[k] = np.where(same, right_piece, left_piece)
    # rings: pointer jumping gives each piece its ring's smallest piece and its place in the ring
    m = len(sx)
    ring = np.arange(m, dtype=np.int64)
    jump = nxt.copy()
    steps = 1
    while steps < m:
        ring = np.minimum(ring, ring[jump])
        jump = jump[jump]
        steps *= 2
    # place in the ring: the number of steps from the ring's first piece (list ranking)
    head = ring == np.arange(m)
    succ = np.where(head[nxt], np.arange(m), nxt)  # cut each ring before its first piece
    rank = np.where(head[nxt], 0, 1).astype(np.int64)
    ptr = succ.copy()
    steps = 1
    while steps < m:
        rank = rank + np.where(ptr != np.arange(m), rank[ptr], 0)
        ptr = ptr[ptr]
        steps *= 2
    # rank = pieces from here to the ring's last piece; order pieces by ring, then backwards rank
    order = np.lexsort((-rank, ring))
    ring_sorted = ring[order]
    xs = x0 + sx[order] * cell
    ys = ytop - sy[order] * cell
    brk = np.r_[True, ring_sorted[1:] != ring_sorted[:-1]]
    first = np.flatnonzero(brk)
    count = np.diff(np.r_[first, len(order)])
    # close each ring: repeat its first corner at the end
    closed_len = count + 1
    pos = np.repeat(first, closed_len) + (np.arange(int(closed_len.sum())) -
                                          np.repeat(np.cumsum(closed_len) - closed_len,
                                                    closed_len))
    wrap = pos >= np.repeat(first + count, closed_len)
    pos = np.where(wrap, np.repeat(first, closed_len), pos)
    coords = np.column_stack([xs[pos], ys[pos]])
    rid = np.repeat(np.arange(len(first)), closed_len)
    rings = shapely.linearrings(coords, indices=rid)
    ring_label = lab[order[first]]
    # signed area of each ring (shoelace): shells counter-clockwise (> 0), holes clockwise
    x, y = coords[:, 0], coords[:, 1]
    seg = rid[1:] == rid[:-1]
    cross = (x[:-1] * y[1:] - x[1:] * y[:-1]) * seg
    area = np.bincount(rid[:-1], weights=cross, minlength=len(first)) / 2.0
    shell = area > 0
    ordr = np.lexsort((~shell, ring_label))  # per label: its shell first, then its holes
    polys = shapely.polygons(rings[ordr], indices=ring_label[ordr] - 1)
    return np.asarray(polys, dtype=object), np.arange(1, n + 1, dtype=np.int64)
