/*
 * The cohort sheet as src/rpl/cohort-import.ts reads it, for the console's template download. A copy, because that
 * module cannot be bundled for the browser; tests/web/console-admin.test.ts keeps the two equal and imports a
 * template through the server's importer. No browser globals here, so the test can load it.
 */
export const TEMPLATE_COLUMNS = [
  'full_name', 'name_latin', 'email', 'phone', 'sex', 'birth_year', 'country_of_work', 'sector', 'years_experience',
  'national_id', 'preferred_language', 'consent_purpose', 'consent_statistics', 'decisions', 'methods', 'notes',
] as const;
export const ENCODINGS = ['auto', 'utf-8', 'utf-16le', 'utf-16be'] as const;

/** A sheet with the header and one example row for the chosen qualification (its core units decided Competent). */
export function templateCsv(q: { units: Array<{ code: string; kind: string }> } | undefined): string {
  const units = q?.units.filter((u) => u.kind === 'core').map((u) => `${u.code}=C`).join(';') ?? 'UNIT1=C;UNIT2=NYC';
  const example: Record<(typeof TEMPLATE_COLUMNS)[number], string> = {
    full_name: 'Maria Santos', name_latin: '', email: 'maria.santos@example.org', phone: '', sex: 'female', birth_year: '1990',
    country_of_work: 'HK', sector: 'domestic work', years_experience: '6', national_id: '', preferred_language: 'fil',
    consent_purpose: 'Recognition of prior learning and certification', consent_statistics: 'yes', decisions: units,
    methods: 'observation;interview', notes: '',
  };
  const cell = (v: string) => (/[",;\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${TEMPLATE_COLUMNS.join(',')}\r\n${TEMPLATE_COLUMNS.map((c) => cell(example[c])).join(',')}\r\n`;
}

