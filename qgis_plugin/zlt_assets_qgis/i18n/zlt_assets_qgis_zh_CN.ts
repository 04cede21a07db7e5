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
            <source>Inventory not found: {0} / 找不到资产清单:{0}</source>
            <translation>找不到资产清单:{0} / Inventory not found: {0}</translation>
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
            <source>Straight line (official) / 直线距离(官方口径)</source>
            <translation>直线距离(官方口径) / Straight line (official)</translation>
        </message>
        <message>
            <source>Road network / 路网距离</source>
            <translation>路网距离 / Road network</translation>
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
            <source>Report (JSON) / 报告 (JSON)</source>
            <translation>报告 (JSON) / Report (JSON)</translation>
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
            <source>Installation help / 安装说明</source>
            <translation>安装说明 / Installation help</translation>
        </message>
        <message>
            <source>All Python packages are installed. / 所需 Python 包均已安装。</source>
            <translation>所需 Python 包均已安装。 / All Python packages are installed.</translation>
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
