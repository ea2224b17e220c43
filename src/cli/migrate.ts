import type { Config } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrator.js';

export async function migrateCommand(config: Config): Promise<number> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(database.db);
    console.log(applied.length ? `Applied ${applied.join(', ')}` : 'The database is up to date.');
    return 0;
  } finally {
    await database.close();
  }
}
