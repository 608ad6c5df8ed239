/** The status pages' one stylesheet, inlined in each page: no fonts or files to fetch, one column on a phone. */
export const PAGE_STYLE = `
:root { color-scheme: light dark; --fg: #1d2126; --muted: #5d6670; --bg: #f6f7f9; --card: #fff; --line: #d8dde3; --accent: #2463c7; --good: #1f7a3d; --bad: #b3261e; --warn: #9a6700; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #9aa3ad; --bg: #15181c; --card: #1e2227; --line: #333a42; --accent: #7fb0ff; --good: #5cc27f; --bad: #ff8a80; --warn: #e3b341; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 12px 16px; border-bottom: 1px solid var(--line); background: var(--card); }
header h1 { font-size: 18px; margin: 0; }
header a { color: inherit; text-decoration: none; }
main { max-width: 1100px; margin: 0 auto; padding: 12px 16px 40px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
a { color: var(--accent); }
form.search { display: flex; gap: 6px; flex: 1; min-width: 220px; max-width: 480px; }
form.search input { flex: 1; min-width: 0; padding: 6px 8px; font: inherit; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: inherit; }
form.search button { padding: 6px 12px; font: inherit; border: 1px solid var(--line); border-radius: 6px; background: var(--accent); color: #fff; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
.card h3 { margin: 0 0 6px; font-size: 15px; display: flex; justify-content: space-between; gap: 8px; }
.card h3 small { color: var(--muted); font-weight: normal; overflow-wrap: anywhere; }
dl.figures { display: grid; grid-template-columns: auto 1fr 1fr; gap: 2px 12px; margin: 0 0 8px; }
dl.figures dt { color: var(--muted); }
dl.figures dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.chart { width: 100%; height: auto; display: block; }
.legend { font-size: 12px; color: var(--muted); }
.legend .req { color: var(--accent); } .legend .hit { color: var(--good); }
.scroll { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
tr:last-child td { border-bottom: 0; }
th { color: var(--muted); font-weight: 600; font-size: 13px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.state-closed { color: var(--good); } .state-open { color: var(--bad); } .state-half-open { color: var(--warn); }
.mark { display: inline-block; padding: 0 6px; margin-right: 4px; border-radius: 10px; font-size: 12px; border: 1px solid currentColor; }
.mark.hosted { color: var(--accent); } .mark.pinned { color: var(--warn); } .mark.missing { color: var(--bad); }
.bar { height: 8px; border-radius: 4px; background: var(--line); overflow: hidden; margin: 4px 0; }
.bar span { display: block; height: 100%; background: var(--accent); }
@media (max-width: 600px) {
  .cards { grid-template-columns: 1fr; }
  main { padding: 8px 10px 32px; }
  th, td { padding: 5px 6px; }
  form.search { max-width: none; }
}
`
