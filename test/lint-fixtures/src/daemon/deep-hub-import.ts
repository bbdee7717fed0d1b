// Outside src/hub/, the Hub client is imported from src/hub/index.ts only.
import { HubRateLimiter } from '../hub/protocol/rate-limit.js';

export const limiter = new HubRateLimiter();
