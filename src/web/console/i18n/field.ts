/** Strings of the console's field screens (see screens/field.tsx). */
export const field = {
  en: {},
  id: {},
} as const;
