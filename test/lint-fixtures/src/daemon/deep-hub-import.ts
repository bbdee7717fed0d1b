// Outside src/hub/, the Hub client is imported from src/hub/index.ts only.
import { hubRateLimiter } from '../hub/protocol/rate-limit.js';

export const limiter = hubRateLimiter;
