/** Shared stylesheet of the operator and kiosk pages (served as /assets/app.css). */
export const styleCss = `
:root { --go: #0a8a3a; --stop: #c4161c; --warn: #d08a00; --neutral: #26313f; --bg: #10161d; --card: #1b2430; --ink: #e9eef3; --muted: #9aa7b4; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: var(--bg); color: var(--ink); font-family: system-ui, "DejaVu Sans", "Noto Sans", sans-serif; }
button { font: inherit; cursor: pointer; border: 0; border-radius: 8px; padding: 0.6em 1.1em; color: #fff; background: #3a4a5c; }
button:disabled { opacity: 0.5; cursor: wait; }
.conn { font-size: 0.85rem; padding: 0.2em 0.6em; border-radius: 999px; background: var(--warn); color: #000; }
.conn.live { background: var(--go); color: #fff; }

/* Operator page */
.operator header { display: flex; align-items: center; gap: 1rem; padding: 0.8rem 1.2rem; background: #0b1016; }
.operator header h1 { font-size: 1.3rem; margin: 0; flex: 1; }
.operator main { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; padding: 1rem; }
.card { background: var(--card); border-radius: 12px; padding: 1rem 1.2rem; min-width: 0; }
.card h2 { margin: 0 0 0.7rem; font-size: 1rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; }
.card.wide { grid-column: 1 / -1; }
.chart { grid-column: 1 / -1; }
@media (min-width: 1040px) { .operator main { grid-template-columns: repeat(3, 1fr); } .chart { grid-column: span 2; } }
.state-name { font-size: 2.2rem; font-weight: 700; }
.state-msg { font-size: 1.2rem; margin: 0.3rem 0 0.8rem; padding: 0.4rem 0.7rem; border-radius: 8px; background: var(--neutral); display: inline-block; }
.tone-go .state-msg, .state-msg.tone-go { background: var(--go); }
.state-msg.tone-stop { background: var(--stop); }
.state-msg.tone-warn { background: var(--warn); color: #000; }
.leds { display: flex; gap: 0.6rem; margin-bottom: 0.8rem; color: var(--muted); font-size: 0.85rem; }
.led { display: inline-flex; align-items: center; gap: 0.3rem; }
.led i { width: 0.9rem; height: 0.9rem; border-radius: 50%; background: #333; display: inline-block; }
.led.on.green i { background: #2bd161; } .led.on.red i { background: #ff3b3b; } .led.on.amber i { background: #ffb300; }
.led.blink i { animation: blink 1s steps(2, start) infinite; }
@keyframes blink { to { visibility: hidden; } }
.controls { display: flex; gap: 0.6rem; flex-wrap: wrap; }
#maintenance-toggle[aria-pressed="true"] { background: var(--warn); color: #000; }
#open-once { background: #1d5fb8; }
.command-result { min-height: 1.3em; margin-top: 0.5rem; color: var(--muted); font-size: 0.9rem; }
.command-result.error { color: #ff8a8a; }
.counts { display: grid; grid-template-columns: repeat(2, 1fr); gap: 0.6rem; margin: 0; }
.counts div { background: #121a23; border-radius: 8px; padding: 0.5rem 0.7rem; }
.counts dt { color: var(--muted); font-size: 0.85rem; }
.counts dd { margin: 0; font-size: 2rem; font-weight: 700; }
#count-cleared { color: #2bd161; } #count-alerts { color: #ff6464; } #count-escalations { color: #ffb300; }
.live img { width: 100%; border-radius: 8px; background: #000; min-height: 120px; display: block; }
.chart svg { width: 100%; height: auto; display: block; }
.chart .axis { fill: var(--muted); font-size: 11px; }
.chart .cleared { fill: #2bd161; } .chart .alert { fill: #ff5252; } .chart .grid { stroke: #2e3a48; }
.health { display: grid; grid-template-columns: auto 1fr; gap: 0.3rem 1rem; margin: 0; }
.health dt { color: var(--muted); }
.health dd { margin: 0; }
.status-online { color: #2bd161; } .status-reconnecting { color: #ffb300; } .status-offline { color: #ff6464; }
table { width: 100%; border-collapse: collapse; font-size: 0.92rem; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid #2a3442; vertical-align: middle; }
th { color: var(--muted); font-weight: 600; }
td.kind-cleared { color: #2bd161; } td.kind-alert, td.kind-escalation, td.kind-forced_passage, td.kind-fault { color: #ff6464; } td.kind-recovery { color: #8fd3ff; }
img.thumb { height: 48px; border-radius: 4px; display: block; }
.muted { color: var(--muted); font-size: 0.85rem; margin: 0 0 0.5rem; }
.ignored { margin: 0; padding-left: 1.1rem; } .ignored li.none { list-style: none; margin-left: -1.1rem; color: var(--muted); }

/* Kiosk page: readable from 2 m, nothing to click. */
.kiosk { overflow: hidden; cursor: none; transition: background-color 0.2s; }
.kiosk main { height: 100vh; display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 2vh; padding: 3vh 3vw; text-align: center; }
.kiosk-title { font-size: clamp(3rem, 9vw, 14rem); font-weight: 800; line-height: 1.05; }
.kiosk-subtitle { font-size: clamp(1.5rem, 3.5vw, 5rem); opacity: 0.92; }
.kiosk .live-view { max-height: 48vh; max-width: 90vw; border-radius: 1.2vh; border: 0.6vh solid rgba(255, 255, 255, 0.6); background: #000; }
.kiosk .conn { position: fixed; right: 1vw; bottom: 1vh; }
.kiosk.tone-go { background: var(--go); }
.kiosk.tone-stop { background: var(--stop); }
.kiosk.tone-warn { background: var(--warn); color: #000; }
.kiosk.tone-neutral { background: var(--neutral); }
`;
