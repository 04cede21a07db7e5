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
            <source>Inventory GeoPackage (empty: the sample) / 资产清单 GeoPackage(留空为示例数据)</source>
            <translation>资产清单 GeoPackage(留空为示例数据) / Inventory GeoPackage (empty: the sample)</translation>
        </message>
        <message>
            <source>The population raster must be a file (GeoTIFF): {0} / 人口栅格必须是文件(GeoTIFF):{0}</source>
            <translation>人口栅格必须是文件(GeoTIFF):{0} / The population raster must be a file (GeoTIFF): {0}</translation>
        </message>
        <message>
            <source>Inventory not found: {0} / 找不到资产清单:{0}</source>
            <translation>找不到资产清单:{0} / Inventory not found: {0}</translation>
        </message>
        <message>
            <source>Facility coverage / 设施覆盖率</source>
            <translation>设施覆盖率 / Facility coverage</translation>
        </message>
        <message>
            <source>Street office code field / 街道代码字段</source>
            <translation>街道代码字段 / Street office code field</translation>
        </message>
        <message>
            <source>Street office name field / 街道名称字段</source>
            <translation>街道名称字段 / Street office name field</translation>
        </message>
        <message>
            <source>Distance / 距离</source>
            <translation>距离 / Distance</translation>
        </message>
        <message>
            <source>Population grid (persons per cell; empty: area only) / 人口栅格(每格人数;留空只算面积)</source>
            <translation>人口栅格(每格人数;留空只算面积) / Population grid (persons per cell; empty: area only)</translation>
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
            <source>Count planned and under-construction facilities / 计入规划与在建设施</source>
            <translation>计入规划与在建设施 / Count planned and under-construction facilities</translation>
        </message>
        <message>
            <source>Max distance from a facility to the road network (m; 0 = default) / 设施接入路网最大距离(米;0 为默认)</source>
            <translation>设施接入路网最大距离(米;0 为默认) / Max distance from a facility to the road network (m; 0 = default)</translation>
        </message>
        <message>
            <source>Uncovered areas / 未覆盖区域</source>
            <translation>未覆盖区域 / Uncovered areas</translation>
        </message>
        <message>
            <source>Facilities used / 参与计算的设施</source>
            <translation>参与计算的设施 / Facilities used</translation>
        </message>
        <message>
            <source>Coverage by street office / 各街道覆盖率</source>
            <translation>各街道覆盖率 / Coverage by street office</translation>
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
            <source>Give the urban area or the street offices / 请给出城区范围或街道办事处</source>
            <translation>请给出城区范围或街道办事处 / Give the urban area or the street offices</translation>
        </message>
        <message>
            <source>The network method needs a road layer / 路网距离需要道路图层</source>
            <translation>路网距离需要道路图层 / The network method needs a road layer</translation>
        </message>
        <message>
            <source>The road network is not connected / 道路网络不连通</source>
            <translation>道路网络不连通 / The road network is not connected</translation>
        </message>
        <message>
            <source>Area share {0} / 面积覆盖率 {0}</source>
            <translation>面积覆盖率 {0} / Area share {0}</translation>
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
            <source>{0} facilities are off the road network / {0} 个设施无法接入路网</source>
            <translation>{0} 个设施无法接入路网 / {0} facilities are off the road network</translation>
        </message>
        <message>
            <source>Import field or department data / 导入外业与部门数据</source>
            <translation>导入外业与部门数据 / Import field or department data</translation>
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
            <source>Dry run OK: nothing written / 演练通过:未写入</source>
            <translation>演练通过:未写入 / Dry run OK: nothing written</translation>
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
            <source>Importing {0} into {1} / 正在导入 {0} 到 {1}</source>
            <translation>正在导入 {0} 到 {1} / Importing {0} into {1}</translation>
        </message>
        <message>
            <source>Import refused, nothing written: {0} rows with problems / 导入被拒绝,未写入任何数据:{0} 行有问题</source>
            <translation>导入被拒绝,未写入任何数据:{0} 行有问题 / Import refused, nothing written: {0} rows with problems</translation>
        </message>
        <message>
            <source>Imported {0} rows / 已导入 {0} 行</source>
            <translation>已导入 {0} 行 / Imported {0} rows</translation>
        </message>
        <message>
            <source>How to install the Python packages / 如何安装所需 Python 包</source>
            <translation>如何安装所需 Python 包 / How to install the Python packages</translation>
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
            <source>Scorecard indicator for the choropleth / 记分卡分区图指标</source>
            <translation>记分卡分区图指标 / Scorecard indicator for the choropleth</translation>
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
            <source>Features drawn / 要素数</source>
            <translation>要素数 / Features drawn</translation>
        </message>
        <message>
            <source>Overlays / 叠加</source>
            <translation>叠加 / Overlays</translation>
        </message>
        <message>
            <source>Building the meeting map of {0} / 正在生成会议用图:{0}</source>
            <translation>正在生成会议用图:{0} / Building the meeting map of {0}</translation>
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
            <source>Plan scorecard / 方案目标记分卡</source>
            <translation>方案目标记分卡 / Plan scorecard</translation>
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
            <source>Coverage grid cell (m; 0 = default 25) / 覆盖分析格网(米;0 为默认 25)</source>
            <translation>覆盖分析格网(米;0 为默认 25) / Coverage grid cell (m; 0 = default 25)</translation>
        </message>
        <message>
            <source>Scorecard (HTML) / 记分卡 (HTML)</source>
            <translation>记分卡 (HTML) / Scorecard (HTML)</translation>
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
            <source>Computing the scorecard of {0} / 正在计算记分卡:{0}</source>
            <translation>正在计算记分卡:{0} / Computing the scorecard of {0}</translation>
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
            <source>Population grid (persons per cell) / 人口栅格(每格人数)</source>
            <translation>人口栅格(每格人数) / Population grid (persons per cell)</translation>
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
            <source>Land-use class for every district (R, ABS, G, MW; empty: the districts' land_use field) / 统一用地类别(留空用街道的 land_use 字段)</source>
            <translation>统一用地类别(留空用街道的 land_use 字段) / Land-use class for every district (R, ABS, G, MW; empty: the districts' land_use field)</translation>
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
            <source>Candidate spacing along roads (m) / 候选点沿路间距(米)</source>
            <translation>候选点沿路间距(米) / Candidate spacing along roads (m)</translation>
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
            <source>Proposals and the network method need a road layer / 新址建议与路网距离需要道路图层</source>
            <translation>新址建议与路网距离需要道路图层 / Proposals and the network method need a road layer</translation>
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
            <source>Problems / 问题清单</source>
            <translation>问题清单 / Problems</translation>
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
            <source>{0} errors, {1} warnings / 错误 {0} 个,警告 {1} 个</source>
            <translation>错误 {0} 个,警告 {1} 个 / {0} errors, {1} warnings</translation>
        </message>
        <message>
            <source>Validating {0} / 正在检查 {0}</source>
            <translation>正在检查 {0} / Validating {0}</translation>
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
            <source>Installation help / 安装说明</source>
            <translation>安装说明 / Installation help</translation>
        </message>
        <message>
            <source>All Python packages are installed. / 所需 Python 包均已安装。</source>
            <translation>所需 Python 包均已安装。 / All Python packages are installed.</translation>
        </message>
        <message>
            <source>Database URL, e.g. postgresql://user@host:5432/zhalantun?schema=public / 数据库地址</source>
            <translation>数据库地址 / Database URL, e.g. postgresql://user@host:5432/zhalantun?schema=public</translation>
        </message>
        <message>
            <source>Loaded {0} layers from {1} / 已加载 {0} 个图层:{1}</source>
            <translation>已加载 {0} 个图层:{1} / Loaded {0} layers from {1}</translation>
        </message>
        <message>
            <source>Python packages missing: {0}. Menu Plugins &gt; Zhalantun assets &gt; Installation help / 缺少 Python 包:{0}。见菜单 插件 &gt; 扎兰屯资产 &gt; 安装说明</source>
            <translation>缺少 Python 包:{0}。见菜单 插件 &gt; 扎兰屯资产 &gt; 安装说明 / Python packages missing: {0}. Menu Plugins &gt; Zhalantun assets &gt; Installation help</translation>
        </message>
        <message>
            <source>Layer {0} has no CRS / 图层 {0} 没有坐标系</source>
            <translation>图层 {0} 没有坐标系 / Layer {0} has no CRS</translation>
        </message>
    </context>
</TS>
