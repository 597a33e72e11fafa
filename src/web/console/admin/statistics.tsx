import { useState } from 'preact/hooks';
import type { ConsoleKey } from '../i18n/index.js';
import { useLoad } from '../load.js';
import { query, t } from '../shell.js';
import { BarChart } from './chart.js';
import { get } from './http.js';
import { BodyPicker, fields, Problem, useBodyChoice } from './ui.js';

type Dimension = 'sex' | 'age_band' | 'country_of_work' | 'sector' | 'qualification' | 'outcome';
interface Cell {
  value: string;
  count: number | null;
  suppressed: boolean;
}
interface Statistics {
  cases: number;
  minCell: number;
  dimensions: Record<Dimension, Cell[]>;
}

const DIMENSIONS: Array<[Dimension, ConsoleKey]> = [
  ['sex', 'admin.stats.bySex'],
  ['age_band', 'admin.stats.byAge'],
  ['country_of_work', 'admin.stats.byCountry'],
  ['sector', 'admin.stats.bySector'],
  ['qualification', 'admin.stats.byQualification'],
  ['outcome', 'admin.stats.byOutcome'],
];

/** Values the server sends as words of its own; countries, sectors and codes are shown as they are. */
const VALUES: Record<string, ConsoleKey> = {
  unknown: 'admin.stats.v.unknown',
  female: 'admin.stats.v.female',
  male: 'admin.stats.v.male',
  other: 'admin.stats.v.other',
  undisclosed: 'admin.stats.v.undisclosed',
  under_25: 'admin.stats.v.under25',
  '25_34': 'admin.stats.v.25to34',
  '35_44': 'admin.stats.v.35to44',
  '45_54': 'admin.stats.v.45to54',
  '55_plus': 'admin.stats.v.55plus',
  full_qualification: 'admin.stats.v.full',
  statement_of_attainment: 'admin.stats.v.statement',
  not_yet_competent: 'admin.stats.v.nyc',
  certified: 'admin.stats.v.certified',
  withdrawn: 'admin.stats.v.withdrawn',
  rejected_ineligible: 'admin.stats.v.ineligible',
  in_progress: 'admin.stats.v.inProgress',
};

const valueLabel = (dimension: Dimension, value: string): string => {
  // A country or sector called "other" is the returnee's own word: only sexes, age bands and outcomes are ours.
  const ours = dimension === 'sex' || dimension === 'age_band' || dimension === 'outcome' || value === 'unknown';
  const key = ours ? VALUES[value] : undefined;
  return key ? t(key) : value;
};

/** Case counts of consenting returnees by six dimensions, as the API suppresses them, for a period. */
export function StatisticsScreen() {
  const [filter, setFilter] = useState<{ from?: string; to?: string }>({});
  const choice = useBodyChoice(true);
  const { body } = choice;
  const url = `/rpl/statistics${query({ ...filter, issuerId: body })}`;
  const { data, error, loading } = useLoad(() => get<Statistics>(url), [url]);
  return (
    <>
      <h1>{t('admin.stats.title')}</h1>
      <form
        class="card filters"
        onSubmit={(e) => {
          e.preventDefault();
          const f = fields(e.currentTarget as HTMLFormElement);
          setFilter({ from: f.from, to: f.to });
        }}
      >
        <div>
          <label for="stats-from">{t('admin.stats.from')}</label>
          <input id="stats-from" name="from" type="date" />
        </div>
        <div>
          <label for="stats-to">{t('admin.stats.to')}</label>
          <input id="stats-to" name="to" type="date" />
        </div>
        <BodyPicker id="stats-body" choice={choice} />
        <div>
          <button type="submit">{t('admin.stats.apply')}</button>
        </div>
      </form>
      <Problem error={error} />
      {loading && <p role="status">{t('app.loading')}</p>}
      {data && (
        <>
          <p role="status">
            {data.cases === 0 ? t('admin.stats.totalSuppressed', { n: data.minCell }) : t('admin.stats.total', { n: data.cases })}
          </p>
          <p class="note">{t('admin.stats.explain', { n: data.minCell })}</p>
          <div class="stats">
            {DIMENSIONS.map(([d, title]) => (
              <BarChart key={d} id={`chart-${d}`} title={t(title)} minCell={data.minCell} bars={data.dimensions[d].map((c) => ({ label: valueLabel(d, c.value), count: c.suppressed ? null : c.count }))} />
            ))}
          </div>
        </>
      )}
    </>
  );
}
