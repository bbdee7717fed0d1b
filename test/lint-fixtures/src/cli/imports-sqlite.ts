// Even the CLI, which may import every part, does not open the database itself.
import Database from 'better-sqlite3';

export const open = (path: string) => new Database(path);
