/** `npm run seed`: loads the demo data into an empty database (embedded, or DATABASE_URL). */
import 'reflect-metadata';
import { loadConfig } from '../config';
import { ormConfig } from '../modules';
import { registerEventHandlers } from '../modules/event-handlers';
import { openDatabase } from '../db/database';
import { seedDemoDataIfEmpty } from './seed-demo-data';

async function main() {
  registerEventHandlers();
  const database = await openDatabase(loadConfig(), ormConfig);
  try {
    const seeded = await seedDemoDataIfEmpty(database.orm);
    console.log(seeded ? 'demo data loaded' : 'the database already has merchants; nothing loaded');
  } finally {
    await database.close();
  }
}

void main();
