/** A count as people read it in logs and previews: `1,234,567` (en-US grouping, whatever the locale). */
export const fmt = (n: number): string => n.toLocaleString("en-US");
