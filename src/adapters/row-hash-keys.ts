/**
 * A unique index or constraint as a catalog describes it; a null column is an expression or something else that
 * is no plain column.
 */
export interface UniqueIndex {
  readonly primary: boolean;
  readonly columns: readonly ({ readonly name: string; readonly notNull: boolean } | null)[];
}

/**
 * The primary key and the other unique keys that identify a row: plain columns only, all NOT
 * NULL (a unique index lets several rows hold NULL), shortest first, no key twice.
 */
export function pickUniqueKeys(indexes: readonly UniqueIndex[]): { primaryKey: string[]; uniqueKeys: string[][] } {
  const plain = (i: UniqueIndex) => i.columns.length > 0 && i.columns.every((c) => c !== null);
  const primary = indexes.find((i) => i.primary && plain(i));
  const primaryKey = primary ? primary.columns.map((c) => c!.name) : [];
  const seen = new Set([primaryKey.join('\u0000')]);
  const uniqueKeys: string[][] = [];
  const others = indexes.filter((i) => !i.primary && plain(i) && i.columns.every((c) => c!.notNull));
  for (const index of [...others].sort((a, b) => a.columns.length - b.columns.length)) {
    const names = index.columns.map((c) => c!.name);
    if (seen.has(names.join('\u0000'))) continue;
    seen.add(names.join('\u0000'));
    uniqueKeys.push(names);
  }
  return { primaryKey, uniqueKeys };
}
