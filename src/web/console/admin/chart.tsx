import { t } from '../shell.js';
import { Scroll } from './ui.js';

export interface Bar {
  label: string;
  /** null: suppressed by the server; no number is drawn or derived for it. */
  count: number | null;
}

const WIDTH = 320;
const ROW = 34;
const LABEL_GAP = 13;
const BAR_H = 14;
const VALUE_ROOM = 92;

/**
 * A horizontal bar chart as SVG: each bar under its label, so long labels (sectors, qualification codes) need no
 * room beside the bars and the chart fits a 360 px phone. A suppressed cell gets a dashed outline and the word, never a
 * length. The same numbers are in a table beneath for screen readers (the picture is hidden from them).
 */
export function BarChart({ id, title, bars, minCell }: { id: string; title: string; bars: Bar[]; minCell: number }) {
  const max = Math.max(1, ...bars.map((b) => b.count ?? 0));
  const scale = (WIDTH - VALUE_ROOM) / max;
  const height = Math.max(1, bars.length) * ROW + 4;
  return (
    <section class="card stat" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {bars.length === 0 ? (
        <p class="note">{t('admin.stats.noCases')}</p>
      ) : (
        <>
          <svg class="chart" viewBox={`0 0 ${WIDTH} ${height}`} aria-hidden="true" focusable="false">
            {bars.map((b, i) => {
              const y = i * ROW;
              const w = b.count === null ? 0 : Math.max(2, b.count * scale);
              return (
                <g key={b.label}>
                  <text x="0" y={y + 11}>{b.label}</text>
                  {b.count === null ? (
                    <>
                      <rect class="suppressed" x="0.5" y={y + LABEL_GAP + 0.5} width="24" height={BAR_H - 1} />
                      <text x="30" y={y + LABEL_GAP + 11}>{t('admin.stats.suppressedShort')}</text>
                    </>
                  ) : (
                    <>
                      <rect class="bar" x="0" y={y + LABEL_GAP} width={w} height={BAR_H} />
                      <text x={w + 5} y={y + LABEL_GAP + 11}>{String(b.count)}</text>
                    </>
                  )}
                </g>
              );
            })}
          </svg>
          <details>
            <summary>{t('admin.stats.table')}</summary>
            <Scroll label={title}>
              <table>
                <caption class="sr-only">{title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.stats.value')}</th>
                    <th scope="col">{t('admin.stats.count')}</th>
                  </tr>
                </thead>
                <tbody>
                  {bars.map((b) => (
                    <tr key={b.label}>
                      <th scope="row">{b.label}</th>
                      <td>{b.count === null ? t('admin.stats.suppressed', { n: minCell }) : b.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
          </details>
        </>
      )}
    </section>
  );
}
