#!/usr/bin/env python3
"""The by-hand script a user could write (issue #13's contender): shapely unary_union to node
the streets, a networkx graph, one multi-source Dijkstra, KD-trees to attach stops and people.

    python benchmarks/byhand_coverage.py CITY_DIR OUT.json [RADIUS]
"""
import json
import sys

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from scipy.spatial import cKDTree

city, out = sys.argv[1], sys.argv[2]
radius = float(sys.argv[3]) if len(sys.argv) > 3 else 500.0
roads = gpd.read_file(f"{city}/roads.gpkg")
stops = gpd.read_file(f"{city}/stops.gpkg")
people = gpd.read_file(f"{city}/people.gpkg")
noded = shapely.get_parts(shapely.unary_union(roads.geometry.values))  # split at crossings
coords = shapely.get_coordinates(noded)
nodes, inv = np.unique(coords.round(6), axis=0, return_inverse=True)
counts = shapely.get_num_coordinates(noded)
ends = np.cumsum(counts)
G = nx.Graph()
# consecutive vertices of each noded piece
for a, b in zip(np.r_[0, ends[:-1]], ends, strict=False):
    for i in range(a, b - 1):
        u, v = int(inv[i]), int(inv[i + 1])
        G.add_edge(u, v, weight=float(np.hypot(*(coords[i + 1] - coords[i]))))
tree = cKDTree(nodes)
d_stop, n_stop = tree.query(shapely.get_coordinates(stops.geometry.values))
G.add_weighted_edges_from(("src", int(n), float(d)) for n, d in zip(n_stop, d_stop, strict=False))
dist = nx.single_source_dijkstra_path_length(G, "src", cutoff=radius)
node_d = np.full(len(nodes), np.inf)
for k, d in dist.items():
    if k != "src":
        node_d[k] = d
d_pop, n_pop = tree.query(shapely.get_coordinates(people.geometry.values))
walk = node_d[n_pop] + d_pop
w = people["population"].to_numpy(dtype=float)
covered = float(w[walk <= radius].sum())
with open(out, "w") as fh:
    json.dump({"population_total": float(w.sum()), "population_covered": covered,
               "population_share": covered / float(w.sum())}, fh)
