import path from 'node:path';
import { ConnectionSettingError } from '../connection-setting-error.js';
import type { ConnectionParser, ParsedConnection } from '../parsed-connection.js';

/** sqlite:relative/path.db (next to the knexfile or the working directory), sqlite:/abs/path.db, sqlite::memory: */
export const sqliteConnectionParser: ConnectionParser = {
  fromUrl(raw, baseDir) {
    let rest = raw.slice(raw.indexOf(':') + 1);
    if (rest.startsWith('//')) rest = rest.slice(2);
    if (!rest)
      throw new ConnectionSettingError(
        'sqlite URL has no file path',
        'use sqlite:path/to/file.sqlite3 or sqlite::memory:',
      );
    return fileConnection(rest, baseDir);
  },
  fromObject(object, baseDir) {
    const filename = object.filename;
    if (typeof filename !== 'string' || !filename)
      throw new ConnectionSettingError('sqlite connection needs a filename', 'set connection.filename');
    const parsed = fileConnection(filename, baseDir);
    return { ...parsed, connection: { ...object, ...parsed.connection } };
  },
};

function fileConnection(file: string, baseDir: string): ParsedConnection {
  const filename = file === ':memory:' ? ':memory:' : path.resolve(baseDir, file);
  return { connection: { filename }, display: `sqlite:${filename}`, secrets: [] };
}
