/**
 * The console's only style sheet and script, served from the process itself (no build step, no
 * font or CDN: spec/console.md, "Pages"). The Content-Security-Policy admits these two files and
 * nothing inline, so no style or script can come from data even if escaping were ever missed.
 */

export const CSS = `
:root {
  color-scheme: light;
  --fg: #1b1f24;
  --muted: #4a5360;
  --bg: #ffffff;
  --panel: #f3f5f7;
  --line: #c6ced6;
  --accent: #0a4fb8;
  --ok: #0a6b2d;
  --warn: #8a4600;
  --bad: #a8231b;
  --focus: #c24e00;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg);
  background: var(--bg);
}
a { color: var(--accent); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -10000px; top: 0.5rem; }
.skip:focus { left: 0.5rem; z-index: 10; background: var(--bg); padding: 0.5rem 1rem; }
.top {
  display: flex; flex-wrap: wrap; gap: 0.5rem 1.25rem; align-items: center;
  padding: 0.6rem 1rem; background: var(--panel); border-bottom: 1px solid var(--line);
}
.brand { margin: 0; font-weight: 700; }
.brand a { color: var(--fg); text-decoration: none; }
.top nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; margin: 0; padding: 0; }
.top nav a { display: inline-block; padding: 0.25rem 0; }
.top nav a[aria-current="page"] { font-weight: 700; text-decoration: none; border-bottom: 3px solid var(--accent); }
.who { margin-left: auto; display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; color: var(--muted); }
main { display: block; max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.5rem 0 1rem; word-break: break-word; }
h2 { font-size: 1.25rem; margin: 1.75rem 0 0.75rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 0.5rem; }
.table-wrap { overflow-x: auto; margin: 0.5rem 0 1rem; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { text-align: left; vertical-align: top; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--panel); white-space: nowrap; }
code, .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.875em; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.status, .tag {
  display: inline-block; padding: 0 0.55rem; border: 1px solid currentColor; border-radius: 1rem;
  font-size: 0.875rem; white-space: nowrap;
}
.status-ok { color: var(--ok); }
.status-busy { color: var(--warn); }
.status-bad { color: var(--bad); }
.status-other { color: var(--muted); }
.tag { color: var(--muted); }
.notice { border-left: 4px solid var(--ok); background: #edf7f0; padding: 0.6rem 1rem; margin: 1rem 0; }
.notice.error { border-left-color: var(--bad); background: #fcecea; }
.notice p { margin: 0.25rem 0; }
dl.facts { display: grid; grid-template-columns: minmax(9rem, max-content) 1fr; gap: 0.3rem 1.25rem; margin: 0 0 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
form.stack { max-width: 34rem; }
label, .label { display: block; font-weight: 600; margin: 0.75rem 0 0.25rem; }
.hint { color: var(--muted); font-size: 0.9rem; margin: 0.15rem 0 0.5rem; }
input[type="text"], input[type="password"], select {
  font: inherit; width: 100%; max-width: 34rem; padding: 0.45rem 0.5rem;
  border: 1px solid #6b7480; border-radius: 4px; background: var(--bg); color: var(--fg);
}
fieldset { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 1rem 0.75rem; margin: 0.75rem 0; }
legend { font-weight: 600; padding: 0 0.25rem; }
.check { display: flex; gap: 0.6rem; align-items: flex-start; font-weight: 400; margin: 0.5rem 0; }
.check input { width: 1.15rem; height: 1.15rem; margin: 0.2rem 0 0; flex: none; }
.check label { margin: 0; }
.check .hint { display: block; margin: 0; }
td code { white-space: nowrap; }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin: 1rem 0; }
button, .button {
  font: inherit; display: inline-block; padding: 0.45rem 1.1rem; border-radius: 4px; cursor: pointer;
  border: 1px solid var(--accent); background: var(--accent); color: #fff; text-decoration: none;
}
button.secondary, .button.secondary { background: var(--bg); color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
button.link { background: none; border: none; color: var(--accent); text-decoration: underline; padding: 0.25rem 0; }
form.inline { display: inline; }
.filters { display: flex; flex-wrap: wrap; gap: 0 1rem; align-items: flex-end; }
.filters > div { flex: 1 1 12rem; }
.filters button { margin: 0.75rem 0 0; }
.outcome-bound, .outcome-unbound { color: var(--ok); font-weight: 600; }
.outcome-failed { color: var(--bad); font-weight: 600; }
.diagram { margin: 1rem 0; overflow-x: auto; }
.diagram svg { width: 100%; height: auto; min-width: 20rem; max-width: 64rem; }
.diagram text { font: 13px system-ui, sans-serif; fill: #1b1f24; }
.diagram .small { font-size: 11px; fill: #4a5360; }
.system { font-weight: 600; }
@media (max-width: 40rem) {
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: 0.4rem; }
  .who { margin-left: 0; }
  h1 { font-size: 1.35rem; }
  table.stack thead { position: absolute; left: -10000px; }
  table.stack tr { display: block; border-bottom: 1px solid var(--line); padding: 0.35rem 0; }
  table.stack td { display: block; border: none; padding: 0.1rem 0.25rem; }
  table.stack td::before { content: attr(data-label) ": "; font-weight: 600; }
}
`;

/**
 * Live status (spec/console.md, "Lifecycle"): an element with `data-poll` names a JSON URL of the
 * status it shows in `data-status`; every two seconds the script asks again, and when the answer
 * differs the page reloads (or, once the thing is gone, goes to `data-gone`).
 */
export const JS = `
(function () {
  var el = document.querySelector('[data-poll]');
  if (!el) return;
  var url = el.getAttribute('data-poll');
  var shown = el.getAttribute('data-status');
  var gone = el.getAttribute('data-gone');
  function tick() {
    fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (body) {
        if (body && body.status !== shown) {
          if (body.status === 'gone' && gone) location.assign(gone);
          else location.reload();
          return;
        }
        setTimeout(tick, 2000);
      })
      .catch(function () { setTimeout(tick, 2000); });
  }
  setTimeout(tick, 2000);
})();
`;
