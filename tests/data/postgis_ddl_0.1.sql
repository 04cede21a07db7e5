-- zlt-assets 0.1 PostGIS DDL (ddl_version 1), frozen from git 8d4cfe6 zlt_assets/db.py:ddl("public").
-- A test fixture: tests/test_postgis.py creates a database with it and migrates it. Do not edit.
CREATE SCHEMA IF NOT EXISTS "public";

CREATE TABLE IF NOT EXISTS "public".zlt_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS "public".zlt_layers (
  name TEXT PRIMARY KEY
);

CREATE TABLE IF NOT EXISTS "public".zlt_rasters (
  name TEXT PRIMARY KEY,
  content BYTEA NOT NULL,
  sha256 TEXT NOT NULL,
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS "public".zlt_audit (
  id BIGSERIAL PRIMARY KEY,
  table_name TEXT NOT NULL,
  operation TEXT NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
  who TEXT NOT NULL,
  db_user TEXT NOT NULL DEFAULT current_user,
  at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  txid BIGINT NOT NULL DEFAULT txid_current(),
  obj_key TEXT,
  old_row JSONB,
  new_row JSONB
);

CREATE INDEX IF NOT EXISTS zlt_audit_key ON "public".zlt_audit (table_name, obj_key);

CREATE OR REPLACE FUNCTION "public".zlt_row_version() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF NEW.row_version IS DISTINCT FROM OLD.row_version THEN
    RAISE EXCEPTION 'zlt edit conflict: % % was changed by someone else since it was read (read version %, now version %)',
      TG_TABLE_NAME, coalesce(to_jsonb(OLD)->>'obj_id', 'fid ' || OLD.fid::text),
      NEW.row_version, OLD.row_version
      USING ERRCODE = 'P0001';
  END IF;
  NEW.row_version := OLD.row_version + 1;
  RETURN NEW;
END
$fn$;

CREATE OR REPLACE FUNCTION "public".zlt_audit_row() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  editor TEXT := coalesce(nullif(current_setting('zlt.editor', true), ''), session_user);
  rec JSONB;
BEGIN
  IF TG_OP = 'DELETE' THEN rec := to_jsonb(OLD); ELSE rec := to_jsonb(NEW); END IF;
  INSERT INTO "public".zlt_audit (table_name, operation, who, obj_key, old_row, new_row)
  VALUES (TG_TABLE_NAME, TG_OP, editor, coalesce(rec->>'obj_id', 'fid ' || (rec->>'fid')),
          CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END,
          CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END);
  RETURN NULL;
END
$fn$;

CREATE TABLE IF NOT EXISTS "public"."facade_lighting_buildings" (
  fid BIGSERIAL PRIMARY KEY,
  "obj_id" TEXT NOT NULL CONSTRAINT "facade_lighting_buildings_obj_id_unique" UNIQUE,
  "name" TEXT NOT NULL,
  "street_office" TEXT NOT NULL CONSTRAINT "facade_lighting_buildings_street_office_check" CHECK ("street_office" IN ('150783001', '150783002', '150783003', '150783004', '150783005', '150783006', '150783007')),
  "department" TEXT NOT NULL CONSTRAINT "facade_lighting_buildings_department_check" CHECK ("department" IN ('zjj', 'zrzyj', 'cgzfj', 'jtj', 'gaj', 'slj', 'hbj', 'lcj', 'fgw', 'jdb')),
  "status" TEXT NOT NULL CONSTRAINT "facade_lighting_buildings_status_check" CHECK ("status" IN ('planned', 'under_construction', 'completed', 'accepted')),
  "planned_date" DATE,
  "completed_date" DATE,
  "data_source" TEXT NOT NULL CONSTRAINT "facade_lighting_buildings_data_source_check" CHECK ("data_source" IN ('survey', 'reference', 'illustrative')),
  "updated" DATE NOT NULL,
  "street_group" TEXT NOT NULL CONSTRAINT "facade_lighting_buildings_street_group_check" CHECK ("street_group" IN ('zhongyang', 'zhanqian', 'yalu', 'lvlin_zhenxing', 'limingshan')),
  "street_name" TEXT NOT NULL,
  "floors" INTEGER NOT NULL CONSTRAINT "facade_lighting_buildings_floors_check" CHECK ("floors" >= 1 AND "floors" <= 60),
  "renovation" BOOLEAN NOT NULL,
  "renovation_status" TEXT CONSTRAINT "facade_lighting_buildings_renovation_status_check" CHECK ("renovation_status" IN ('planned', 'under_construction', 'completed', 'accepted')),
  "renovation_date" DATE,
  row_version INTEGER NOT NULL DEFAULT 1,
  geom geometry(Polygon, 4550) NOT NULL
);

COMMENT ON TABLE "public"."facade_lighting_buildings" IS '楼体亮化建筑 / Facade-lighting buildings';

CREATE INDEX IF NOT EXISTS "facade_lighting_buildings_geom_gist" ON "public"."facade_lighting_buildings" USING GIST (geom);

DROP TRIGGER IF EXISTS zlt_row_version ON "public"."facade_lighting_buildings";

CREATE TRIGGER zlt_row_version BEFORE UPDATE ON "public"."facade_lighting_buildings" FOR EACH ROW EXECUTE FUNCTION "public".zlt_row_version();

DROP TRIGGER IF EXISTS zlt_audit ON "public"."facade_lighting_buildings";

CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON "public"."facade_lighting_buildings" FOR EACH ROW EXECUTE FUNCTION "public".zlt_audit_row();

COMMENT ON COLUMN "public"."facade_lighting_buildings"."obj_id" IS '对象编码 / Object id';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."name" IS '名称 / Name';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."street_office" IS '街道办事处 / Street office';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."department" IS '责任单位 / Responsible department';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."status" IS '状态 / Status';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."planned_date" IS '计划完成日期 / Planned date';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."completed_date" IS '完成日期 / Completed date';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."data_source" IS '数据来源 / Data source';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."updated" IS '更新日期 / Last updated';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."street_group" IS '亮化街区 / Street group';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."street_name" IS '所在街路 / Street';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."floors" IS '层数 / Floors';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."renovation" IS '立面改造 / Facade renovation';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."renovation_status" IS '立面改造状态 / Renovation status';

COMMENT ON COLUMN "public"."facade_lighting_buildings"."renovation_date" IS '立面改造完成日期 / Renovation completed date';

CREATE TABLE IF NOT EXISTS "public"."bridges" (
  fid BIGSERIAL PRIMARY KEY,
  "obj_id" TEXT NOT NULL CONSTRAINT "bridges_obj_id_unique" UNIQUE,
  "name" TEXT NOT NULL,
  "street_office" TEXT NOT NULL CONSTRAINT "bridges_street_office_check" CHECK ("street_office" IN ('150783001', '150783002', '150783003', '150783004', '150783005', '150783006', '150783007')),
  "department" TEXT NOT NULL CONSTRAINT "bridges_department_check" CHECK ("department" IN ('zjj', 'zrzyj', 'cgzfj', 'jtj', 'gaj', 'slj', 'hbj', 'lcj', 'fgw', 'jdb')),
  "status" TEXT NOT NULL CONSTRAINT "bridges_status_check" CHECK ("status" IN ('planned', 'under_construction', 'completed', 'accepted')),
  "planned_date" DATE,
  "completed_date" DATE,
  "data_source" TEXT NOT NULL CONSTRAINT "bridges_data_source_check" CHECK ("data_source" IN ('survey', 'reference', 'illustrative')),
  "updated" DATE NOT NULL,
  "plan_lighting" BOOLEAN NOT NULL,
  "length_m" DOUBLE PRECISION NOT NULL CONSTRAINT "bridges_length_m_check" CHECK ("length_m" >= 1 AND "length_m" <= 5000),
  "hazard_status" TEXT NOT NULL CONSTRAINT "bridges_hazard_status_check" CHECK ("hazard_status" IN ('none', 'found', 'fixing', 'fixed')),
  "inspection_date" DATE,
  row_version INTEGER NOT NULL DEFAULT 1,
  geom geometry(LineString, 4550) NOT NULL
);

COMMENT ON TABLE "public"."bridges" IS '桥梁 / Bridges';

CREATE INDEX IF NOT EXISTS "bridges_geom_gist" ON "public"."bridges" USING GIST (geom);

DROP TRIGGER IF EXISTS zlt_row_version ON "public"."bridges";

CREATE TRIGGER zlt_row_version BEFORE UPDATE ON "public"."bridges" FOR EACH ROW EXECUTE FUNCTION "public".zlt_row_version();

DROP TRIGGER IF EXISTS zlt_audit ON "public"."bridges";

CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON "public"."bridges" FOR EACH ROW EXECUTE FUNCTION "public".zlt_audit_row();

COMMENT ON COLUMN "public"."bridges"."obj_id" IS '对象编码 / Object id';

COMMENT ON COLUMN "public"."bridges"."name" IS '名称 / Name';

COMMENT ON COLUMN "public"."bridges"."street_office" IS '街道办事处 / Street office';

COMMENT ON COLUMN "public"."bridges"."department" IS '责任单位 / Responsible department';

COMMENT ON COLUMN "public"."bridges"."status" IS '状态 / Status';

COMMENT ON COLUMN "public"."bridges"."planned_date" IS '计划完成日期 / Planned date';

COMMENT ON COLUMN "public"."bridges"."completed_date" IS '完成日期 / Completed date';

COMMENT ON COLUMN "public"."bridges"."data_source" IS '数据来源 / Data source';

COMMENT ON COLUMN "public"."bridges"."updated" IS '更新日期 / Last updated';

COMMENT ON COLUMN "public"."bridges"."plan_lighting" IS '列入桥体亮化 / In the bridge-lighting plan';

COMMENT ON COLUMN "public"."bridges"."length_m" IS '桥长 / Length (m)';

COMMENT ON COLUMN "public"."bridges"."hazard_status" IS '隐患状态 / Hazard status';

COMMENT ON COLUMN "public"."bridges"."inspection_date" IS '最近检测日期 / Last inspection';

CREATE TABLE IF NOT EXISTS "public"."roads" (
  fid BIGSERIAL PRIMARY KEY,
  "obj_id" TEXT NOT NULL CONSTRAINT "roads_obj_id_unique" UNIQUE,
  "name" TEXT NOT NULL,
  "street_office" TEXT NOT NULL CONSTRAINT "roads_street_office_check" CHECK ("street_office" IN ('150783001', '150783002', '150783003', '150783004', '150783005', '150783006', '150783007')),
  "department" TEXT NOT NULL CONSTRAINT "roads_department_check" CHECK ("department" IN ('zjj', 'zrzyj', 'cgzfj', 'jtj', 'gaj', 'slj', 'hbj', 'lcj', 'fgw', 'jdb')),
  "status" TEXT CONSTRAINT "roads_status_check" CHECK ("status" IN ('planned', 'under_construction', 'completed', 'accepted')),
  "planned_date" DATE,
  "completed_date" DATE,
  "data_source" TEXT NOT NULL CONSTRAINT "roads_data_source_check" CHECK ("data_source" IN ('survey', 'reference', 'illustrative')),
  "updated" DATE NOT NULL,
  "road_class" TEXT NOT NULL CONSTRAINT "roads_road_class_check" CHECK ("road_class" IN ('expressway', 'main', 'secondary', 'branch')),
  "length_m" DOUBLE PRECISION NOT NULL CONSTRAINT "roads_length_m_check" CHECK ("length_m" >= 0.1),
  "red_line_width_m" DOUBLE PRECISION NOT NULL CONSTRAINT "roads_red_line_width_m_check" CHECK ("red_line_width_m" >= 3 AND "red_line_width_m" <= 120),
  "carriageway_width_m" DOUBLE PRECISION NOT NULL CONSTRAINT "roads_carriageway_width_m_check" CHECK ("carriageway_width_m" >= 2 AND "carriageway_width_m" <= 80),
  "works" TEXT NOT NULL CONSTRAINT "roads_works_check" CHECK ("works" IN ('new', 'rebuilt', 'none')),
  "plan_road" TEXT,
  "bike_lane" BOOLEAN NOT NULL,
  "sidewalk" BOOLEAN NOT NULL,
  "barrier_free" BOOLEAN NOT NULL,
  "lamps_required" INTEGER CONSTRAINT "roads_lamps_required_check" CHECK ("lamps_required" >= 0),
  "lamps_installed" INTEGER CONSTRAINT "roads_lamps_installed_check" CHECK ("lamps_installed" >= 0),
  "lamps_lit" INTEGER CONSTRAINT "roads_lamps_lit_check" CHECK ("lamps_lit" >= 0),
  "mech_sweeping" BOOLEAN NOT NULL,
  "bridge_id" TEXT,
  row_version INTEGER NOT NULL DEFAULT 1,
  geom geometry(LineString, 4550) NOT NULL
);

COMMENT ON TABLE "public"."roads" IS '城市道路 / Roads';

CREATE INDEX IF NOT EXISTS "roads_geom_gist" ON "public"."roads" USING GIST (geom);

DROP TRIGGER IF EXISTS zlt_row_version ON "public"."roads";

CREATE TRIGGER zlt_row_version BEFORE UPDATE ON "public"."roads" FOR EACH ROW EXECUTE FUNCTION "public".zlt_row_version();

DROP TRIGGER IF EXISTS zlt_audit ON "public"."roads";

CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON "public"."roads" FOR EACH ROW EXECUTE FUNCTION "public".zlt_audit_row();

COMMENT ON COLUMN "public"."roads"."obj_id" IS '对象编码 / Object id';

COMMENT ON COLUMN "public"."roads"."name" IS '道路名称 / Road name';

COMMENT ON COLUMN "public"."roads"."street_office" IS '街道办事处 / Street office';

COMMENT ON COLUMN "public"."roads"."department" IS '责任单位 / Responsible department';

COMMENT ON COLUMN "public"."roads"."status" IS '工程状态 / Works status';

COMMENT ON COLUMN "public"."roads"."planned_date" IS '计划完成日期 / Planned date';

COMMENT ON COLUMN "public"."roads"."completed_date" IS '完成日期 / Completed date';

COMMENT ON COLUMN "public"."roads"."data_source" IS '数据来源 / Data source';

COMMENT ON COLUMN "public"."roads"."updated" IS '更新日期 / Last updated';

COMMENT ON COLUMN "public"."roads"."road_class" IS '道路等级 / Road class';

COMMENT ON COLUMN "public"."roads"."length_m" IS '长度 / Length (m)';

COMMENT ON COLUMN "public"."roads"."red_line_width_m" IS '红线宽度 / Red-line width (m)';

COMMENT ON COLUMN "public"."roads"."carriageway_width_m" IS '车行道宽度 / Carriageway width (m)';

COMMENT ON COLUMN "public"."roads"."works" IS '建设类型 / Works';

COMMENT ON COLUMN "public"."roads"."plan_road" IS '计划道路编号 / Plan road number';

COMMENT ON COLUMN "public"."roads"."bike_lane" IS '非机动车道 / Bike lane';

COMMENT ON COLUMN "public"."roads"."sidewalk" IS '人行便道 / Sidewalk';

COMMENT ON COLUMN "public"."roads"."barrier_free" IS '无障碍通道 / Barrier-free passage';

COMMENT ON COLUMN "public"."roads"."lamps_required" IS '应设路灯数 / Lamps required';

COMMENT ON COLUMN "public"."roads"."lamps_installed" IS '已装路灯数 / Lamps installed';

COMMENT ON COLUMN "public"."roads"."lamps_lit" IS '亮灯数 / Lamps lit';

COMMENT ON COLUMN "public"."roads"."mech_sweeping" IS '机械化清扫 / Mechanised sweeping';

COMMENT ON COLUMN "public"."roads"."bridge_id" IS '所在桥梁 / Bridge';

CREATE TABLE IF NOT EXISTS "public"."public_toilets" (
  fid BIGSERIAL PRIMARY KEY,
  "obj_id" TEXT NOT NULL CONSTRAINT "public_toilets_obj_id_unique" UNIQUE,
  "name" TEXT NOT NULL,
  "street_office" TEXT NOT NULL CONSTRAINT "public_toilets_street_office_check" CHECK ("street_office" IN ('150783001', '150783002', '150783003', '150783004', '150783005', '150783006', '150783007')),
  "department" TEXT NOT NULL CONSTRAINT "public_toilets_department_check" CHECK ("department" IN ('zjj', 'zrzyj', 'cgzfj', 'jtj', 'gaj', 'slj', 'hbj', 'lcj', 'fgw', 'jdb')),
  "status" TEXT NOT NULL CONSTRAINT "public_toilets_status_check" CHECK ("status" IN ('planned', 'under_construction', 'in_service', 'closed')),
  "planned_date" DATE,
  "completed_date" DATE,
  "data_source" TEXT NOT NULL CONSTRAINT "public_toilets_data_source_check" CHECK ("data_source" IN ('survey', 'reference', 'illustrative')),
  "updated" DATE NOT NULL,
  "toilet_type" TEXT NOT NULL CONSTRAINT "public_toilets_toilet_type_check" CHECK ("toilet_type" IN ('fixed', 'mobile', 'opened')),
  "seats_male" INTEGER NOT NULL CONSTRAINT "public_toilets_seats_male_check" CHECK ("seats_male" >= 0),
  "seats_female" INTEGER NOT NULL CONSTRAINT "public_toilets_seats_female_check" CHECK ("seats_female" >= 0),
  "seats_accessible" INTEGER NOT NULL CONSTRAINT "public_toilets_seats_accessible_check" CHECK ("seats_accessible" >= 0),
  "hours" TEXT NOT NULL,
  row_version INTEGER NOT NULL DEFAULT 1,
  geom geometry(Point, 4550) NOT NULL
);

COMMENT ON TABLE "public"."public_toilets" IS '公共厕所 / Public toilets';

CREATE INDEX IF NOT EXISTS "public_toilets_geom_gist" ON "public"."public_toilets" USING GIST (geom);

DROP TRIGGER IF EXISTS zlt_row_version ON "public"."public_toilets";

CREATE TRIGGER zlt_row_version BEFORE UPDATE ON "public"."public_toilets" FOR EACH ROW EXECUTE FUNCTION "public".zlt_row_version();

DROP TRIGGER IF EXISTS zlt_audit ON "public"."public_toilets";

CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON "public"."public_toilets" FOR EACH ROW EXECUTE FUNCTION "public".zlt_audit_row();

COMMENT ON COLUMN "public"."public_toilets"."obj_id" IS '对象编码 / Object id';

COMMENT ON COLUMN "public"."public_toilets"."name" IS '名称 / Name';

COMMENT ON COLUMN "public"."public_toilets"."street_office" IS '街道办事处 / Street office';

COMMENT ON COLUMN "public"."public_toilets"."department" IS '责任单位 / Responsible department';

COMMENT ON COLUMN "public"."public_toilets"."status" IS '状态 / Status';

COMMENT ON COLUMN "public"."public_toilets"."planned_date" IS '计划完成日期 / Planned date';

COMMENT ON COLUMN "public"."public_toilets"."completed_date" IS '完成日期 / Completed date';

COMMENT ON COLUMN "public"."public_toilets"."data_source" IS '数据来源 / Data source';

COMMENT ON COLUMN "public"."public_toilets"."updated" IS '更新日期 / Last updated';

COMMENT ON COLUMN "public"."public_toilets"."toilet_type" IS '公厕类型 / Toilet type';

COMMENT ON COLUMN "public"."public_toilets"."seats_male" IS '男厕位 / Male places';

COMMENT ON COLUMN "public"."public_toilets"."seats_female" IS '女厕位 / Female places';

COMMENT ON COLUMN "public"."public_toilets"."seats_accessible" IS '无障碍厕位 / Accessible places';

COMMENT ON COLUMN "public"."public_toilets"."hours" IS '开放时间 / Opening hours';

CREATE TABLE IF NOT EXISTS "public"."bus_stops" (
  fid BIGSERIAL PRIMARY KEY,
  "obj_id" TEXT NOT NULL CONSTRAINT "bus_stops_obj_id_unique" UNIQUE,
  "name" TEXT NOT NULL,
  "street_office" TEXT NOT NULL CONSTRAINT "bus_stops_street_office_check" CHECK ("street_office" IN ('150783001', '150783002', '150783003', '150783004', '150783005', '150783006', '150783007')),
  "department" TEXT NOT NULL CONSTRAINT "bus_stops_department_check" CHECK ("department" IN ('zjj', 'zrzyj', 'cgzfj', 'jtj', 'gaj', 'slj', 'hbj', 'lcj', 'fgw', 'jdb')),
  "status" TEXT NOT NULL CONSTRAINT "bus_stops_status_check" CHECK ("status" IN ('planned', 'under_construction', 'in_service', 'closed')),
  "planned_date" DATE,
  "completed_date" DATE,
  "data_source" TEXT NOT NULL CONSTRAINT "bus_stops_data_source_check" CHECK ("data_source" IN ('survey', 'reference', 'illustrative')),
  "updated" DATE NOT NULL,
  "routes" TEXT NOT NULL,
  "shelter" BOOLEAN NOT NULL,
  row_version INTEGER NOT NULL DEFAULT 1,
  geom geometry(Point, 4550) NOT NULL
);

COMMENT ON TABLE "public"."bus_stops" IS '公交站点 / Bus stops';

CREATE INDEX IF NOT EXISTS "bus_stops_geom_gist" ON "public"."bus_stops" USING GIST (geom);

DROP TRIGGER IF EXISTS zlt_row_version ON "public"."bus_stops";

CREATE TRIGGER zlt_row_version BEFORE UPDATE ON "public"."bus_stops" FOR EACH ROW EXECUTE FUNCTION "public".zlt_row_version();

DROP TRIGGER IF EXISTS zlt_audit ON "public"."bus_stops";

CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON "public"."bus_stops" FOR EACH ROW EXECUTE FUNCTION "public".zlt_audit_row();

COMMENT ON COLUMN "public"."bus_stops"."obj_id" IS '对象编码 / Object id';

COMMENT ON COLUMN "public"."bus_stops"."name" IS '名称 / Name';

COMMENT ON COLUMN "public"."bus_stops"."street_office" IS '街道办事处 / Street office';

COMMENT ON COLUMN "public"."bus_stops"."department" IS '责任单位 / Responsible department';

COMMENT ON COLUMN "public"."bus_stops"."status" IS '状态 / Status';

COMMENT ON COLUMN "public"."bus_stops"."planned_date" IS '计划完成日期 / Planned date';

COMMENT ON COLUMN "public"."bus_stops"."completed_date" IS '完成日期 / Completed date';

COMMENT ON COLUMN "public"."bus_stops"."data_source" IS '数据来源 / Data source';

COMMENT ON COLUMN "public"."bus_stops"."updated" IS '更新日期 / Last updated';

COMMENT ON COLUMN "public"."bus_stops"."routes" IS '线路 / Routes';

COMMENT ON COLUMN "public"."bus_stops"."shelter" IS '候车亭 / Shelter';

CREATE TABLE IF NOT EXISTS "public"."drainage_points" (
  fid BIGSERIAL PRIMARY KEY,
  "obj_id" TEXT NOT NULL CONSTRAINT "drainage_points_obj_id_unique" UNIQUE,
  "name" TEXT,
  "street_office" TEXT NOT NULL CONSTRAINT "drainage_points_street_office_check" CHECK ("street_office" IN ('150783001', '150783002', '150783003', '150783004', '150783005', '150783006', '150783007')),
  "department" TEXT NOT NULL CONSTRAINT "drainage_points_department_check" CHECK ("department" IN ('zjj', 'zrzyj', 'cgzfj', 'jtj', 'gaj', 'slj', 'hbj', 'lcj', 'fgw', 'jdb')),
  "status" TEXT NOT NULL CONSTRAINT "drainage_points_status_check" CHECK ("status" IN ('planned', 'under_construction', 'in_service', 'closed')),
  "planned_date" DATE,
  "completed_date" DATE,
  "data_source" TEXT NOT NULL CONSTRAINT "drainage_points_data_source_check" CHECK ("data_source" IN ('survey', 'reference', 'illustrative')),
  "updated" DATE NOT NULL,
  "drainage_type" TEXT NOT NULL CONSTRAINT "drainage_points_drainage_type_check" CHECK ("drainage_type" IN ('waterlogging', 'rain_inlet', 'inspection_well', 'outfall', 'pump_station', 'mixed_connection')),
  "depth_cm" DOUBLE PRECISION CONSTRAINT "drainage_points_depth_cm_check" CHECK ("depth_cm" >= 0 AND "depth_cm" <= 500),
  "extent_m2" DOUBLE PRECISION CONSTRAINT "drainage_points_extent_m2_check" CHECK ("extent_m2" >= 0),
  "remedy_status" TEXT CONSTRAINT "drainage_points_remedy_status_check" CHECK ("remedy_status" IN ('not_started', 'in_progress', 'fixed')),
  "remedy_date" DATE,
  row_version INTEGER NOT NULL DEFAULT 1,
  geom geometry(Point, 4550) NOT NULL
);

COMMENT ON TABLE "public"."drainage_points" IS '排水设施点 / Drainage points';

CREATE INDEX IF NOT EXISTS "drainage_points_geom_gist" ON "public"."drainage_points" USING GIST (geom);

DROP TRIGGER IF EXISTS zlt_row_version ON "public"."drainage_points";

CREATE TRIGGER zlt_row_version BEFORE UPDATE ON "public"."drainage_points" FOR EACH ROW EXECUTE FUNCTION "public".zlt_row_version();

DROP TRIGGER IF EXISTS zlt_audit ON "public"."drainage_points";

CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON "public"."drainage_points" FOR EACH ROW EXECUTE FUNCTION "public".zlt_audit_row();

COMMENT ON COLUMN "public"."drainage_points"."obj_id" IS '对象编码 / Object id';

COMMENT ON COLUMN "public"."drainage_points"."name" IS '名称 / Name';

COMMENT ON COLUMN "public"."drainage_points"."street_office" IS '街道办事处 / Street office';

COMMENT ON COLUMN "public"."drainage_points"."department" IS '责任单位 / Responsible department';

COMMENT ON COLUMN "public"."drainage_points"."status" IS '状态 / Status';

COMMENT ON COLUMN "public"."drainage_points"."planned_date" IS '计划完成日期 / Planned date';

COMMENT ON COLUMN "public"."drainage_points"."completed_date" IS '完成日期 / Completed date';

COMMENT ON COLUMN "public"."drainage_points"."data_source" IS '数据来源 / Data source';

COMMENT ON COLUMN "public"."drainage_points"."updated" IS '更新日期 / Last updated';

COMMENT ON COLUMN "public"."drainage_points"."drainage_type" IS '类型 / Type';

COMMENT ON COLUMN "public"."drainage_points"."depth_cm" IS '积水深度 / Ponding depth (cm)';

COMMENT ON COLUMN "public"."drainage_points"."extent_m2" IS '积水面积 / Ponding extent (m²)';

COMMENT ON COLUMN "public"."drainage_points"."remedy_status" IS '整治状态 / Remedy status';

COMMENT ON COLUMN "public"."drainage_points"."remedy_date" IS '整治完成日期 / Remedy date';

CREATE TABLE IF NOT EXISTS "public"."street_offices" (
  fid BIGSERIAL PRIMARY KEY,
  "code" TEXT NOT NULL CONSTRAINT "street_offices_code_unique" UNIQUE CONSTRAINT "street_offices_code_check" CHECK ("code" IN ('150783001', '150783002', '150783003', '150783004', '150783005', '150783006', '150783007')),
  "name" TEXT NOT NULL,
  "name_en" TEXT,
  "land_use" TEXT NOT NULL CONSTRAINT "street_offices_land_use_check" CHECK ("land_use" IN ('R', 'ABS', 'G', 'MW')),
  "crowded" BOOLEAN NOT NULL,
  "data_source" TEXT NOT NULL CONSTRAINT "street_offices_data_source_check" CHECK ("data_source" IN ('survey', 'reference', 'illustrative')),
  "source_note" TEXT,
  row_version INTEGER NOT NULL DEFAULT 1,
  geom geometry(MultiPolygon, 4550) NOT NULL
);

COMMENT ON TABLE "public"."street_offices" IS '街道办事处 / Street offices';

CREATE INDEX IF NOT EXISTS "street_offices_geom_gist" ON "public"."street_offices" USING GIST (geom);

DROP TRIGGER IF EXISTS zlt_row_version ON "public"."street_offices";

CREATE TRIGGER zlt_row_version BEFORE UPDATE ON "public"."street_offices" FOR EACH ROW EXECUTE FUNCTION "public".zlt_row_version();

DROP TRIGGER IF EXISTS zlt_audit ON "public"."street_offices";

CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON "public"."street_offices" FOR EACH ROW EXECUTE FUNCTION "public".zlt_audit_row();

COMMENT ON COLUMN "public"."street_offices"."code" IS '区划代码 / Division code';

COMMENT ON COLUMN "public"."street_offices"."name" IS '名称 / Name';

COMMENT ON COLUMN "public"."street_offices"."name_en" IS '英文名 / English name';

COMMENT ON COLUMN "public"."street_offices"."land_use" IS '主要用地类别 / Main land-use class';

COMMENT ON COLUMN "public"."street_offices"."crowded" IS '人流密集 / Crowded or commercial';

COMMENT ON COLUMN "public"."street_offices"."data_source" IS '数据来源 / Data source';

COMMENT ON COLUMN "public"."street_offices"."source_note" IS '来源说明 / Source note';

CREATE TABLE IF NOT EXISTS "public"."urban_area" (
  fid BIGSERIAL PRIMARY KEY,
  "name" TEXT,
  "data_source" TEXT NOT NULL CONSTRAINT "urban_area_data_source_check" CHECK ("data_source" IN ('survey', 'reference', 'illustrative')),
  "source_note" TEXT,
  row_version INTEGER NOT NULL DEFAULT 1,
  geom geometry(MultiPolygon, 4550) NOT NULL
);

COMMENT ON TABLE "public"."urban_area" IS '城区范围 / Urban area';

CREATE INDEX IF NOT EXISTS "urban_area_geom_gist" ON "public"."urban_area" USING GIST (geom);

DROP TRIGGER IF EXISTS zlt_row_version ON "public"."urban_area";

CREATE TRIGGER zlt_row_version BEFORE UPDATE ON "public"."urban_area" FOR EACH ROW EXECUTE FUNCTION "public".zlt_row_version();

DROP TRIGGER IF EXISTS zlt_audit ON "public"."urban_area";

CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON "public"."urban_area" FOR EACH ROW EXECUTE FUNCTION "public".zlt_audit_row();

COMMENT ON COLUMN "public"."urban_area"."name" IS '名称 / Name';

COMMENT ON COLUMN "public"."urban_area"."data_source" IS '数据来源 / Data source';

COMMENT ON COLUMN "public"."urban_area"."source_note" IS '来源说明 / Source note';

CREATE TABLE IF NOT EXISTS "public"."city_boundary" (
  fid BIGSERIAL PRIMARY KEY,
  "name" TEXT,
  "code" TEXT NOT NULL,
  "data_source" TEXT NOT NULL CONSTRAINT "city_boundary_data_source_check" CHECK ("data_source" IN ('survey', 'reference', 'illustrative')),
  "source_note" TEXT,
  row_version INTEGER NOT NULL DEFAULT 1,
  geom geometry(MultiPolygon, 4550) NOT NULL
);

COMMENT ON TABLE "public"."city_boundary" IS '市界 / City boundary';

CREATE INDEX IF NOT EXISTS "city_boundary_geom_gist" ON "public"."city_boundary" USING GIST (geom);

DROP TRIGGER IF EXISTS zlt_row_version ON "public"."city_boundary";

CREATE TRIGGER zlt_row_version BEFORE UPDATE ON "public"."city_boundary" FOR EACH ROW EXECUTE FUNCTION "public".zlt_row_version();

DROP TRIGGER IF EXISTS zlt_audit ON "public"."city_boundary";

CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON "public"."city_boundary" FOR EACH ROW EXECUTE FUNCTION "public".zlt_audit_row();

COMMENT ON COLUMN "public"."city_boundary"."name" IS '名称 / Name';

COMMENT ON COLUMN "public"."city_boundary"."code" IS '区划代码 / Division code';

COMMENT ON COLUMN "public"."city_boundary"."data_source" IS '数据来源 / Data source';

COMMENT ON COLUMN "public"."city_boundary"."source_note" IS '来源说明 / Source note';

CREATE TABLE IF NOT EXISTS "public"."river" (
  fid BIGSERIAL PRIMARY KEY,
  "name" TEXT,
  "data_source" TEXT NOT NULL CONSTRAINT "river_data_source_check" CHECK ("data_source" IN ('survey', 'reference', 'illustrative')),
  "source_note" TEXT,
  row_version INTEGER NOT NULL DEFAULT 1,
  geom geometry(MultiLineString, 4550) NOT NULL
);

COMMENT ON TABLE "public"."river" IS '河流 / River';

CREATE INDEX IF NOT EXISTS "river_geom_gist" ON "public"."river" USING GIST (geom);

DROP TRIGGER IF EXISTS zlt_row_version ON "public"."river";

CREATE TRIGGER zlt_row_version BEFORE UPDATE ON "public"."river" FOR EACH ROW EXECUTE FUNCTION "public".zlt_row_version();

DROP TRIGGER IF EXISTS zlt_audit ON "public"."river";

CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON "public"."river" FOR EACH ROW EXECUTE FUNCTION "public".zlt_audit_row();

COMMENT ON COLUMN "public"."river"."name" IS '名称 / Name';

COMMENT ON COLUMN "public"."river"."data_source" IS '数据来源 / Data source';

COMMENT ON COLUMN "public"."river"."source_note" IS '来源说明 / Source note';

CREATE TABLE IF NOT EXISTS "public"."railway" (
  fid BIGSERIAL PRIMARY KEY,
  "name" TEXT,
  "data_source" TEXT NOT NULL CONSTRAINT "railway_data_source_check" CHECK ("data_source" IN ('survey', 'reference', 'illustrative')),
  "source_note" TEXT,
  row_version INTEGER NOT NULL DEFAULT 1,
  geom geometry(MultiLineString, 4550) NOT NULL
);

COMMENT ON TABLE "public"."railway" IS '铁路 / Railway';

CREATE INDEX IF NOT EXISTS "railway_geom_gist" ON "public"."railway" USING GIST (geom);

DROP TRIGGER IF EXISTS zlt_row_version ON "public"."railway";

CREATE TRIGGER zlt_row_version BEFORE UPDATE ON "public"."railway" FOR EACH ROW EXECUTE FUNCTION "public".zlt_row_version();

DROP TRIGGER IF EXISTS zlt_audit ON "public"."railway";

CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON "public"."railway" FOR EACH ROW EXECUTE FUNCTION "public".zlt_audit_row();

COMMENT ON COLUMN "public"."railway"."name" IS '名称 / Name';

COMMENT ON COLUMN "public"."railway"."data_source" IS '数据来源 / Data source';

COMMENT ON COLUMN "public"."railway"."source_note" IS '来源说明 / Source note';

CREATE TABLE IF NOT EXISTS "public"."railway_stations" (
  fid BIGSERIAL PRIMARY KEY,
  "name" TEXT,
  "data_source" TEXT NOT NULL CONSTRAINT "railway_stations_data_source_check" CHECK ("data_source" IN ('survey', 'reference', 'illustrative')),
  "source_note" TEXT,
  row_version INTEGER NOT NULL DEFAULT 1,
  geom geometry(Point, 4550) NOT NULL
);

COMMENT ON TABLE "public"."railway_stations" IS '火车站 / Railway stations';

CREATE INDEX IF NOT EXISTS "railway_stations_geom_gist" ON "public"."railway_stations" USING GIST (geom);

DROP TRIGGER IF EXISTS zlt_row_version ON "public"."railway_stations";

CREATE TRIGGER zlt_row_version BEFORE UPDATE ON "public"."railway_stations" FOR EACH ROW EXECUTE FUNCTION "public".zlt_row_version();

DROP TRIGGER IF EXISTS zlt_audit ON "public"."railway_stations";

CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON "public"."railway_stations" FOR EACH ROW EXECUTE FUNCTION "public".zlt_audit_row();

COMMENT ON COLUMN "public"."railway_stations"."name" IS '名称 / Name';

COMMENT ON COLUMN "public"."railway_stations"."data_source" IS '数据来源 / Data source';

COMMENT ON COLUMN "public"."railway_stations"."source_note" IS '来源说明 / Source note';

CREATE TABLE IF NOT EXISTS "public"."parks" (
  fid BIGSERIAL PRIMARY KEY,
  "name" TEXT,
  "green_type" TEXT NOT NULL CONSTRAINT "parks_green_type_check" CHECK ("green_type" IN ('park', 'protective', 'square', 'attached', 'regional')),
  "street_office" TEXT CONSTRAINT "parks_street_office_check" CHECK ("street_office" IN ('150783001', '150783002', '150783003', '150783004', '150783005', '150783006', '150783007')),
  "data_source" TEXT NOT NULL CONSTRAINT "parks_data_source_check" CHECK ("data_source" IN ('survey', 'reference', 'illustrative')),
  "source_note" TEXT,
  row_version INTEGER NOT NULL DEFAULT 1,
  geom geometry(MultiPolygon, 4550) NOT NULL
);

COMMENT ON TABLE "public"."parks" IS '公园绿地 / Parks and green space';

CREATE INDEX IF NOT EXISTS "parks_geom_gist" ON "public"."parks" USING GIST (geom);

DROP TRIGGER IF EXISTS zlt_row_version ON "public"."parks";

CREATE TRIGGER zlt_row_version BEFORE UPDATE ON "public"."parks" FOR EACH ROW EXECUTE FUNCTION "public".zlt_row_version();

DROP TRIGGER IF EXISTS zlt_audit ON "public"."parks";

CREATE TRIGGER zlt_audit AFTER INSERT OR UPDATE OR DELETE ON "public"."parks" FOR EACH ROW EXECUTE FUNCTION "public".zlt_audit_row();

COMMENT ON COLUMN "public"."parks"."name" IS '名称 / Name';

COMMENT ON COLUMN "public"."parks"."green_type" IS '绿地类型 / Green type';

COMMENT ON COLUMN "public"."parks"."street_office" IS '街道办事处 / Street office';

COMMENT ON COLUMN "public"."parks"."data_source" IS '数据来源 / Data source';

COMMENT ON COLUMN "public"."parks"."source_note" IS '来源说明 / Source note';

INSERT INTO "public".zlt_meta (key, value) VALUES ('ddl_version', '1') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
