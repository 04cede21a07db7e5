"""Import of department files: formats, encodings, coordinate systems, all-or-nothing writes."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from _mini_inventory import CX, CY, write_mini
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import Point

from zlt_assets import crs, schema
from zlt_assets.importing import ImportOptions, column_aliases, import_file
from zlt_assets.inventory import Inventory

TO_LL = Transformer.from_crs("EPSG:4550", "EPSG:4490", always_xy=True)
#: true positions (EPSG:4550) of five bus stops on the mini inventory's roads
STOPS_XY = [(CX - 200, CY), (CX + 200, CY + 400), (CX, CY - 100), (CX + 400, CY + 250),
            (CX - 400, CY - 300)]
HEADER = "名称,经度,纬度,街道,责任单位,状态,线路,候车亭,更新日期"


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def lonlat(xy, system: str = "wgs84"):
    lon, lat = TO_LL.transform(*xy)
    if system == "gcj02":
        return crs.wgs84_to_gcj02(lon, lat)
    if system == "bd09":
        return crs.wgs84_to_bd09(lon, lat)
    return lon, lat


def stops_csv(path: Path, system: str = "gcj02", rows=None, encoding: str = "utf-8") -> Path:
    lines = [HEADER]
    for i, xy in enumerate(STOPS_XY):
        lon, lat = lonlat(xy, system)
        lines.append(f'站点{i + 1},{lon:.8f},{lat:.8f},兴华街道,交通局,在用,"1,3",是,2025-06-01')
    if rows:
        lines += rows
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.fixture
def inv(tmp_path: Path) -> Path:
    return write_mini(tmp_path / "inv.gpkg")


def read_layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    return Inventory.open(path).read(layer)


def new_rows(gdf: gpd.GeoDataFrame, n_old: int = 3) -> gpd.GeoDataFrame:
    return gdf.iloc[n_old:].reset_index(drop=True)


# ---------------------------------------------------------------------------- happy paths
def test_gcj02_csv_lands_on_the_true_positions_with_codes_and_ids(tmp_path, inv):
    src = stops_csv(tmp_path / "公交站.csv", "gcj02")
    before = sha(src)
    rep = import_file("bus_stops", src, inv, ImportOptions(from_crs="gcj02"))
    assert rep.ok and rep.written and rep.rows_written == 5 and rep.ids_assigned == 5
    assert sha(src) == before  # the input is never changed
    out = read_layer(inv, "bus_stops")
    assert len(out) == 8
    new = new_rows(out)
    d = [Point(xy).distance(g) for xy, g in zip(STOPS_XY, new.geometry)]
    assert max(d) < 0.5
    # Chinese labels became codes; yes/no became booleans; ids continue the serials
    assert set(new["street_office"]) == {"150783001"}
    assert set(new["department"]) == {"jtj"} and set(new["status"]) == {"in_service"}
    assert new["shelter"].tolist() == [True] * 5
    assert new["obj_id"].tolist() == [schema.make_object_id("0203", s) for s in range(4, 9)]
    assert new["routes"].tolist() == ["1,3"] * 5
    assert new["updated"].tolist() == ["2025-06-01"] * 5


def test_bd09_csv_converts_within_half_a_metre(tmp_path, inv):
    src = stops_csv(tmp_path / "baidu.csv", "bd09")
    rep = import_file("bus_stops", src, inv, ImportOptions(from_crs="bd09"))
    assert rep.ok, rep.lines()
    new = new_rows(read_layer(inv, "bus_stops"))
    assert max(Point(xy).distance(g) for xy, g in zip(STOPS_XY, new.geometry)) < 0.5


def test_gbk_csv_is_detected(tmp_path, inv):
    src = stops_csv(tmp_path / "gbk.csv", "gcj02", encoding="gbk")
    rep = import_file("bus_stops", src, inv, ImportOptions(from_crs="gcj02"))
    assert rep.ok and rep.encoding == "gb18030"
    assert new_rows(read_layer(inv, "bus_stops"))["name"].tolist()[0] == "站点1"


def _toilets_frame() -> gpd.GeoDataFrame:
    pts = [lonlat((CX + 10, CY + 380)), lonlat((CX - 395, CY - 380))]
    return gpd.GeoDataFrame(
        {"名称": ["公厕甲", "公厕乙"], "类型": ["固定式公厕", "移动式公厕"], "男厕位": [4, 2],
         "女厕位": [6, 3], "无障碍厕位": [1, 0], "街道": ["正阳街道", "兴华街道"],
         "责任单位": ["城管执法局", "城管执法局"], "状态": ["在用", "在用"]},
        geometry=[Point(p) for p in pts], crs="EPSG:4490")


@pytest.mark.parametrize("cpg", [None, "GBK", "936"])
def test_gbk_shapefile_with_or_without_cpg(tmp_path, inv, cpg):
    shp = tmp_path / "公厕.shp"
    pyogrio.write_dataframe(_toilets_frame(), shp, encoding="GBK")
    cpg_path = shp.with_suffix(".cpg")
    cpg_path.unlink(missing_ok=True)
    if cpg:
        cpg_path.write_text(cpg)
    rep = import_file("public_toilets", shp, inv, ImportOptions())
    assert rep.ok, rep.lines()
    new = new_rows(read_layer(inv, "public_toilets"), 2)
    assert new["name"].tolist() == ["公厕甲", "公厕乙"]
    assert new["toilet_type"].tolist() == ["fixed", "mobile"]
    assert new["seats_female"].tolist() == [6, 3]
    assert new["department"].tolist() == ["cgzfj", "cgzfj"]


def test_xlsx_with_excel_dates_and_english_labels(tmp_path, inv):
    rows = []
    for i, xy in enumerate(STOPS_XY[:3]):
        lon, lat = lonlat(xy, "gcj02")
        rows.append({"站点名称": f"站{i}", "经度": lon, "纬度": lat, "街道": "Zhengyang",
                     "责任单位": "Transport Bureau", "状态": "In service", "线路": "5",
                     "候车亭": "否", "更新日期": pd.Timestamp("2025-03-04")})
    xlsx = tmp_path / "stops.xlsx"
    pd.DataFrame(rows).to_excel(xlsx, index=False)
    rep = import_file("bus_stops", xlsx, inv, ImportOptions(from_crs="gcj02"))
    assert rep.ok, rep.lines()
    new = new_rows(read_layer(inv, "bus_stops"))
    assert new["name"].tolist() == ["站0", "站1", "站2"]
    assert set(new["street_office"]) == {"150783002"} and set(new["department"]) == {"jtj"}
    assert new["updated"].tolist() == ["2025-03-04"] * 3
    assert new["shelter"].tolist() == [False] * 3


@pytest.mark.parametrize("fmt", ["geojson", "kml", "gpkg"])
def test_vector_formats(tmp_path, inv, fmt):
    g = _toilets_frame().to_crs("EPSG:4326")
    path = tmp_path / f"toilets.{fmt}"
    driver = {"geojson": "GeoJSON", "kml": "KML", "gpkg": "GPKG"}[fmt]
    if fmt == "kml":  # KML's own Name; the rest travels as ExtendedData
        g = g.rename(columns={"名称": "Name"})
        # written as Google Earth writes it (libkml; GDAL's older KML writer of the pyogrio 0.12
        # wheels puts the extended fields into <name>/<description>)
        if "LIBKML" in pyogrio.list_drivers(write=True):
            driver = "LIBKML"
    pyogrio.write_dataframe(g, path, driver=driver)
    rep = import_file("public_toilets", path, inv, ImportOptions())
    assert rep.ok, rep.lines()
    new = new_rows(read_layer(inv, "public_toilets"), 2)
    assert new["name"].tolist() == ["公厕甲", "公厕乙"]
    # WGS84 and CGCS2000 agree at this level: the points land where they were made
    exp = gpd.GeoSeries(_toilets_frame().geometry, crs="EPSG:4490").to_crs("EPSG:4550")
    assert max(a.distance(b) for a, b in zip(exp, new.geometry)) < 0.01


def test_kml_name_maps_and_wkt_column(tmp_path, inv):
    lon, lat = lonlat((CX, CY - 100))
    csv = tmp_path / "wkt.csv"
    csv.write_text("名称,WKT,街道,责任单位,状态,线路,候车亭\n"
                   f'甲,POINT ({lon} {lat}),兴华街道,交通局,在用,1,否\n', encoding="utf-8")
    rep = import_file("bus_stops", csv, inv, ImportOptions(from_crs="cgcs2000", trust_crs=True))
    assert rep.ok, rep.lines()
    new = new_rows(read_layer(inv, "bus_stops"))
    assert new.geometry.iloc[0].distance(Point(CX, CY - 100)) < 0.01


# ---------------------------------------------------------------------------- refusals
def test_bad_rows_refuse_everything_and_list_every_row(tmp_path, inv):
    g0, g1 = lonlat(STOPS_XY[0], "gcj02"), lonlat(STOPS_XY[1], "gcj02")
    rows = [
        f"站点6,{g0[0]},{g0[1]},不存在街道,交通局,在用,1,是,2025-06-01",  # domain
        f",{g1[0]},{g1[1]},兴华街道,交通局,在用,1,是,2025-06-01",  # missing name
        f"站点8,abc,{g1[1]},兴华街道,交通局,在用,1,是,2025-06-01",  # x not a number
        f"站点9,{g1[0]},{g1[1]},兴华街道,交通局,在用,1,也许,2025-13-01",  # bool + date
    ]
    src = stops_csv(tmp_path / "bad.csv", "gcj02", rows=rows)
    before_inv, before_src = sha(inv), sha(src)
    rep = import_file("bus_stops", src, inv, ImportOptions(from_crs="gcj02"))
    assert not rep.ok and not rep.written and rep.rows_written == 0
    assert rep.bad_rows == [6, 7, 8, 9]
    by_row = {r: {p.field for p in rep.problems if p.row == r} for r in rep.bad_rows}
    assert "street_office" in by_row[6] and "name" in by_row[7]
    assert "geometry" in by_row[8] and {"shelter", "updated"} <= by_row[9]
    assert sha(inv) == before_inv and sha(src) == before_src


def test_gcj02_declared_as_wgs84_is_recognised(tmp_path, inv):
    src = stops_csv(tmp_path / "gcj.csv", "gcj02")
    rep = import_file("bus_stops", src, inv, ImportOptions(from_crs="wgs84"))
    assert not rep.ok and [d.code for d in rep.diagnoses] == ["gcj02_declared_as_wgs84"]
    assert "--from-crs gcj02" in rep.diagnoses[0].message
    # with the right declaration nothing is flagged; true WGS84 declared as WGS84 neither
    assert import_file("bus_stops", src, inv, ImportOptions(from_crs="gcj02", dry_run=True)).ok
    wgs = stops_csv(tmp_path / "wgs.csv", "wgs84")
    assert import_file("bus_stops", wgs, inv, ImportOptions(from_crs="wgs84", dry_run=True)).ok
    bd = stops_csv(tmp_path / "bd.csv", "bd09")
    rep = import_file("bus_stops", bd, inv, ImportOptions(from_crs="wgs84", dry_run=True))
    assert [d.code for d in rep.diagnoses] == ["bd09_declared_as_wgs84"]


def test_swapped_lat_lon_and_projected_as_degrees(tmp_path, inv):
    swapped = tmp_path / "swapped.csv"
    lines = ["名称,x,y,街道,责任单位,状态,线路,候车亭"]
    for i, xy in enumerate(STOPS_XY):
        lon, lat = lonlat(xy)
        lines.append(f"s{i},{lat},{lon},兴华街道,交通局,在用,1,否")
    swapped.write_text("\n".join(lines), encoding="utf-8")
    rep = import_file("bus_stops", swapped, inv, ImportOptions(from_crs="wgs84"))
    assert [d.code for d in rep.diagnoses] == ["lat_lon_swapped"]
    fixed = import_file("bus_stops", swapped, inv,
                        ImportOptions(from_crs="wgs84", x="y", y="x", dry_run=True))
    assert fixed.ok, fixed.lines()

    metres = tmp_path / "metres.csv"
    lines = ["名称,x,y,街道,责任单位,状态,线路,候车亭"]
    for i, (x, y) in enumerate(STOPS_XY):
        lines.append(f"s{i},{x:.2f},{y:.2f},兴华街道,交通局,在用,1,否")
    metres.write_text("\n".join(lines), encoding="utf-8")
    rep = import_file("bus_stops", metres, inv, ImportOptions(from_crs="wgs84"))
    assert [d.code for d in rep.diagnoses] == ["projected_as_degrees"]
    assert "EPSG:4550" in rep.diagnoses[0].message
    ok = import_file("bus_stops", metres, inv, ImportOptions(from_crs="EPSG:4550", dry_run=True))
    assert ok.ok, ok.lines()


def test_duplicate_ids_in_file_and_against_the_inventory(tmp_path, inv):
    lon, lat = lonlat(STOPS_XY[0], "gcj02")
    existing = schema.make_object_id("0203", 1)
    new = schema.make_object_id("0203", 50)
    csv = tmp_path / "dups.csv"
    csv.write_text("编号,名称,经度,纬度,街道,责任单位,状态,线路,候车亭\n"
                   f"{new},a,{lon},{lat},兴华街道,交通局,在用,1,否\n"
                   f"{new},b,{lon},{lat},兴华街道,交通局,在用,1,否\n"
                   f"{existing},c,{lon},{lat},兴华街道,交通局,在用,1,否\n", encoding="utf-8")
    rep = import_file("bus_stops", csv, inv, ImportOptions(from_crs="gcj02", trust_crs=True))
    assert not rep.ok
    assert {(p.row, p.check) for p in rep.problems} == {(2, "id_duplicate"), (3, "id_exists")}
    assert "duplicate_ids" in [d.code for d in rep.diagnoses]


def test_mojibake_is_recognised(tmp_path, inv):
    lon, lat = lonlat(STOPS_XY[0], "gcj02")
    garbled = "站点".encode("gbk").decode("latin-1")
    csv = tmp_path / "moji.csv"
    csv.write_text("名称,经度,纬度,街道,责任单位,状态,线路,候车亭\n"
                   f"{garbled},{lon},{lat},兴华街道,交通局,在用,1,否\n", encoding="utf-8")
    rep = import_file("bus_stops", csv, inv, ImportOptions(from_crs="gcj02"))
    assert [d.code for d in rep.diagnoses] == ["mojibake"] and "站点" in rep.diagnoses[0].message


# ---------------------------------------------------------------------------- modes
def test_replace_keeps_a_backup_and_upsert_updates(tmp_path, inv):
    src = stops_csv(tmp_path / "s.csv", "gcj02")
    original = sha(inv)
    rep = import_file("bus_stops", src, inv, ImportOptions(from_crs="gcj02", mode="replace"))
    assert rep.ok and rep.backup
    assert sha(Path(rep.backup)) == original
    assert len(Inventory.open(rep.backup).read("bus_stops")) == 3
    after = read_layer(inv, "bus_stops")
    assert len(after) == 5 and after["obj_id"].tolist()[0] == schema.make_object_id("0203", 1)
    # other layers untouched
    assert len(read_layer(inv, "roads")) == 12

    lon, lat = lonlat(STOPS_XY[2], "gcj02")
    up = tmp_path / "up.csv"
    up.write_text("对象编码,名称,经度,纬度,街道,责任单位,状态,线路,候车亭\n"
                  f"{schema.make_object_id('0203', 2)},改名站,{lon},{lat},兴华街道,交通局,停用,9,否\n"
                  f",新站,{lon},{lat},兴华街道,交通局,在用,9,否\n", encoding="utf-8")
    rep = import_file("bus_stops", up, inv, ImportOptions(from_crs="gcj02", mode="upsert"))
    assert rep.ok, rep.lines()
    out = read_layer(inv, "bus_stops").set_index("obj_id")
    assert len(out) == 6
    assert out.loc[schema.make_object_id("0203", 2), "name"] == "改名站"
    assert out.loc[schema.make_object_id("0203", 2), "status"] == "closed"
    assert out.loc[schema.make_object_id("0203", 6), "name"] == "新站"


def test_dry_run_and_map_option(tmp_path, inv):
    lon, lat = lonlat(STOPS_XY[0], "gcj02")
    csv = tmp_path / "m.csv"
    csv.write_text("站牌,E,N,街道,责任单位,状态,线路,候车亭,备注\n"
                   f"x,{lon},{lat},兴华街道,交通局,在用,1,否,随便\n", encoding="utf-8")
    before = sha(inv)
    rep = import_file("bus_stops", csv, inv, ImportOptions(
        from_crs="gcj02", x="E", y="N", mapping={"站牌": "name"}, dry_run=True))
    assert rep.ok and not rep.written and rep.dropped_columns == ["备注"]
    assert rep.columns["站牌"] == "name"
    assert sha(inv) == before


def test_column_aliases_come_from_the_schema():
    al = column_aliases(schema.layer("drainage_points"))
    assert al["类型"] == "drainage_type" and al["积水深度"] == "depth_cm"
    assert al["名称"] == "name" and al["整治状态"] == "remedy_status"


# ---------------------------------------------------------------------------- the command
def test_cli_import_refusal_lists_rows_on_stdout_and_one_line_on_stderr(tmp_path, inv, cli):
    g0 = lonlat(STOPS_XY[0], "gcj02")
    src = stops_csv(tmp_path / "bad.csv", "gcj02",
                    rows=[f"x,{g0[0]},{g0[1]},兴华街道,火星局,在用,1,否,2025-01-01"])
    report = tmp_path / "report.json"
    r = cli("import", "bus_stops", str(src), "--data", str(inv), "--from-crs", "gcj02",
            "--json", str(report))
    assert r.returncode == 4, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert "1 of 6 rows" in r.stderr
    assert "row 6" in r.stdout and "department" in r.stdout
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["ok"] is False and data["bad_rows"] == [6]
    ok = cli("import", "bus_stops", str(stops_csv(tmp_path / "ok.csv")), "--data", str(inv),
             "--from-crs", "gcj02")
    assert ok.returncode == 0, ok.stderr
    assert ok.stderr.strip() == ""
    assert len(read_layer(inv, "bus_stops")) == 8


# ---------------------------------------------------------------------------- real-looking files
def test_department_files_into_the_sample_inventory(tmp_path, sample_copy):
    """A GCJ-02 CSV, a GBK shapefile without .cpg and a BD-09 XLSX, on the sample's road network."""
    from zlt_assets.validate import validate_inventory

    inv = Inventory.open(sample_copy)
    roads = inv.read("roads")
    n_stops, n_toilets = len(inv.read("bus_stops")), len(inv.read("public_toilets"))
    mids = [roads.geometry.iloc[i].interpolate(0.5, normalized=True) for i in range(0, 600, 60)]
    lines = ["站点名称,经度,纬度,所属街道,责任单位,状态,途经线路,候车亭,更新日期"]
    for i, p in enumerate(mids[:6]):
        lon, lat = lonlat((p.x, p.y), "gcj02")
        lines.append(f"新站{i},{lon:.7f},{lat:.7f},正阳街道,交通局,在用,\"2,5\",有,2025/9/1")
    gcj = tmp_path / "公交站点_高德.csv"
    gcj.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    # declared as WGS84 on the real network: recognised and refused
    wrong = import_file("bus_stops", gcj, sample_copy, ImportOptions(from_crs="wgs84"))
    assert [d.code for d in wrong.diagnoses] == ["gcj02_declared_as_wgs84"]
    rep = import_file("bus_stops", gcj, sample_copy, ImportOptions(from_crs="gcj02"))
    assert rep.ok, rep.lines()
    stops = Inventory.open(sample_copy).read("bus_stops")
    assert len(stops) == n_stops + 6
    new = stops.iloc[n_stops:]
    assert max(a.distance(b) for a, b in zip(mids[:6], new.geometry)) < 0.5
    assert new["obj_id"].tolist()[0] == schema.make_object_id("0203", n_stops + 1)

    t = _toilets_frame()
    t["geometry"] = [Point(lonlat((p.x + 20, p.y))) for p in mids[6:8]]
    shp = tmp_path / "公厕.shp"
    pyogrio.write_dataframe(t, shp, encoding="GBK")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    assert import_file("public_toilets", shp, sample_copy, ImportOptions()).ok
    assert len(Inventory.open(sample_copy).read("public_toilets")) == n_toilets + 2

    rows = []
    for i, p in enumerate(mids[8:10]):
        lon, lat = lonlat((p.x, p.y), "bd09")
        rows.append({"名称": f"积水点{i}", "百度经度": lon, "百度纬度": lat, "类型": "积水点",
                     "积水深度cm": 20 + i, "整治状态": "整治中", "街道": "铁东街道",
                     "责任单位": "住建局", "状态": "在用"})
    xlsx = tmp_path / "积水点.xlsx"
    pd.DataFrame(rows).to_excel(xlsx, index=False)
    opts = dict(from_crs="bd09", x="百度经度", y="百度纬度", mapping={"积水深度cm": "depth_cm"})
    bad = tmp_path / "积水点_坏.xlsx"
    pd.DataFrame(rows + [dict(rows[0], 类型="未知类型")]).to_excel(bad, index=False)
    refused = import_file("drainage_points", bad, sample_copy, ImportOptions(**opts))
    assert not refused.ok and refused.bad_rows == [3]
    rep = import_file("drainage_points", xlsx, sample_copy, ImportOptions(**opts))
    assert rep.ok, rep.lines()
    drains = Inventory.open(sample_copy).read("drainage_points")
    added = drains[drains["name"].isin(["积水点0", "积水点1"])]
    assert added["drainage_type"].tolist() == ["waterlogging"] * 2
    assert added["remedy_status"].tolist() == ["in_progress"] * 2
    assert added["depth_cm"].tolist() == [20.0, 21.0]
    assert all(str(o)[6:10] == "2103" for o in added["obj_id"])
    # the inventory still validates clean after the three imports
    report = validate_inventory(sample_copy)
    assert report.ok, [p.line() for p in report.errors][:5]


def _dms(v: float) -> tuple[int, int, float]:
    d = int(v)
    m = int((v - d) * 60)
    return d, m, (v - d - m / 60) * 3600


def test_degrees_minutes_seconds_and_sheet_choice(tmp_path, inv):
    lon, lat = lonlat(STOPS_XY[2])
    (ld, lm, ls), (bd, bm, bs) = _dms(lon), _dms(lat)
    rows = [{"名称": "度分秒", "经度": f"东经{ld}度{lm}分{ls:.4f}秒", "纬度": f"{bd}°{bm}′{bs:.4f}″N",
             "街道": "兴华街道", "责任单位": "交通局", "状态": "在用", "线路": "1", "候车亭": "否"}]
    xlsx = tmp_path / "two_sheets.xlsx"
    with pd.ExcelWriter(xlsx) as w:
        pd.DataFrame({"说明": ["封面"]}).to_excel(w, sheet_name="封面", index=False)
        pd.DataFrame(rows).to_excel(w, sheet_name="站点", index=False)
    rep = import_file("bus_stops", xlsx, inv,
                      ImportOptions(from_crs="wgs84", source_layer="站点", trust_crs=True))
    assert rep.ok, rep.lines()
    got = new_rows(read_layer(inv, "bus_stops")).geometry.iloc[0]
    assert got.distance(Point(STOPS_XY[2])) < 0.01
    with pytest.raises(Exception, match="no sheet '无此表'"):
        import_file("bus_stops", xlsx, inv, ImportOptions(from_crs="wgs84", source_layer="无此表"))


def test_gcj02_polygons_are_converted_vertex_by_vertex(tmp_path, inv):
    from shapely.geometry import Polygon as P

    ring = [(CX - 100, CY + 50), (CX - 40, CY + 50), (CX - 40, CY + 90), (CX - 100, CY + 90)]
    gcj_ring = [lonlat(xy, "gcj02") for xy in ring]
    rec = {"名称": "楼", "街道": "兴华街道", "责任单位": "住建局", "状态": "计划", "亮化街区": "中央路东西两侧",
           "所在街路": "中央路", "层数": 5, "立面改造": "否"}
    g = gpd.GeoDataFrame([rec], geometry=[P(gcj_ring)], crs="EPSG:4326")
    path = tmp_path / "楼.geojson"
    pyogrio.write_dataframe(g, path)
    rep = import_file("facade_lighting_buildings", path, inv, ImportOptions(from_crs="gcj02"))
    assert rep.ok, rep.lines()
    got = read_layer(inv, "facade_lighting_buildings").geometry.iloc[0]
    coords = list(got.exterior.coords)[:-1]
    assert len(coords) == 4
    assert max(Point(a).distance(Point(b)) for a, b in zip(coords, ring)) < 0.5


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=73.7, max_value=134.7), st.sampled_from(["°′″", "°'\"", "度分秒"]))
def test_dms_parsing_round_trip(value, marks):
    from zlt_assets.importing import _to_float

    d = int(value)
    m = int((value - d) * 60)
    s = (value - d - m / 60) * 3600
    text = f"{d}{marks[0]}{m}{marks[1]}{s:.6f}{marks[2]}"
    assert abs(_to_float(text) - value) < 1e-8
    assert abs(_to_float("W" + text) + value) < 1e-8
