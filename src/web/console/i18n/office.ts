/** Strings of the console's office screens (see screens/office.tsx). */
export const office = {
  en: {},
  id: {},
} as const;
