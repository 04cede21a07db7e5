"""Graph algorithms on numpy arrays: adjacency, connected components, multi-source distances.

The walking analysis needs three things of a graph: the adjacency of an undirected weighted
graph (shortest parallel edge kept), its connected components, and the distance from the nearest
of many sources to every node up to a limit, with the source. They are done here with numpy array
passes only, so that a walking run does not import scipy (about a third of a second of imports,
more than the search itself on a city).

* :func:`components` hooks every edge's larger root onto the smaller and compresses the paths
  (pointer jumping) until no edge joins two roots: each component is labelled by its smallest
  node, in the order of those nodes (the same labels as a breadth-first search from node 0, 1, ...).
* :func:`multi_source` is a label-correcting search: every round relaxes the edges of the nodes
  whose distance improved in the round before, until nothing improves. With positive weights the
  answer is the one fixpoint of ``d[v] = min(d[u] + w(u, v))``, so the distances are bitwise those
  of Dijkstra's algorithm; a node reached at exactly the same distance from two sources takes the
  source with the smaller index.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["EPS", "Adjacency", "components", "multi_source", "undirected", "unique"]

#: Smallest edge weight (m): a zero-length edge still costs something, so no two nodes have the
#: same distance through it.
EPS = 1e-9

_NO_SOURCE = np.iinfo(np.int64).max


def unique(a: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an array, by one sort.

    (numpy 2.4's ``np.unique`` without ``return_*`` hashes: ten times slower on a few hundred
    thousand integers.)

    Examples
    --------
    >>> unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    s = np.sort(np.asarray(a).ravel())
    if len(s) < 2:
        return s
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


@dataclass(frozen=True)
class Adjacency:
    """An undirected weighted graph in compressed sparse row form (both directions stored).

    Attributes
    ----------
    indptr : ndarray of int64, shape (n + 1,)
        Edges of node ``i`` are ``indices[indptr[i]:indptr[i + 1]]``.
    indices : ndarray of int64
        Neighbour of each stored edge.
    weights : ndarray of float64
        Length of each stored edge (at least :data:`EPS`).
    n : int
        Number of nodes.
    """

    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    n: int

    @property
    def degree(self) -> np.ndarray:
        """Number of distinct neighbours of each node."""
        return np.diff(self.indptr)

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every stored edge as ``(row, column, weight)`` (each undirected edge twice)."""
        rows = np.repeat(np.arange(self.n, dtype=np.int64), self.degree)
        return rows, self.indices, self.weights

    def to_scipy(self) -> object:
        """The same graph as a ``scipy.sparse.csr_matrix`` (imports scipy)."""
        from scipy import sparse

        return sparse.csr_matrix((self.weights, self.indices, self.indptr),
                                 shape=(self.n, self.n))


def undirected(u: np.ndarray, v: np.ndarray, length: np.ndarray, n: int) -> Adjacency:
    """The adjacency of edges ``u[k]``-``v[k]``.

    Self-loops are dropped, the shortest of parallel edges kept, weights at least :data:`EPS`.

    Examples
    --------
    >>> import numpy as np
    >>> g = undirected(np.array([0, 1, 1]), np.array([1, 0, 2]), np.array([5.0, 3.0, 1.0]), 3)
    >>> g.degree.tolist(), sorted(g.weights.tolist())
    ([1, 2, 1], [1.0, 1.0, 3.0, 3.0])
    """
    from ._nearest import _argsort_keys

    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    length = np.asarray(length, dtype=np.float64)
    keep = u != v
    u, v, length = u[keep], v[keep], length[keep]
    lo = np.minimum(u, v)
    hi = np.maximum(u, v)
    if len(lo):
        order = _argsort_keys(lo * max(n, 1) + hi)
        key = lo[order] * max(n, 1) + hi[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        starts = np.flatnonzero(first)
        # the shortest of parallel edges
        length = np.maximum(np.minimum.reduceat(length[order], starts), EPS)
        lo, hi = lo[order][starts], hi[order][starts]
    rows = np.concatenate([lo, hi])
    cols = np.concatenate([hi, lo])
    vals = np.concatenate([length, length])
    order = _argsort_keys(rows)
    counts = np.bincount(rows, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Adjacency(indptr, cols[order], vals[order], int(n))


def components(n: int, u: np.ndarray, v: np.ndarray) -> tuple[int, np.ndarray]:
    """Connected components of the undirected graph with edges ``u[k]``-``v[k]``.

    Returns ``(count, labels)``; components are numbered in the order of their smallest node.

    Examples
    --------
    >>> import numpy as np
    >>> components(5, np.array([3, 1]), np.array([4, 0]))
    (3, array([0, 0, 1, 2, 2]))
    """
    parent = np.arange(n, dtype=np.int64)
    a = np.asarray(u, dtype=np.int64)
    b = np.asarray(v, dtype=np.int64)
    while len(a):
        pa, pb = parent[a], parent[b]
        live = pa != pb
        if not live.any():
            break
        a, b, pa, pb = a[live], b[live], pa[live], pb[live]
        # hook each larger root onto the smallest root it meets, then compress to roots
        np.minimum.at(parent, np.maximum(pa, pb), np.minimum(pa, pb))
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    # every node points at its component's smallest node: number the roots in order
    is_root = parent == np.arange(n, dtype=np.int64)
    rank = np.cumsum(is_root) - 1
    return int(is_root.sum()), rank[parent].astype(np.int64)


def multi_source(graph: Adjacency, nodes: np.ndarray, dist: np.ndarray, source: np.ndarray,
                 limit: float) -> tuple[np.ndarray, np.ndarray]:
    """Distance from the nearest source to every node, up to ``limit``, and that source.

    Parameters
    ----------
    graph : Adjacency
    nodes, dist, source : ndarray
        Starting values: node ``nodes[k]`` is reached at ``dist[k]`` from source ``source[k]``
        (a source sits on an edge and reaches both its ends; several may start at one node).
    limit : float
        Nodes farther than this from every source get ``inf`` and source -1.

    Returns
    -------
    (distance, source) : tuple of ndarray
        Per node. Equal distances from two sources: the smaller source index wins.

    Examples
    --------
    >>> import numpy as np
    >>> g = undirected(np.array([0, 1, 2]), np.array([1, 2, 3]), np.array([1.0, 1.0, 1.0]), 4)
    >>> d, s = multi_source(g, np.array([0, 3]), np.array([0.0, 0.5]), np.array([7, 8]), 10.0)
    >>> d.tolist(), s.tolist()
    ([0.0, 1.0, 1.5, 0.5], [7, 7, 8, 8])
    """
    n = graph.n
    best = np.full(n, np.inf)
    src = np.full(n, _NO_SOURCE, dtype=np.int64)
    node = np.asarray(nodes, dtype=np.int64)
    d = np.asarray(dist, dtype=np.float64)
    s = np.asarray(source, dtype=np.int64)
    keep = d <= limit
    frontier = _improve(best, src, node[keep], d[keep], s[keep])
    indptr, indices, weights = graph.indptr, graph.indices, graph.weights
    while len(frontier):
        start = indptr[frontier]
        count = indptr[frontier + 1] - start
        total = int(count.sum())
        if not total:
            break
        # the stored edges of every frontier node, in one flat index
        owner = np.repeat(frontier, count)
        pos = np.arange(total, dtype=np.int64) + np.repeat(start - (np.cumsum(count) - count),
                                                           count)
        cand = best[owner] + weights[pos]
        ok = cand <= limit
        frontier = _improve(best, src, indices[pos][ok], cand[ok], src[owner][ok])
    src[src == _NO_SOURCE] = -1
    best[src < 0] = np.inf
    return best, src


def _improve(best: np.ndarray, src: np.ndarray, node: np.ndarray, d: np.ndarray,
             s: np.ndarray) -> np.ndarray:
    """Lower ``best``/``src`` in place with candidates; return the nodes that changed."""
    cur = best[node]
    better = (d < cur) | ((d == cur) & (s < src[node]))
    if not better.any():
        return np.zeros(0, dtype=np.int64)
    node, d, s, cur = node[better], d[better], s[better], cur[better]
    np.minimum.at(best, node, d)
    new = best[node]
    src[node[new < cur]] = _NO_SOURCE  # a shorter way: the old source no longer counts
    at = d == new
    np.minimum.at(src, node[at], s[at])
    return unique(node)
