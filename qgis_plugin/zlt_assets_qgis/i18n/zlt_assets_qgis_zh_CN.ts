<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
    <context>
        <name>ZltAssets</name>
        <message>
            <source>Zhalantun assets / 扎兰屯资产</source>
            <translation>扎兰屯资产 / Zhalantun assets</translation>
        </message>
        <message>
            <source>Cancelled: the engine was stopped, nothing was written / 已取消:引擎已停止,未写出任何结果</source>
            <translation>已取消:引擎已停止,未写出任何结果 / Cancelled: the engine was stopped, nothing was written</translation>
        </message>
        <message>
            <source>empty: the engine's sample / 留空为引擎附带的示例数据</source>
            <translation>留空为引擎附带的示例数据 / empty: the engine's sample</translation>
        </message>
        <message>
            <source>Inventory (GeoPackage or postgresql:// URL) / 资产清单(GeoPackage 或 postgresql:// 地址)</source>
            <translation>资产清单(GeoPackage 或 postgresql:// 地址) / Inventory (GeoPackage or postgresql:// URL)</translation>
        </message>
        <message>
            <source>Inventory not found: {0} / 找不到资产清单:{0}</source>
            <translation>找不到资产清单:{0} / Inventory not found: {0}</translation>
        </message>
        <message>
            <source>The population raster must be a file (GeoTIFF): {0} / 人口栅格必须是文件(GeoTIFF):{0}</source>
            <translation>人口栅格必须是文件(GeoTIFF):{0} / The population raster must be a file (GeoTIFF): {0}</translation>
        </message>
        <message>
            <source>The engine wrote no layer {0} / 引擎未写出图层 {0}</source>
            <translation>引擎未写出图层 {0} / The engine wrote no layer {0}</translation>
        </message>
        <message>
            <source>The engine wrote no readable summary: {0} / 引擎未写出可读的汇总:{0}</source>
            <translation>引擎未写出可读的汇总:{0} / The engine wrote no readable summary: {0}</translation>
        </message>
        <message>
            <source>Facility coverage / 设施覆盖率</source>
            <translation>设施覆盖率 / Facility coverage</translation>
        </message>
        <message>
            <source>Urban area (polygons; empty: the inventory's) / 城区范围(面;留空用清单图层)</source>
            <translation>城区范围(面;留空用清单图层) / Urban area (polygons; empty: the inventory's)</translation>
        </message>
        <message>
            <source>Street offices (polygons; empty: the inventory's) / 街道办事处(面;留空用清单图层)</source>
            <translation>街道办事处(面;留空用清单图层) / Street offices (polygons; empty: the inventory's)</translation>
        </message>
        <message>
            <source>Roads (lines; for the network; empty: the inventory's) / 道路(线;路网距离用;留空用清单图层)</source>
            <translation>道路(线;路网距离用;留空用清单图层) / Roads (lines; for the network; empty: the inventory's)</translation>
        </message>
        <message>
            <source>River (lines; roads cross it only on bridges) / 河流(线;仅桥梁可跨越)</source>
            <translation>河流(线;仅桥梁可跨越) / River (lines; roads cross it only on bridges)</translation>
        </message>
        <message>
            <source>Area share / 面积覆盖率</source>
            <translation>面积覆盖率 / Area share</translation>
        </message>
        <message>
            <source>Population share / 人口覆盖率</source>
            <translation>人口覆盖率 / Population share</translation>
        </message>
        <message>
            <source>Area total (m²) / 总面积(平方米)</source>
            <translation>总面积(平方米) / Area total (m²)</translation>
        </message>
        <message>
            <source>Area covered (m²) / 覆盖面积(平方米)</source>
            <translation>覆盖面积(平方米) / Area covered (m²)</translation>
        </message>
        <message>
            <source>Population total / 总人口</source>
            <translation>总人口 / Population total</translation>
        </message>
        <message>
            <source>Population covered / 覆盖人口</source>
            <translation>覆盖人口 / Population covered</translation>
        </message>
        <message>
            <source>Facilities counted / 计入设施数</source>
            <translation>计入设施数 / Facilities counted</translation>
        </message>
        <message>
            <source>Area share within 300 m / 300 米面积覆盖率</source>
            <translation>300 米面积覆盖率 / Area share within 300 m</translation>
        </message>
        <message>
            <source>Population grid (persons per cell; empty: the grid beside the inventory) / 人口栅格(每格人数;留空用清单旁的栅格)</source>
            <translation>人口栅格(每格人数;留空用清单旁的栅格) / Population grid (persons per cell; empty: the grid beside the inventory)</translation>
        </message>
        <message>
            <source>Area only (no population) / 只算面积(不算人口)</source>
            <translation>只算面积(不算人口) / Area only (no population)</translation>
        </message>
        <message>
            <source>Facilities (points; empty: the inventory's bus stops) / 设施点(留空用清单的公交站点)</source>
            <translation>设施点(留空用清单的公交站点) / Facilities (points; empty: the inventory's bus stops)</translation>
        </message>
        <message>
            <source>Radius (m) / 服务半径(米)</source>
            <translation>服务半径(米) / Radius (m)</translation>
        </message>
        <message>
            <source>Area grid cell (m) / 面积采样格网(米)</source>
            <translation>面积采样格网(米) / Area grid cell (m)</translation>
        </message>
        <message>
            <source>Max distance from a facility to the road network (m) / 设施接入路网最大距离(米)</source>
            <translation>设施接入路网最大距离(米) / Max distance from a facility to the road network (m)</translation>
        </message>
        <message>
            <source>Distance / 距离</source>
            <translation>距离 / Distance</translation>
        </message>
        <message>
            <source>Count planned and under-construction facilities / 计入规划与在建设施</source>
            <translation>计入规划与在建设施 / Count planned and under-construction facilities</translation>
        </message>
        <message>
            <source>Uncovered areas / 未覆盖区域</source>
            <translation>未覆盖区域 / Uncovered areas</translation>
        </message>
        <message>
            <source>Coverage by street office / 各街道覆盖率</source>
            <translation>各街道覆盖率 / Coverage by street office</translation>
        </message>
        <message>
            <source>Facilities used / 参与计算的设施</source>
            <translation>参与计算的设施 / Facilities used</translation>
        </message>
        <message>
            <source>Grid cells with distances / 格网点及距离</source>
            <translation>格网点及距离 / Grid cells with distances</translation>
        </message>
        <message>
            <source>Summary (JSON) / 汇总 (JSON)</source>
            <translation>汇总 (JSON) / Summary (JSON)</translation>
        </message>
        <message>
            <source>Straight line (official) / 直线距离(官方口径)</source>
            <translation>直线距离(官方口径) / Straight line (official)</translation>
        </message>
        <message>
            <source>Walking along the road network / 沿路网步行</source>
            <translation>沿路网步行 / Walking along the road network</translation>
        </message>
        <message>
            <source>Import field or department data / 导入外业与部门数据</source>
            <translation>导入外业与部门数据 / Import field or department data</translation>
        </message>
        <message>
            <source>Rows read / 读取行数</source>
            <translation>读取行数 / Rows read</translation>
        </message>
        <message>
            <source>Rows written / 写入行数</source>
            <translation>写入行数 / Rows written</translation>
        </message>
        <message>
            <source>Object ids assigned / 新编对象编码数</source>
            <translation>新编对象编码数 / Object ids assigned</translation>
        </message>
        <message>
            <source>Written (1) or refused (0) / 已写入(1)或拒绝(0)</source>
            <translation>已写入(1)或拒绝(0) / Written (1) or refused (0)</translation>
        </message>
        <message>
            <source>Target layer / 目标图层</source>
            <translation>目标图层 / Target layer</translation>
        </message>
        <message>
            <source>File to import (CSV, XLSX, SHP, GeoJSON, KML, GPKG) / 待导入文件(CSV、XLSX、SHP、GeoJSON、KML、GPKG)</source>
            <translation>待导入文件(CSV、XLSX、SHP、GeoJSON、KML、GPKG) / File to import (CSV, XLSX, SHP, GeoJSON, KML, GPKG)</translation>
        </message>
        <message>
            <source>Coordinates of the file / 文件坐标系</source>
            <translation>文件坐标系 / Coordinates of the file</translation>
        </message>
        <message>
            <source>Or an EPSG code, e.g. EPSG:4550 / 或 EPSG 代码,如 EPSG:4550</source>
            <translation>或 EPSG 代码,如 EPSG:4550 / Or an EPSG code, e.g. EPSG:4550</translation>
        </message>
        <message>
            <source>Column of x / longitude / 经度(x)列</source>
            <translation>longitude / 经度(x)列 / Column of x</translation>
        </message>
        <message>
            <source>Column of y / latitude / 纬度(y)列</source>
            <translation>latitude / 纬度(y)列 / Column of y</translation>
        </message>
        <message>
            <source>Column of WKT geometry / WKT 几何列</source>
            <translation>WKT 几何列 / Column of WKT geometry</translation>
        </message>
        <message>
            <source>Column mapping SRC=DST, comma-separated / 列映射 SRC=DST,逗号分隔</source>
            <translation>列映射 SRC=DST,逗号分隔 / Column mapping SRC=DST, comma-separated</translation>
        </message>
        <message>
            <source>Text encoding (gbk, gb18030, utf-8; empty: detect) / 文本编码(留空自动识别)</source>
            <translation>文本编码(留空自动识别) / Text encoding (gbk, gb18030, utf-8; empty: detect)</translation>
        </message>
        <message>
            <source>Layer of a multi-layer file / 多图层文件中的图层</source>
            <translation>多图层文件中的图层 / Layer of a multi-layer file</translation>
        </message>
        <message>
            <source>Mode / 方式</source>
            <translation>方式 / Mode</translation>
        </message>
        <message>
            <source>Dry run: check only, write nothing / 演练:只检查不写入</source>
            <translation>演练:只检查不写入 / Dry run: check only, write nothing</translation>
        </message>
        <message>
            <source>Skip the GCJ-02/BD-09 offset check / 跳过 GCJ-02/BD-09 偏移检查</source>
            <translation>跳过 GCJ-02/BD-09 偏移检查 / Skip the GCJ-02/BD-09 offset check</translation>
        </message>
        <message>
            <source>Rows with problems / 有问题的行</source>
            <translation>有问题的行 / Rows with problems</translation>
        </message>
        <message>
            <source>Report (JSON) / 报告 (JSON)</source>
            <translation>报告 (JSON) / Report (JSON)</translation>
        </message>
        <message>
            <source>Detect or EPSG below / 自动识别或下方 EPSG</source>
            <translation>自动识别或下方 EPSG / Detect or EPSG below</translation>
        </message>
        <message>
            <source>GCJ-02 (Gaode, Tencent) / GCJ-02(高德、腾讯)</source>
            <translation>GCJ-02(高德、腾讯) / GCJ-02 (Gaode, Tencent)</translation>
        </message>
        <message>
            <source>BD-09 (Baidu) / BD-09(百度)</source>
            <translation>BD-09(百度) / BD-09 (Baidu)</translation>
        </message>
        <message>
            <source>Append / 追加</source>
            <translation>追加 / Append</translation>
        </message>
        <message>
            <source>Replace the layer (backup kept) / 替换图层(保留备份)</source>
            <translation>替换图层(保留备份) / Replace the layer (backup kept)</translation>
        </message>
        <message>
            <source>Update or insert by object id / 按对象编码更新或插入</source>
            <translation>按对象编码更新或插入 / Update or insert by object id</translation>
        </message>
        <message>
            <source>Install or update the engine / 安装或更新引擎</source>
            <translation>安装或更新引擎 / Install or update the engine</translation>
        </message>
        <message>
            <source>Engine / 引擎</source>
            <translation>引擎 / Engine</translation>
        </message>
        <message>
            <source>Package index (empty: the provider setting, else PyPI; a mirror such as https://mirrors.aliyun.com/pypi/simple) / 软件包索引(留空用处理选项中的设置,否则 PyPI;可填镜像)</source>
            <translation>软件包索引(留空用处理选项中的设置,否则 PyPI;可填镜像) / Package index (empty: the provider setting, else PyPI; a mirror such as https://mirrors.aliyun.com/pypi/simple)</translation>
        </message>
        <message>
            <source>Or a folder of wheels (offline; every dependency) / 或离线安装包文件夹(含全部依赖)</source>
            <translation>或离线安装包文件夹(含全部依赖) / Or a folder of wheels (offline; every dependency)</translation>
        </message>
        <message>
            <source>Python 3.10+ to make the environment (empty: find one) / 用于创建环境的 Python 3.10+(留空自动查找)</source>
            <translation>用于创建环境的 Python 3.10+(留空自动查找) / Python 3.10+ to make the environment (empty: find one)</translation>
        </message>
        <message>
            <source>Engine wheel (empty: the one bundled with the plugin) / 引擎安装包(留空用插件自带的)</source>
            <translation>引擎安装包(留空用插件自带的) / Engine wheel (empty: the one bundled with the plugin)</translation>
        </message>
        <message>
            <source>Engine version / 引擎版本</source>
            <translation>引擎版本 / Engine version</translation>
        </message>
        <message>
            <source>Install log / 安装日志</source>
            <translation>安装日志 / Install log</translation>
        </message>
        <message>
            <source>No engine wheel in the plugin: install the plugin from its zip / 插件中没有引擎安装包:请用插件压缩包安装插件</source>
            <translation>插件中没有引擎安装包:请用插件压缩包安装插件 / No engine wheel in the plugin: install the plugin from its zip</translation>
        </message>
        <message>
            <source>Installing {0} into {1} / 正在把 {0} 安装到 {1}</source>
            <translation>正在把 {0} 安装到 {1} / Installing {0} into {1}</translation>
        </message>
        <message>
            <source>Export meeting map / 导出会议用图</source>
            <translation>导出会议用图 / Export meeting map</translation>
        </message>
        <message>
            <source>Basemap / 底图</source>
            <translation>底图 / Basemap</translation>
        </message>
        <message>
            <source>Analysis overlays / 分析叠加</source>
            <translation>分析叠加 / Analysis overlays</translation>
        </message>
        <message>
            <source>Scorecard indicator for the choropleth (empty: the default) / 记分卡分区图指标(留空为默认)</source>
            <translation>记分卡分区图指标(留空为默认) / Scorecard indicator for the choropleth (empty: the default)</translation>
        </message>
        <message>
            <source>First language of labels / 标签首选语言</source>
            <translation>标签首选语言 / First language of labels</translation>
        </message>
        <message>
            <source>Meeting map (HTML) / 会议用图 (HTML)</source>
            <translation>会议用图 (HTML) / Meeting map (HTML)</translation>
        </message>
        <message>
            <source>Static map (PNG) / 静态图 (PNG)</source>
            <translation>静态图 (PNG) / Static map (PNG)</translation>
        </message>
        <message>
            <source>None (fully offline) / 无(完全离线)</source>
            <translation>无(完全离线) / None (fully offline)</translation>
        </message>
        <message>
            <source>Tianditu (needs ZLT_TIANDITU_KEY) / 天地图(需 ZLT_TIANDITU_KEY)</source>
            <translation>天地图(需 ZLT_TIANDITU_KEY) / Tianditu (needs ZLT_TIANDITU_KEY)</translation>
        </message>
        <message>
            <source>Gaode (GCJ-02 display shift) / 高德(显示时偏移至 GCJ-02)</source>
            <translation>高德(显示时偏移至 GCJ-02) / Gaode (GCJ-02 display shift)</translation>
        </message>
        <message>
            <source>Bus-stop coverage / 公交覆盖</source>
            <translation>公交覆盖 / Bus-stop coverage</translation>
        </message>
        <message>
            <source>Toilet gaps / 公厕缺口</source>
            <translation>公厕缺口 / Toilet gaps</translation>
        </message>
        <message>
            <source>Scorecard by street office / 街道记分卡</source>
            <translation>街道记分卡 / Scorecard by street office</translation>
        </message>
        <message>
            <source>English / 英文</source>
            <translation>英文 / English</translation>
        </message>
        <message>
            <source>Plan scorecard / 方案目标记分卡</source>
            <translation>方案目标记分卡 / Plan scorecard</translation>
        </message>
        <message>
            <source>Targets met / 达标目标数</source>
            <translation>达标目标数 / Targets met</translation>
        </message>
        <message>
            <source>Targets not met / 未达标目标数</source>
            <translation>未达标目标数 / Targets not met</translation>
        </message>
        <message>
            <source>Not measurable / 无法计算目标数</source>
            <translation>无法计算目标数 / Not measurable</translation>
        </message>
        <message>
            <source>As of date (YYYY-MM-DD; empty: latest update in the data) / 评估日期(YYYY-MM-DD;留空为数据中最新更新日期)</source>
            <translation>评估日期(YYYY-MM-DD;留空为数据中最新更新日期) / As of date (YYYY-MM-DD; empty: latest update in the data)</translation>
        </message>
        <message>
            <source>Bus-stop coverage distance / 公交覆盖距离</source>
            <translation>公交覆盖距离 / Bus-stop coverage distance</translation>
        </message>
        <message>
            <source>Coverage grid cell (m; 0: the default) / 覆盖分析格网(米;0 为默认)</source>
            <translation>覆盖分析格网(米;0 为默认) / Coverage grid cell (m; 0: the default)</translation>
        </message>
        <message>
            <source>Scorecard (HTML) / 记分卡 (HTML)</source>
            <translation>记分卡 (HTML) / Scorecard (HTML)</translation>
        </message>
        <message>
            <source>Scorecard (Excel) / 记分卡 (Excel)</source>
            <translation>记分卡 (Excel) / Scorecard (Excel)</translation>
        </message>
        <message>
            <source>Scorecard (JSON) / 记分卡 (JSON)</source>
            <translation>记分卡 (JSON) / Scorecard (JSON)</translation>
        </message>
        <message>
            <source>Targets / 目标</source>
            <translation>目标 / Targets</translation>
        </message>
        <message>
            <source>as of {0}: met {1}, not met {2}, not measurable {3} / 评估日 {0}:达标 {1},未达标 {2},无法计算 {3}</source>
            <translation>评估日 {0}:达标 {1},未达标 {2},无法计算 {3} / as of {0}: met {1}, not met {2}, not measurable {3}</translation>
        </message>
        <message>
            <source>Road network / 路网距离</source>
            <translation>路网距离 / Road network</translation>
        </message>
        <message>
            <source>Toilet gaps and proposed sites / 公厕缺口与新址建议</source>
            <translation>公厕缺口与新址建议 / Toilet gaps and proposed sites</translation>
        </message>
        <message>
            <source>Toilets per 10,000 residents / 每万人公厕数</source>
            <translation>每万人公厕数 / Toilets per 10,000 residents</translation>
        </message>
        <message>
            <source>Toilets counted / 计入公厕数</source>
            <translation>计入公厕数 / Toilets counted</translation>
        </message>
        <message>
            <source>Sites proposed / 建议新址数</source>
            <translation>建议新址数 / Sites proposed</translation>
        </message>
        <message>
            <source>Population share with the proposals / 建议后人口覆盖率</source>
            <translation>建议后人口覆盖率 / Population share with the proposals</translation>
        </message>
        <message>
            <source>Public toilets (points; empty: the inventory's) / 公共厕所(点;留空用清单图层)</source>
            <translation>公共厕所(点;留空用清单图层) / Public toilets (points; empty: the inventory's)</translation>
        </message>
        <message>
            <source>Service radius (m) / 服务半径(米)</source>
            <translation>服务半径(米) / Service radius (m)</translation>
        </message>
        <message>
            <source>Service radius in crowded districts (m) / 人流密集街道服务半径(米)</source>
            <translation>人流密集街道服务半径(米) / Service radius in crowded districts (m)</translation>
        </message>
        <message>
            <source>Candidate spacing along roads (m) / 候选点沿路间距(米)</source>
            <translation>候选点沿路间距(米) / Candidate spacing along roads (m)</translation>
        </message>
        <message>
            <source>Land-use class for every district (R, ABS, G, MW, or CODE=CLASS,...; empty: the districts' land_use field) / 统一用地类别(留空用街道的 land_use 字段)</source>
            <translation>统一用地类别(留空用街道的 land_use 字段) / Land-use class for every district (R, ABS, G, MW, or CODE=CLASS,...; empty: the districts' land_use field)</translation>
        </message>
        <message>
            <source>Number of new sites to propose / 建议新址数量</source>
            <translation>建议新址数量 / Number of new sites to propose</translation>
        </message>
        <message>
            <source>Siting method / 选址方法</source>
            <translation>选址方法 / Siting method</translation>
        </message>
        <message>
            <source>Count planned and under-construction toilets / 计入规划与在建公厕</source>
            <translation>计入规划与在建公厕 / Count planned and under-construction toilets</translation>
        </message>
        <message>
            <source>Toilet indicators by street office / 各街道公厕指标</source>
            <translation>各街道公厕指标 / Toilet indicators by street office</translation>
        </message>
        <message>
            <source>Areas beyond the service radius / 服务半径外区域</source>
            <translation>服务半径外区域 / Areas beyond the service radius</translation>
        </message>
        <message>
            <source>Proposed sites / 建议新址</source>
            <translation>建议新址 / Proposed sites</translation>
        </message>
        <message>
            <source>Spacing along streets / 沿街间距</source>
            <translation>沿街间距 / Spacing along streets</translation>
        </message>
        <message>
            <source>Straight line / 直线距离</source>
            <translation>直线距离 / Straight line</translation>
        </message>
        <message>
            <source>Automatic (exact when available) / 自动(可用时精确求解)</source>
            <translation>自动(可用时精确求解) / Automatic (exact when available)</translation>
        </message>
        <message>
            <source>Exact (integer programme) / 精确(整数规划)</source>
            <translation>精确(整数规划) / Exact (integer programme)</translation>
        </message>
        <message>
            <source>Greedy / 贪心</source>
            <translation>贪心 / Greedy</translation>
        </message>
        <message>
            <source>Validate inventory / 检查资产清单</source>
            <translation>检查资产清单 / Validate inventory</translation>
        </message>
        <message>
            <source>Errors / 错误数</source>
            <translation>错误数 / Errors</translation>
        </message>
        <message>
            <source>Warnings / 警告数</source>
            <translation>警告数 / Warnings</translation>
        </message>
        <message>
            <source>Problems / 问题清单</source>
            <translation>问题清单 / Problems</translation>
        </message>
        <message>
            <source>{0} errors, {1} warnings / 错误 {0} 个,警告 {1} 个</source>
            <translation>错误 {0} 个,警告 {1} 个 / {0} errors, {1} warnings</translation>
        </message>
        <message>
            <source>Open Zhalantun inventory / 打开扎兰屯资产清单</source>
            <translation>打开扎兰屯资产清单 / Open Zhalantun inventory</translation>
        </message>
        <message>
            <source>Open PostGIS inventory / 打开 PostGIS 资产清单</source>
            <translation>打开 PostGIS 资产清单 / Open PostGIS inventory</translation>
        </message>
        <message>
            <source>Database URL, e.g. postgresql://user@host:5432/zhalantun?schema=public / 数据库地址</source>
            <translation>数据库地址 / Database URL, e.g. postgresql://user@host:5432/zhalantun?schema=public</translation>
        </message>
        <message>
            <source>Check the engine / 检查引擎</source>
            <translation>检查引擎 / Check the engine</translation>
        </message>
        <message>
            <source>Open the sample inventory (illustrative) / 打开示例清单(示意数据)</source>
            <translation>打开示例清单(示意数据) / Open the sample inventory (illustrative)</translation>
        </message>
        <message>
            <source>The zlt-assets engine is not installed: menu Plugins &gt; Zhalantun assets &gt; Install or update the engine / 尚未安装 zlt-assets 引擎:菜单 插件 &gt; 扎兰屯资产 &gt; 安装或更新引擎</source>
            <translation>尚未安装 zlt-assets 引擎:菜单 插件 &gt; 扎兰屯资产 &gt; 安装或更新引擎 / The zlt-assets engine is not installed: menu Plugins &gt; Zhalantun assets &gt; Install or update the engine</translation>
        </message>
        <message>
            <source>{0} is already open: {1} layers added to its group / {0} 已打开:向其图层组补充了 {1} 个图层</source>
            <translation>{0} 已打开:向其图层组补充了 {1} 个图层 / {0} is already open: {1} layers added to its group</translation>
        </message>
        <message>
            <source>Loaded {0} layers from {1} / 已加载 {0} 个图层:{1}</source>
            <translation>已加载 {0} 个图层:{1} / Loaded {0} layers from {1}</translation>
        </message>
        <message>
            <source>Path of zlt-assets (empty: ZLT_ASSETS_ENGINE, PATH, then the private environment) / zlt-assets 程序路径(留空依次用 ZLT_ASSETS_ENGINE、PATH、插件私有环境)</source>
            <translation>zlt-assets 程序路径(留空依次用 ZLT_ASSETS_ENGINE、PATH、插件私有环境) / Path of zlt-assets (empty: ZLT_ASSETS_ENGINE, PATH, then the private environment)</translation>
        </message>
        <message>
            <source>Package index for installing the engine (empty: PyPI; e.g. a mirror) / 安装引擎用的软件包索引(留空为 PyPI;可填镜像)</source>
            <translation>安装引擎用的软件包索引(留空为 PyPI;可填镜像) / Package index for installing the engine (empty: PyPI; e.g. a mirror)</translation>
        </message>
        <message>
            <source>Python 3.10+ for the private environment (empty: find one) / 创建私有环境用的 Python 3.10+(留空自动查找)</source>
            <translation>创建私有环境用的 Python 3.10+(留空自动查找) / Python 3.10+ for the private environment (empty: find one)</translation>
        </message>
    </context>
</TS>
