import { useState } from 'preact/hooks';
import type { Accreditation, AssessmentCentre as Centre, Framework, MappingTable, Qualification } from '../../../frameworks/types.js';
import type { ConsoleKey } from '../i18n/index.js';
import { useLoad } from '../load.js';
import { PAGE_SIZE, Pager, uncountedPage, usePages } from '../pages.js';
import { day, lang, query, said, t } from '../shell.js';
import { get, send } from './http.js';
import { BodyPicker, fields, Outcome, Problem, Table, textIn, useAction, useBodyChoice } from './ui.js';

/*
 * The registry an admin keeps: frameworks and their AQRF mapping tables, the qualification catalogue, certifying
 * bodies' accreditations and assessment centres. Reads are public routes; every change is the policy's `registry`
 * `manage`, judged by the server whatever this page shows.
 */

const TABS: Array<[string, ConsoleKey]> = [
  ['frameworks', 'admin.registry.frameworks'],
  ['qualifications', 'admin.registry.qualifications'],
  ['accreditations', 'admin.registry.accreditations'],
  ['centres', 'admin.registry.centres'],
];

function Tabs({ current }: { current: string }) {
  return (
    <nav class="tabs" aria-label={t('admin.registry.sections')}>
      {TABS.map(([tab, label]) => (
        <a key={tab} href={`#/registry/${tab}`} aria-current={tab === current ? 'page' : undefined}>
          {t(label)}
        </a>
      ))}
    </nav>
  );
}

export function RegistryScreen({ tab = 'frameworks' }: { tab?: string }) {
  return (
    <>
      <h1>{t('admin.registry.title')}</h1>
      <Tabs current={tab} />
      {tab === 'qualifications' ? <Qualifications /> : tab === 'accreditations' ? <Accreditations /> : tab === 'centres' ? <Centres /> : <Frameworks />}
    </>
  );
}

function Frameworks() {
  const { data, error } = useLoad(() => get<{ frameworks: Framework[] }>('/frameworks'), []);
  return (
    <section aria-labelledby="frameworks-h">
      <h2 id="frameworks-h">{t('admin.registry.frameworks')}</h2>
      <Problem error={error} />
      <Table
        label={t('admin.registry.frameworks')}
        columns={['admin.framework.acronym', 'admin.framework.name', 'admin.framework.country', 'admin.framework.levels']}
        rows={data?.frameworks ?? []}
        rowKey={(f) => f.id}
        cells={(f) => [<a href={`#/registry/frameworks/${encodeURIComponent(f.id)}`}>{f.acronym}</a>, textIn(f.name, lang.value), f.country ?? '—', f.levels.length]}
      />
    </section>
  );
}

/** One framework: its levels and every version of its mapping table, and the form for a new version. */
export function FrameworkScreen({ id }: { id: string }) {
  const { data, error, reload } = useLoad(() => get<Framework & { mappingTables: MappingTable[] }>(`/frameworks/${encodeURIComponent(id)}`), [id]);
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = fields(form);
    const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0];
    return action.run(async () => {
      const meta = { frameworkId: id, id: f.id, status: f.status, source: f.source, citation: f.citation, validFrom: f.validFrom, validUntil: f.validUntil };
      const table = await send<MappingTable>('POST', `/frameworks/mappings/import${query(meta)}`, { raw: file ?? '', type: 'text/csv' });
      form.reset();
      reload();
      return said('admin.mapping.imported', { id: table.id, n: table.entries.length });
    });
  };
  return (
    <>
      <h1>{data ? `${data.acronym} — ${textIn(data.name, lang.value)}` : t('admin.registry.frameworks')}</h1>
      <p>
        <a href="#/registry/frameworks">{t('admin.registry.backToFrameworks')}</a>
      </p>
      <Problem error={error} />
      {data && (
        <>
          <h2>{t('admin.framework.levels')}</h2>
          <Table
            label={t('admin.framework.levels')}
            columns={['admin.framework.level', 'admin.framework.levelTitle']}
            rows={data.levels}
            rowKey={(l) => l.level}
            cells={(l) => [l.level, textIn(l.title, lang.value)]}
          />
          <h2>{t('admin.mapping.title')}</h2>
          {data.mappingTables.length === 0 && <p class="note">{t('admin.mapping.none')}</p>}
          {data.mappingTables.map((m) => (
            <div class="card" key={m.id}>
              <h3>
                {m.id} <span class="badge">{m.status === 'official' ? t('admin.mapping.official') : t('admin.mapping.provisional')}</span>
              </h3>
              <p class="note">
                {t('admin.mapping.valid', { from: day(m.validFrom), until: m.validUntil ? day(m.validUntil) : '…' })} · {m.source}
              </p>
              <p>{m.entries.map((e) => `${e.nationalLevel} → ${e.aqrfLevel}`).join(' · ')}</p>
            </div>
          ))}
          <form class="card" onSubmit={submit}>
            <h3>{t('admin.mapping.import')}</h3>
            <p class="note">{t('admin.mapping.csvNote')}</p>
            <label for="mapping-file">{t('admin.mapping.file')}</label>
            <input id="mapping-file" name="file" type="file" accept=".csv,text/csv" required />
            <label for="mapping-id">{t('admin.mapping.id')}</label>
            <input id="mapping-id" name="id" type="text" required maxLength={100} />
            <label for="mapping-status">{t('admin.mapping.status')}</label>
            <select id="mapping-status" name="status">
              <option value="official">{t('admin.mapping.official')}</option>
              <option value="provisional">{t('admin.mapping.provisional')}</option>
            </select>
            <label for="mapping-source">{t('admin.mapping.source')}</label>
            <input id="mapping-source" name="source" type="text" required maxLength={2000} />
            <label for="mapping-citation">{t('admin.mapping.citation')}</label>
            <input id="mapping-citation" name="citation" type="text" maxLength={2000} />
            <label for="mapping-from">{t('admin.mapping.validFrom')}</label>
            <input id="mapping-from" name="validFrom" type="date" required />
            <label for="mapping-until">{t('admin.mapping.validUntil')}</label>
            <input id="mapping-until" name="validUntil" type="date" />
            <p>
              <button type="submit" disabled={action.busy}>{t('admin.mapping.send')}</button>
            </p>
            <Outcome action={action} />
          </form>
        </>
      )}
    </>
  );
}

function Qualifications() {
  const [q, setQ] = useState('');
  // The catalogue route does not count its matches: a page asks for one more to know whether a next page exists.
  const pages = usePages(async (offset) => {
    const r = await get<{ qualifications: Qualification[] }>(`/qualifications${query({ q, limit: PAGE_SIZE + 1, offset })}`);
    return uncountedPage(r.qualifications, offset);
  }, [q]);
  const { data, error, reload } = pages;
  const action = useAction();
  const importFile = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0];
    const demo = (form.elements.namedItem('demo') as HTMLInputElement).checked;
    if (!file) return;
    await action.run(async () => {
      // A JSON catalogue or a CSV sheet (one line per qualification unit): the server reads either.
      const json = file.name.toLowerCase().endsWith('.json') || file.type === 'application/json';
      const r = await send<{ unitsCreated: number; qualificationsCreated: number; unchanged: number }>('POST', `/qualifications/import${demo ? '?demo=true' : ''}`, {
        raw: file,
        type: json ? 'application/json' : 'text/csv',
      });
      form.reset();
      reload();
      return said('admin.qualifications.imported', { q: r.qualificationsCreated, u: r.unitsCreated, same: r.unchanged });
    });
  };
  return (
    <section aria-labelledby="qualifications-h">
      <h2 id="qualifications-h">{t('admin.registry.qualifications')}</h2>
      <form
        class="card row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(fields(e.currentTarget as HTMLFormElement).q ?? '');
        }}
      >
        <label for="qualifications-q" class="sr-only">{t('admin.qualifications.search')}</label>
        <input id="qualifications-q" name="q" type="search" placeholder={t('admin.qualifications.search')} />
        <button type="submit">{t('common.search')}</button>
      </form>
      <Problem error={error} />
      <Table
        label={t('admin.registry.qualifications')}
        columns={['admin.qualifications.code', 'admin.qualifications.titleCol', 'admin.qualifications.framework', 'admin.qualifications.units']}
        rows={data?.items ?? []}
        rowKey={(x) => x.id}
        cells={(x) => [x.code, textIn(x.titles, lang.value), `${x.frameworkAcronym} ${x.nationalLevel} · ${x.country}`, x.units.length]}
      />
      <Pager page={data} go={pages.go} list={t('admin.registry.qualifications')} />
      {data && data.items.length === 0 && <p class="note">{t('admin.qualifications.none')}</p>}
      <form class="card" onSubmit={importFile}>
        <h3>{t('admin.qualifications.import')}</h3>
        <p class="note">{t('admin.qualifications.importNote')}</p>
        <label for="catalogue-file">{t('admin.qualifications.file')}</label>
        <input id="catalogue-file" name="file" type="file" accept=".csv,.json,text/csv,application/json" required />
        <label class="check">
          <input name="demo" type="checkbox" /> {t('admin.qualifications.demo')}
        </label>
        <p>
          <button type="submit" disabled={action.busy}>{t('admin.qualifications.send')}</button>
        </p>
        <Outcome action={action} />
      </form>
    </section>
  );
}

const list = (s: string | undefined) => (s ?? '').split(/[;\n,]/).map((x) => x.trim()).filter(Boolean);

function Accreditations() {
  const choice = useBodyChoice();
  const { body } = choice;
  const { data, error, reload } = useLoad(body ? () => get<{ accreditations: Accreditation[] }>(`/issuers/${encodeURIComponent(body)}/accreditations`) : null, [body]);
  const frameworks = useLoad(() => get<{ frameworks: Framework[] }>('/frameworks'), []);
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = fields(form);
    return action.run(async () => {
      await send('POST', `/issuers/${encodeURIComponent(body)}/accreditations`, {
        json: {
          country: (f.country ?? '').toUpperCase(),
          frameworkId: f.frameworkId ?? null,
          qualificationIds: list(f.qualificationIds),
          sectors: list(f.sectors),
          validFrom: f.validFrom ?? '',
          validUntil: f.validUntil ?? null,
          accreditedBy: f.accreditedBy ?? null,
          reference: f.reference ?? null,
        },
      });
      form.reset();
      reload();
      return said('admin.accreditations.added');
    });
  };
  return (
    <section aria-labelledby="accreditations-h">
      <h2 id="accreditations-h">{t('admin.registry.accreditations')}</h2>
      <BodyPicker id="accreditations-body" choice={choice} />
      <Problem error={error} />
      {data && data.accreditations.length > 0 && (
        <Table
          label={t('admin.registry.accreditations')}
          columns={['admin.accreditations.scope', 'admin.accreditations.period', 'admin.accreditations.by']}
          rows={data.accreditations}
          rowKey={(a) => a.id}
          cells={(a) => [
            [
              a.country,
              a.frameworkId,
              a.qualificationIds.length ? t('admin.accreditations.nQualifications', { n: a.qualificationIds.length }) : '',
              a.sectors.join(', '),
            ].filter(Boolean).join(' · '),
            `${day(a.validFrom)} – ${a.validUntil ? day(a.validUntil) : '…'}`,
            [a.accreditedBy, a.reference].filter(Boolean).join(' '),
          ]}
        />
      )}
      {data && data.accreditations.length === 0 && <p class="note">{t('admin.accreditations.none')}</p>}
      <form class="card" onSubmit={submit}>
        <h3>{t('admin.accreditations.add')}</h3>
        <label for="acc-country">{t('admin.field.country')}</label>
        <input id="acc-country" name="country" type="text" required maxLength={2} autocomplete="off" />
        <label for="acc-framework">{t('admin.accreditations.framework')}</label>
        <select id="acc-framework" name="frameworkId">
          <option value="">{t('common.none')}</option>
          {(frameworks.data?.frameworks ?? []).map((f) => (
            <option key={f.id} value={f.id}>{f.acronym}</option>
          ))}
        </select>
        <label for="acc-qualifications">{t('admin.accreditations.qualifications')}</label>
        <textarea id="acc-qualifications" name="qualificationIds" aria-describedby="acc-list-note" />
        <label for="acc-sectors">{t('admin.accreditations.sectors')}</label>
        <input id="acc-sectors" name="sectors" type="text" aria-describedby="acc-list-note" />
        <p class="note" id="acc-list-note">{t('admin.accreditations.listNote')}</p>
        <label for="acc-from">{t('admin.mapping.validFrom')}</label>
        <input id="acc-from" name="validFrom" type="date" required />
        <label for="acc-until">{t('admin.mapping.validUntil')}</label>
        <input id="acc-until" name="validUntil" type="date" />
        <label for="acc-by">{t('admin.accreditations.by')}</label>
        <input id="acc-by" name="accreditedBy" type="text" maxLength={500} />
        <label for="acc-ref">{t('admin.accreditations.reference')}</label>
        <input id="acc-ref" name="reference" type="text" maxLength={500} />
        <p>
          <button type="submit" disabled={!body}>{t('admin.accreditations.add')}</button>
        </p>
        <Outcome action={action} />
      </form>
    </section>
  );
}

function Centres() {
  const choice = useBodyChoice();
  const { body } = choice;
  const { data, error, reload } = useLoad(body ? () => get<{ assessmentCentres: Centre[] }>(`/assessment-centres${query({ issuerId: body })}`) : null, [body]);
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = fields(form);
    return action.run(async () => {
      const c = await send<Centre>('POST', '/assessment-centres', {
        json: { issuerId: body, name: f.name ?? '', country: (f.country ?? '').toUpperCase(), city: f.city ?? null, address: f.address ?? null },
      });
      form.reset();
      reload();
      return said('admin.centres.added', { name: c.name });
    });
  };
  return (
    <section aria-labelledby="centres-h">
      <h2 id="centres-h">{t('admin.registry.centres')}</h2>
      <BodyPicker id="centres-body" choice={choice} />
      <Problem error={error} />
      {data && data.assessmentCentres.length > 0 && (
        <Table
          label={t('admin.registry.centres')}
          class="centres"
          columns={['admin.centres.name', 'admin.field.country', 'admin.centres.city']}
          rows={data.assessmentCentres}
          rowKey={(c) => c.id}
          cells={(c) => [c.name, c.country, [c.city, c.address].filter(Boolean).join(' · ')]}
        />
      )}
      {data && data.assessmentCentres.length === 0 && <p class="note">{t('admin.centres.none')}</p>}
      <form class="card" onSubmit={submit}>
        <h3>{t('admin.centres.add')}</h3>
        <label for="centre-name">{t('admin.centres.name')}</label>
        <input id="centre-name" name="name" type="text" required maxLength={300} />
        <label for="centre-country">{t('admin.field.country')}</label>
        <input id="centre-country" name="country" type="text" required maxLength={2} autocomplete="off" aria-describedby="centre-country-note" />
        <p class="note" id="centre-country-note">{t('admin.centres.countryNote')}</p>
        <label for="centre-city">{t('admin.centres.city')}</label>
        <input id="centre-city" name="city" type="text" maxLength={200} />
        <label for="centre-address">{t('admin.centres.address')}</label>
        <textarea id="centre-address" name="address" maxLength={1000} />
        <p>
          <button type="submit" disabled={!body}>{t('admin.centres.add')}</button>
        </p>
        <Outcome action={action} />
      </form>
    </section>
  );
}
