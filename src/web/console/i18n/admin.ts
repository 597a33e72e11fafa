/** Strings of the console's admin screens (see screens/admin.tsx). */
export const admin = {
  en: {},
  id: {},
} as const;
