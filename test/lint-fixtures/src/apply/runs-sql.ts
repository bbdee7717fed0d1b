// Only src/store/ speaks SQL: neither the driver nor the store's transaction helper.
import Database from 'better-sqlite3';
import { writeTransaction } from '../store/transaction.js';

export const db = new Database(':memory:');
export const one = writeTransaction(db, () => 1);
