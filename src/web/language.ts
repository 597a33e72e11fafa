/**
 * The language a page opens in: the one the person chose on this device, else the first of the browser's preferred
 * languages the page speaks (Tagalog counts as Filipino, as phones in the Philippines often report it), else English.
 * Shared by the verifier, the returnee space and the staff console so the three agree.
 */
export function openingLanguage<L extends string>(speaks: readonly L[], saved: string | null): L | 'en' {
  const known = (code: string | null): code is L => code !== null && (speaks as readonly string[]).includes(code);
  if (known(saved)) return saved;
  const tags = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  for (const tag of tags) {
    const base = tag.toLowerCase().split('-')[0]!;
    const code = base === 'tl' ? 'fil' : base;
    if (known(code)) return code;
  }
  return 'en';
}

/** Each language's name in itself, as the pages' language pickers show it. */
export const LANGUAGE_NAMES: Record<string, string> = { en: 'English', id: 'Bahasa Indonesia', fil: 'Filipino', th: 'ไทย', vi: 'Tiếng Việt', km: 'ខ្មែរ', lo: 'ລາວ', my: 'မြန်မာ', ms: 'Bahasa Melayu' };
