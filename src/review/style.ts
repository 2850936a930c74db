/**
 * The report's inline style. Gains are red and losses blue, as Korean brokers and quote screens show
 * them (the western green/red would read backwards to a Korean trader). The font stack names the CJK
 * fonts found on Linux (Debian fonts-noto-cjk, NanumGothic), macOS and Windows so 삼성전자 never
 * shows as boxes.
 */
export const REPORT_CSS = `
:root { --up: #d6303b; --down: #1f5fbf; --ink: #1d2330; --muted: #6b7280; --line: #e3e6ec; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body {
  margin: 0 auto; padding: 24px 28px 48px; max-width: 1280px; background: var(--bg); color: var(--ink);
  font: 14px/1.45 "Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Apple SD Gothic Neo", "Malgun Gothic",
    system-ui, sans-serif;
}
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 16px; margin: 22px 0 8px; }
section, header { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px;
  margin-bottom: 16px; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 24px; margin: 0 0 8px; color: var(--muted); }
.meta b { color: var(--ink); font-weight: 600; }
details summary { cursor: pointer; color: var(--muted); }
code { font: 12.5px ui-monospace, "DejaVu Sans Mono", monospace; }
.muted { color: var(--muted); }
.up { color: var(--up); } .down { color: var(--down); } .flat { color: var(--ink); }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.tile .label { color: var(--muted); font-size: 12px; }
.tile .value { font-size: 19px; font-weight: 700; font-variant-numeric: tabular-nums; white-space: nowrap; }
.tile .sub, td .sub { color: var(--muted); font-size: 12px; }
.charts h2:first-child, .groups h2, .trips h2, .guards h2 { margin-top: 4px; }
.groups { display: grid; grid-template-columns: 1fr 1fr; gap: 0 24px; }
.groups .legend { grid-column: 1 / -1; }
@media (max-width: 900px) { .groups { grid-template-columns: 1fr; } }
svg.chart { display: block; width: 100%; height: auto; }
svg.chart text { font-size: 12px; fill: var(--muted); font-family: inherit; }
svg.chart .ylab { text-anchor: end; dominant-baseline: middle; }
svg.chart .xlab { text-anchor: middle; }
svg.chart .blab { text-anchor: end; dominant-baseline: middle; fill: var(--ink); font-size: 13px; }
svg.chart .bval { text-anchor: end; dominant-baseline: middle; font-variant-numeric: tabular-nums; }
svg.chart .bval.up { fill: var(--up); } svg.chart .bval.down { fill: var(--down); }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart .grid.zero { stroke: #9aa1ad; }
svg.chart .line { fill: none; stroke: #4b3f9e; stroke-width: 2; stroke-linejoin: round; }
svg.chart .area { fill: #4b3f9e; opacity: 0.08; }
svg.chart.drawdown .line { stroke: var(--down); } svg.chart.drawdown .area { fill: var(--down); opacity: 0.15; }
svg.chart circle.pt { fill: #fff; stroke: #4b3f9e; stroke-width: 1.5; }
svg.chart.drawdown circle.pt { stroke: var(--down); }
svg.chart rect.pt.up { fill: var(--up); } svg.chart rect.pt.down { fill: var(--down); }
svg.chart rect.pt.flat { fill: #9aa1ad; }
.legend { font-size: 12px; margin: 6px 0 0; }
.sw { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 8px; vertical-align: -1px; }
.sw.up { background: var(--up); } .sw.down { background: var(--down); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 5px 5px;
  white-space: nowrap; }
td { padding: 3px 5px; border-bottom: 1px solid #f0f1f4; vertical-align: top; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.trips td, table.guards td, table.configs td { white-space: nowrap; }
table.trips td:last-child { white-space: normal; }
td .unreal { font-size: 11.5px; font-style: italic; }
.tag { background: #fff4d6; color: #8a5a00; border-radius: 4px; padding: 0 6px; font-size: 12px; }
td.warn { color: #b45309; font-weight: 600; }
.empty, .nothing p { color: var(--muted); }
`;
