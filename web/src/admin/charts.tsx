/** Hand-written SVG charts for the dashboard: no chart library in the bundle. */

export interface Bar {
  label: string;
  value: number;
}

export function BarChart({
  data,
  title,
  format = String,
  color = '#0b7a32',
}: {
  data: Bar[];
  title: string;
  format?: (v: number) => string;
  color?: string;
}) {
  const W = 560;
  const H = 220;
  const pad = { l: 64, r: 8, t: 12, b: 28 };
  const max = Math.max(1, ...data.map((d) => d.value));
  const bw = (W - pad.l - pad.r) / Math.max(1, data.length);
  const y = (v: number) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const ticks = [...new Set([0, Math.round(max / 2), max])];
  return (
    <figure className="card chart" style={{ margin: 0 }}>
      <figcaption style={{ fontWeight: 700, marginBottom: 8 }}>{title}</figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${title}: ${data.map((d) => `${d.label} ${format(d.value)}`).join(', ')}`}
      >
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.l} x2={W - pad.r} y1={y(t)} y2={y(t)} stroke="#e3e7ed" />
            <text x={pad.l - 6} y={y(t) + 4} fontSize="11" textAnchor="end" fill="#7a8494">
              {format(Math.round(t))}
            </text>
          </g>
        ))}
        {data.map((d, i) => {
          const h = H - pad.b - y(d.value);
          return (
            <g key={d.label + i}>
              <rect
                x={pad.l + i * bw + bw * 0.15}
                y={y(d.value)}
                width={bw * 0.7}
                height={Math.max(0, h)}
                rx={3}
                fill={color}
              >
                <title>{`${d.label}: ${format(d.value)}`}</title>
              </rect>
              {data.length <= 24 && (data.length <= 12 || i % 2 === 0) ? (
                <text
                  x={pad.l + i * bw + bw / 2}
                  y={H - 10}
                  fontSize="10"
                  textAnchor="middle"
                  fill="#4f5866"
                >
                  {d.label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

export function Donut({ share, title, label }: { share: number; title: string; label: string }) {
  const r = 60;
  const c = 2 * Math.PI * r;
  const pct = Math.max(0, Math.min(1, share));
  return (
    <figure className="card chart" style={{ margin: 0 }}>
      <figcaption style={{ fontWeight: 700, marginBottom: 8 }}>{title}</figcaption>
      <svg
        viewBox="0 0 200 160"
        role="img"
        aria-label={`${title}: ${Math.round(pct * 100)}% ${label}`}
      >
        <circle cx="100" cy="80" r={r} fill="none" stroke="#fde9ec" strokeWidth="22" />
        <circle
          cx="100"
          cy="80"
          r={r}
          fill="none"
          stroke="#0b7a32"
          strokeWidth="22"
          strokeDasharray={`${c * pct} ${c}`}
          transform="rotate(-90 100 80)"
        />
        <text x="100" y="86" textAnchor="middle" fontSize="26" fontWeight="800" fill="#15191e">
          {Math.round(pct * 100)}%
        </text>
        <text x="100" y="106" textAnchor="middle" fontSize="11" fill="#4f5866">
          {label}
        </text>
      </svg>
    </figure>
  );
}
